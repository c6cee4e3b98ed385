#include "core/protocol/add_partitions_to_txn.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

add_partitions_to_txn_request client_request() {
  add_partitions_to_txn_request m;
  m.v3_and_below_transactional_id = "tx";
  m.v3_and_below_producer_id = producer_id{5};
  m.v3_and_below_producer_epoch = producer_epoch{2};
  m.v3_and_below_topics = {{"t", {partition_id{0}, partition_id{1}}}};
  return m;
}

TEST(add_partitions_to_txn, request_v0_to_v2) {
  const auto golden = hex("00 02 'tx'"                    // v3_and_below_transactional_id
                          "00 00 00 00 00 00 00 05"       // v3_and_below_producer_id
                          "00 02"                         // v3_and_below_producer_epoch
                          "00 00 00 01"                   // v3_and_below_topics: 1
                          "00 01 't'"                     //   name
                          "00 00 00 02 00 00 00 00 00 00 00 01");  // partitions [0, 1]
  for (int16_t v = 0; v <= 2; ++v) check_golden(client_request(), golden, v);
}

TEST(add_partitions_to_txn, request_v3_is_flexible) {
  check_golden(client_request(),
               hex("03 'tx'"                      // v3_and_below_transactional_id (compact)
                   "00 00 00 00 00 00 00 05"      // v3_and_below_producer_id
                   "00 02"                        // v3_and_below_producer_epoch
                   "02"                           // v3_and_below_topics: 1
                   "02 't'"                       //   name
                   "03 00 00 00 00 00 00 00 01"   //   partitions [0, 1] (compact)
                   "00"                           //   tags
                   "00"),                         // tags
               3);
}

TEST(add_partitions_to_txn, request_v4_v5_batch_transactions) {
  add_partitions_to_txn_request m;
  m.transactions.push_back({"tx", producer_id{5}, producer_epoch{2}, true, {{"t", {partition_id{0}, partition_id{1}}}}});
  m.transactions.push_back({"ty", producer_id{7}, producer_epoch{0}, false, {}});
  const auto golden = hex("03"                            // transactions: 2
                          "03 'tx'"                       //   transactional_id
                          "00 00 00 00 00 00 00 05"       //   producer_id
                          "00 02"                         //   producer_epoch
                          "01"                            //   verify_only true
                          "02"                            //   topics: 1
                          "02 't'"                        //     name
                          "03 00 00 00 00 00 00 00 01"    //     partitions [0, 1]
                          "00"                            //     tags
                          "00"                            //   tags
                          "03 'ty'"                       //   transactional_id
                          "00 00 00 00 00 00 00 07"       //   producer_id
                          "00 00"                         //   producer_epoch
                          "00"                            //   verify_only false
                          "01"                            //   topics: 0
                          "00"                            //   tags
                          "00");                          // tags
  check_golden(m, golden, 4);
  check_golden(m, golden, 5);
}

TEST(add_partitions_to_txn, the_forms_do_not_mix) {
  // v4+ has no v3-and-below fields and v0–3 no transactions: neither is written.
  auto m = client_request();
  m.transactions.push_back({"tx", producer_id{5}, producer_epoch{2}, false, {}});
  EXPECT_TRUE(core::equal(test::encode(m, 4), hex("02 03 'tx' 00 00 00 00 00 00 00 05 00 02 00 01 00 00")));
  EXPECT_TRUE(core::equal(test::encode(m, 3), test::encode(client_request(), 3)));
}

add_partitions_to_txn_response client_response() {
  add_partitions_to_txn_response m;
  m.results_by_topic_v3_and_below = {
      {"t", {{partition_id{0}, error_code::unknown_topic_or_partition},
             {partition_id{1}, error_code::operation_not_attempted}}}};
  return m;
}

TEST(add_partitions_to_txn, response_v0_to_v2) {
  const auto golden = hex("00 00 00 00"                   // throttle_time_ms
                          "00 00 00 01"                   // results_by_topic_v3_and_below: 1
                          "00 01 't'"                     //   name
                          "00 00 00 02"                   //   results_by_partition: 2
                          "00 00 00 00 00 03"             //     0: UNKNOWN_TOPIC_OR_PARTITION
                          "00 00 00 01 00 37");           //     1: OPERATION_NOT_ATTEMPTED (55)
  for (int16_t v = 0; v <= 2; ++v) check_golden(client_response(), golden, v);
}

TEST(add_partitions_to_txn, response_v3_is_flexible) {
  check_golden(client_response(),
               hex("00 00 00 00"                  // throttle_time_ms
                   "02"                           // results_by_topic_v3_and_below: 1
                   "02 't'"                       //   name
                   "03"                           //   results_by_partition: 2
                   "00 00 00 00 00 03 00"         //     0: UNKNOWN_TOPIC_OR_PARTITION, tags
                   "00 00 00 01 00 37 00"         //     1: OPERATION_NOT_ATTEMPTED, tags
                   "00"                           //   tags
                   "00"),                         // tags
               3);
}

TEST(add_partitions_to_txn, response_v4_v5_by_transaction) {
  add_partitions_to_txn_response m;
  m.results_by_transaction.push_back(
      {"tx", {{"t", {{partition_id{0}, error_code::none}, {partition_id{1}, error_code::transaction_abortable}}}}});
  const auto golden = hex("00 00 00 00"                   // throttle_time_ms
                          "00 00"                         // error_code NONE
                          "02"                            // results_by_transaction: 1
                          "03 'tx'"                       //   transactional_id
                          "02"                            //   topic_results: 1
                          "02 't'"                        //     name
                          "03"                            //     results_by_partition: 2
                          "00 00 00 00 00 00 00"          //       0: NONE, tags
                          "00 00 00 01 00 78 00"          //       1: TRANSACTION_ABORTABLE (120), tags
                          "00"                            //     tags
                          "00"                            //   tags
                          "00");                          // tags
  check_golden(m, golden, 4);
  check_golden(m, golden, 5);

  add_partitions_to_txn_response refused;
  refused.throttle_time_ms = 10;
  refused.error_code = error_code::cluster_authorization_failed;
  check_golden(refused,
               hex("00 00 00 0a"                  // throttle_time_ms 10
                   "00 1f"                        // error_code CLUSTER_AUTHORIZATION_FAILED (31)
                   "01"                           // results_by_transaction: 0
                   "00"),                         // tags
               5);
}

TEST(add_partitions_to_txn, rejects_v6) {
  check_rejects_versions<add_partitions_to_txn_request>({-1, 6});
  check_rejects_versions<add_partitions_to_txn_response>({6});
}

}  // namespace
}  // namespace sluice::protocol
