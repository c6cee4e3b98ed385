#include "core/protocol/request_header.h"

#include "core/protocol/api_versions.h"
#include "core/protocol/errc.h"
#include "core/protocol/supported_apis.h"
#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(api_key, first_flexible_versions_follow_the_schemas) {
  EXPECT_EQ(first_flexible_version(api_key::api_versions), 3);
  EXPECT_EQ(first_flexible_version(api_key::produce), 9);
  EXPECT_EQ(first_flexible_version(api_key::fetch), 12);
  EXPECT_EQ(first_flexible_version(api_key::offset_fetch), 6);
  EXPECT_EQ(first_flexible_version(api_key::list_groups), 3);
  EXPECT_EQ(first_flexible_version(api_key::init_producer_id), 2);
  EXPECT_EQ(first_flexible_version(api_key::txn_offset_commit), 3);
  EXPECT_EQ(first_flexible_version(api_key::offset_delete), no_flexible_version);
  EXPECT_TRUE(is_flexible(api_key::api_versions, 3));
  EXPECT_FALSE(is_flexible(api_key::api_versions, 2));
  EXPECT_FALSE(is_flexible(api_key::offset_delete, 0));
}

TEST(api_key, names_and_wire_values) {
  EXPECT_EQ(name(api_key::produce), "Produce");
  EXPECT_EQ(name(api_key::txn_offset_commit), "TxnOffsetCommit");
  EXPECT_EQ(to_api_key(18), api_key::api_versions);
  EXPECT_EQ(to_api_key(47), api_key::offset_delete);
  EXPECT_EQ(to_api_key(23), api_key::offset_for_leader_epoch);
  EXPECT_EQ(name(api_key::describe_topic_partitions), "DescribeTopicPartitions");
  EXPECT_EQ(to_api_key(29), std::nullopt);  // DescribeAcls: not served
  EXPECT_EQ(to_api_key(-1), std::nullopt);
  EXPECT_EQ(name(error_code::unknown_topic_or_partition), "UNKNOWN_TOPIC_OR_PARTITION");
  EXPECT_EQ(name(error_code::producer_fenced), "PRODUCER_FENCED");
  EXPECT_EQ(name(static_cast<error_code>(999)), "UNKNOWN");
  EXPECT_EQ(to_wire(error_code::unstable_offset_commit), 88);
}

TEST(supported_apis, every_window_is_non_empty_and_known) {
  ASSERT_FALSE(supported_apis().empty());
  for (const auto& api : supported_apis()) {
    EXPECT_LE(api.versions.min, api.versions.max) << name(api.key);
    EXPECT_EQ(supported_versions(api.key), api.versions);
  }
  EXPECT_EQ(supported_versions(api_key::api_versions), api_versions_versions);
}

TEST(request_header, decodes_v1) {
  const auto b = hex(
      "00 00"        // api_key 0 (Produce)
      "00 07"        // api_version 7 -> not flexible -> header v1
      "00 00 00 2a"  // correlation_id 42
      "00 03 'abc'"  // client_id "abc"
      "ee");         // first body byte
  reader r(b);
  auto h = request_header::decode(r);
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(h.value().key, api_key::produce);
  EXPECT_EQ(h.value().api_version, 7);
  EXPECT_EQ(h.value().correlation_id, 42);
  EXPECT_EQ(h.value().client_id, std::optional<std::string>("abc"));
  EXPECT_EQ(r.remaining(), 1u);
  core::bytes out;
  writer w(out);
  h.value().encode(w);
  EXPECT_EQ(out, core::bytes(b.begin(), b.end() - 1)) << dump(out);
}

TEST(request_header, decodes_v2_with_classic_client_id) {
  const auto b = hex(
      "00 12"        // api_key 18 (ApiVersions)
      "00 03"        // api_version 3 -> flexible -> header v2
      "00 00 00 01"  // correlation_id 1
      "00 03 'rdk'"  // client_id: still an int16 length in v2
      "00");         // empty tag section
  reader r(b);
  auto h = request_header::decode(r);
  ASSERT_TRUE(h);
  EXPECT_EQ(h.value().key, api_key::api_versions);
  EXPECT_EQ(h.value().client_id, std::optional<std::string>("rdk"));
  EXPECT_EQ(r.remaining(), 0u);
  core::bytes out;
  writer w(out);
  h.value().encode(w);
  EXPECT_EQ(out, b) << dump(out);
}

