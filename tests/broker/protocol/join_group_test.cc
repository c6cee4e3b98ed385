#include "broker/protocol/join_group.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
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

join_group_response response_for(int16_t v) {
  join_group_response m;
  m.generation_id = 1;
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

TEST(join_group, member_id_required_response) {
  join_group_response m;
  m.error_code = error_code::member_id_required;
  m.member_id = "rdkafka-1234";
  check_golden(m,
               hex("00 00 00 00"
                   "00 4f"            // MEMBER_ID_REQUIRED (79)
                   "ff ff ff ff"      // generation_id -1
                   "00 00"            // protocol_name "" (never null in v0-v6)
                   "00 00"            // leader ""
                   "00 0c 'rdkafka-1234'"
                   "00 00 00 00"),    // members: 0
               4);
}

TEST(join_group, rejects_v6) {
  check_rejects_versions<join_group_request>({6});
}

}  // namespace
}  // namespace sluice::broker::protocol
