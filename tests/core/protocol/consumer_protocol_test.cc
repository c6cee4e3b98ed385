#include "core/protocol/consumer_protocol.h"

#include "golden.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sluice::protocol {
namespace {

/// The consumer protocol's golden check: `m` encodes in `version` to exactly `golden` (which
/// starts with the version), `golden` decodes back to `m` consuming every byte, and every
/// proper prefix fails with `malformed`.
template <class M>
void check_payload(const M& m, const core::bytes& golden, int16_t version) {
  SCOPED_TRACE("version " + std::to_string(version));
  const core::bytes encoded = m.to_bytes(version);
  EXPECT_TRUE(core::equal(encoded, golden)) << "encoded:\n" << dump(encoded) << "\nexpected:\n" << dump(golden);
  reader r(golden);
  auto decoded = M::decode(r);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_TRUE(decoded.value() == m) << "decoded message differs";
  EXPECT_EQ(r.remaining(), 0u);
  for (size_t n = 0; n < golden.size(); ++n) {
    auto res = M::decode(bytes_view(golden).first(n));
    EXPECT_FALSE(res) << "prefix of " << n << "/" << golden.size() << " bytes decoded";
    if (!res) {
      EXPECT_EQ(res.error(), errc::malformed);
    }
  }
}

consumer_protocol_subscription subscription_for(int16_t v) {
  consumer_protocol_subscription m;
  m.topics = {"a", "bc"};
  m.user_data = hex("01 02");
  if (v >= 1) m.owned_partitions = {{"a", {partition_id{0}, partition_id{2}}}};
  if (v >= 2) m.generation_id = 7;
  if (v >= 3) m.rack_id = "r1";
  return m;
}

const char* const subscription_v0_body =
    "00 00 00 02"        // topics: 2
    "00 01 'a'"          //   "a"
    "00 02 'bc'"         //   "bc"
    "00 00 00 02 01 02"; // user_data

TEST(consumer_protocol, subscription_v0) {
  check_payload(subscription_for(0), hex(std::string("00 00") + subscription_v0_body), 0);
}

TEST(consumer_protocol, subscription_v1_adds_owned_partitions) {
  check_payload(subscription_for(1),
                hex(std::string("00 01") + subscription_v0_body +
                    "00 00 00 01"            // owned_partitions: 1
                    "00 01 'a'"              //   topic
                    "00 00 00 02"            //   partitions: 2
                    "00 00 00 00 00 00 00 02"),
                1);
}

TEST(consumer_protocol, subscription_v2_adds_the_generation) {
  check_payload(subscription_for(2),
                hex(std::string("00 02") + subscription_v0_body +
                    "00 00 00 01 00 01 'a' 00 00 00 02 00 00 00 00 00 00 00 02"
                    "00 00 00 07"),          // generation_id
                2);
}

TEST(consumer_protocol, subscription_v3_adds_the_rack) {
  check_payload(subscription_for(3),
                hex(std::string("00 03") + subscription_v0_body +
                    "00 00 00 01 00 01 'a' 00 00 00 02 00 00 00 00 00 00 00 02"
                    "00 00 00 07"
                    "00 02 'r1'"),           // rack_id
                3);
}

TEST(consumer_protocol, subscription_defaults_and_nulls) {
  consumer_protocol_subscription m;  // no topics, null user data, generation -1, null rack
  check_payload(m,
                hex("00 03"
                    "00 00 00 00"            // topics: 0
                    "ff ff ff ff"            // user_data: null
                    "00 00 00 00"            // owned_partitions: 0
                    "ff ff ff ff"            // generation_id: -1
                    "ff ff"),                // rack_id: null
                3);
  check_payload(m, hex("00 00 00 00 00 00 ff ff ff ff"), 0);
  m.user_data = core::bytes{};  // empty, not null
  check_payload(m, hex("00 00 00 00 00 00 00 00 00 00"), 0);
}

TEST(consumer_protocol, subscription_fields_absent_in_a_version_keep_their_defaults) {
  // A v3 message written as v1 loses the generation and the rack.
  auto m = subscription_for(3);
  auto back = consumer_protocol_subscription::decode(m.to_bytes(1));
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value().owned_partitions, m.owned_partitions);
  EXPECT_EQ(back.value().generation_id, -1);
  EXPECT_FALSE(back.value().rack_id);
}

TEST(consumer_protocol, subscription_of_a_newer_version_is_read_as_v3) {
  // Version 9 with a field v3 does not know appended: parsed with v3's fields, the rest ignored.
  auto bytes = hex(std::string("00 09") + subscription_v0_body +
                   "00 00 00 00"                 // owned_partitions: 0
                   "00 00 00 05"                 // generation_id
                   "ff ff"                       // rack_id: null
                   "00 00 00 2a 'future'");      // unknown trailing field
  reader r(bytes);
  auto m = consumer_protocol_subscription::decode(r);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_EQ(m.value().topics, (std::vector<std::string>{"a", "bc"}));
  EXPECT_EQ(m.value().generation_id, 5);
  EXPECT_FALSE(m.value().rack_id);
  EXPECT_EQ(r.remaining(), 10u) << "the unknown field is left unread";
  // ... but a newer version must still carry every v3 field.
  EXPECT_EQ(consumer_protocol_subscription::decode(hex(std::string("00 04") + subscription_v0_body)).error(),
            errc::malformed);
}

