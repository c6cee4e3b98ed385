#include "core/protocol/leave_group.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(leave_group, request_v0_to_v2) {
  leave_group_request m;
  m.group_id = "g";
  m.member_id = "m1";
  const auto golden = hex("00 01 'g'"       // group_id
                          "00 02 'm1'");    // member_id (v0-v2)
  for (int16_t v = 0; v <= 2; ++v) check_golden(m, golden, v);
}

TEST(leave_group, request_v3_batch_form) {
  leave_group_request m;
  m.group_id = "g";
  m.members = {{"m1", std::nullopt, std::nullopt}, {"m2", "i2", std::nullopt}};
  check_golden(m,
               hex("00 01 'g'"          // group_id
                   "00 00 00 02"        // members: 2
                   "00 02 'm1' ff ff"   //   member_id, group_instance_id null
                   "00 02 'm2' 00 02 'i2'"),
               3);
}

TEST(leave_group, request_v4_is_flexible) {
  leave_group_request m;
  m.group_id = "g";
  m.members = {{"m1", std::nullopt, std::nullopt}, {"", "i2", std::nullopt}};
  check_golden(m,
               hex("02 'g'"             // group_id (compact)
                   "03"                 // members: 2 (compact)
                   "03 'm1' 00"         //   member_id, group_instance_id null
                   "00"                 //   tags
                   "01 03 'i2'"         //   member_id "" (static member by instance id)
                   "00"
                   "00"),               // tags
               4);
}

TEST(leave_group, request_v5_carries_reasons) {
  leave_group_request m;
  m.group_id = "g";
  m.members = {{"m1", std::nullopt, "shutdown"}, {"m2", "i2", std::nullopt}};
  check_golden(m,
               hex("02 'g' 03"
                   "03 'm1' 00"
                   "09 'shutdown'"      //   reason (v5+)
                   "00"
                   "03 'm2' 03 'i2'"
                   "00"                 //   reason null
                   "00"
                   "00"),
               5);
}

TEST(leave_group, response_v0) {
  leave_group_response m;
  check_golden(m, hex("00 00"), 0);  // error_code
}

TEST(leave_group, response_v1_v2) {
  leave_group_response m;
  m.error_code = error_code::unknown_member_id;
  const auto golden = hex("00 00 00 00 00 19");  // throttle_time_ms, UNKNOWN_MEMBER_ID
  check_golden(m, golden, 1);
  check_golden(m, golden, 2);
}

TEST(leave_group, response_v3) {
  leave_group_response m;
  m.members = {{"m1", std::nullopt, error_code::none},
               {"m2", "i2", error_code::unknown_member_id}};
  check_golden(m,
               hex("00 00 00 00"              // throttle_time_ms
                   "00 00"                    // error_code
                   "00 00 00 02"              // members: 2 (v3+)
                   "00 02 'm1' ff ff 00 00"   //   member_id, instance id null, error
                   "00 02 'm2' 00 02 'i2' 00 19"),
               3);
}

TEST(leave_group, response_v4_v5_are_flexible) {
  leave_group_response m;
  m.members = {{"m1", std::nullopt, error_code::none},
               {"", "i2", error_code::unknown_member_id}};
  const auto golden = hex("00 00 00 00"       // throttle_time_ms
                          "00 00"             // error_code
                          "03"                // members: 2 (compact)
                          "03 'm1' 00 00 00"  //   member_id, instance id null, error
                          "00"                //   tags
                          "01 03 'i2' 00 19"
                          "00"
                          "00");              // tags
  check_golden(m, golden, 4);
  check_golden(m, golden, 5);
  leave_group_response unknown_group;
  unknown_group.error_code = error_code::unknown_member_id;
  check_golden(unknown_group, hex("00 00 00 00 00 19 01 00"), 5);  // members: 0
}

TEST(leave_group, rejects_v6) {
  check_rejects_versions<leave_group_request>({6});
  check_rejects_versions<leave_group_response>({6});
}

}  // namespace
}  // namespace sluice::protocol
