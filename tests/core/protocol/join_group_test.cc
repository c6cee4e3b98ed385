#include "core/protocol/join_group.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

join_group_request request_for(int16_t v) {
  join_group_request m;
  m.group_id = "g";
  m.session_timeout_ms = 45000;
  if (v >= 1) m.rebalance_timeout_ms = 300000;
  m.member_id = "";
  if (v >= 5) m.group_instance_id = "i1";
  m.protocol_type = "consumer";
  m.protocols = {{"range", hex("00 01")}};
  if (v >= 8) m.reason = "restart";
  return m;
}

TEST(join_group, request_v0) {
  check_golden(request_for(0),
               hex("00 01 'g'"            // group_id
                   "00 00 af c8"          // session_timeout_ms 45000
                   "00 00"                // member_id ""
                   "00 08 'consumer'"     // protocol_type
                   "00 00 00 01"          // protocols: 1
                   "00 05 'range'"        //   name
                   "00 00 00 02 00 01"),  //   metadata
               0);
}

TEST(join_group, request_v1_to_v4) {
  const auto golden = hex("00 01 'g' 00 00 af c8"
                          "00 04 93 e0"       // rebalance_timeout_ms 300000 (v1+)
                          "00 00"
                          "00 08 'consumer' 00 00 00 01 00 05 'range' 00 00 00 02 00 01");
  for (int16_t v = 1; v <= 4; ++v) check_golden(request_for(v), golden, v);
}

TEST(join_group, request_v5) {
  check_golden(request_for(5),
               hex("00 01 'g' 00 00 af c8 00 04 93 e0 00 00"
                   "00 02 'i1'"             // group_instance_id (v5+)
                   "00 08 'consumer' 00 00 00 01 00 05 'range' 00 00 00 02 00 01"),
               5);
  auto dynamic = request_for(5);
  dynamic.group_instance_id.reset();
  check_golden(dynamic,
               hex("00 01 'g' 00 00 af c8 00 04 93 e0 00 00"
                   "ff ff"                  // group_instance_id null
                   "00 08 'consumer' 00 00 00 01 00 05 'range' 00 00 00 02 00 01"),
               5);
}

TEST(join_group, request_v6_v7_are_flexible) {
  const auto golden = hex("02 'g'"                // group_id (compact)
                          "00 00 af c8"           // session_timeout_ms
                          "00 04 93 e0"           // rebalance_timeout_ms
                          "01"                    // member_id ""
                          "03 'i1'"               // group_instance_id
                          "09 'consumer'"         // protocol_type
                          "02"                    // protocols: 1 (compact)
                          "06 'range'"            //   name
                          "03 00 01"              //   metadata (compact bytes)
                          "00"                    //   tags
                          "00");                  // tags
  check_golden(request_for(6), golden, 6);
  check_golden(request_for(7), golden, 7);
}

TEST(join_group, request_v8_v9_carry_the_reason) {
  const auto golden = hex("02 'g' 00 00 af c8 00 04 93 e0 01 03 'i1' 09 'consumer'"
                          "02 06 'range' 03 00 01 00"
                          "08 'restart'"          // reason (v8+)
                          "00");
  check_golden(request_for(8), golden, 8);
  check_golden(request_for(9), golden, 9);
  auto no_reason = request_for(9);
  no_reason.reason.reset();
  check_golden(no_reason,
               hex("02 'g' 00 00 af c8 00 04 93 e0 01 03 'i1' 09 'consumer'"
                   "02 06 'range' 03 00 01 00"
                   "00"                           // reason null
                   "00"),
               9);
}

join_group_response response_for(int16_t v) {
  join_group_response m;
  m.generation_id = 1;
  if (v >= 7) m.protocol_type = "consumer";
  m.protocol_name = "range";
  m.leader = "m1";
  m.member_id = "m1";
  join_group_response::join_group_response_member member;
  member.member_id = "m1";
  if (v >= 5) member.group_instance_id = "i1";
  member.metadata = hex("aa");
  m.members = {member};
  return m;
}

TEST(join_group, response_v0_v1) {
  const auto golden = hex("00 00"              // error_code
                          "00 00 00 01"        // generation_id 1
                          "00 05 'range'"      // protocol_name
                          "00 02 'm1'"         // leader
                          "00 02 'm1'"         // member_id
                          "00 00 00 01"        // members: 1
                          "00 02 'm1'"         //   member_id
                          "00 00 00 01 aa");   //   metadata
  check_golden(response_for(0), golden, 0);
  check_golden(response_for(1), golden, 1);
}

