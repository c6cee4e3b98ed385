#include "core/protocol/offset_fetch.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

offset_fetch_request request_for(int16_t v) {
  offset_fetch_request m;
  m.group_id = "g";
  m.topics = std::vector<offset_fetch_request::offset_fetch_request_topic>{
      {"t", {partition_id{0}, partition_id{1}}}};
  if (v >= 7) m.require_stable = true;
  return m;
}

TEST(offset_fetch, request_v1_to_v5) {
  const auto golden = hex("00 01 'g'"                       // group_id
                          "00 00 00 01"                     // topics: 1
                          "00 01 't'"                       //   name
                          "00 00 00 02 00 00 00 00 00 00 00 01");  // partition_indexes [0, 1]
  for (int16_t v = 1; v <= 5; ++v) check_golden(request_for(v), golden, v);
}

TEST(offset_fetch, request_null_topics_means_all_from_v2) {
  offset_fetch_request all;
  all.group_id = "g";
  for (int16_t v = 2; v <= 5; ++v) check_golden(all, hex("00 01 'g' ff ff ff ff"), v);
  check_golden(all, hex("02 'g' 00 00"), 6);        // compact null, then tags
  check_golden(all, hex("02 'g' 00 00 00"), 7);     // ... require_stable false, tags
  const auto null_v1 = hex("00 01 'g' ff ff ff ff");
  reader r(null_v1);
  EXPECT_FALSE(offset_fetch_request::decode(r, 1));  // v1 topics are not nullable
}

TEST(offset_fetch, request_v6_is_flexible) {
  check_golden(request_for(6),
               hex("02 'g'"                      // group_id (compact)
                   "02"                          // topics: 1 (compact)
                   "02 't'"                      //   name
                   "03 00 00 00 00 00 00 00 01"  //   partition_indexes: 2 (compact)
                   "00"                          //   tags
                   "00"),                        // tags
               6);
}

TEST(offset_fetch, request_v7) {
  check_golden(request_for(7),
               hex("02 'g' 02 02 't' 03 00 00 00 00 00 00 00 01 00"
                   "01"                          // require_stable (v7+)
                   "00"),
               7);
}

TEST(offset_fetch, request_v7_skips_unknown_tags) {
  const auto b = hex("02 'g' 02 02 't' 01"
                     "01 00 01 ff"               // topic tags: tag 0, 1 byte
                     "00"
                     "02 05 00 06 02 'ab'");     // two tags: empty 5, 6 with 2 bytes
  auto m = decode_all<offset_fetch_request>(b, 7);
  ASSERT_TRUE(m.topics);
  EXPECT_EQ(m.topics->at(0).name, "t");
  EXPECT_TRUE(m.topics->at(0).partition_indexes.empty());
  EXPECT_FALSE(m.require_stable);
}

offset_fetch_response response_for(int16_t v) {
  offset_fetch_response m;
  offset_fetch_response::offset_fetch_response_partition p0;
  p0.partition_index = partition_id{0};
  p0.committed_offset = offset{100};
  p0.metadata = "";
  offset_fetch_response::offset_fetch_response_partition p1;
  p1.partition_index = partition_id{1};
  p1.committed_offset = offset{-1};
  p1.metadata = std::nullopt;
  if (v >= 7) p1.error_code = error_code::unstable_offset_commit;
  m.topics = {{"t", {p0, p1}}};
  return m;
}

TEST(offset_fetch, response_v1) {
  check_golden(response_for(1),
               hex("00 00 00 01"                  // topics: 1
                   "00 01 't'"                    //   name
                   "00 00 00 02"                  //   partitions: 2
                   "00 00 00 00"                  //     partition_index 0
                   "00 00 00 00 00 00 00 64"      //     committed_offset 100
                   "00 00"                        //     metadata ""
                   "00 00"                        //     error_code
                   "00 00 00 01"                  //     partition_index 1
                   "ff ff ff ff ff ff ff ff"      //     committed_offset -1 (none)
                   "ff ff"                        //     metadata null
                   "00 00"),
               1);
}

TEST(offset_fetch, response_v2) {
  check_golden(response_for(2),
               hex("00 00 00 01 00 01 't' 00 00 00 02"
                   "00 00 00 00 00 00 00 00 00 00 00 64 00 00 00 00"
                   "00 00 00 01 ff ff ff ff ff ff ff ff ff ff 00 00"
                   "00 00"),                      // error_code (v2+)
               2);
}

TEST(offset_fetch, response_v3_v4) {
  const auto golden = hex("00 00 00 00"           // throttle_time_ms (v3+)
                          "00 00 00 01 00 01 't' 00 00 00 02"
                          "00 00 00 00 00 00 00 00 00 00 00 64 00 00 00 00"
                          "00 00 00 01 ff ff ff ff ff ff ff ff ff ff 00 00"
                          "00 00");
  check_golden(response_for(3), golden, 3);
  check_golden(response_for(4), golden, 4);
}

