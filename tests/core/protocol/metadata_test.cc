#include "core/protocol/metadata.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
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

/// The v2 answer: what v3 and v4 send after their throttle time.
const std::string response_v2_bytes = "00 00 00 01"
                                      "00 00 00 01 00 09 'localhost' 00 00 23 84 ff ff"
                                      "00 03 'cid'"   // cluster_id (v2+)
                                      "00 00 00 01"   // controller_id
                                      "00 00 00 02"
                                      "00 00 00 01 't' 00"
                                      "00 00 00 01"
                                      "00 00 00 00 00 00 00 00 00 01"
                                      "00 00 00 01 00 00 00 01"
                                      "00 00 00 01 00 00 00 01"
                                      "00 03 00 01 'x' 00 00 00 00 00";

TEST(metadata, response_v2) { check_golden(response_for(2), hex(response_v2_bytes), 2); }

TEST(metadata, response_v3_and_v4) {
  const auto golden = hex("00 00 00 03" + response_v2_bytes);  // throttle_time_ms (v3+)
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

TEST(metadata, request_v5_to_v7_as_v4) {
  for (int16_t v = 5; v <= 7; ++v) check_golden(request_for(v), hex("00 00 00 01 00 01 't' 00"), v);
}

TEST(metadata, request_v8_asks_for_authorized_operations) {
  auto m = request_for(8);
  m.include_cluster_authorized_operations = true;
  check_golden(m,
               hex("00 00 00 01 00 01 't'"
                   "00"    // allow_auto_topic_creation
                   "01"    // include_cluster_authorized_operations (v8–10)
                   "00"),  // include_topic_authorized_operations (v8+)
               8);
}

TEST(metadata, request_v9_is_flexible) {
  auto m = request_for(9);
  m.include_topic_authorized_operations = true;
  check_golden(m,
               hex("02"         // topics: compact array of 1
                   "02 't'"     //   name: compact string
                   "00"         //   tagged fields
                   "00 00 01"   // auto-create, cluster ops, topic ops
                   "00"),       // tagged fields
               9);
  check_golden(metadata_request{}, hex("00 01 00 00 00"), 9);  // null topics = all
}

TEST(metadata, request_v10_to_v12_carry_topic_ids) {
  auto m = request_for(10);
  m.topics->at(0).topic_id.value[15] = 7;
  const auto v10 = hex("02"
                       "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 07"  // topic_id (v10+)
                       "02 't' 00"
                       "00 00 00 00");
  check_golden(m, v10, 10);
  // v11 drops include_cluster_authorized_operations.
  check_golden(m,
               hex("02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 07 02 't' 00"
                   "00 00 00"),
               11);
  // By id only: a null name (v10+ on the wire; honoured from v12).
  metadata_request by_id;
  by_id.topics = std::vector<metadata_request::request_topic>{{std::nullopt, m.topics->at(0).topic_id}};
  check_golden(by_id,
               hex("02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 07"
                   "00"         // name: null compact string
                   "00"
                   "01 00 00"), // auto-create true, topic ops false, tags
               12);
  check_golden(by_id, hex("02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 07 00 00 01 00 00"), 13);
}

/// response_for(v) with the fields of v7+ set where version `v` carries them.
metadata_response flexible_response_for(int16_t v) {
  auto m = response_for(v);
  if (v >= 10) m.topics[0].topic_id.value[0] = 0xab;
  m.topics[0].partitions[0].leader_epoch = 5;
  m.topics[0].topic_authorized_operations = 0x0ff8;
  if (v <= 10) m.cluster_authorized_operations = 0x1fa0;
  return m;
}

TEST(metadata, response_v5_adds_offline_replicas_v7_leader_epoch) {
  auto m = response_for(5);
  m.topics[0].partitions[0].leader_epoch = 5;  // not on the wire before v7
  const std::string head = "00 00 00 03 00 00 00 01 00 00 00 01 00 09 'localhost' 00 00 23 84 ff ff"
                           "00 03 'cid' 00 00 00 01 00 00 00 02 00 00 00 01 't' 00 00 00 00 01"
                           "00 00 00 00 00 00 00 00 00 01";
  const std::string tail = "00 00 00 01 00 00 00 01 00 00 00 01 00 00 00 01"
                           "00 00 00 00"  // offline_replicas (v5+): empty
                           "00 03 00 01 'x' 00 00 00 00 00";
  auto for5 = response_for(5);
  check_golden(for5, hex(head + tail), 5);
  check_golden(for5, hex(head + tail), 6);
  check_golden(m, hex(head + "00 00 00 05" + tail), 7);  // leader_epoch (v7+)
}

TEST(metadata, response_v8_carries_authorized_operations) {
  check_golden(flexible_response_for(8),
               hex("00 00 00 03 00 00 00 01 00 00 00 01 00 09 'localhost' 00 00 23 84 ff ff"
                   "00 03 'cid' 00 00 00 01 00 00 00 02"
                   "00 00 00 01 't' 00 00 00 00 01"
                   "00 00 00 00 00 00 00 00 00 01 00 00 00 05"
                   "00 00 00 01 00 00 00 01 00 00 00 01 00 00 00 01 00 00 00 00"
                   "00 00 0f f8"      // topic_authorized_operations
                   "00 03 00 01 'x' 00 00 00 00 00"
                   "80 00 00 00"      // unknown topic: operations not set
                   "00 00 1f a0"),    // cluster_authorized_operations (v8–10)
               8);
}

TEST(metadata, response_v9_to_v13_are_flexible) {
  const std::string brokers = "00 00 00 03"                     // throttle
                              "02 00 00 00 01 0a 'localhost' 00 00 23 84 00 00"  // brokers + tags
                              "04 'cid' 00 00 00 01";           // cluster_id, controller
  const std::string partition = "02 00 00 00 00 00 00 00 00 00 01 00 00 00 05"
                                "02 00 00 00 01 02 00 00 00 01 01 00";  // replicas, isr, offline, tags
  const std::string id = "ab 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
  const std::string zero = "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";
  check_golden(flexible_response_for(9),
               hex(brokers + "03 00 00 02 't' 00" + partition + "00 00 0f f8 00"
                   "00 03 02 'x' 00 01 80 00 00 00 00"
                   "00 00 1f a0 00"),
               9);
  const auto v10 = brokers + "03 00 00 02 't'" + id + "00" + partition + "00 00 0f f8 00"
                   "00 03 02 'x'" + zero + "00 01 80 00 00 00 00";
  check_golden(flexible_response_for(10), hex(v10 + "00 00 1f a0 00"), 10);
  check_golden(flexible_response_for(11), hex(v10 + "00"), 11);  // no cluster operations
  check_golden(flexible_response_for(12), hex(v10 + "00"), 12);
  check_golden(flexible_response_for(13), hex(v10 + "00 00 00"), 13);  // + error_code (v13)
  // v12+: an unknown topic id is answered with a null name.
  metadata_response unknown_id;
  unknown_id.topics.push_back({error_code::unknown_topic_id, std::nullopt, {}, false, {}, authorized_operations_unknown});
  check_golden(unknown_id, hex("00 00 00 00 01 00 ff ff ff ff 02 00 64 00" + zero + "00 01 80 00 00 00 00 00"), 12);
}

TEST(metadata, rejects_unsupported_versions) {
  check_rejects_versions<metadata_request>({14});
  check_rejects_versions<metadata_response>({-1, 14});
}

}  // namespace
}  // namespace sluice::protocol
