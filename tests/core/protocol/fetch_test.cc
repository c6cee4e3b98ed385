#include "core/protocol/fetch.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

uuid topic_uuid() {
  uuid id;
  for (uint8_t i = 0; i < 16; ++i) id.value[i] = static_cast<uint8_t>(0x10 + i);
  return id;
}
uuid forgotten_uuid() {
  uuid id;
  id.value[15] = 0x0f;
  return id;
}

fetch_request request_for(int16_t v) {
  fetch_request m;
  m.replica_id = node_id{-1};
  m.max_wait_ms = 500;
  m.min_bytes = 1;
  m.max_bytes = 52428800;
  m.isolation_level = 1;
  if (v >= 7) {
    m.session_id = 0;
    m.session_epoch = -1;
    m.forgotten_topics_data = {{"f", {}, {partition_id{7}}}};
  }
  fetch_request::fetch_partition p;
  p.partition = partition_id{0};
  p.fetch_offset = offset{10};
  p.partition_max_bytes = 1048576;
  if (v >= 5) p.log_start_offset = offset{-1};
  if (v >= 9) p.current_leader_epoch = -1;
  if (v >= 12) p.last_fetched_epoch = 0;
  m.topics = {{"t", {}, {p}}};
  if (v >= 13) {
    m.topics[0].topic.clear();
    m.topics[0].topic_id = topic_uuid();
    m.forgotten_topics_data[0].topic.clear();
    m.forgotten_topics_data[0].topic_id = forgotten_uuid();
  }
  if (v >= 15) m.replica_id = node_id{-1};  // not on the wire: stays the default
  if (v >= 11) m.rack_id = "r1";
  return m;
}

TEST(fetch, request_v4) {
  check_golden(request_for(4),
               hex("ff ff ff ff"               // replica_id -1
                   "00 00 01 f4"               // max_wait_ms 500
                   "00 00 00 01"               // min_bytes 1
                   "03 20 00 00"               // max_bytes 50 MiB
                   "01"                        // isolation_level read_committed
                   "00 00 00 01"               // topics: 1
                   "00 01 't'"                 //   topic
                   "00 00 00 01"               //   partitions: 1
                   "00 00 00 00"               //     partition 0
                   "00 00 00 00 00 00 00 0a"   //     fetch_offset 10
                   "00 10 00 00"),             //     partition_max_bytes 1 MiB
               4);
}

TEST(fetch, request_v5_v6) {
  const auto golden = hex("ff ff ff ff 00 00 01 f4 00 00 00 01 03 20 00 00 01"
                          "00 00 00 01 00 01 't' 00 00 00 01"
                          "00 00 00 00"
                          "00 00 00 00 00 00 00 0a"
                          "ff ff ff ff ff ff ff ff"   // log_start_offset -1 (v5+)
                          "00 10 00 00");
  check_golden(request_for(5), golden, 5);
  check_golden(request_for(6), golden, 6);
}

TEST(fetch, request_v7_v8) {
  const auto golden = hex("ff ff ff ff 00 00 01 f4 00 00 00 01 03 20 00 00 01"
                          "00 00 00 00"               // session_id 0 (v7+)
                          "ff ff ff ff"               // session_epoch -1 (v7+)
                          "00 00 00 01 00 01 't' 00 00 00 01"
                          "00 00 00 00"
                          "00 00 00 00 00 00 00 0a"
                          "ff ff ff ff ff ff ff ff"
                          "00 10 00 00"
                          "00 00 00 01"               // forgotten_topics_data: 1 (v7+)
                          "00 01 'f'"                 //   topic
                          "00 00 00 01 00 00 00 07"); //   partitions [7]
  check_golden(request_for(7), golden, 7);
  check_golden(request_for(8), golden, 8);
}

TEST(fetch, request_v9_v10) {
  const auto golden = hex("ff ff ff ff 00 00 01 f4 00 00 00 01 03 20 00 00 01"
                          "00 00 00 00 ff ff ff ff"
                          "00 00 00 01 00 01 't' 00 00 00 01"
                          "00 00 00 00"
                          "ff ff ff ff"               // current_leader_epoch -1 (v9+)
                          "00 00 00 00 00 00 00 0a"
                          "ff ff ff ff ff ff ff ff"
                          "00 10 00 00"
                          "00 00 00 01 00 01 'f' 00 00 00 01 00 00 00 07");
  check_golden(request_for(9), golden, 9);
  check_golden(request_for(10), golden, 10);
}