TEST(offset_fetch, response_v5) {
  check_golden(response_for(5),
               hex("00 00 00 00 00 00 00 01 00 01 't' 00 00 00 02"
                   "00 00 00 00 00 00 00 00 00 00 00 64"
                   "ff ff ff ff"                  // committed_leader_epoch -1 (v5+)
                   "00 00 00 00"
                   "00 00 00 01 ff ff ff ff ff ff ff ff"
                   "ff ff ff ff"
                   "ff ff 00 00"
                   "00 00"),
               5);
}

TEST(offset_fetch, response_v6_v7_are_flexible) {
  const auto v6 = hex("00 00 00 00"               // throttle_time_ms
                      "02"                        // topics: 1 (compact)
                      "02 't'"                    //   name
                      "03"                        //   partitions: 2
                      "00 00 00 00"               //     partition_index 0
                      "00 00 00 00 00 00 00 64"   //     committed_offset 100
                      "ff ff ff ff"               //     committed_leader_epoch -1
                      "01"                        //     metadata "" (compact)
                      "00 00"                     //     error_code
                      "00"                        //     tags
                      "00 00 00 01"
                      "ff ff ff ff ff ff ff ff"
                      "ff ff ff ff"
                      "00"                        //     metadata null (compact)
                      "00 00 00"                  //     error_code, tags
                      "00"                        //   tags
                      "00 00"                     // error_code
                      "00");                      // tags
  check_golden(response_for(6), v6, 6);
  check_golden(response_for(7),
               hex("00 00 00 00 02 02 't' 03"
                   "00 00 00 00 00 00 00 00 00 00 00 64 ff ff ff ff 01 00 00 00"
                   "00 00 00 01 ff ff ff ff ff ff ff ff ff ff ff ff 00"
                   "00 58"                        //     UNSTABLE_OFFSET_COMMIT (88)
                   "00 00 00 00 00"),
               7);
}

// ---- v8+: a batch of groups ------------------------------------------------------------------

/// The topic id of the v10 goldens: 16 bytes 6f 0e 3c 84 1b 2a 4d 59 a7 c3 11 22 33 44 55 66.
uuid topic_id_t() {
  return uuid{{0x6f, 0x0e, 0x3c, 0x84, 0x1b, 0x2a, 0x4d, 0x59, 0xa7, 0xc3, 0x11, 0x22, 0x33, 0x44,
               0x55, 0x66}};
}

/// Two groups: "g1" asks for partitions 0 and 1 of "t" (by id from v10; with a member from v9),
/// "g2" for everything (null topics).
offset_fetch_request batched_request_for(int16_t v) {
  offset_fetch_request m;
  offset_fetch_request::offset_fetch_request_group g1;
  g1.group_id = "g1";
  offset_fetch_request::offset_fetch_request_topics t;
  if (v >= 10) {
    t.topic_id = topic_id_t();
  } else {
    t.name = "t";
  }
  t.partition_indexes = {partition_id{0}, partition_id{1}};
  g1.topics = std::vector{t};
  if (v >= 9) {
    g1.member_id = "m1";
    g1.member_epoch = 5;
  }
  offset_fetch_request::offset_fetch_request_group g2;
  g2.group_id = "g2";
  m.groups = {g1, g2};
  m.require_stable = true;
  return m;
}

TEST(offset_fetch, request_v8_batches_groups) {
  check_golden(batched_request_for(8),
               hex("03"                          // groups: 2 (compact)
                   "03 'g1'"                     //   group_id
                   "02"                          //   topics: 1
                   "02 't'"                      //     name
                   "03 00 00 00 00 00 00 00 01"  //     partition_indexes [0, 1]
                   "00"                          //     tags
                   "00"                          //   tags
                   "03 'g2'"                     //   group_id
                   "00"                          //   topics: null (= all)
                   "00"                          //   tags
                   "01"                          // require_stable
                   "00"),                        // tags
               8);
}

TEST(offset_fetch, request_v9_adds_member_id_and_epoch) {
  check_golden(batched_request_for(9),
               hex("03"                          // groups: 2
                   "03 'g1'"                     //   group_id
                   "03 'm1'"                     //   member_id (v9+, compact nullable)
                   "00 00 00 05"                 //   member_epoch 5 (v9+)
                   "02 02 't' 03 00 00 00 00 00 00 00 01 00"
                   "00"
                   "03 'g2'"
                   "00"                          //   member_id null
                   "ff ff ff ff"                 //   member_epoch -1
                   "00 00"                       //   topics null, tags
                   "01 00"),
               9);
}

