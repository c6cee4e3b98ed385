#include "broker/protocol/sync_group.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
namespace {

sync_group_request request_for(int16_t v) {
  sync_group_request m;
  m.group_id = "g";
  m.generation_id = 1;
  m.member_id = "m1";
  if (v >= 3) m.group_instance_id = "i1";
  m.assignments = {{"m1", hex("00 00")}};
  return m;
}

TEST(sync_group, request_v0_to_v2) {
  const auto golden = hex("00 01 'g'"             // group_id
                          "00 00 00 01"           // generation_id
                          "00 02 'm1'"            // member_id
                          "00 00 00 01"           // assignments: 1
                          "00 02 'm1'"            //   member_id
                          "00 00 00 02 00 00");   //   assignment
  for (int16_t v = 0; v <= 2; ++v) check_golden(request_for(v), golden, v);
}

TEST(sync_group, request_v3) {
  check_golden(request_for(3),
               hex("00 01 'g' 00 00 00 01 00 02 'm1'"
                   "00 02 'i1'"                   // group_instance_id (v3+)
                   "00 00 00 01 00 02 'm1' 00 00 00 02 00 00"),
               3);
  sync_group_request follower;  // followers send no assignments
  follower.group_id = "g";
  follower.generation_id = 1;
  follower.member_id = "m2";
  check_golden(follower, hex("00 01 'g' 00 00 00 01 00 02 'm2' ff ff 00 00 00 00"), 3);
}

sync_group_response response() {
  sync_group_response m;
  m.assignment = hex("00 00 00 00 00 01 00 01 't' 00 00 00 00");
  return m;
}

TEST(sync_group, response_v0) {
  check_golden(response(),
               hex("00 00"                    // error_code
                   "00 00 00 0d"              // assignment: 13 bytes
                   "00 00 00 00 00 01 00 01 't' 00 00 00 00"),
               0);
}

TEST(sync_group, response_v1_to_v3) {
  const auto golden = hex("00 00 00 00"       // throttle_time_ms (v1+)
                          "00 00 00 00 00 0d 00 00 00 00 00 01 00 01 't' 00 00 00 00");
  for (int16_t v = 1; v <= 3; ++v) check_golden(response(), golden, v);
  sync_group_response rebalancing;
  rebalancing.error_code = error_code::rebalance_in_progress;
  check_golden(rebalancing, hex("00 00 00 00 00 1b 00 00 00 00"), 3);  // empty assignment
}

TEST(sync_group, rejects_v4) {
  check_rejects_versions<sync_group_response>({4});
}

}  // namespace
}  // namespace sluice::broker::protocol
