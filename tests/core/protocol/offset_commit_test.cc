#include "core/protocol/offset_commit.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

/// The topic id of the v10 goldens: 16 bytes 6f 0e 3c 84 1b 2a 4d 59 a7 c3 11 22 33 44 55 66.
uuid topic_id_t() {
  return uuid{{0x6f, 0x0e, 0x3c, 0x84, 0x1b, 0x2a, 0x4d, 0x59, 0xa7, 0xc3, 0x11, 0x22, 0x33, 0x44,
               0x55, 0x66}};
}

offset_commit_request request_for(int16_t v) {
  offset_commit_request m;
  m.group_id = "g";
  m.generation_id_or_member_epoch = 3;
  m.member_id = "m1";
  if (v >= 7) m.group_instance_id = "i1";
  m.retention_time_ms = -1;
  offset_commit_request::offset_commit_request_partition p0{partition_id{0}, offset{100}, -1, ""};
  offset_commit_request::offset_commit_request_partition p1{partition_id{1}, offset{200}, -1,
                                                            std::nullopt};
  if (v >= 6) p1.committed_leader_epoch = 0;
  m.topics = {{"t", {}, {p0, p1}}};
  if (v >= 10) {
    m.topics[0].name.clear();  // v10+: by id only
    m.topics[0].topic_id = topic_id_t();
  }
  return m;
}

TEST(offset_commit, request_v2_to_v4) {
  const auto golden = hex("00 01 'g'"                  // group_id
                          "00 00 00 03"                // generation_id_or_member_epoch
                          "00 02 'm1'"                 // member_id
                          "ff ff ff ff ff ff ff ff"    // retention_time_ms -1 (v2-v4)
                          "00 00 00 01"                // topics: 1
                          "00 01 't'"                  //   name
                          "00 00 00 02"                //   partitions: 2
                          "00 00 00 00"                //     partition_index 0
                          "00 00 00 00 00 00 00 64"    //     committed_offset 100
                          "00 00"                      //     committed_metadata ""
                          "00 00 00 01"                //     partition_index 1
                          "00 00 00 00 00 00 00 c8"    //     committed_offset 200
                          "ff ff");                    //     committed_metadata null
  for (int16_t v = 2; v <= 4; ++v) check_golden(request_for(v), golden, v);
}

TEST(offset_commit, request_v5) {
  check_golden(request_for(5),
               hex("00 01 'g' 00 00 00 03 00 02 'm1'"  // no retention_time_ms from v5
                   "00 00 00 01 00 01 't' 00 00 00 02"
                   "00 00 00 00 00 00 00 00 00 00 00 64 00 00"
                   "00 00 00 01 00 00 00 00 00 00 00 c8 ff ff"),
               5);
}

TEST(offset_commit, request_v6) {
  check_golden(request_for(6),
               hex("00 01 'g' 00 00 00 03 00 02 'm1'"
                   "00 00 00 01 00 01 't' 00 00 00 02"
                   "00 00 00 00 00 00 00 00 00 00 00 64"
                   "ff ff ff ff"                     // committed_leader_epoch -1 (v6+)
                   "00 00"
                   "00 00 00 01 00 00 00 00 00 00 00 c8"
                   "00 00 00 00"                     // committed_leader_epoch 0
                   "ff ff"),
               6);
}

TEST(offset_commit, request_v7) {
  check_golden(request_for(7),
               hex("00 01 'g' 00 00 00 03 00 02 'm1'"
                   "00 02 'i1'"                      // group_instance_id (v7+)
                   "00 00 00 01 00 01 't' 00 00 00 02"
                   "00 00 00 00 00 00 00 00 00 00 00 64 ff ff ff ff 00 00"
                   "00 00 00 01 00 00 00 00 00 00 00 c8 00 00 00 00 ff ff"),
               7);
}

offset_commit_response response() {
  offset_commit_response m;
  m.topics = {{"t", {}, {{partition_id{0}, error_code::none},
                         {partition_id{1}, error_code::illegal_generation}}}};
  return m;
}

TEST(offset_commit, response_v2) {
  check_golden(response(),
               hex("00 00 00 01"            // topics: 1
                   "00 01 't'"              //   name
                   "00 00 00 02"            //   partitions: 2
                   "00 00 00 00 00 00"      //     partition 0, NONE
                   "00 00 00 01 00 16"),    //     partition 1, ILLEGAL_GENERATION (22)
               2);
}

TEST(offset_commit, response_v3_to_v7) {
  const auto golden = hex("00 00 00 00"     // throttle_time_ms (v3+)
                          "00 00 00 01 00 01 't' 00 00 00 02"
                          "00 00 00 00 00 00 00 00 00 01 00 16");
  for (int16_t v = 3; v <= 7; ++v) check_golden(response(), golden, v);
}

TEST(offset_commit, request_v1_carries_a_commit_timestamp_per_partition) {
  auto m = request_for(1);
  m.topics[0].partitions[0].commit_timestamp = 1'700'000'000'000;
  check_golden(m,
               hex("00 01 'g' 00 00 00 03 00 02 'm1'"  // no retention_time_ms in v1
                   "00 00 00 01 00 01 't' 00 00 00 02"
                   "00 00 00 00 00 00 00 00 00 00 00 64"
                   "00 00 01 8b cf e5 68 00"          //     commit_timestamp (v1 only)
                   "00 00"
                   "00 00 00 01 00 00 00 00 00 00 00 c8"
                   "ff ff ff ff ff ff ff ff"          //     commit_timestamp -1: broker time
                   "ff ff"),
               1);
  check_golden(response(),
               hex("00 00 00 01 00 01 't' 00 00 00 02 00 00 00 00 00 00 00 00 00 01 00 16"), 1);
}

