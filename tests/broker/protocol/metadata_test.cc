#include "broker/protocol/metadata.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
namespace {

metadata_request request_for(int16_t v) {
  metadata_request m;
  m.topics = std::vector<metadata_request::request_topic>{{"t"}};
  if (v >= 4) m.allow_auto_topic_creation = false;
  return m;
}

TEST(metadata, request_v0) {
  check_golden(request_for(0),
               hex("00 00 00 01"  // topics: 1
                   "00 01 't'"),  // name "t"
               0);
}

TEST(metadata, request_v0_empty_means_all_topics) {
  const auto empty = hex("00 00 00 00");
  EXPECT_EQ(decode_all<metadata_request>(empty, 0).topics, std::nullopt);
  check_golden(metadata_request{}, empty, 0);  // null encodes as an empty v0 array
}

TEST(metadata, request_v1_to_v3) {
  for (int16_t v = 1; v <= 3; ++v) {
    check_golden(request_for(v), hex("00 00 00 01 00 01 't'"), v);
    check_golden(metadata_request{}, hex("ff ff ff ff"), v);  // null = all topics
    metadata_request none;
    none.topics.emplace();  // empty = no topics (librdkafka "brokers only")
    check_golden(none, hex("00 00 00 00"), v);
  }
}

TEST(metadata, request_v4) {
  check_golden(request_for(4),
               hex("00 00 00 01 00 01 't'"  // topics
                   "00"),                   // allow_auto_topic_creation false
               4);
  metadata_request all;
  check_golden(all, hex("ff ff ff ff 01"), 4);
}

metadata_response response_for(int16_t v) {
  metadata_response m;
  m.throttle_time_ms = v >= 3 ? 3 : 0;
  metadata_response::response_broker b;
  b.node_id = node_id{1};
  b.host = "localhost";
  b.port = 9092;
  m.brokers.push_back(b);
  if (v >= 2) m.cluster_id = "cid";
  if (v >= 1) m.controller_id = node_id{1};
  metadata_response::response_partition p;
  p.partition_index = partition_id{0};
  p.leader_id = node_id{1};
  p.replica_nodes = {node_id{1}};
  p.isr_nodes = {node_id{1}};
  metadata_response::response_topic t;
  t.name = "t";
  t.partitions = {p};
  metadata_response::response_topic missing;
  missing.error_code = error_code::unknown_topic_or_partition;
  missing.name = "x";
  m.topics = {t, missing};
  return m;
}

TEST(metadata, response_v0) {
  check_golden(response_for(0),
               hex("00 00 00 01"          // brokers: 1
                   "00 00 00 01"          //   node_id 1
                   "00 09 'localhost'"    //   host
                   "00 00 23 84"          //   port 9092
                   "00 00 00 02"          // topics: 2
                   "00 00"                //   error_code
                   "00 01 't'"            //   name
                   "00 00 00 01"          //   partitions: 1
                   "00 00"                //     error_code
                   "00 00 00 00"          //     partition_index 0
                   "00 00 00 01"          //     leader_id 1
                   "00 00 00 01 00 00 00 01"   // replica_nodes [1]
                   "00 00 00 01 00 00 00 01"   // isr_nodes [1]
                   "00 03"                //   error_code UNKNOWN_TOPIC_OR_PARTITION
                   "00 01 'x'"            //   name
                   "00 00 00 00"),        //   partitions: 0
               0);
}

TEST(metadata, response_v1) {
  check_golden(response_for(1),
               hex("00 00 00 01"
                   "00 00 00 01 00 09 'localhost' 00 00 23 84"
                   "ff ff"                // rack null (v1+)
                   "00 00 00 01"          // controller_id 1 (v1+)
                   "00 00 00 02"
                   "00 00 00 01 't'"
                   "00"                   // is_internal (v1+)
                   "00 00 00 01"
                   "00 00 00 00 00 00 00 00 00 01"
                   "00 00 00 01 00 00 00 01"
                   "00 00 00 01 00 00 00 01"
                   "00 03 00 01 'x' 00 00 00 00 00"),
               1);
}

TEST(metadata, response_v2) {
  check_golden(response_for(2),
               hex("00 00 00 01"
                   "00 00 00 01 00 09 'localhost' 00 00 23 84 ff ff"
                   "00 03 'cid'"          // cluster_id (v2+)
                   "00 00 00 01"          // controller_id
                   "00 00 00 02"
                   "00 00 00 01 't' 00"
                   "00 00 00 01"
                   "00 00 00 00 00 00 00 00 00 01"
                   "00 00 00 01 00 00 00 01"
                   "00 00 00 01 00 00 00 01"
                   "00 03 00 01 'x' 00 00 00 00 00"),
               2);
}

TEST(metadata, response_v3_and_v4) {
  const auto golden = hex("00 00 00 03"  // throttle_time_ms (v3+)
                          "00 00 00 01"
                          "00 00 00 01 00 09 'localhost' 00 00 23 84 ff ff"
                          "00 03 'cid'"
                          "00 00 00 01"
                          "00 00 00 02"
                          "00 00 00 01 't' 00"
                          "00 00 00 01"
                          "00 00 00 00 00 00 00 00 00 01"
                          "00 00 00 01 00 00 00 01"
                          "00 00 00 01 00 00 00 01"
                          "00 03 00 01 'x' 00 00 00 00 00");
  check_golden(response_for(3), golden, 3);
  check_golden(response_for(4), golden, 4);
}

TEST(metadata, response_with_rack_round_trips) {
  auto m = response_for(4);
  m.brokers[0].rack = "r1";
  m.cluster_id.reset();
  auto again = decode_all<metadata_response>(test::encode(m, 4), 4);
  EXPECT_TRUE(again == m);
}

TEST(metadata, rejects_unsupported_versions) {
  check_rejects_versions<metadata_request>({5});
  check_rejects_versions<metadata_response>({-1});
}

}  // namespace
}  // namespace sluice::broker::protocol
