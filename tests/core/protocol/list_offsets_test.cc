#include "core/protocol/list_offsets.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

list_offsets_request request_for(int16_t v) {
  list_offsets_request m;
  m.replica_id = node_id{-1};
  if (v >= 2) m.isolation_level = 1;
  list_offsets_request::list_offsets_partition latest{partition_id{0}, -1, list_offsets_latest, 1};
  list_offsets_request::list_offsets_partition earliest{partition_id{1}, -1, list_offsets_earliest, 1};
  if (v == 0) latest.max_num_offsets = 5;
  if (v >= 4) earliest.current_leader_epoch = 0;
  if (v >= 10) m.timeout_ms = 1000;
  m.topics = {{"t", {latest, earliest}}};
  return m;
}

TEST(list_offsets, request_v0) {
  check_golden(request_for(0),
               hex("ff ff ff ff"                // replica_id -1
                   "00 00 00 01 00 01 't'"      // topics: 1, name
                   "00 00 00 02"                //   partitions: 2
                   "00 00 00 00"                //     partition_index 0
                   "ff ff ff ff ff ff ff ff"    //     timestamp -1 (latest)
                   "00 00 00 05"                //     max_num_offsets 5 (v0 only)
                   "00 00 00 01"                //     partition_index 1
                   "ff ff ff ff ff ff ff fe"    //     timestamp -2 (earliest)
                   "00 00 00 01"),              //     max_num_offsets 1
               0);
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

TEST(list_offsets, request_v4_v5) {
  const auto golden = hex("ff ff ff ff 01"
                          "00 00 00 01 00 01 't' 00 00 00 02"
                          "00 00 00 00"
                          "ff ff ff ff"         //     current_leader_epoch -1 (v4+)
                          "ff ff ff ff ff ff ff ff"
                          "00 00 00 01"
                          "00 00 00 00"         //     current_leader_epoch 0
                          "ff ff ff ff ff ff ff fe");
  check_golden(request_for(4), golden, 4);
  check_golden(request_for(5), golden, 5);
}

TEST(list_offsets, request_v6_to_v9_flexible) {
  const auto golden = hex("ff ff ff ff 01"
                          "02 02 't'"           // topics (compact), name (compact)
                          "03"                  //   partitions: 2
                          "00 00 00 00 ff ff ff ff ff ff ff ff ff ff ff ff 00"
                          "00 00 00 01 00 00 00 00 ff ff ff ff ff ff ff fe 00"
                          "00"                  //   topic tags
                          "00");                // tags
  for (int16_t v = 6; v <= 9; ++v) check_golden(request_for(v), golden, v);
}

TEST(list_offsets, request_v10_v11_timeout) {
  const auto golden = hex("ff ff ff ff 01 02 02 't' 03"
                          "00 00 00 00 ff ff ff ff ff ff ff ff ff ff ff ff 00"
                          "00 00 00 01 00 00 00 00 ff ff ff ff ff ff ff fe 00"
                          "00"
                          "00 00 03 e8"         // timeout_ms 1000 (v10+)
                          "00");
  check_golden(request_for(10), golden, 10);
  check_golden(request_for(11), golden, 11);
}

list_offsets_response response_for(int16_t v) {
  list_offsets_response m;
  if (v >= 2) m.throttle_time_ms = 0;
  list_offsets_response::list_offsets_partition_response ok;
  ok.partition_index = partition_id{0};
  list_offsets_response::list_offsets_partition_response bad;
  bad.partition_index = partition_id{9};
  bad.error_code = error_code::unknown_topic_or_partition;
  if (v == 0) {
    ok.old_style_offsets = {42, 7};
  } else {
    ok.offset = offset{42};
  }
  if (v >= 4) ok.leader_epoch = 0;
  m.topics = {{"t", {ok, bad}}};
  return m;
}

TEST(list_offsets, response_v0) {
  check_golden(response_for(0),
               hex("00 00 00 01 00 01 't' 00 00 00 02"
                   "00 00 00 00 00 00"
                   "00 00 00 02"                //     old_style_offsets: 2 (v0 only)
                   "00 00 00 00 00 00 00 2a"    //       42
                   "00 00 00 00 00 00 00 07"    //       7
                   "00 00 00 09 00 03"
                   "00 00 00 00"),              //     old_style_offsets: empty
               0);
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

TEST(list_offsets, response_v4_v5) {
  const auto golden = hex("00 00 00 00 00 00 00 01 00 01 't' 00 00 00 02"
                          "00 00 00 00 00 00"
                          "ff ff ff ff ff ff ff ff"
                          "00 00 00 00 00 00 00 2a"
                          "00 00 00 00"         //     leader_epoch 0 (v4+)
                          "00 00 00 09 00 03"
                          "ff ff ff ff ff ff ff ff"
                          "ff ff ff ff ff ff ff ff"
                          "ff ff ff ff");       //     leader_epoch -1
  check_golden(response_for(4), golden, 4);
  check_golden(response_for(5), golden, 5);
}

TEST(list_offsets, response_v6_to_v11_flexible) {
  const auto golden = hex("00 00 00 00"
                          "02 02 't' 03"
                          "00 00 00 00 00 00"
                          "ff ff ff ff ff ff ff ff"
                          "00 00 00 00 00 00 00 2a"
                          "00 00 00 00 00"      //     leader_epoch, tags
                          "00 00 00 09 00 03"
                          "ff ff ff ff ff ff ff ff"
                          "ff ff ff ff ff ff ff ff"
                          "ff ff ff ff 00"
                          "00"                  //   topic tags
                          "00");                // tags
  for (int16_t v = 6; v <= 11; ++v) check_golden(response_for(v), golden, v);
}

TEST(list_offsets, special_timestamps_need_their_versions) {
  EXPECT_EQ(list_offsets_min_version_for(list_offsets_latest), 0);
  EXPECT_EQ(list_offsets_min_version_for(list_offsets_max_timestamp), 7);
  EXPECT_EQ(list_offsets_min_version_for(list_offsets_earliest_pending_upload), 11);
  EXPECT_EQ(list_offsets_min_version_for(-7), -1);
}

TEST(list_offsets, rejects_v12) {
  check_rejects_versions<list_offsets_request>({12});
  check_rejects_versions<list_offsets_response>({12});
}

}  // namespace
}  // namespace sluice::protocol
