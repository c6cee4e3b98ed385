#include "core/protocol/describe_groups.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(describe_groups, request_v0_to_v2) {
  describe_groups_request m;
  m.groups = {"g"};
  for (int16_t v = 0; v <= 2; ++v) check_golden(m, hex("00 00 00 01 00 01 'g'"), v);
}

TEST(describe_groups, request_v3_v4) {
  describe_groups_request m;
  m.groups = {"g"};
  m.include_authorized_operations = true;
  const auto golden = hex("00 00 00 01 00 01 'g'"  // groups
                          "01");                   // include_authorized_operations (v3+)
  check_golden(m, golden, 3);
  check_golden(m, golden, 4);
}

TEST(describe_groups, request_v5_v6_are_flexible) {
  describe_groups_request m;
  m.groups = {"g", "h"};
  m.include_authorized_operations = true;
  const auto golden = hex("03"          // groups: 2 (compact)
                          "02 'g'"
                          "02 'h'"
                          "01"          // include_authorized_operations
                          "00");        // tags
  check_golden(m, golden, 5);
  check_golden(m, golden, 6);
}

describe_groups_response response_for(int16_t v) {
  describe_groups_response m;
  describe_groups_response::described_group g;
  g.group_id = "g";
  g.group_state = "Stable";
  g.protocol_type = "consumer";
  g.protocol_data = "range";
  describe_groups_response::described_group_member mem;
  mem.member_id = "m1";
  if (v >= 4) mem.group_instance_id = "i1";
  mem.client_id = "rdk";
  mem.client_host = "/127.0.0.1";
  mem.member_metadata = hex("aa");
  mem.member_assignment = hex("bb");
  g.members = {mem};
  describe_groups_response::described_group dead;
  dead.error_code = error_code::group_id_not_found;
  if (v >= 6) dead.error_message = "Group x not found.";
  dead.group_id = "x";
  dead.group_state = "Dead";
  m.groups = {g, dead};
  return m;
}

TEST(describe_groups, response_v0) {
  check_golden(response_for(0),
               hex("00 00 00 02"              // groups: 2
                   "00 00"                    //   error_code
                   "00 01 'g'"                //   group_id
                   "00 06 'Stable'"           //   group_state
                   "00 08 'consumer'"         //   protocol_type
                   "00 05 'range'"            //   protocol_data
                   "00 00 00 01"              //   members: 1
                   "00 02 'm1'"               //     member_id
                   "00 03 'rdk'"              //     client_id
                   "00 0a '/127.0.0.1'"       //     client_host
                   "00 00 00 01 aa"           //     member_metadata
                   "00 00 00 01 bb"           //     member_assignment
                   "00 45"                    //   GROUP_ID_NOT_FOUND (69)
                   "00 01 'x'"
                   "00 04 'Dead'"
                   "00 00 00 00"              //   protocol_type "", protocol_data ""
                   "00 00 00 00"),            //   members: 0
               0);
}

TEST(describe_groups, response_v1_v2) {
  const auto golden = hex("00 00 00 00"       // throttle_time_ms (v1+)
                          "00 00 00 02"
                          "00 00 00 01 'g' 00 06 'Stable' 00 08 'consumer' 00 05 'range'"
                          "00 00 00 01 00 02 'm1' 00 03 'rdk' 00 0a '/127.0.0.1'"
                          "00 00 00 01 aa 00 00 00 01 bb"
                          "00 45 00 01 'x' 00 04 'Dead' 00 00 00 00 00 00 00 00");
  check_golden(response_for(1), golden, 1);
  check_golden(response_for(2), golden, 2);
}

TEST(describe_groups, response_v3) {
  check_golden(response_for(3),
               hex("00 00 00 00 00 00 00 02"
                   "00 00 00 01 'g' 00 06 'Stable' 00 08 'consumer' 00 05 'range'"
                   "00 00 00 01 00 02 'm1' 00 03 'rdk' 00 0a '/127.0.0.1'"
                   "00 00 00 01 aa 00 00 00 01 bb"
                   "80 00 00 00"              //   authorized_operations INT32_MIN (v3+)
                   "00 45 00 01 'x' 00 04 'Dead' 00 00 00 00 00 00 00 00"
                   "80 00 00 00"),
               3);
}

TEST(describe_groups, response_v4) {
  check_golden(response_for(4),
               hex("00 00 00 00 00 00 00 02"
                   "00 00 00 01 'g' 00 06 'Stable' 00 08 'consumer' 00 05 'range'"
                   "00 00 00 01 00 02 'm1'"
                   "00 02 'i1'"               //     group_instance_id (v4+)
                   "00 03 'rdk' 00 0a '/127.0.0.1'"
                   "00 00 00 01 aa 00 00 00 01 bb"
                   "80 00 00 00"
                   "00 45 00 01 'x' 00 04 'Dead' 00 00 00 00 00 00 00 00"
                   "80 00 00 00"),
               4);
}

TEST(describe_groups, response_v5_is_flexible) {
  check_golden(response_for(5),
               hex("00 00 00 00"              // throttle_time_ms
                   "03"                       // groups: 2 (compact)
                   "00 00"                    //   error_code
                   "02 'g'"                   //   group_id
                   "07 'Stable'"              //   group_state
                   "09 'consumer'"            //   protocol_type
                   "06 'range'"               //   protocol_data
                   "02"                       //   members: 1 (compact)
                   "03 'm1'"                  //     member_id
                   "03 'i1'"                  //     group_instance_id
                   "04 'rdk'"                 //     client_id
                   "0b '/127.0.0.1'"          //     client_host
                   "02 aa"                    //     member_metadata (compact bytes)
                   "02 bb"                    //     member_assignment
                   "00"                       //     tags
                   "80 00 00 00"              //   authorized_operations
                   "00"                       //   tags
                   "00 45"                    //   GROUP_ID_NOT_FOUND
                   "02 'x' 05 'Dead' 01 01"   //   group_id, state, protocol_type "", data ""
                   "01"                       //   members: 0
                   "80 00 00 00"
                   "00"
                   "00"),                     // tags
               5);
}

TEST(describe_groups, response_v6_carries_error_messages) {
  check_golden(response_for(6),
               hex("00 00 00 00 03"
                   "00 00"
                   "00"                       //   error_message null (v6+)
                   "02 'g' 07 'Stable' 09 'consumer' 06 'range'"
                   "02 03 'm1' 03 'i1' 04 'rdk' 0b '/127.0.0.1' 02 aa 02 bb 00"
                   "80 00 00 00 00"
                   "00 45"
                   "13 'Group x not found.'"  //   error_message (18 bytes)
                   "02 'x' 05 'Dead' 01 01 01 80 00 00 00 00"
                   "00"),
               6);
}

TEST(describe_groups, rejects_v7) {
  check_rejects_versions<describe_groups_request>({7});
  check_rejects_versions<describe_groups_response>({7});
}

}  // namespace
}  // namespace sluice::protocol