TEST(fetch, request_v11) {
  check_golden(request_for(11),
               hex("ff ff ff ff 00 00 01 f4 00 00 00 01 03 20 00 00 01"
                   "00 00 00 00 ff ff ff ff"
                   "00 00 00 01 00 01 't' 00 00 00 01"
                   "00 00 00 00 ff ff ff ff"
                   "00 00 00 00 00 00 00 0a"
                   "ff ff ff ff ff ff ff ff"
                   "00 10 00 00"
                   "00 00 00 01 00 01 'f' 00 00 00 01 00 00 00 07"
                   "00 02 'r1'"),              // rack_id (v11+)
               11);
}

fetch_response response_for(int16_t v) {
  fetch_response m;
  fetch_response::partition_data data;
  data.partition_index = partition_id{0};
  data.high_watermark = offset{20};
  data.last_stable_offset = offset{18};
  if (v >= 5) data.log_start_offset = offset{0};
  data.aborted_transactions = {{producer_id{9}, offset{12}}};
  data.records = hex("'xyz'");
  fetch_response::partition_data empty;
  empty.partition_index = partition_id{1};
  empty.error_code = error_code::offset_out_of_range;
  empty.high_watermark = offset{3};
  empty.last_stable_offset = offset{3};
  m.responses = {{"t", {}, {data, empty}}};
  if (v >= 13) {
    m.responses[0].topic.clear();
    m.responses[0].topic_id = topic_uuid();
  }
  return m;
}

TEST(fetch, response_v4) {
  check_golden(response_for(4),
               hex("00 00 00 00"               // throttle_time_ms
                   "00 00 00 01"               // responses: 1
                   "00 01 't'"                 //   topic
                   "00 00 00 02"               //   partitions: 2
                   "00 00 00 00"               //     partition_index 0
                   "00 00"                     //     error_code
                   "00 00 00 00 00 00 00 14"   //     high_watermark 20
                   "00 00 00 00 00 00 00 12"   //     last_stable_offset 18
                   "00 00 00 01"               //     aborted_transactions: 1
                   "00 00 00 00 00 00 00 09"   //       producer_id 9
                   "00 00 00 00 00 00 00 0c"   //       first_offset 12
                   "00 00 00 03 'xyz'"         //     records
                   "00 00 00 01"               //     partition_index 1
                   "00 01"                     //     OFFSET_OUT_OF_RANGE
                   "00 00 00 00 00 00 00 03"
                   "00 00 00 00 00 00 00 03"
                   "00 00 00 00"               //     aborted_transactions: empty, not null
                   "00 00 00 00"),             //     records: length 0, not null
               4);
}

TEST(fetch, response_v5_v6) {
  const auto golden = hex("00 00 00 00 00 00 00 01 00 01 't' 00 00 00 02"
                          "00 00 00 00 00 00"
                          "00 00 00 00 00 00 00 14"
                          "00 00 00 00 00 00 00 12"
                          "00 00 00 00 00 00 00 00"   // log_start_offset 0 (v5+)
                          "00 00 00 01 00 00 00 00 00 00 00 09 00 00 00 00 00 00 00 0c"
                          "00 00 00 03 'xyz'"
                          "00 00 00 01 00 01"
                          "00 00 00 00 00 00 00 03"
                          "00 00 00 00 00 00 00 03"
                          "ff ff ff ff ff ff ff ff"   // log_start_offset -1
                          "00 00 00 00 00 00 00 00");
  check_golden(response_for(5), golden, 5);
  check_golden(response_for(6), golden, 6);
}

TEST(fetch, response_v7_to_v10) {
  const auto golden = hex("00 00 00 00"
                          "00 00"                     // error_code (v7+)
                          "00 00 00 00"               // session_id (v7+)
                          "00 00 00 01 00 01 't' 00 00 00 02"
                          "00 00 00 00 00 00"
                          "00 00 00 00 00 00 00 14"
                          "00 00 00 00 00 00 00 12"
                          "00 00 00 00 00 00 00 00"
                          "00 00 00 01 00 00 00 00 00 00 00 09 00 00 00 00 00 00 00 0c"
                          "00 00 00 03 'xyz'"
                          "00 00 00 01 00 01"
                          "00 00 00 00 00 00 00 03"
                          "00 00 00 00 00 00 00 03"
                          "ff ff ff ff ff ff ff ff"
                          "00 00 00 00 00 00 00 00");
  for (int16_t v = 7; v <= 10; ++v) check_golden(response_for(v), golden, v);
}

