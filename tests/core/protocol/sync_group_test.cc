#include "core/protocol/sync_group.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

sync_group_request request_for(int16_t v) {
  sync_group_request m;
  m.group_id = "g";
  m.generation_id = 1;
  m.member_id = "m1";
  if (v >= 3) m.group_instance_id = "i1";
  if (v >= 5) m.protocol_type = "consumer";
  if (v >= 5) m.protocol_name = "range";
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

TEST(sync_group, request_v4_is_flexible) {
  check_golden(request_for(4),
               hex("02 'g'"                  // group_id (compact)
                   "00 00 00 01"             // generation_id
                   "03 'm1'"                 // member_id
                   "03 'i1'"                 // group_instance_id
                   "02"                      // assignments: 1 (compact)
                   "03 'm1'"                 //   member_id
                   "03 00 00"                //   assignment (compact bytes)
                   "00"                      //   tags
                   "00"),                    // tags
               4);
}

TEST(sync_group, request_v5_carries_the_protocol) {
  check_golden(request_for(5),
               hex("02 'g' 00 00 00 01 03 'm1' 03 'i1'"
                   "09 'consumer'"           // protocol_type (v5+)
                   "06 'range'"              // protocol_name (v5+)
                   "02 03 'm1' 03 00 00 00 00"),
               5);
  sync_group_request follower;  // a follower that names neither (the broker refuses it)
  follower.group_id = "g";
  follower.generation_id = 1;
  follower.member_id = "m2";
  check_golden(follower,
               hex("02 'g' 00 00 00 01 03 'm2'"
                   "00"                      // group_instance_id null
                   "00 00"                   // protocol_type, protocol_name null
                   "01"                      // assignments: 0
                   "00"),
               5);
}

sync_group_response response_for(int16_t v) {
  sync_group_response m;
  if (v >= 5) m.protocol_type = "consumer";
  if (v >= 5) m.protocol_name = "range";
  m.assignment = hex("00 00 00 00 00 01 00 01 't' 00 00 00 00");
  return m;
}

TEST(sync_group, response_v0) {
  check_golden(response_for(0),
               hex("00 00"                    // error_code
                   "00 00 00 0d"              // assignment: 13 bytes
                   "00 00 00 00 00 01 00 01 't' 00 00 00 00"),
               0);
}

TEST(sync_group, response_v1_to_v3) {
  const auto golden = hex("00 00 00 00"       // throttle_time_ms (v1+)
                          "00 00 00 00 00 0d 00 00 00 00 00 01 00 01 't' 00 00 00 00");
  for (int16_t v = 1; v <= 3; ++v) check_golden(response_for(v), golden, v);
  sync_group_response rebalancing;
  rebalancing.error_code = error_code::rebalance_in_progress;
  check_golden(rebalancing, hex("00 00 00 00 00 1b 00 00 00 00"), 3);  // empty assignment
}

TEST(sync_group, response_v4_is_flexible) {
  check_golden(response_for(4),
               hex("00 00 00 00"             // throttle_time_ms
                   "00 00"                   // error_code
                   "0e"                      // assignment: 13 bytes (compact)
                   "00 00 00 00 00 01 00 01 't' 00 00 00 00"
                   "00"),                    // tags
               4);
}

TEST(sync_group, response_v5_carries_the_protocol) {
  check_golden(response_for(5),
               hex("00 00 00 00 00 00"
                   "09 'consumer'"           // protocol_type (v5+)
                   "06 'range'"              // protocol_name (v5+)
                   "0e 00 00 00 00 00 01 00 01 't' 00 00 00 00"
                   "00"),
               5);
  sync_group_response mismatch;
  mismatch.error_code = error_code::inconsistent_group_protocol;
  check_golden(mismatch,
               hex("00 00 00 00"
                   "00 17"                   // INCONSISTENT_GROUP_PROTOCOL (23)
                   "00 00"                   // protocol_type, protocol_name null
                   "01"                      // assignment: empty
                   "00"),
               5);
}

TEST(sync_group, rejects_v6) {
  check_rejects_versions<sync_group_request>({6});
  check_rejects_versions<sync_group_response>({6});
}

}  // namespace
}  // namespace sluice::protocol
