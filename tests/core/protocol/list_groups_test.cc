#include "core/protocol/list_groups.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(list_groups, request_v0_to_v2_are_empty) {
  for (int16_t v = 0; v <= 2; ++v) check_golden(list_groups_request{}, hex(""), v);
}

TEST(list_groups, request_v3_is_only_tags) {
  check_golden(list_groups_request{}, hex("00"), 3);
}

TEST(list_groups, request_v4) {
  list_groups_request m;
  m.states_filter = {"Stable", "Empty"};
  check_golden(m,
               hex("03"              // states_filter: 2 (compact)
                   "07 'Stable'"
                   "06 'Empty'"
                   "00"),            // tags
               4);
  check_golden(list_groups_request{}, hex("01 00"), 4);  // no filter
}

TEST(list_groups, request_v5) {
  list_groups_request m;
  m.states_filter = {"Stable"};
  m.types_filter = {"classic", "Consumer"};
  check_golden(m,
               hex("02"              // states_filter: 1 (compact)
                   "07 'Stable'"
                   "03"              // types_filter: 2 (v5+)
                   "08 'classic'"
                   "09 'Consumer'"
                   "00"),            // tags
               5);
  check_golden(list_groups_request{}, hex("01 01 00"), 5);  // no filters
}

list_groups_response response_for(int16_t v) {
  list_groups_response m;
  list_groups_response::listed_group g{"g", "consumer", v >= 4 ? "Stable" : "", v >= 5 ? "classic" : ""};
  m.groups = {g};
  return m;
}

TEST(list_groups, response_v0) {
  check_golden(response_for(0),
               hex("00 00"                 // error_code
                   "00 00 00 01"           // groups: 1
                   "00 01 'g'"             //   group_id
                   "00 08 'consumer'"),    //   protocol_type
               0);
}

TEST(list_groups, response_v1_v2) {
  const auto golden = hex("00 00 00 00"    // throttle_time_ms (v1+)
                          "00 00 00 00 00 01 00 01 'g' 00 08 'consumer'");
  check_golden(response_for(1), golden, 1);
  check_golden(response_for(2), golden, 2);
}

TEST(list_groups, response_v3_is_flexible) {
  check_golden(response_for(3),
               hex("00 00 00 00"           // throttle_time_ms
                   "00 00"                 // error_code
                   "02"                    // groups: 1 (compact)
                   "02 'g'"                //   group_id
                   "09 'consumer'"         //   protocol_type
                   "00"                    //   tags
                   "00"),                  // tags
               3);
}

TEST(list_groups, response_v4) {
  check_golden(response_for(4),
               hex("00 00 00 00 00 00 02 02 'g' 09 'consumer'"
                   "07 'Stable'"           //   group_state (v4+)
                   "00 00"),
               4);
}

TEST(list_groups, response_v5) {
  check_golden(response_for(5),
               hex("00 00 00 00 00 00 02 02 'g' 09 'consumer' 07 'Stable'"
                   "08 'classic'"          //   group_type (v5+)
                   "00 00"),
               5);
}

TEST(list_groups, rejects_v6) {
  check_rejects_versions<list_groups_request>({6});
  check_rejects_versions<list_groups_response>({6});
}

}  // namespace
}  // namespace sluice::protocol