TEST(fetch, response_v11) {
  check_golden(response_for(11),
               hex("00 00 00 00 00 00 00 00 00 00"
                   "00 00 00 01 00 01 't' 00 00 00 02"
                   "00 00 00 00 00 00"
                   "00 00 00 00 00 00 00 14"
                   "00 00 00 00 00 00 00 12"
                   "00 00 00 00 00 00 00 00"
                   "00 00 00 01 00 00 00 00 00 00 00 09 00 00 00 00 00 00 00 0c"
                   "ff ff ff ff"               // preferred_read_replica -1 (v11+)
                   "00 00 00 03 'xyz'"
                   "00 00 00 01 00 01"
                   "00 00 00 00 00 00 00 03"
                   "00 00 00 00 00 00 00 03"
                   "ff ff ff ff ff ff ff ff"
                   "00 00 00 00"
                   "ff ff ff ff"
                   "00 00 00 00"),
               11);
}

TEST(fetch, response_null_aborted_and_null_records_decode_as_empty) {
  const auto b = hex("00 00 00 00 00 00 00 01 00 01 't' 00 00 00 01"
                     "00 00 00 00 00 00"
                     "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                     "ff ff ff ff"      // aborted_transactions null (Apache, read_uncommitted)
                     "ff ff ff ff");    // records null
  auto m = decode_all<fetch_response>(b, 4);
  ASSERT_EQ(m.responses.size(), 1u);
  EXPECT_TRUE(m.responses[0].partitions[0].aborted_transactions.empty());
  EXPECT_TRUE(m.responses[0].partitions[0].records.empty());
}

TEST(fetch, request_v12) {
  check_golden(request_for(12),
               hex("ff ff ff ff 00 00 01 f4 00 00 00 01 03 20 00 00 01"
                   "00 00 00 00 ff ff ff ff"
                   "02"                        // topics: compact, 1
                   "02 't'"                    //   topic (compact string)
                   "02"                        //   partitions: 1
                   "00 00 00 00 ff ff ff ff"
                   "00 00 00 00 00 00 00 0a"
                   "00 00 00 00"               //     last_fetched_epoch 0 (v12+)
                   "ff ff ff ff ff ff ff ff"
                   "00 10 00 00"
                   "00"                        //     partition tags
                   "00"                        //   topic tags
                   "02 02 'f' 02 00 00 00 07 00"  // forgotten_topics_data (compact) + tags
                   "03 'r1'"                   // rack_id (compact)
                   "00"),                      // tags
               12);
}

TEST(fetch, request_v13_v14_name_topics_by_id) {
  const auto golden = hex("ff ff ff ff 00 00 01 f4 00 00 00 01 03 20 00 00 01"
                          "00 00 00 00 ff ff ff ff"
                          "02"
                          "10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f"  // topic_id (v13+)
                          "02 00 00 00 00 ff ff ff ff 00 00 00 00 00 00 00 0a"
                          "00 00 00 00 ff ff ff ff ff ff ff ff 00 10 00 00 00"
                          "00"
                          "02"
                          "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0f"  // forgotten topic_id
                          "02 00 00 00 07 00"
                          "03 'r1' 00");
  check_golden(request_for(13), golden, 13);
  check_golden(request_for(14), golden, 14);
}

TEST(fetch, request_v15_to_v18_drop_replica_id) {
  const auto golden = hex("00 00 01 f4 00 00 00 01 03 20 00 00 01"  // no replica_id (v15+)
                          "00 00 00 00 ff ff ff ff"
                          "02 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f"
                          "02 00 00 00 00 ff ff ff ff 00 00 00 00 00 00 00 0a"
                          "00 00 00 00 ff ff ff ff ff ff ff ff 00 10 00 00 00"
                          "00"
                          "02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 0f 02 00 00 00 07 00"
                          "03 'r1' 00");
  for (int16_t v = 15; v <= 18; ++v) check_golden(request_for(v), golden, v);
}

