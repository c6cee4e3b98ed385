#include "broker/protocol/add_offsets_to_txn.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
namespace {

TEST(add_offsets_to_txn, request_v0_v1) {
  add_offsets_to_txn_request m{"tx", producer_id{5}, producer_epoch{2}, "g"};
  const auto golden = hex("00 02 'tx'"                // transactional_id
                          "00 00 00 00 00 00 00 05"   // producer_id
                          "00 02"                     // producer_epoch
                          "00 01 'g'");               // group_id
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
}

TEST(add_offsets_to_txn, response_v0_v1) {
  add_offsets_to_txn_response m;
  m.error_code = error_code::concurrent_transactions;
  const auto golden = hex("00 00 00 00"    // throttle_time_ms
                          "00 33");        // CONCURRENT_TRANSACTIONS (51)
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
}

TEST(add_offsets_to_txn, rejects_v2) {
  check_rejects_versions<add_offsets_to_txn_response>({2});
}

}  // namespace
}  // namespace sluice::broker::protocol
