#include "broker/protocol/offset_fetch.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
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

TEST(offset_fetch, rejects_v0_and_v8) {
  check_rejects_versions<offset_fetch_request>({0, 8});
}

}  // namespace
}  // namespace sluice::broker::protocol