TEST(fetch, request_tags_from_brokers_are_skipped) {
  // v18 with ClusterId (tag 0) and ReplicaState (tag 1) at the top level and
  // ReplicaDirectoryId (tag 0) and HighWatermark (tag 1) on the partition.
  const auto b = hex("00 00 01 f4 00 00 00 01 03 20 00 00 01 00 00 00 00 ff ff ff ff"
                     "02 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f"
                     "02 00 00 00 00 ff ff ff ff 00 00 00 00 00 00 00 0a"
                     "00 00 00 00 ff ff ff ff ff ff ff ff 00 10 00 00"
                     "02"                                              // 2 partition tags
                     "00 10 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01"
                     "01 08 00 00 00 00 00 00 00 05"
                     "00"
                     "01 03 'r1'"                                      // forgotten: none
                     "02"                                              // 2 top-level tags
                     "00 03 03 'c1'"                                  // ClusterId "c1"
                     "01 0d 00 00 00 02 00 00 00 00 00 00 00 09 00"); // ReplicaState
  auto m = decode_all<fetch_request>(b, 18);
  ASSERT_EQ(m.topics.size(), 1u);
  EXPECT_EQ(m.topics[0].topic_id, topic_uuid());
  EXPECT_EQ(m.topics[0].partitions[0].fetch_offset, offset{10});
  EXPECT_EQ(m.rack_id, "r1");
  EXPECT_EQ(m.replica_id, node_id{-1});
}

TEST(fetch, response_v12) {
  check_golden(response_for(12),
               hex("00 00 00 00 00 00 00 00 00 00"
                   "02 02 't'"                 // responses (compact), topic (compact)
                   "03"                        // partitions: 2
                   "00 00 00 00 00 00"
                   "00 00 00 00 00 00 00 14"
                   "00 00 00 00 00 00 00 12"
                   "00 00 00 00 00 00 00 00"
                   "02 00 00 00 00 00 00 00 09 00 00 00 00 00 00 00 0c 00"  // aborted + tags
                   "ff ff ff ff"
                   "04 'xyz'"                  // records (compact)
                   "00"                        // partition tags
                   "00 00 00 01 00 01"
                   "00 00 00 00 00 00 00 03"
                   "00 00 00 00 00 00 00 03"
                   "ff ff ff ff ff ff ff ff"
                   "01"                        // aborted_transactions: empty
                   "ff ff ff ff"
                   "01"                        // records: length 0
                   "00"
                   "00"                        // topic tags
                   "00"),                      // tags
               12);
}

TEST(fetch, response_v13_to_v18_name_topics_by_id) {
  const auto golden = hex("00 00 00 00 00 00 00 00 00 00"
                          "02 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f"  // topic_id
                          "03"
                          "00 00 00 00 00 00"
                          "00 00 00 00 00 00 00 14 00 00 00 00 00 00 00 12"
                          "00 00 00 00 00 00 00 00"
                          "02 00 00 00 00 00 00 00 09 00 00 00 00 00 00 00 0c 00"
                          "ff ff ff ff 04 'xyz' 00"
                          "00 00 00 01 00 01"
                          "00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 03"
                          "ff ff ff ff ff ff ff ff 01 ff ff ff ff 01 00"
                          "00 00");
  for (int16_t v = 13; v <= 18; ++v) check_golden(response_for(v), golden, v);
}

TEST(fetch, response_diverging_epoch_is_tag_0) {
  fetch_response m;
  fetch_response::partition_data p;
  p.partition_index = partition_id{2};
  p.high_watermark = offset{5};
  p.last_stable_offset = offset{5};
  p.log_start_offset = offset{0};
  p.diverging_epoch = fetch_response::epoch_end_offset{0, offset{5}};
  m.responses = {{"", topic_uuid(), {p}}};
  check_golden(m,
               hex("00 00 00 00 00 00 00 00 00 00"
                   "02 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f"
                   "02 00 00 00 02 00 00"
                   "00 00 00 00 00 00 00 05 00 00 00 00 00 00 00 05"
                   "00 00 00 00 00 00 00 00"
                   "01 ff ff ff ff 01"
                   "01"                        // partition tags: 1
                   "00 0d"                     //   DivergingEpoch (tag 0), 13 bytes
                   "00 00 00 00"               //     epoch 0
                   "00 00 00 00 00 00 00 05"   //     end_offset 5
                   "00"                        //     its tags
                   "00 00"),
               13);
}

TEST(fetch, rejects_versions_outside_4_to_18) {
  check_rejects_versions<fetch_request>({3, 19});
  check_rejects_versions<fetch_response>({19});
}

}  // namespace
}  // namespace sluice::protocol