TEST(offset_commit, request_v8_v9_are_flexible) {
  const auto golden = hex("02 'g'"                     // group_id (compact)
                          "00 00 00 03"                // generation_id_or_member_epoch
                          "03 'm1'"                    // member_id (compact)
                          "03 'i1'"                    // group_instance_id (compact nullable)
                          "02"                         // topics: 1 (compact)
                          "02 't'"                     //   name
                          "03"                         //   partitions: 2 (compact)
                          "00 00 00 00"                //     partition_index 0
                          "00 00 00 00 00 00 00 64"    //     committed_offset 100
                          "ff ff ff ff"                //     committed_leader_epoch -1
                          "01"                         //     committed_metadata ""
                          "00"                         //     tags
                          "00 00 00 01"                //     partition_index 1
                          "00 00 00 00 00 00 00 c8"    //     committed_offset 200
                          "00 00 00 00"                //     committed_leader_epoch 0
                          "00"                         //     committed_metadata null
                          "00"                         //     tags
                          "00"                         //   tags
                          "00");                       // tags
  check_golden(request_for(8), golden, 8);
  check_golden(request_for(9), golden, 9);  // v9: same layout (KIP-848-capable version)
}

TEST(offset_commit, request_v10_names_topics_by_id) {
  const auto golden = hex("02 'g' 00 00 00 03 03 'm1' 03 'i1'"
                          "02"                         // topics: 1
                          "6f 0e 3c 84 1b 2a 4d 59"    //   topic_id (uuid, no name)
                          "a7 c3 11 22 33 44 55 66"
                          "03"                         //   partitions: 2
                          "00 00 00 00 00 00 00 00 00 00 00 64 ff ff ff ff 01 00"
                          "00 00 00 01 00 00 00 00 00 00 00 c8 00 00 00 00 00 00"
                          "00"                         //   tags
                          "00");                       // tags
  check_golden(request_for(10), golden, 10);
  // A name set on a v10 message is not on the wire.
  auto named = request_for(10);
  named.topics[0].name = "t";
  EXPECT_TRUE(core::equal(test::encode(named, 10), golden));
}

TEST(offset_commit, request_v8_skips_unknown_tags) {
  const auto b = hex("02 'g' ff ff ff ff 01 00"     // group, generation -1, member "", no instance
                     "02 02 't' 02"                // topics: 1, "t", partitions: 1
                     "00 00 00 07 00 00 00 00 00 00 00 05 ff ff ff ff 00"
                     "01 03 02 'ab'"               //     tags: tag 3, 2 bytes
                     "01 00 00"                    //   tags: tag 0, 0 bytes
                     "02 01 01 ff 02 00");         // tags: tag 1 (1 byte), tag 2 (empty)
  auto m = decode_all<offset_commit_request>(b, 8);
  EXPECT_EQ(m.group_id, "g");
  EXPECT_EQ(m.generation_id_or_member_epoch, -1);
  ASSERT_EQ(m.topics.size(), 1u);
  ASSERT_EQ(m.topics[0].partitions.size(), 1u);
  EXPECT_EQ(m.topics[0].partitions[0].partition_index, partition_id{7});
  EXPECT_EQ(m.topics[0].partitions[0].committed_offset, offset{5});
  EXPECT_EQ(m.topics[0].partitions[0].committed_metadata, std::nullopt);
}

TEST(offset_commit, response_v8_v9_are_flexible) {
  const auto golden = hex("00 00 00 00"                // throttle_time_ms
                          "02"                         // topics: 1 (compact)
                          "02 't'"                     //   name
                          "03"                         //   partitions: 2 (compact)
                          "00 00 00 00 00 00 00"       //     partition 0, NONE, tags
                          "00 00 00 01 00 16 00"       //     partition 1, ILLEGAL_GENERATION, tags
                          "00"                         //   tags
                          "00");                       // tags
  check_golden(response(), golden, 8);
  check_golden(response(), golden, 9);
}

TEST(offset_commit, response_v10_names_topics_by_id) {
  offset_commit_response m;
  m.topics = {{"", topic_id_t(), {{partition_id{0}, error_code::none},
                                  {partition_id{1}, error_code::unknown_topic_id}}}};
  check_golden(m,
               hex("00 00 00 00"                       // throttle_time_ms
                   "02"                                // topics: 1
                   "6f 0e 3c 84 1b 2a 4d 59"           //   topic_id
                   "a7 c3 11 22 33 44 55 66"
                   "03"                                //   partitions: 2
                   "00 00 00 00 00 00 00"              //     partition 0, NONE, tags
                   "00 00 00 01 00 64 00"              //     partition 1, UNKNOWN_TOPIC_ID (100)
                   "00"                                //   tags
                   "00"),                              // tags
               10);
}

TEST(offset_commit, rejects_v0_and_v11) {
  check_rejects_versions<offset_commit_request>({0, 11});
  check_rejects_versions<offset_commit_response>({0, 11});
}

}  // namespace
}  // namespace sluice::protocol
