#include "broker/protocol/delete_topics.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
namespace {

TEST(delete_topics, request_v0_v1) {
  delete_topics_request m;
  m.topic_names = {"a", "bc"};
  m.timeout_ms = 1000;
  const auto golden = hex("00 00 00 02"   // topic_names: 2
                          "00 01 'a'"
                          "00 02 'bc'"
                          "00 00 03 e8"); // timeout_ms 1000
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
}

delete_topics_response response() {
  delete_topics_response m;
  m.responses = {{"a", error_code::none}, {"bc", error_code::unknown_topic_or_partition}};
  return m;
}

TEST(delete_topics, response_v0) {
  check_golden(response(),
               hex("00 00 00 02"        // responses: 2
                   "00 01 'a' 00 00"    //   name, error_code
                   "00 02 'bc' 00 03"), //   UNKNOWN_TOPIC_OR_PARTITION
               0);
}

TEST(delete_topics, response_v1) {
  auto m = response();
  m.throttle_time_ms = 7;
  check_golden(m,
               hex("00 00 00 07"        // throttle_time_ms (v1+)
                   "00 00 00 02 00 01 'a' 00 00 00 02 'bc' 00 03"),
               1);
}

TEST(delete_topics, rejects_v2) {
  check_rejects_versions<delete_topics_request>({2});
}

}  // namespace
}  // namespace sluice::broker::protocol
