#include "core/protocol/delete_records.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

delete_records_request request() {
  delete_records_request m;
  m.topics = {{"t", {{partition_id{0}, offset{5}}, {partition_id{1}, offset{-1}}}}};
  m.timeout_ms = 100;
  return m;
}

TEST(delete_records, request_v0_v1) {
  const auto golden = hex("00 00 00 01"               // topics: 1
                          "00 01 't'"                 //   name
                          "00 00 00 02"               //   partitions: 2
                          "00 00 00 00"               //     partition_index 0
                          "00 00 00 00 00 00 00 05"   //     offset 5
                          "00 00 00 01"               //     partition_index 1
                          "ff ff ff ff ff ff ff ff"   //     offset -1 (high watermark)
                          "00 00 00 64");             // timeout_ms 100
  check_golden(request(), golden, 0);
  check_golden(request(), golden, 1);
}

TEST(delete_records, request_v2_is_flexible) {
  check_golden(request(),
               hex("02"                        // topics: 1 (compact)
                   "02 't'"                    //   name
                   "03"                        //   partitions: 2
                   "00 00 00 00"               //     partition_index 0
                   "00 00 00 00 00 00 00 05"   //     offset 5
                   "00"                        //     tags
                   "00 00 00 01"               //     partition_index 1
                   "ff ff ff ff ff ff ff ff"   //     offset -1
                   "00"                        //     tags
                   "00"                        //   tags
                   "00 00 00 64"               // timeout_ms
                   "00"),                      // tags
               2);
}

delete_records_response response() {
  delete_records_response m;
  m.topics = {{"t", {{partition_id{0}, offset{5}, error_code::none},
                     {partition_id{1}, offset{-1}, error_code::offset_out_of_range}}}};
  return m;
}

TEST(delete_records, response_v0_v1) {
  const auto golden = hex("00 00 00 00"               // throttle_time_ms
                          "00 00 00 01 00 01 't'"     // topics: 1, name
                          "00 00 00 02"               //   partitions: 2
                          "00 00 00 00"               //     partition_index 0
                          "00 00 00 00 00 00 00 05"   //     low_watermark 5
                          "00 00"                     //     error_code
                          "00 00 00 01"
                          "ff ff ff ff ff ff ff ff"
                          "00 01");                   //     OFFSET_OUT_OF_RANGE
  check_golden(response(), golden, 0);
  check_golden(response(), golden, 1);
}

TEST(delete_records, response_v2_is_flexible) {
  check_golden(response(),
               hex("00 00 00 00"               // throttle_time_ms
                   "02 02 't'"                 // topics: 1, name
                   "03"                        //   partitions: 2
                   "00 00 00 00"               //     partition_index 0
                   "00 00 00 00 00 00 00 05"   //     low_watermark 5
                   "00 00"                     //     error_code
                   "00"                        //     tags
                   "00 00 00 01"
                   "ff ff ff ff ff ff ff ff"
                   "00 01"                     //     OFFSET_OUT_OF_RANGE
                   "00"                        //     tags
                   "00"                        //   tags
                   "00"),                      // tags
               2);
}

TEST(delete_records, rejects_v3) {
  check_rejects_versions<delete_records_request>({3});
  check_rejects_versions<delete_records_response>({3});
}

}  // namespace
}  // namespace sluice::protocol
