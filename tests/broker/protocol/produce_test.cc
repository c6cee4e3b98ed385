#include "broker/protocol/produce.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
namespace {

// The records bytes are opaque to the Produce codec; a short marker stands in for a batch.
const core::bytes batch = hex("'abc'");

produce_request sample_request() {
  produce_request m;
  m.transactional_id = "tx";
  m.acks = -1;
  m.timeout_ms = 30000;
  produce_request::topic_produce_data t;
  t.name = "t";
  t.partition_data = {{partition_id{2}, bytes_view(batch)}, {partition_id{3}, std::nullopt}};
  m.topic_data = {t};
  return m;
}

const core::bytes request_golden = hex(
    "00 02 'tx'"       // transactional_id "tx"
    "ff ff"            // acks -1
    "00 00 75 30"      // timeout_ms 30000
    "00 00 00 01"      // topic_data: 1
    "00 01 't'"        //   name
    "00 00 00 02"      //   partition_data: 2
    "00 00 00 02"      //     index 2
    "00 00 00 03 'abc'"  //   records (3 bytes)
    "00 00 00 03"      //     index 3
    "ff ff ff ff");    //     records null

TEST(produce, request_v3_to_v7) {
  for (int16_t v = 3; v <= 7; ++v) check_golden(sample_request(), request_golden, v);
}

TEST(produce, request_null_transactional_id) {
  produce_request m;
  m.transactional_id.reset();
  m.acks = 1;
  m.timeout_ms = 1;
  check_golden(m, hex("ff ff 00 01 00 00 00 01 00 00 00 00"), 7);
}

TEST(produce, request_records_borrow_the_frame) {
  auto m = decode_all<produce_request>(request_golden, 7);
  ASSERT_EQ(m.topic_data.size(), 1u);
  const auto& records = m.topic_data[0].partition_data[0].records;
  ASSERT_TRUE(records);
  EXPECT_EQ(records->data(), request_golden.data() + 29);  // no copy
  EXPECT_EQ(core::as_string_view(*records), "abc");
}

TEST(produce, request_huge_counts_fail) {
  const auto b = hex("ff ff ff ff 00 00 00 01"
                     "7f ff ff ff");  // topic_data count INT32_MAX, nothing follows
  reader r(b);
  EXPECT_EQ(produce_request::decode(r, 7).error(), errc::malformed);
  const auto c = hex("ff ff ff ff 00 00 00 01 00 00 00 01 00 01 't' 00 00 00 01"
                     "00 00 00 00 7f ff ff ff 00");  // records of INT32_MAX bytes
  reader r2(c);
  EXPECT_EQ(produce_request::decode(r2, 7).error(), errc::malformed);
}

produce_response sample_response(int16_t v) {
  produce_response m;
  produce_response::partition_produce_response p;
  p.index = partition_id{2};
  p.base_offset = offset{5};
  p.log_append_time_ms = -1;
  if (v >= 5) p.log_start_offset = offset{0};
  produce_response::partition_produce_response bad;
  bad.index = partition_id{3};
  bad.error_code = error_code::corrupt_message;
  bad.base_offset = offset{-1};
  m.responses = {{"t", {p, bad}}};
  m.throttle_time_ms = 0;
  return m;
}

TEST(produce, response_v3_v4) {
  const auto golden = hex("00 00 00 01"                 // responses: 1
                          "00 01 't'"                   //   name
                          "00 00 00 02"                 //   partition_responses: 2
                          "00 00 00 02"                 //     index 2
                          "00 00"                       //     error_code
                          "00 00 00 00 00 00 00 05"     //     base_offset 5
                          "ff ff ff ff ff ff ff ff"     //     log_append_time_ms -1
                          "00 00 00 03"                 //     index 3
                          "00 02"                       //     CORRUPT_MESSAGE
                          "ff ff ff ff ff ff ff ff"     //     base_offset -1
                          "ff ff ff ff ff ff ff ff"     //     log_append_time_ms -1
                          "00 00 00 00");               // throttle_time_ms (last)
  check_golden(sample_response(3), golden, 3);
  check_golden(sample_response(4), golden, 4);
}

TEST(produce, response_v5_to_v7) {
  const auto golden = hex("00 00 00 01 00 01 't' 00 00 00 02"
                          "00 00 00 02 00 00"
                          "00 00 00 00 00 00 00 05"
                          "ff ff ff ff ff ff ff ff"
                          "00 00 00 00 00 00 00 00"     // log_start_offset 0 (v5+)
                          "00 00 00 03 00 02"
                          "ff ff ff ff ff ff ff ff"
                          "ff ff ff ff ff ff ff ff"
                          "ff ff ff ff ff ff ff ff"     // log_start_offset -1
                          "00 00 00 00");
  for (int16_t v = 5; v <= 7; ++v) check_golden(sample_response(v), golden, v);
}

TEST(produce, rejects_versions_outside_3_to_7) {
  reader r(request_golden);
  EXPECT_EQ(produce_request::decode(r, 2).error(), errc::unsupported_version);
  EXPECT_EQ(produce_request::decode(r, 8).error(), errc::unsupported_version);
  EXPECT_EQ(produce_versions, (version_range{3, 7}));
}

}  // namespace
}  // namespace sluice::broker::protocol
