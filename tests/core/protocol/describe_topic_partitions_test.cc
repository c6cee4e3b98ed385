#include "core/protocol/describe_topic_partitions.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(describe_topic_partitions, request_v0) {
  describe_topic_partitions_request m;
  m.topics = {{"a"}, {"b"}};
  m.response_partition_limit = 2;
  m.cursor = describe_topic_partitions_cursor{"a", partition_id{1}};
  check_golden(m,
               hex("03"                    // topics (compact): 2
                   "02 'a' 00"             //   name, tags
                   "02 'b' 00"
                   "00 00 00 02"           // response_partition_limit 2
                   "01"                    // cursor present
                   "02 'a'"                //   topic_name
                   "00 00 00 01"           //   partition_index 1
                   "00"                    //   tags
                   "00"),                  // tags
               0);
}

TEST(describe_topic_partitions, request_v0_every_topic_no_cursor) {
  check_golden(describe_topic_partitions_request{},
               hex("01"                    // topics: 0 (= every topic)
                   "00 00 07 d0"           // response_partition_limit 2000 (the default)
                   "ff"                    // cursor null
                   "00"),
               0);
}

TEST(describe_topic_partitions, response_v0) {
  describe_topic_partitions_response m;
  describe_topic_partitions_response::response_topic a;
  a.name = "a";
  a.topic_id.value[15] = 7;
  describe_topic_partitions_response::response_partition p;
  p.partition_index = partition_id{0};
  p.leader_id = node_id{1};
  p.leader_epoch = 0;
  p.replica_nodes = {node_id{1}};
  p.isr_nodes = {node_id{1}};
  p.eligible_leader_replicas = std::vector<node_id>{};
  a.partitions = {p};
  a.topic_authorized_operations = 0x0df8;
  describe_topic_partitions_response::response_topic unknown;
  unknown.error_code = error_code::unknown_topic_or_partition;
  unknown.name = "zz";
  unknown.is_internal = true;
  unknown.topic_authorized_operations = 0x0df8;
  describe_topic_partitions_response::response_topic nameless;
  nameless.error_code = error_code::invalid_request;
  m.topics = {a, unknown, nameless};
  m.next_cursor = describe_topic_partitions_cursor{"a", partition_id{1}};
  check_golden(m,
               hex("00 00 00 00"           // throttle_time_ms
                   "04"                    // topics (compact): 3
                   "00 00"                 //   error_code NONE
                   "02 'a'"                //   name
                   "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 07"  // topic_id
                   "00"                    //   is_internal false
                   "02"                    //   partitions: 1
                   "00 00"                 //     error_code
                   "00 00 00 00"           //     partition_index 0
                   "00 00 00 01"           //     leader_id 1
                   "00 00 00 00"           //     leader_epoch 0
                   "02 00 00 00 01"        //     replica_nodes [1]
                   "02 00 00 00 01"        //     isr_nodes [1]
                   "01"                    //     eligible_leader_replicas []
                   "00"                    //     last_known_elr null
                   "01"                    //     offline_replicas []
                   "00"                    //     tags
                   "00 00 0d f8"           //   topic_authorized_operations
                   "00"                    //   tags
                   "00 03"                 //   UNKNOWN_TOPIC_OR_PARTITION
                   "03 'zz'"
                   "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"  // zero topic_id
                   "01"                    //   is_internal true
                   "01"                    //   partitions: 0
                   "00 00 0d f8 00"
                   "00 2a"                 //   INVALID_REQUEST (42)
                   "00"                    //   name null
                   "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                   "00 01"
                   "80 00 00 00"           //   topic_authorized_operations INT32_MIN
                   "00"
                   "01 02 'a' 00 00 00 01 00"  // next_cursor {a, 1}
                   "00"),                  // tags
               0);
}

TEST(describe_topic_partitions, response_v0_last_page) {
  check_golden(describe_topic_partitions_response{},
               hex("00 00 00 00"
                   "01"                    // topics: 0
                   "ff"                    // next_cursor null
                   "00"),
               0);
}

TEST(describe_topic_partitions, rejects_v1) {
  check_rejects_versions<describe_topic_partitions_request>({-1, 1});
  check_rejects_versions<describe_topic_partitions_response>({-1, 1});
}

}  // namespace
}  // namespace sluice::protocol
