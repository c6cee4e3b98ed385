#include "broker/protocol/delete_groups.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
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

TEST(delete_groups, rejects_v2) {
  check_rejects_versions<delete_groups_request>({2});
}

}  // namespace
}  // namespace sluice::broker::protocol