TEST(offset_fetch, request_v10_names_topics_by_id) {
  check_golden(batched_request_for(10),
               hex("03 03 'g1' 03 'm1' 00 00 00 05"
                   "02"                          //   topics: 1
                   "6f 0e 3c 84 1b 2a 4d 59"     //     topic_id (no name from v10)
                   "a7 c3 11 22 33 44 55 66"
                   "03 00 00 00 00 00 00 00 01"  //     partition_indexes [0, 1]
                   "00 00"
                   "03 'g2' 00 ff ff ff ff 00 00"
                   "01 00"),
               10);
}

TEST(offset_fetch, request_v8_skips_unknown_tags) {
  const auto b = hex("02 03 'g1' 02 02 't' 01"
                     "01 04 01 ff"               //     topic tags: tag 4, 1 byte
                     "02 00 00 01 00"            //   group tags: tags 0 and 1, empty
                     "00"                        // require_stable false
                     "01 07 02 'ab'");           // tags: tag 7, 2 bytes
  auto m = decode_all<offset_fetch_request>(b, 8);
  ASSERT_EQ(m.groups.size(), 1u);
  EXPECT_EQ(m.groups[0].group_id, "g1");
  ASSERT_TRUE(m.groups[0].topics);
  EXPECT_EQ(m.groups[0].topics->at(0).name, "t");
  EXPECT_TRUE(m.groups[0].topics->at(0).partition_indexes.empty());
  EXPECT_FALSE(m.require_stable);
  EXPECT_TRUE(m.group_id.empty());  // the v1–v7 fields stay at their defaults
  EXPECT_FALSE(m.topics);
}

offset_fetch_response batched_response_for(int16_t v) {
  offset_fetch_response m;
  offset_fetch_response::offset_fetch_response_partitions p0;
  p0.partition_index = partition_id{0};
  p0.committed_offset = offset{100};
  p0.committed_leader_epoch = 3;
  p0.metadata = "m";
  offset_fetch_response::offset_fetch_response_partitions p1;
  p1.partition_index = partition_id{1};
  p1.committed_offset = offset{-1};
  p1.error_code = error_code::unstable_offset_commit;
  offset_fetch_response::offset_fetch_response_topics t;
  if (v >= 10) {
    t.topic_id = topic_id_t();
  } else {
    t.name = "t";
  }
  t.partitions = {p0, p1};
  m.groups = {{"g1", {t}, error_code::none}, {"g2", {}, error_code::coordinator_not_available}};
  return m;
}

TEST(offset_fetch, response_v8_v9_batch_groups) {
  const auto golden = hex("00 00 00 00"               // throttle_time_ms
                          "03"                        // groups: 2 (compact)
                          "03 'g1'"                   //   group_id
                          "02"                        //   topics: 1
                          "02 't'"                    //     name
                          "03"                        //     partitions: 2
                          "00 00 00 00"               //       partition_index 0
                          "00 00 00 00 00 00 00 64"   //       committed_offset 100
                          "00 00 00 03"               //       committed_leader_epoch 3
                          "02 'm'"                    //       metadata "m"
                          "00 00"                     //       error_code
                          "00"                        //       tags
                          "00 00 00 01"               //       partition_index 1
                          "ff ff ff ff ff ff ff ff"   //       committed_offset -1
                          "ff ff ff ff"               //       committed_leader_epoch -1
                          "00"                        //       metadata null
                          "00 58"                     //       UNSTABLE_OFFSET_COMMIT (88)
                          "00"                        //       tags
                          "00"                        //     tags
                          "00 00"                     //   error_code
                          "00"                        //   tags
                          "03 'g2'"                   //   group_id
                          "01"                        //   topics: 0
                          "00 0f"                     //   COORDINATOR_NOT_AVAILABLE (15)
                          "00"                        //   tags
                          "00");                      // tags
  check_golden(batched_response_for(8), golden, 8);
  check_golden(batched_response_for(9), golden, 9);
}

TEST(offset_fetch, response_v10_names_topics_by_id) {
  check_golden(batched_response_for(10),
               hex("00 00 00 00 03 03 'g1'"
                   "02"                               //   topics: 1
                   "6f 0e 3c 84 1b 2a 4d 59"          //     topic_id
                   "a7 c3 11 22 33 44 55 66"
                   "03"
                   "00 00 00 00 00 00 00 00 00 00 00 64 00 00 00 03 02 'm' 00 00 00"
                   "00 00 00 01 ff ff ff ff ff ff ff ff ff ff ff ff 00 00 58 00"
                   "00 00 00 00"                      //     tags, group error_code, tags
                   "03 'g2' 01 00 0f 00"
                   "00"),
               10);
}

TEST(offset_fetch, rejects_v0_and_v11) {
  check_rejects_versions<offset_fetch_request>({0, 11});
  check_rejects_versions<offset_fetch_response>({0, 11});
}

}  // namespace
}  // namespace sluice::protocol
