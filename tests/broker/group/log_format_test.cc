// The __consumer_offsets record format — Kafka's OffsetCommitKey/Value and
// GroupMetadataKey/Value: exact bytes of what is written, every version Kafka has written
// read from hand-written bytes (by the schemas), and refusal of what cannot be read.

#include "broker/group/log_format.h"

#include "tests/core/protocol/golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::group {
namespace {

using protocol::test::hex;

// 1700000000000 ms, big-endian.
constexpr const char* commit_ts = "00 00 01 8b cf e5 68 00";

offset_value value_of(core::bytes_view b) {
  auto v = decode_offset_value(b);
  EXPECT_TRUE(v) << "undecodable";
  return v ? v.value() : offset_value{};
}

group_value group_of(core::bytes_view b) {
  auto v = decode_group_value(b);
  EXPECT_TRUE(v) << "undecodable";
  return v ? v.value() : group_value{};
}

// ---- keys ------------------------------------------------------------------------------------

TEST(log_format, offset_commit_key_is_written_as_type_1) {
  const offset_key k{"g1", {"t", core::partition_id{5}}};
  EXPECT_EQ(encode_key(k), hex("00 01"          // record type 1: offset commit
                               "00 02 'g1'"     // group
                               "00 01 't'"      // topic
                               "00 00 00 05"));  // partition
  EXPECT_EQ(std::get<offset_key>(decode_key(encode_key(k)).value()), k);
  // Type 0 (Kafka before 0.9) has the same fields.
  EXPECT_EQ(std::get<offset_key>(decode_key(hex("00 00 00 02 'g1' 00 01 't' 00 00 00 05")).value()), k);
}

TEST(log_format, group_metadata_key_is_type_2) {
  EXPECT_EQ(encode_key(group_key{"grp"}), hex("00 02"         // record type 2: group metadata
                                              "00 03 'grp'"));  // group
  EXPECT_EQ(std::get<group_key>(decode_key(hex("00 02 00 03 'grp'")).value()).group, "grp");
}

TEST(log_format, keys_of_other_group_types_are_recognised_and_negative_types_refused) {
  // Type 3: ConsumerGroupMetadataKey (KIP-848), group id "g"; the fields are not read.
  EXPECT_EQ(std::get<other_key>(decode_key(hex("00 03 00 01 'g'")).value()).type, 3);
  EXPECT_EQ(std::get<other_key>(decode_key(hex("00 0b 00 01 'g'")).value()).type, 11);  // share group
  EXPECT_EQ(decode_key(hex("ff ff 00 01 'g'")).error(), errc::corrupt_log);
  EXPECT_EQ(decode_key(hex("00")).error(), errc::corrupt_log);
  EXPECT_EQ(decode_key(hex("00 01 00 01 'g' 00 01 't'")).error(), errc::corrupt_log);      // short
  EXPECT_EQ(decode_key(hex("00 02 00 01 'g' ff")).error(), errc::corrupt_log);             // trailing
}

// ---- OffsetCommitValue -----------------------------------------------------------------------

TEST(log_format, offset_commit_value_is_written_as_v3) {
  const offset_value v{42, 7, "m", 1700000000000, -1};
  const auto bytes = encode_value(v);
  EXPECT_EQ(bytes, hex(std::string("00 03"                       // version 3
                                   "00 00 00 00 00 00 00 2a"     // offset 42
                                   "00 00 00 07"                 // leader epoch 7
                                   "00 01 'm'") +                // metadata
                       commit_ts));                              // commit timestamp
  EXPECT_EQ(value_of(bytes), v);
  // No metadata is "" (the field is not nullable).
  EXPECT_EQ(encode_value(offset_value{1, -1, "", 0, -1}),
            hex("00 03 00 00 00 00 00 00 00 01 ff ff ff ff 00 00 00 00 00 00 00 00 00 00"));
}

TEST(log_format, offset_commit_value_with_an_expiry_is_written_as_v1) {
  const offset_value v{42, -1, "m", 1700000000000, 1700000000001};
  const auto bytes = encode_value(v);
  EXPECT_EQ(bytes, hex(std::string("00 01"                       // version 1
                                   "00 00 00 00 00 00 00 2a"     // offset
                                   "00 01 'm'") +                // metadata
                       commit_ts +                               // commit timestamp
                       "00 00 01 8b cf e5 68 01"));              // expire timestamp
  EXPECT_EQ(value_of(bytes), v);
}

TEST(log_format, offset_commit_values_of_every_version_are_read) {
  const offset_value expected{42, -1, "m", 1700000000000, -1};
  // v0 (0.8.2) and v2 (2.1): offset, metadata, commit timestamp.
  EXPECT_EQ(value_of(hex(std::string("00 00 00 00 00 00 00 00 00 2a 00 01 'm'") + commit_ts)), expected);
  EXPECT_EQ(value_of(hex(std::string("00 02 00 00 00 00 00 00 00 2a 00 01 'm'") + commit_ts)), expected);
  // v3 with a leader epoch.
  offset_value with_epoch = expected;
  with_epoch.leader_epoch = 9;
  EXPECT_EQ(value_of(hex(std::string("00 03 00 00 00 00 00 00 00 2a 00 00 00 09 00 01 'm'") + commit_ts)),
            with_epoch);
  // v4, flexible (Kafka 4.1): compact metadata, then tagged fields — here tag 0, the topic id
  // (16 bytes), which is skipped.
  EXPECT_EQ(value_of(hex(std::string("00 04"
                                     "00 00 00 00 00 00 00 2a"      // offset
                                     "00 00 00 09"                  // leader epoch
                                     "02 'm'") +                    // compact metadata
                         commit_ts +
                         "01"                                       // one tagged field
                         "00 10"                                    // tag 0, 16 bytes
                         "00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff")),
            with_epoch);
  EXPECT_EQ(value_of(hex(std::string("00 04 00 00 00 00 00 00 00 2a 00 00 00 09 02 'm'") + commit_ts + "00")),
            with_epoch);
}

TEST(log_format, unreadable_offset_commit_values_are_refused) {
  EXPECT_EQ(decode_offset_value(hex(std::string("00 05 00 00 00 00 00 00 00 2a 00 00 00 09 02 'm'") + commit_ts +
                                    "00"))
                .error(),
            errc::corrupt_log);  // no Kafka has written v5
  EXPECT_EQ(decode_offset_value(hex("ff ff")).error(), errc::corrupt_log);
  const auto bytes = encode_value(offset_value{42, 7, "meta", 1, -1});
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode_offset_value(core::bytes_view(bytes).first(n))) << n;
  }
  auto longer = bytes;
  longer.push_back(std::byte{0});
  EXPECT_FALSE(decode_offset_value(longer));
}

