#include "core/protocol/produce.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

uuid topic_uuid() {
  uuid id;
  for (uint8_t i = 0; i < 16; ++i) id.value[i] = static_cast<uint8_t>(0xa0 + i);
  return id;
}

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

TEST(produce, request_v3_to_v8) {
  for (int16_t v = 3; v <= 8; ++v) check_golden(sample_request(), request_golden, v);
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
  if (v >= 8) {
    bad.error_code = error_code::invalid_record;
    bad.record_errors = {{1, "no key"}, {4, std::nullopt}};
    bad.error_message = "bad";
  }
  m.responses = {{"t", {}, {p, bad}}};
  if (v >= 13) {
    m.responses[0].name.clear();
    m.responses[0].topic_id = topic_uuid();
  }
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

TEST(produce, request_v9_to_v12_flexible) {
  const auto golden = hex("03 'tx'"          // transactional_id (compact)
                          "ff ff"            // acks -1
                          "00 00 75 30"      // timeout_ms
                          "02"               // topic_data: 1 (compact)
                          "02 't'"           //   name (compact)
                          "03"               //   partition_data: 2
                          "00 00 00 02"      //     index 2
                          "04 'abc'"         //     records (compact)
                          "00"               //     tags
                          "00 00 00 03"      //     index 3
                          "00"               //     records null
                          "00"               //     tags
                          "00"               //   tags
                          "00");             // tags
  for (int16_t v = 9; v <= 12; ++v) check_golden(sample_request(), golden, v);
}

TEST(produce, request_v13_names_topics_by_id) {
  auto m = sample_request();
  m.topic_data[0].name.clear();
  m.topic_data[0].topic_id = topic_uuid();
  check_golden(m,
               hex("03 'tx' ff ff 00 00 75 30 02"
                   "a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af"  // topic_id
                   "03 00 00 00 02 04 'abc' 00 00 00 00 03 00 00 00 00"),
               13);
}

TEST(produce, response_v8) {
  check_golden(sample_response(8),
               hex("00 00 00 01 00 01 't' 00 00 00 02"
                   "00 00 00 02 00 00"
                   "00 00 00 00 00 00 00 05"
                   "ff ff ff ff ff ff ff ff"
                   "00 00 00 00 00 00 00 00"
                   "00 00 00 00"                 //     record_errors: empty (v8+)
                   "ff ff"                       //     error_message null (v8+)
                   "00 00 00 03 00 57"           //     index 3, INVALID_RECORD (87)
                   "ff ff ff ff ff ff ff ff"
                   "ff ff ff ff ff ff ff ff"
                   "ff ff ff ff ff ff ff ff"
                   "00 00 00 02"                 //     record_errors: 2
                   "00 00 00 01 00 06 'no key'"  //       batch_index 1, message
                   "00 00 00 04 ff ff"           //       batch_index 4, null message
                   "00 03 'bad'"                 //     error_message
                   "00 00 00 00"),
               8);
}

TEST(produce, response_v9_to_v12_flexible) {
  const auto golden = hex("02 02 't' 03"
                          "00 00 00 02 00 00"
                          "00 00 00 00 00 00 00 05"
                          "ff ff ff ff ff ff ff ff"
                          "00 00 00 00 00 00 00 00"
                          "01 00 00"                    //     record_errors empty, null msg, tags
                          "00 00 00 03 00 57"
                          "ff ff ff ff ff ff ff ff"
                          "ff ff ff ff ff ff ff ff"
                          "ff ff ff ff ff ff ff ff"
                          "03"                          //     record_errors: 2 (compact)
                          "00 00 00 01 07 'no key' 00"
                          "00 00 00 04 00 00"
                          "04 'bad'"                    //     error_message (compact)
                          "00"                          //     partition tags
                          "00"                          //   topic tags
                          "00 00 00 00"                 // throttle_time_ms
                          "00");                        // tags
  for (int16_t v = 9; v <= 12; ++v) check_golden(sample_response(v), golden, v);
}

TEST(produce, response_v13_names_topics_by_id) {
  check_golden(sample_response(13),
               hex("02 a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af 03"
                   "00 00 00 02 00 00 00 00 00 00 00 00 00 05 ff ff ff ff ff ff ff ff"
                   "00 00 00 00 00 00 00 00 01 00 00"
                   "00 00 00 03 00 57 ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff ff"
                   "ff ff ff ff ff ff ff ff"
                   "03 00 00 00 01 07 'no key' 00 00 00 00 04 00 00 04 'bad' 00"
                   "00 00 00 00 00 00"),
               13);
}

TEST(produce, rejects_versions_outside_3_to_13) {
  reader r(request_golden);
  EXPECT_EQ(produce_request::decode(r, 2).error(), errc::unsupported_version);
  EXPECT_EQ(produce_request::decode(r, 14).error(), errc::unsupported_version);
  EXPECT_EQ(produce_versions, (version_range{3, 13}));
}

}  // namespace
}  // namespace sluice::protocol
