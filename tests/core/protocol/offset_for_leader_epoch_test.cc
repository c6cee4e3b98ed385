#include "core/protocol/offset_for_leader_epoch.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

offset_for_leader_epoch_request request_for(int16_t v) {
  offset_for_leader_epoch_request m;
  if (v >= 3) m.replica_id = node_id{-1};
  offset_for_leader_epoch_request::leader_partition p;
  p.partition = partition_id{3};
  if (v >= 2) p.current_leader_epoch = 0;
  p.leader_epoch = 0;
  m.topics = {{"t", {p}}};
  return m;
}

TEST(offset_for_leader_epoch, request_v0_v1) {
  const auto golden = hex("00 00 00 01 00 01 't'"   // topics: 1, topic
                          "00 00 00 01"             //   partitions: 1
                          "00 00 00 03"             //     partition 3
                          "00 00 00 00");           //     leader_epoch 0
  check_golden(request_for(0), golden, 0);
  check_golden(request_for(1), golden, 1);
}

TEST(offset_for_leader_epoch, request_v2) {
  check_golden(request_for(2),
               hex("00 00 00 01 00 01 't' 00 00 00 01"
                   "00 00 00 03"
                   "00 00 00 00"                    //     current_leader_epoch 0 (v2+)
                   "00 00 00 00"),
               2);
}

TEST(offset_for_leader_epoch, request_v3) {
  check_golden(request_for(3),
               hex("ff ff ff ff"                    // replica_id -1 (v3+)
                   "00 00 00 01 00 01 't' 00 00 00 01"
                   "00 00 00 03 00 00 00 00 00 00 00 00"),
               3);
}

TEST(offset_for_leader_epoch, request_v4_flexible) {
  check_golden(request_for(4),
               hex("ff ff ff ff"
                   "02 02 't'"                      // topics (compact), topic (compact)
                   "02 00 00 00 03 00 00 00 00 00 00 00 00 00"  // partitions + tags
                   "00"                             //   topic tags
                   "00"),                           // tags
               4);
}

offset_for_leader_epoch_response response_for(int16_t v) {
  offset_for_leader_epoch_response m;
  offset_for_leader_epoch_response::epoch_end_offset ok;
  ok.partition = partition_id{3};
  if (v >= 1) ok.leader_epoch = 0;
  ok.end_offset = offset{42};
  offset_for_leader_epoch_response::epoch_end_offset fenced;
  fenced.error_code = error_code::fenced_leader_epoch;
  fenced.partition = partition_id{4};
  m.topics = {{"t", {ok, fenced}}};
  return m;
}

TEST(offset_for_leader_epoch, response_v0) {
  check_golden(response_for(0),
               hex("00 00 00 01 00 01 't' 00 00 00 02"
                   "00 00 00 00 00 03"              //     NONE, partition 3
                   "00 00 00 00 00 00 00 2a"        //     end_offset 42
                   "00 4a 00 00 00 04"              //     FENCED_LEADER_EPOCH (74), partition 4
                   "ff ff ff ff ff ff ff ff"),      //     end_offset -1
               0);
}

TEST(offset_for_leader_epoch, response_v1) {
  check_golden(response_for(1),
               hex("00 00 00 01 00 01 't' 00 00 00 02"
                   "00 00 00 00 00 03"
                   "00 00 00 00"                    //     leader_epoch 0 (v1+)
                   "00 00 00 00 00 00 00 2a"
                   "00 4a 00 00 00 04 ff ff ff ff ff ff ff ff ff ff ff ff"),
               1);
}

TEST(offset_for_leader_epoch, response_v2_v3) {
  const auto golden = hex("00 00 00 00"             // throttle_time_ms (v2+)
                          "00 00 00 01 00 01 't' 00 00 00 02"
                          "00 00 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00 2a"
                          "00 4a 00 00 00 04 ff ff ff ff ff ff ff ff ff ff ff ff");
  check_golden(response_for(2), golden, 2);
  check_golden(response_for(3), golden, 3);
}

TEST(offset_for_leader_epoch, response_v4_flexible) {
  check_golden(response_for(4),
               hex("00 00 00 00 02 02 't' 03"
                   "00 00 00 00 00 03 00 00 00 00 00 00 00 00 00 00 00 2a 00"
                   "00 4a 00 00 00 04 ff ff ff ff ff ff ff ff ff ff ff ff 00"
                   "00 00"),
               4);
}

TEST(offset_for_leader_epoch, rejects_v5) {
  check_rejects_versions<offset_for_leader_epoch_request>({5});
  check_rejects_versions<offset_for_leader_epoch_response>({5});
}

}  // namespace
}  // namespace sluice::protocol
