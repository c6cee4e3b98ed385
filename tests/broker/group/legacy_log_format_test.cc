// Sluice's old __consumer_offsets record format (kept for the migration, log_migration.h):
// exact bytes of keys and values, round trips, and refusal of what it cannot read.

#include "broker/group/legacy_log_format.h"

#include "tests/core/protocol/golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::group::legacy {
namespace {

using protocol::test::hex;

TEST(legacy_log_format, offset_key_bytes) {
  auto key = encode_key(offset_key{"g1", {"t", core::partition_id{5}}});
  EXPECT_EQ(key, hex("00 00"        // kind 0: committed offset
                     "00 00"        // key version 0
                     "00 02 'g1'"   // group
                     "00 01 't'"    // topic
                     "00 00 00 05"));  // partition
  auto decoded = decode_key(key);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(std::get<offset_key>(decoded.value()), (offset_key{"g1", {"t", core::partition_id{5}}}));
}

TEST(legacy_log_format, group_key_bytes) {
  auto key = encode_key(group_key{"grp"});
  EXPECT_EQ(key, hex("00 01 00 00 00 03 'grp'"));
  auto decoded = decode_key(key);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(std::get<group_key>(decoded.value()).group, "grp");
}

TEST(legacy_log_format, offset_value_bytes) {
  auto v = encode_value(offset_value{42, 7, "m", 1700000000000});
  EXPECT_EQ(v, hex("00 00"                      // value version 0
                   "00 00 00 00 00 00 00 2a"    // offset 42
                   "00 00 00 07"                // leader epoch
                   "00 01 'm'"                  // metadata
                   "00 00 01 8b cf e5 68 00"));  // commit timestamp
  auto decoded = decode_offset_value(v);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value(), (offset_value{42, 7, "m", 1700000000000}));
  auto null_meta = encode_value(offset_value{1, -1, std::nullopt, 0});
  EXPECT_EQ(decode_offset_value(null_meta).value().metadata, std::nullopt);
}

TEST(legacy_log_format, group_value_bytes) {
  group_value g;
  g.protocol_type = "consumer";
  g.generation = 3;
  g.protocol_name = "range";
  g.leader = "m1";
  g.state_timestamp_ms = 1;
  member_value m;
  m.member_id = "m1";
  m.instance_id = "i1";
  m.client_id = "c";
  m.client_host = "/h";
  m.session_timeout_ms = 6000;
  m.rebalance_timeout_ms = 300000;
  m.protocols = {{"range", core::to_bytes("S")}};
  m.assignment = core::to_bytes("A");
  g.members.push_back(m);
  auto bytes = encode_value(g);
  EXPECT_EQ(bytes, hex("00 00"                    // value version 0
                       "00 08 'consumer'"         // protocol type
                       "00 00 00 03"              // generation
                       "00 05 'range'"            // protocol name
                       "00 02 'm1'"               // leader
                       "00 00 00 00 00 00 00 01"  // state timestamp
                       "00 00 00 01"              // one member
                       "00 02 'm1' 00 02 'i1' 00 01 'c' 00 02 '/h'"
                       "00 00 17 70 00 04 93 e0"  // session 6000, rebalance 300000
                       "00 00 00 01 00 05 'range' 00 00 00 01 'S'"  // protocols
                       "00 00 00 01 'A'"));       // assignment
  auto decoded = decode_group_value(bytes);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value(), g);
  group_value empty;
  empty.generation = 4;
  auto e = decode_group_value(encode_value(empty));
  ASSERT_TRUE(e);
  EXPECT_EQ(e.value(), empty);
}

TEST(legacy_log_format, unknown_versions_and_garbage_are_refused) {
  EXPECT_EQ(decode_key(hex("00 00 00 01 00 01 'g' 00 01 't' 00 00 00 00")).error(), errc::corrupt_log);
  EXPECT_EQ(decode_key(hex("00 07 00 00 00 01 'g'")).error(), errc::corrupt_log);  // unknown kind
  EXPECT_EQ(decode_key(hex("00 01 00 00 00 05 'g'")).error(), errc::corrupt_log);  // short
  EXPECT_EQ(decode_key(hex("00 01 00 00 00 01 'g' ff")).error(), errc::corrupt_log);  // trailing
  EXPECT_EQ(decode_offset_value(hex("00 01 00 00 00 00 00 00 00 01 ff ff ff ff ff ff 00 00 00 00 00 00 00 00")).error(),
            errc::corrupt_log);
  EXPECT_EQ(decode_group_value(hex("00 00 00 00 00 00 00 00 ff ff ff ff 00 00 00 00 00 00 00 00 7f ff ff ff")).error(),
            errc::corrupt_log);  // a member count the bytes cannot hold
  // Every truncation of a valid value fails cleanly.
  group_value g;
  g.protocol_type = "consumer";
  g.members.push_back(member_value{"m", std::nullopt, "c", "h", 1, 2, {{"p", core::to_bytes("x")}}, {}});
  auto bytes = encode_value(g);
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode_group_value(core::bytes_view(bytes).first(n))) << n;
  }
}

}  // namespace
}  // namespace sluice::broker::group::legacy
