#include "core/protocol/describe_transactions.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(describe_transactions, request_v0_flexible) {
  describe_transactions_request m;
  m.transactional_ids = {"tx-a", "nope"};
  check_golden(m,
               hex("03"                             // transactional_ids: 2 (compact)
                   "05 'tx-a' 05 'nope'"
                   "00"),                           // tags
               0);
}

TEST(describe_transactions, response_v0_flexible) {
  describe_transactions_response m;
  describe_transactions_response::transaction_state ongoing;
  ongoing.transactional_id = "tx-a";
  ongoing.transaction_state = "Ongoing";
  ongoing.transaction_timeout_ms = 60000;
  ongoing.transaction_start_time_ms = 1700000000000;
  ongoing.producer_id = producer_id{1001};
  ongoing.producer_epoch = producer_epoch{3};
  ongoing.topics = {{"t", {partition_id{0}, partition_id{2}}}};
  describe_transactions_response::transaction_state unknown;  // Kafka's defaults: "" and 0
  unknown.error_code = error_code::transactional_id_not_found;
  unknown.transactional_id = "nope";
  m.throttle_time_ms = 0;
  m.transaction_states = {ongoing, unknown};
  check_golden(m,
               hex("00 00 00 00"                    // throttle_time_ms
                   "03"                             // transaction_states: 2
                   "00 00"                          //   error_code NONE
                   "05 'tx-a'"                      //   transactional_id
                   "08 'Ongoing'"                   //   transaction_state
                   "00 00 ea 60"                    //   transaction_timeout_ms 60000
                   "00 00 01 8b cf e5 68 00"        //   transaction_start_time_ms
                   "00 00 00 00 00 00 03 e9"        //   producer_id 1001
                   "00 03"                          //   producer_epoch 3 (int16)
                   "02 02 't'"                      //   topics: 1, topic "t"
                   "03 00 00 00 00 00 00 00 02"     //     partitions: 0, 2
                   "00"                             //     topic tags
                   "00"                             //   tags
                   "00 69"                          //   TRANSACTIONAL_ID_NOT_FOUND (105)
                   "05 'nope'"
                   "01"                             //   transaction_state ""
                   "00 00 00 00"                    //   transaction_timeout_ms 0
                   "00 00 00 00 00 00 00 00"        //   transaction_start_time_ms 0
                   "00 00 00 00 00 00 00 00"        //   producer_id 0
                   "00 00"                          //   producer_epoch 0
                   "01"                             //   topics: none
                   "00"                             //   tags
                   "00"),                           // tags
               0);
}

TEST(describe_transactions, rejects_v1) {
  check_rejects_versions<describe_transactions_request>({1, -1});
  check_rejects_versions<describe_transactions_response>({1, -1});
}

}  // namespace
}  // namespace sluice::protocol
