#include "core/protocol/create_partitions.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

create_partitions_request request() {
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
  return m;
}

TEST(create_partitions, request_v0_v1) {
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
  check_golden(request(), golden, 0);
  check_golden(request(), golden, 1);
}

TEST(create_partitions, request_v2_v3_are_flexible) {
  const auto golden = hex("03"                      // topics: 2 (compact)
                          "02 'a'"                  //   name
                          "00 00 00 04"             //   count 4
                          "00"                      //   assignments null
                          "00"                      //   tags
                          "02 'b'"
                          "00 00 00 02"
                          "02"                      //   assignments: 1
                          "02 00 00 00 01"          //     broker_ids [1]
                          "00"                      //     tags
                          "00"                      //   tags
                          "00 00 75 30"             // timeout_ms 30000
                          "00"                      // validate_only
                          "00");                    // tags
  check_golden(request(), golden, 2);
  check_golden(request(), golden, 3);
}

create_partitions_response response() {
  create_partitions_response m;
  m.results = {{"a", error_code::none, std::nullopt},
               {"b", error_code::invalid_partitions, "too few"}};
  return m;
}

TEST(create_partitions, response_v0_v1) {
  const auto golden = hex("00 00 00 00"             // throttle_time_ms
                          "00 00 00 02"             // results: 2
                          "00 01 'a' 00 00 ff ff"   //   name, error_code, error_message null
                          "00 01 'b' 00 25"         //   INVALID_PARTITIONS (37)
                          "00 07 'too few'");
  check_golden(response(), golden, 0);
  check_golden(response(), golden, 1);
}

TEST(create_partitions, response_v2_v3_are_flexible) {
  const auto golden = hex("00 00 00 00"             // throttle_time_ms
                          "03"                      // results: 2 (compact)
                          "02 'a' 00 00 00"         //   name, error_code, error_message null
                          "00"                      //   tags
                          "02 'b' 00 25"            //   INVALID_PARTITIONS (37)
                          "08 'too few'"
                          "00"                      //   tags
                          "00");                    // tags
  check_golden(response(), golden, 2);
  check_golden(response(), golden, 3);
}

TEST(create_partitions, rejects_v4) {
  check_rejects_versions<create_partitions_request>({4});
  check_rejects_versions<create_partitions_response>({4});
}

}  // namespace
}  // namespace sluice::protocol