// ---- GroupMetadataValue ----------------------------------------------------------------------

group_value sample_group() {
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
  m.rebalance_timeout_ms = 300000;
  m.session_timeout_ms = 6000;
  m.subscription = core::to_bytes("S");
  m.assignment = core::to_bytes("A");
  g.members.push_back(m);
  return g;
}

TEST(log_format, group_metadata_value_is_written_as_v3) {
  const auto g = sample_group();
  const auto bytes = encode_value(g);
  EXPECT_EQ(bytes, hex("00 03"                    // version 3
                       "00 08 'consumer'"         // protocol type
                       "00 00 00 03"              // generation
                       "00 05 'range'"            // protocol
                       "00 02 'm1'"               // leader
                       "00 00 00 00 00 00 00 01"  // current state timestamp
                       "00 00 00 01"              // one member:
                       "00 02 'm1'"               //   member id
                       "00 02 'i1'"               //   group instance id
                       "00 01 'c'"                //   client id
                       "00 02 '/h'"               //   client host
                       "00 04 93 e0"              //   rebalance timeout 300000
                       "00 00 17 70"              //   session timeout 6000
                       "00 00 00 01 'S'"          //   subscription
                       "00 00 00 01 'A'"));       //   assignment
  EXPECT_EQ(group_of(bytes), g);
  // An Empty group: no protocol, no leader, no members.
  group_value empty;
  empty.generation = 4;
  empty.state_timestamp_ms = 2;
  EXPECT_EQ(encode_value(empty), hex("00 03 00 00 00 00 00 04 ff ff ff ff 00 00 00 00 00 00 00 02 00 00 00 00"));
  EXPECT_EQ(group_of(encode_value(empty)), empty);
}