TEST(join_group, response_v2_to_v4) {
  const auto golden = hex("00 00 00 00"        // throttle_time_ms (v2+)
                          "00 00 00 00 00 01 00 05 'range' 00 02 'm1' 00 02 'm1'"
                          "00 00 00 01 00 02 'm1' 00 00 00 01 aa");
  for (int16_t v = 2; v <= 4; ++v) check_golden(response_for(v), golden, v);
}

TEST(join_group, response_v5) {
  check_golden(response_for(5),
               hex("00 00 00 00 00 00 00 00 00 01 00 05 'range' 00 02 'm1' 00 02 'm1'"
                   "00 00 00 01 00 02 'm1'"
                   "00 02 'i1'"        //   group_instance_id (v5+)
                   "00 00 00 01 aa"),
               5);
}

TEST(join_group, response_v6_is_flexible) {
  check_golden(response_for(6),
               hex("00 00 00 00"          // throttle_time_ms
                   "00 00"                // error_code
                   "00 00 00 01"          // generation_id
                   "06 'range'"           // protocol_name (compact)
                   "03 'm1'"              // leader
                   "03 'm1'"              // member_id
                   "02"                   // members: 1 (compact)
                   "03 'm1'"              //   member_id
                   "03 'i1'"              //   group_instance_id
                   "02 aa"                //   metadata (compact bytes)
                   "00"                   //   tags
                   "00"),                 // tags
               6);
  // Before v7 an unknown protocol name goes out as "" (it is not nullable there).
  join_group_response unknown;
  unknown.error_code = error_code::unknown_member_id;
  unknown.member_id = "m1";
  EXPECT_TRUE(core::equal(test::encode(unknown, 6),
                          hex("00 00 00 00 00 19 ff ff ff ff 01 01 03 'm1' 01 00")));
}

TEST(join_group, response_v7_v8_carry_the_protocol_type) {
  const auto golden = hex("00 00 00 00 00 00 00 00 00 01"
                          "09 'consumer'"         // protocol_type (v7+)
                          "06 'range'"            // protocol_name
                          "03 'm1' 03 'm1' 02 03 'm1' 03 'i1' 02 aa 00 00");
  check_golden(response_for(7), golden, 7);
  check_golden(response_for(8), golden, 8);
  join_group_response failed;  // errors name neither the type nor the protocol
  failed.error_code = error_code::inconsistent_group_protocol;
  failed.member_id = "m1";
  check_golden(failed,
               hex("00 00 00 00"
                   "00 17"                // INCONSISTENT_GROUP_PROTOCOL (23)
                   "ff ff ff ff"          // generation_id -1
                   "00"                   // protocol_type null
                   "00"                   // protocol_name null (v7+)
                   "01"                   // leader ""
                   "03 'm1'"
                   "01"                   // members: 0
                   "00"),
               7);
}

TEST(join_group, response_v9_carries_skip_assignment) {
  check_golden(response_for(9),
               hex("00 00 00 00 00 00 00 00 00 01 09 'consumer' 06 'range' 03 'm1'"
                   "00"                   // skip_assignment false (v9+)
                   "03 'm1' 02 03 'm1' 03 'i1' 02 aa 00 00"),
               9);
  auto skip = response_for(9);
  skip.skip_assignment = true;
  check_golden(skip,
               hex("00 00 00 00 00 00 00 00 00 01 09 'consumer' 06 'range' 03 'm1'"
                   "01"                   // skip_assignment true
                   "03 'm1' 02 03 'm1' 03 'i1' 02 aa 00 00"),
               9);
}

TEST(join_group, member_id_required_response) {
  join_group_response m;
  m.error_code = error_code::member_id_required;
  m.protocol_name = "";  // what a v4 decoder reads back
  m.member_id = "rdkafka-1234";
  check_golden(m,
               hex("00 00 00 00"
                   "00 4f"            // MEMBER_ID_REQUIRED (79)
                   "ff ff ff ff"      // generation_id -1
                   "00 00"            // protocol_name "" (never null before v7)
                   "00 00"            // leader ""
                   "00 0c 'rdkafka-1234'"
                   "00 00 00 00"),    // members: 0
               4);
}

TEST(join_group, rejects_v10) {
  check_rejects_versions<join_group_request>({10});
  check_rejects_versions<join_group_response>({10});
}

}  // namespace
}  // namespace sluice::protocol
