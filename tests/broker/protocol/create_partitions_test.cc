#include "broker/protocol/create_partitions.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
namespace {

TEST(create_partitions, request_v0_v1) {
  create_partitions_request m;
  create_partitions_request::create_partitions_topic a;
  a.name = "a";
  a.count = 4;  // assignments null
  create_partitions_request::create_partitions_topic b;
  b.name = "b";
  b.count = 2;
  b.assignments = std::vector<create_partitions_request::create_partitions_assignment>{
      {{node_id{1}}}};
  m.topics = {a, b};
  m.timeout_ms = 30000;
  m.validate_only = false;
  const auto golden = hex("00 00 00 02"             // topics: 2
                          "00 01 'a'"               //   name
                          "00 00 00 04"             //   count 4
                          "ff ff ff ff"             //   assignments null
                          "00 01 'b'"
                          "00 00 00 02"
                          "00 00 00 01"             //   assignments: 1
                          "00 00 00 01 00 00 00 01" //     broker_ids [1]
                          "00 00 75 30"             // timeout_ms 30000
                          "00");                    // validate_only
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
}

TEST(create_partitions, response_v0_v1) {
  create_partitions_response m;
  m.results = {{"a", error_code::none, std::nullopt},
               {"b", error_code::invalid_partitions, "too few"}};
  const auto golden = hex("00 00 00 00"             // throttle_time_ms
                          "00 00 00 02"             // results: 2
                          "00 01 'a' 00 00 ff ff"   //   name, error_code, error_message null
                          "00 01 'b' 00 25"         //   INVALID_PARTITIONS (37)
                          "00 07 'too few'");
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
}

TEST(create_partitions, rejects_v2) {
  check_rejects_versions<create_partitions_response>({2});
}

}  // namespace
}  // namespace sluice::broker::protocol