TEST(request_header, v2_skips_unknown_tags_and_null_client_id) {
  const auto b = hex(
      "00 09 00 07"  // OffsetFetch v7 (flexible)
      "00 00 00 05"  // correlation_id
      "ff ff"        // client_id null
      "01 03 02 aa bb"  // one tag: id 3, 2 bytes
      "42");         // body
  reader r(b);
  auto h = request_header::decode(r);
  ASSERT_TRUE(h);
  EXPECT_EQ(h.value().client_id, std::nullopt);
  EXPECT_EQ(r.read_int8(), 0x42);
}

TEST(request_header, api_versions_beyond_our_window_still_decodes) {
  // A future client sends ApiVersions v9: header v2 by the schema rule; the handler answers
  // the v0 fallback without parsing the body.
  const auto b = hex("00 12 00 09 00 00 00 07 00 00 00 'body'");
  reader r(b);
  auto h = request_header::decode(r);
  ASSERT_TRUE(h);
  EXPECT_EQ(h.value().api_version, 9);
  EXPECT_FALSE(api_versions_versions.contains(h.value().api_version));
  reader body(b);
  body.skip(r.position());
  EXPECT_EQ(api_versions_request::decode(body, 9).error(), errc::unsupported_version);
}

TEST(request_header, unknown_key_and_truncation) {
  const auto b = hex("00 1d 00 00 00 00 00 09 ff ff");  // key 29 (DescribeAcls): not served
  reader r(b);
  auto h = request_header::decode(r);
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error(), errc::unknown_api_key);
  auto p = peek_request_prefix(b);
  ASSERT_TRUE(p);
  EXPECT_EQ(*p, (request_prefix{29, 0, 9}));

  const auto full = hex("00 03 00 04 00 00 00 01 00 02 'id'");
  for (size_t n = 0; n < full.size(); ++n) {
    reader t(bytes_view(full).first(n));
    EXPECT_FALSE(request_header::decode(t)) << n;
  }
  EXPECT_FALSE(peek_request_prefix(bytes_view(full).first(7)));
  EXPECT_TRUE(peek_request_prefix(bytes_view(full).first(8)));
}

TEST(response_header, versions) {
  EXPECT_EQ(response_header_version(api_key::api_versions, 3), 0);  // always v0
  EXPECT_EQ(response_header_version(api_key::offset_fetch, 7), 1);
  EXPECT_EQ(response_header_version(api_key::offset_fetch, 5), 0);
  EXPECT_EQ(request_header_version(api_key::api_versions, 3), 2);
  EXPECT_EQ(request_header_version(api_key::produce, 7), 1);

  core::bytes out;
  writer w(out);
  encode_response_header(w, api_key::api_versions, 3, 7);
  encode_response_header(w, api_key::list_groups, 4, 8);
  encode_response_header(w, api_key::metadata, 4, 9);
  EXPECT_EQ(out, hex("00 00 00 07"      // ApiVersions v3: v0 header, no tag byte
                     "00 00 00 08 00"   // ListGroups v4: v1 header with empty tags
                     "00 00 00 09"))    // Metadata v4: v0 header
      << dump(out);
  reader r(out);
  EXPECT_EQ(decode_response_header(r, api_key::api_versions, 3).value(), 7);
  EXPECT_EQ(decode_response_header(r, api_key::list_groups, 4).value(), 8);
  EXPECT_EQ(decode_response_header(r, api_key::metadata, 4).value(), 9);
  EXPECT_EQ(r.remaining(), 0u);
}

TEST(response_frame, size_prefix_header_and_body) {
  api_versions_response body;
  body.api_keys = {{18, 0, 3}};
  core::bytes out;
  encode_response_frame(out, api_key::api_versions, 3, 0x01020304, body);
  EXPECT_EQ(out, hex("00 00 00 13"     // size 19
                     "01 02 03 04"     // correlation id (header v0 even for v3)
                     "00 00"           // error_code
                     "02"              // compact array: 1 element
                     "00 12 00 00 00 03 00"  // ApiVersions 0..3 + tags
                     "00 00 00 00"     // throttle_time_ms
                     "00"))            // tags
      << dump(out);

  api_versions_request req;
  req.client_software_name = "x";
  req.client_software_version = "1";
  core::bytes frame;
  encode_request_frame(frame, request_header{api_key::api_versions, 3, 5, "c"}, req);
  EXPECT_EQ(frame, hex("00 00 00 11"  // size 17
                       "00 12 00 03 00 00 00 05 00 01 'c' 00"  // header v2
                       "02 'x' 02 '1' 00"))                     // body
      << dump(frame);
}

}  // namespace
}  // namespace sluice::protocol
