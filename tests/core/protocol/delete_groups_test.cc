#include "core/protocol/delete_groups.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(delete_groups, request_v0_v1) {
  delete_groups_request m;
  m.groups_names = {"g1", "g2"};
  const auto golden = hex("00 00 00 02 00 02 'g1' 00 02 'g2'");  // groups_names
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
}

TEST(delete_groups, response_v0_v1) {
  delete_groups_response m;
  m.results = {{"g1", error_code::none}, {"g2", error_code::non_empty_group}};
  const auto golden = hex("00 00 00 00"         // throttle_time_ms
                          "00 00 00 02"         // results: 2
                          "00 02 'g1' 00 00"    //   group_id, error_code
                          "00 02 'g2' 00 44");  //   NON_EMPTY_GROUP (68)
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
}

TEST(delete_groups, request_v2_is_flexible) {
  delete_groups_request m;
  m.groups_names = {"g1", "g2"};
  check_golden(m,
               hex("03"             // groups_names: 2 (compact)
                   "03 'g1'"        //   compact string
                   "03 'g2'"
                   "00"),           // tags
               2);
  const auto tagged = hex("02 03 'g1'"
                          "01 05 02 'xy'");  // tags: tag 5, 2 bytes (skipped)
  EXPECT_EQ(decode_all<delete_groups_request>(tagged, 2).groups_names,
            std::vector<std::string>{"g1"});
}

TEST(delete_groups, response_v2_is_flexible) {
  delete_groups_response m;
  m.results = {{"g1", error_code::none}, {"g2", error_code::group_id_not_found}};
  check_golden(m,
               hex("00 00 00 00"     // throttle_time_ms
                   "03"              // results: 2 (compact)
                   "03 'g1' 00 00"   //   group_id, error_code
                   "00"              //   tags
                   "03 'g2' 00 45"   //   GROUP_ID_NOT_FOUND (69)
                   "00"              //   tags
                   "00"),            // tags
               2);
}

TEST(delete_groups, rejects_v3) {
  check_rejects_versions<delete_groups_request>({3});
  check_rejects_versions<delete_groups_response>({3});
}

}  // namespace
}  // namespace sluice::protocol
