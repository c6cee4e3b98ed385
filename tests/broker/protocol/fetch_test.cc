#include "broker/protocol/fetch.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
namespace {

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
    m.forgotten_topics_data = {{"f", {partition_id{7}}}};
  }
  fetch_request::fetch_partition p;
  p.partition = partition_id{0};
  p.fetch_offset = offset{10};
  p.partition_max_bytes = 1048576;
  if (v >= 5) p.log_start_offset = offset{-1};
  if (v >= 9) p.current_leader_epoch = -1;
  m.topics = {{"t", {p}}};
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
  m.responses = {{"t", {data, empty}}};
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

TEST(fetch, rejects_versions_outside_4_to_11) {
  check_rejects_versions<fetch_request>({3, 12});
  check_rejects_versions<fetch_response>({12});
}

}  // namespace
}  // namespace sluice::broker::protocol
