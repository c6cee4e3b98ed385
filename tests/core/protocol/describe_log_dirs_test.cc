#include "core/protocol/describe_log_dirs.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

describe_log_dirs_request some_partitions() {
  describe_log_dirs_request m;
  m.topics = std::vector<describe_log_dirs_request::describable_log_dir_topic>{
      {"t", {partition_id{0}, partition_id{2}}}};
  return m;
}

TEST(describe_log_dirs, request_v0_v1) {
  const auto golden = hex("00 00 00 01"             // topics: 1
                          "00 01 't'"               //   topic
                          "00 00 00 02"             //   partitions: 2
                          "00 00 00 00 00 00 00 02");  //   0, 2
  check_golden(some_partitions(), golden, 0);
  check_golden(some_partitions(), golden, 1);
  const auto all = hex("ff ff ff ff");              // topics null = every partition
  check_golden(describe_log_dirs_request{}, all, 0);
  check_golden(describe_log_dirs_request{}, all, 1);
}

TEST(describe_log_dirs, request_v2_to_v4_flexible) {
  for (int16_t v : {2, 3, 4}) {
    check_golden(some_partitions(),
                 hex("02"                           // topics (compact): 1
                     "02 't'"                       //   topic
                     "03 00 00 00 00 00 00 00 02"   //   partitions (compact): 0, 2
                     "00"                           //   tags
                     "00"),                         // tags
                 v);
    check_golden(describe_log_dirs_request{}, hex("00 00"), v);  // null topics, tags
  }
}

describe_log_dirs_response response_for(int16_t v) {
  describe_log_dirs_response m;
  describe_log_dirs_response::describe_log_dirs_result d;
  d.log_dir = "/d";
  d.topics = {{"t", {{partition_id{0}, 100, 0, false}, {partition_id{2}, 0, 1, true}}}};
  if (v >= 4) {
    d.total_bytes = 1000;
    d.usable_bytes = 500;
  }
  describe_log_dirs_response::describe_log_dirs_result offline;
  offline.error_code = error_code::kafka_storage_error;
  offline.log_dir = "/e";
  m.results = {d, offline};
  return m;
}

TEST(describe_log_dirs, response_v0_v1) {
  const auto golden = hex("00 00 00 00"             // throttle_time_ms
                          "00 00 00 02"             // results: 2
                          "00 00"                   //   error_code NONE
                          "00 02 '/d'"              //   log_dir
                          "00 00 00 01"             //   topics: 1
                          "00 01 't'"               //     name
                          "00 00 00 02"             //     partitions: 2
                          "00 00 00 00"             //       partition_index 0
                          "00 00 00 00 00 00 00 64" //       partition_size 100
                          "00 00 00 00 00 00 00 00" //       offset_lag 0
                          "00"                      //       is_future_key false
                          "00 00 00 02 00 00 00 00 00 00 00 00"
                          "00 00 00 00 00 00 00 01 01"  //   2: size 0, lag 1, future
                          "00 38"                   //   KAFKA_STORAGE_ERROR (56)
                          "00 02 '/e'"
                          "00 00 00 00");           //   topics: 0
  check_golden(response_for(0), golden, 0);
  check_golden(response_for(1), golden, 1);
}

TEST(describe_log_dirs, response_v2_flexible) {
  check_golden(response_for(2),
               hex("00 00 00 00"
                   "03"                             // results (compact): 2
                   "00 00 03 '/d'"
                   "02 02 't' 03"
                   "00 00 00 00 00 00 00 00 00 00 00 64 00 00 00 00 00 00 00 00 00"
                   "00"                             //       tags
                   "00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 00"
                   "00"                             //     topic tags
                   "00"                             //   result tags
                   "00 38 03 '/e' 01 00"
                   "00"),                           // tags
               2);
}

TEST(describe_log_dirs, response_v3_top_level_error) {
  check_golden(response_for(3),
               hex("00 00 00 00"
                   "00 00"                          // error_code (v3+)
                   "03 00 00 03 '/d' 02 02 't' 03"
                   "00 00 00 00 00 00 00 00 00 00 00 64 00 00 00 00 00 00 00 00 00 00"
                   "00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 00"
                   "00 00"
                   "00 38 03 '/e' 01 00"
                   "00"),
               3);
  describe_log_dirs_response denied;
  denied.error_code = error_code::cluster_authorization_failed;
  check_golden(denied,
               hex("00 00 00 00"
                   "00 1f"                          // CLUSTER_AUTHORIZATION_FAILED (31)
                   "01"                             // results: 0
                   "00"),
               3);
}

TEST(describe_log_dirs, response_v4_volume_sizes) {
  check_golden(response_for(4),
               hex("00 00 00 00 00 00"
                   "03 00 00 03 '/d' 02 02 't' 03"
                   "00 00 00 00 00 00 00 00 00 00 00 64 00 00 00 00 00 00 00 00 00 00"
                   "00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 01 01 00"
                   "00"
                   "00 00 00 00 00 00 03 e8"        //   total_bytes 1000 (v4+)
                   "00 00 00 00 00 00 01 f4"        //   usable_bytes 500 (v4+)
                   "00"
                   "00 38 03 '/e' 01"
                   "ff ff ff ff ff ff ff ff"        //   total_bytes -1 (unknown)
                   "ff ff ff ff ff ff ff ff"        //   usable_bytes -1
                   "00"
                   "00"),
               4);
}

TEST(describe_log_dirs, rejects_v5) {
  check_rejects_versions<describe_log_dirs_request>({-1, 5});
  check_rejects_versions<describe_log_dirs_response>({-1, 5});
}

}  // namespace
}  // namespace sluice::protocol
