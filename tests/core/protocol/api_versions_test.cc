#include "core/protocol/api_versions.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(api_versions, request_v0_to_v2_have_empty_bodies) {
  for (int16_t v = 0; v <= 2; ++v) check_golden(api_versions_request{}, hex(""), v);
}

TEST(api_versions, request_v3_v4) {
  api_versions_request m;
  m.client_software_name = "librdkafka";
  m.client_software_version = "2.0.2";
  const auto golden = hex("0b 'librdkafka'"  // compact string, length 10 + 1
                          "06 '2.0.2'"       // compact string, length 5 + 1
                          "00");             // tags
  check_golden(m, golden, 3);
  check_golden(m, golden, 4);
}

TEST(api_versions, client_software_follows_kafkas_pattern) {
  for (const char* ok : {"librdkafka", "2.0.2", "apache-kafka-java", "4.0.0-SNAPSHOT", "a", "7",
                         "KafkaJS", "v1.2.3-rc.1"}) {
    EXPECT_TRUE(is_valid_client_software(ok)) << ok;
  }
  for (const char* bad : {"", "-a", "a-", ".a", "a.", "a b", "a_b", "a/b", "-", "é", "a+b"}) {
    EXPECT_FALSE(is_valid_client_software(bad)) << bad;
  }
}

TEST(api_versions, request_v3_skips_unknown_tags) {
  const auto b = hex("02 'a' 02 'b'"
                     "01 07 03 01 02 03");  // one tag: id 7, 3 bytes
  auto m = decode_all<api_versions_request>(b, 3);
  EXPECT_EQ(m.client_software_name, "a");
  EXPECT_EQ(m.client_software_version, "b");
}

api_versions_response sample_response() {
  api_versions_response m;
  m.api_keys = {{0, 3, 7}, {18, 0, 3}};
  m.throttle_time_ms = 0;
  return m;
}

TEST(api_versions, response_v0) {
  check_golden(sample_response(),
               hex("00 00"         // error_code NONE
                   "00 00 00 02"   // api_keys: 2
                   "00 00 00 03 00 07"   // Produce 3..7
                   "00 12 00 00 00 03"), // ApiVersions 0..3
               0);
}

TEST(api_versions, response_v1_and_v2) {
  auto m = sample_response();
  m.throttle_time_ms = 5;
  const auto golden = hex("00 00"
                          "00 00 00 02"
                          "00 00 00 03 00 07"
                          "00 12 00 00 00 03"
                          "00 00 00 05");  // throttle_time_ms
  check_golden(m, golden, 1);
  check_golden(m, golden, 2);
}

TEST(api_versions, response_v3_v4_are_compact_with_empty_tags) {
  const auto golden = hex("00 00"                  // error_code
                          "03"                     // compact array: 2 + 1
                          "00 00 00 03 00 07 00"   // Produce 3..7, tags
                          "00 12 00 00 00 03 00"   // ApiVersions 0..3, tags
                          "00 00 00 00"            // throttle_time_ms
                          "00");                   // tags: never SupportedFeatures etc.
  check_golden(sample_response(), golden, 3);
  check_golden(sample_response(), golden, 4);
}

TEST(api_versions, response_v4_skips_feature_tags) {
  // SupportedFeatures (tag 0): [{"f", 0, 1}] — a peer's tags are read past, never kept.
  const auto tagged = hex("00 00 01 00 00 00 00"
                          "01 00 08 02 02 'f' 00 00 00 01 00");
  api_versions_response expected;
  EXPECT_TRUE(decode_all<api_versions_response>(tagged, 4) == expected);
}

TEST(api_versions, invalid_request_answer_has_no_api_keys) {
  api_versions_response m;  // what the handler sends for a bad client_software_name
  m.error_code = error_code::invalid_request;
  check_golden(m, hex("00 2a 01 00 00 00 00 00"), 4);
}

TEST(api_versions, unsupported_version_fallback_is_a_v0_body) {
  const auto m = api_versions_response::unsupported_version_fallback({{18, 0, 3}});
  EXPECT_EQ(m.error_code, error_code::unsupported_version);
  check_golden(m,
               hex("00 23"                // UNSUPPORTED_VERSION (35)
                   "00 00 00 01"          // one entry
                   "00 12 00 00 00 03"),  // ApiVersions 0..3
               0);
}

TEST(api_versions, versions_outside_the_window_are_rejected) {
  check_rejects_versions<api_versions_request>({5, -1});
  check_rejects_versions<api_versions_response>({5});
  EXPECT_EQ(api_versions_versions, (version_range{0, 4}));
}

TEST(api_versions, response_rejects_null_array_and_huge_count) {
  const auto null_keys = hex("00 00 ff ff ff ff");
  reader r(null_keys);
  EXPECT_EQ(api_versions_response::decode(r, 0).error(), errc::malformed);
  const auto huge = hex("00 00 7f ff ff ff 00 12 00 00 00 03");
  reader r2(huge);
  EXPECT_EQ(api_versions_response::decode(r2, 0).error(), errc::malformed);
}

}  // namespace
}  // namespace sluice::protocol
