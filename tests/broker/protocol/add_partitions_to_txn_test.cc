#include "broker/protocol/add_partitions_to_txn.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
namespace {

TEST(add_partitions_to_txn, request_v0_v1) {
  add_partitions_to_txn_request m;
  m.v3_and_below_transactional_id = "tx";
  m.v3_and_below_producer_id = producer_id{5};
  m.v3_and_below_producer_epoch = producer_epoch{2};
  m.v3_and_below_topics = {{"t", {partition_id{0}, partition_id{1}}}};
  const auto golden = hex("00 02 'tx'"                    // transactional_id
                          "00 00 00 00 00 00 00 05"       // producer_id
                          "00 02"                         // producer_epoch
                          "00 00 00 01"                   // topics: 1
                          "00 01 't'"                     //   name
                          "00 00 00 02 00 00 00 00 00 00 00 01");  // partitions [0, 1]
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
}

TEST(add_partitions_to_txn, response_v0_v1) {
  add_partitions_to_txn_response m;
  m.results_by_topic_v3_and_below = {
      {"t", {{partition_id{0}, error_code::unknown_topic_or_partition},
             {partition_id{1}, error_code::operation_not_attempted}}}};
  const auto golden = hex("00 00 00 00"                   // throttle_time_ms
                          "00 00 00 01"                   // results: 1
                          "00 01 't'"                     //   name
                          "00 00 00 02"                   //   results_by_partition: 2
                          "00 00 00 00 00 03"             //     0: UNKNOWN_TOPIC_OR_PARTITION
                          "00 00 00 01 00 37");           //     1: OPERATION_NOT_ATTEMPTED (55)
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
}

TEST(add_partitions_to_txn, rejects_v2) {
  check_rejects_versions<add_partitions_to_txn_request>({2});
}

}  // namespace
}  // namespace sluice::broker::protocol
