#include "broker/protocol/list_offsets.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
namespace {

list_offsets_request request_for(int16_t v) {
  list_offsets_request m;
  m.replica_id = node_id{-1};
  if (v >= 2) m.isolation_level = 1;
  m.topics = {{"t", {{partition_id{0}, list_offsets_latest},
                     {partition_id{1}, list_offsets_earliest}}}};
  return m;
}

TEST(list_offsets, request_v1) {
  check_golden(request_for(1),
               hex("ff ff ff ff"                // replica_id -1
                   "00 00 00 01"                // topics: 1
                   "00 01 't'"                  //   name
                   "00 00 00 02"                //   partitions: 2
                   "00 00 00 00"                //     partition_index 0
                   "ff ff ff ff ff ff ff ff"    //     timestamp -1 (latest)
                   "00 00 00 01"                //     partition_index 1
                   "ff ff ff ff ff ff ff fe"),  //     timestamp -2 (earliest)
               1);
}

TEST(list_offsets, request_v2_v3) {
  const auto golden = hex("ff ff ff ff"
                          "01"                  // isolation_level (v2+)
                          "00 00 00 01 00 01 't' 00 00 00 02"
                          "00 00 00 00 ff ff ff ff ff ff ff ff"
                          "00 00 00 01 ff ff ff ff ff ff ff fe");
  check_golden(request_for(2), golden, 2);
  check_golden(request_for(3), golden, 3);
}

list_offsets_response response_for(int16_t v) {
  list_offsets_response m;
  if (v >= 2) m.throttle_time_ms = 0;
  list_offsets_response::list_offsets_partition_response ok{partition_id{0}, error_code::none,
                                                            -1, offset{42}};
  list_offsets_response::list_offsets_partition_response bad{
      partition_id{9}, error_code::unknown_topic_or_partition, -1, offset{-1}};
  m.topics = {{"t", {ok, bad}}};
  return m;
}

TEST(list_offsets, response_v1) {
  check_golden(response_for(1),
               hex("00 00 00 01"                // topics: 1
                   "00 01 't'"                  //   name
                   "00 00 00 02"                //   partitions: 2
                   "00 00 00 00"                //     partition_index 0
                   "00 00"                      //     error_code
                   "ff ff ff ff ff ff ff ff"    //     timestamp -1
                   "00 00 00 00 00 00 00 2a"    //     offset 42
                   "00 00 00 09 00 03"          //     partition 9, UNKNOWN_TOPIC_OR_PARTITION
                   "ff ff ff ff ff ff ff ff"
                   "ff ff ff ff ff ff ff ff"),
               1);
}

TEST(list_offsets, response_v2_v3) {
  const auto golden = hex("00 00 00 00"         // throttle_time_ms (v2+)
                          "00 00 00 01 00 01 't' 00 00 00 02"
                          "00 00 00 00 00 00"
                          "ff ff ff ff ff ff ff ff"
                          "00 00 00 00 00 00 00 2a"
                          "00 00 00 09 00 03"
                          "ff ff ff ff ff ff ff ff"
                          "ff ff ff ff ff ff ff ff");
  check_golden(response_for(2), golden, 2);
  check_golden(response_for(3), golden, 3);
}

TEST(list_offsets, rejects_v0_and_v4) {
  check_rejects_versions<list_offsets_request>({0, 4});
}

}  // namespace
}  // namespace sluice::broker::protocol