TEST(consumer_protocol, subscription_trailing_bytes_of_a_known_version_are_ignored) {
  auto m = consumer_protocol_subscription::decode(hex(std::string("00 00") + subscription_v0_body + "de ad"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m.value(), subscription_for(0));
}

TEST(consumer_protocol, subscription_rejects_bad_input) {
  EXPECT_EQ(consumer_protocol_subscription::decode(hex("ff ff 00 00 00 00 ff ff ff ff")).error(),
            errc::unsupported_version);
  EXPECT_EQ(consumer_protocol_subscription::decode(hex("00 00 ff ff ff ff ff ff ff ff")).error(),
            errc::malformed) << "null topics";
  EXPECT_EQ(consumer_protocol_subscription::decode(hex("00 00 00 00 00 01 ff ff ff ff ff ff")).error(),
            errc::malformed) << "null topic name";
  EXPECT_EQ(consumer_protocol_subscription::decode(hex("00 00 7f ff ff ff")).error(), errc::malformed)
      << "a topic count beyond the payload";
  EXPECT_EQ(consumer_protocol_subscription::decode(hex("00 00 00 00 00 00 00 00 00 10 01")).error(),
            errc::malformed) << "user data longer than the payload";
  EXPECT_EQ(consumer_protocol_subscription::decode(
                hex("00 01 00 00 00 00 ff ff ff ff 00 00 00 01 00 01 'a' ff ff ff ff")).error(),
            errc::malformed) << "null owned partition list";
}

consumer_protocol_assignment assignment_example() {
  consumer_protocol_assignment m;
  m.assigned_partitions = {{"a", {partition_id{1}}}, {"bc", {partition_id{0}, partition_id{3}}}};
  m.user_data = hex("ab");
  return m;
}

TEST(consumer_protocol, assignment_every_version_has_v0s_bytes) {
  const std::string body = "00 00 00 02"                  // assigned_partitions: 2
                           "00 01 'a' 00 00 00 01"        //   "a": 1 partition
                           "00 00 00 01"                  //     1
                           "00 02 'bc' 00 00 00 02"       //   "bc": 2 partitions
                           "00 00 00 00 00 00 00 03"      //     0, 3
                           "00 00 00 01 ab";              // user_data
  for (int16_t v = 0; v <= 3; ++v) {
    check_payload(assignment_example(), hex("00 0" + std::to_string(v) + body), v);
  }
  consumer_protocol_assignment empty;
  check_payload(empty, hex("00 00 00 00 00 00 ff ff ff ff"), 0);
}

TEST(consumer_protocol, assignment_of_a_newer_version_is_read_as_v3) {
  auto m = consumer_protocol_assignment::decode(hex("00 05 00 00 00 00 ff ff ff ff 01 02 03"));
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_TRUE(m.value().assigned_partitions.empty());
  EXPECT_FALSE(m.value().user_data);
}

TEST(consumer_protocol, assignment_rejects_bad_input) {
  EXPECT_EQ(consumer_protocol_assignment::decode(hex("80 00 00 00 00 00 ff ff ff ff")).error(),
            errc::unsupported_version);
  EXPECT_EQ(consumer_protocol_assignment::decode(hex("00 00 ff ff ff ff ff ff ff ff")).error(),
            errc::malformed) << "null assigned partitions";
  EXPECT_EQ(consumer_protocol_assignment::decode(hex("00 00 00 00 00 01 00 01 'a' 00 00 10 00 00 00 00 01")).error(),
            errc::malformed) << "a partition count beyond the payload";
  EXPECT_EQ(consumer_protocol_assignment::decode(bytes_view{}).error(), errc::malformed)
      << "the empty assignment the broker stores for a member the leader left out";
}

/// Every single-byte mutation of `golden` either fails cleanly or decodes to a message that
/// survives an encode/decode round trip at the version it was read as (above 3: as v3).
template <class M>
void check_mutations(const core::bytes& golden) {
  for (size_t i = 0; i < golden.size(); ++i) {
    for (int value : {0x00, 0x01, 0x7f, 0x80, 0xff}) {
      core::bytes mutated = golden;
      mutated[i] = static_cast<std::byte>(value);
      reader r(mutated);
      auto m = M::decode(r);
      if (!m) {
        EXPECT_TRUE(m.error() == errc::malformed || m.error() == errc::unsupported_version);
        continue;
      }
      const auto version = static_cast<int16_t>(
          std::min<int>((std::to_integer<int>(mutated[0]) << 8) | std::to_integer<int>(mutated[1]), 3));
      auto again = M::decode(m.value().to_bytes(version));
      ASSERT_TRUE(again) << "byte " << i << " = " << value;
      EXPECT_TRUE(again.value() == m.value()) << "byte " << i << " = " << value;
    }
  }
}

TEST(consumer_protocol, mutated_payloads_fail_cleanly_or_round_trip) {
  for (int16_t v = 0; v <= 3; ++v) {
    check_mutations<consumer_protocol_subscription>(subscription_for(v).to_bytes(v));
    check_mutations<consumer_protocol_assignment>(assignment_example().to_bytes(v));
  }
}

}  // namespace
}  // namespace sluice::protocol
