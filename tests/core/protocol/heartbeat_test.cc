#include "core/protocol/heartbeat.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(heartbeat, request_v0_to_v2) {
  heartbeat_request m;
  m.group_id = "g";
  m.generation_id = 7;
  m.member_id = "m1";
  const auto golden = hex("00 01 'g'"       // group_id
                          "00 00 00 07"     // generation_id
                          "00 02 'm1'");    // member_id
  for (int16_t v = 0; v <= 2; ++v) check_golden(m, golden, v);
}

TEST(heartbeat, request_v3) {
  heartbeat_request m;
  m.group_id = "g";
  m.generation_id = 7;
  m.member_id = "m1";
  m.group_instance_id = "i1";
  check_golden(m, hex("00 01 'g' 00 00 00 07 00 02 'm1' 00 02 'i1'"), 3);
  m.group_instance_id.reset();
  check_golden(m, hex("00 01 'g' 00 00 00 07 00 02 'm1' ff ff"), 3);
}

TEST(heartbeat, request_v4_is_flexible) {
  heartbeat_request m;
  m.group_id = "g";
  m.generation_id = 7;
  m.member_id = "m1";
  m.group_instance_id = "i1";
  check_golden(m,
               hex("02 'g'"            // group_id (compact)
                   "00 00 00 07"       // generation_id
                   "03 'm1'"           // member_id
                   "03 'i1'"           // group_instance_id
                   "00"),              // tags
               4);
  m.group_instance_id.reset();
  check_golden(m, hex("02 'g' 00 00 00 07 03 'm1' 00 00"), 4);  // instance id null
}

TEST(heartbeat, response_v0) {
  heartbeat_response m;
  m.error_code = error_code::rebalance_in_progress;
  check_golden(m, hex("00 1b"), 0);  // REBALANCE_IN_PROGRESS (27)
}

TEST(heartbeat, response_v1_to_v3) {
  heartbeat_response m;
  m.error_code = error_code::unknown_member_id;
  const auto golden = hex("00 00 00 00"   // throttle_time_ms (v1+)
                          "00 19");       // UNKNOWN_MEMBER_ID (25)
  for (int16_t v = 1; v <= 3; ++v) check_golden(m, golden, v);
}

TEST(heartbeat, response_v4_is_flexible) {
  heartbeat_response m;
  m.error_code = error_code::fenced_instance_id;
  check_golden(m,
               hex("00 00 00 00"       // throttle_time_ms
                   "00 52"             // FENCED_INSTANCE_ID (82)
                   "00"),              // tags
               4);
}

TEST(heartbeat, rejects_v5) {
  check_rejects_versions<heartbeat_request>({5});
  check_rejects_versions<heartbeat_response>({5});
}

}  // namespace
}  // namespace sluice::protocol