TEST(log_format, group_metadata_values_of_every_version_are_read) {
  auto g = sample_group();
  // v0 (0.9): no state timestamp, instance id or rebalance timeout (read as the session's).
  auto v0 = g;
  v0.state_timestamp_ms = -1;
  v0.members[0].instance_id.reset();
  v0.members[0].rebalance_timeout_ms = 6000;
  EXPECT_EQ(group_of(hex("00 00 00 08 'consumer' 00 00 00 03 00 05 'range' 00 02 'm1'"
                         "00 00 00 01"                                   // one member
                         "00 02 'm1' 00 01 'c' 00 02 '/h'"               // ids, client, host
                         "00 00 17 70"                                   // session timeout
                         "00 00 00 01 'S' 00 00 00 01 'A'")),
            v0);
  // v1 (0.10.1): + rebalance timeout, before the session timeout.
  auto v1 = v0;
  v1.members[0].rebalance_timeout_ms = 300000;
  EXPECT_EQ(group_of(hex("00 01 00 08 'consumer' 00 00 00 03 00 05 'range' 00 02 'm1'"
                         "00 00 00 01 00 02 'm1' 00 01 'c' 00 02 '/h'"
                         "00 04 93 e0 00 00 17 70"
                         "00 00 00 01 'S' 00 00 00 01 'A'")),
            v1);
  // v2 (2.1): + current state timestamp.
  auto v2 = v1;
  v2.state_timestamp_ms = 1;
  EXPECT_EQ(group_of(hex("00 02 00 08 'consumer' 00 00 00 03 00 05 'range' 00 02 'm1'"
                         "00 00 00 00 00 00 00 01"
                         "00 00 00 01 00 02 'm1' 00 01 'c' 00 02 '/h'"
                         "00 04 93 e0 00 00 17 70"
                         "00 00 00 01 'S' 00 00 00 01 'A'")),
            v2);
  // v4, flexible: compact strings, arrays and bytes, tagged fields per member and at the end.
  EXPECT_EQ(group_of(hex("00 04"
                         "09 'consumer'"            // protocol type
                         "00 00 00 03"              // generation
                         "06 'range'"               // protocol
                         "03 'm1'"                  // leader
                         "00 00 00 00 00 00 00 01"  // current state timestamp
                         "02"                       // one member:
                         "03 'm1' 03 'i1' 02 'c' 03 '/h'"
                         "00 04 93 e0 00 00 17 70"
                         "02 'S' 02 'A'"
                         "00"                       //   no tagged fields
                         "01 05 01 ff")),           // one unknown tag (5, 1 byte), skipped
            g);
  // v4 with null protocol and leader and no members.
  group_value empty;
  empty.state_timestamp_ms = 1;
  EXPECT_EQ(group_of(hex("00 04 01 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 00")), empty);
}

TEST(log_format, unreadable_group_metadata_values_are_refused) {
  EXPECT_EQ(decode_group_value(hex("00 05 01 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 00")).error(),
            errc::corrupt_log);  // v5 does not exist
  EXPECT_EQ(decode_group_value(hex("00 03 00 00 00 00 00 00 ff ff ff ff 00 00 00 00 00 00 00 00 7f ff ff ff"))
                .error(),
            errc::corrupt_log);  // a member count the bytes cannot hold
  const auto bytes = encode_value(sample_group());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode_group_value(core::bytes_view(bytes).first(n))) << n;
  }
}

}  // namespace
}  // namespace sluice::broker::group
