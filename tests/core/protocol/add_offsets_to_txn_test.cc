#include "core/protocol/add_offsets_to_txn.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(add_offsets_to_txn, request_v0_to_v2) {
  add_offsets_to_txn_request m{"tx", producer_id{5}, producer_epoch{2}, "g"};
  const auto golden = hex("00 02 'tx'"                // transactional_id
                          "00 00 00 00 00 00 00 05"   // producer_id
                          "00 02"                     // producer_epoch
                          "00 01 'g'");               // group_id
  for (int16_t v = 0; v <= 2; ++v) check_golden(m, golden, v);
}

TEST(add_offsets_to_txn, request_v3_v4_are_flexible) {
  add_offsets_to_txn_request m{"tx", producer_id{5}, producer_epoch{2}, "g"};
  const auto golden = hex("03 'tx'"                   // transactional_id (compact)
                          "00 00 00 00 00 00 00 05"   // producer_id
                          "00 02"                     // producer_epoch
                          "02 'g'"                    // group_id (compact)
                          "00");                      // tags
  check_golden(m, golden, 3);
  check_golden(m, golden, 4);
}

TEST(add_offsets_to_txn, response_v0_to_v2) {
  add_offsets_to_txn_response m;
  m.error_code = error_code::concurrent_transactions;
  const auto golden = hex("00 00 00 00"    // throttle_time_ms
                          "00 33");        // CONCURRENT_TRANSACTIONS (51)
  for (int16_t v = 0; v <= 2; ++v) check_golden(m, golden, v);
}

TEST(add_offsets_to_txn, response_v3_v4_are_flexible) {
  add_offsets_to_txn_response m;
  m.throttle_time_ms = 1;
  m.error_code = error_code::producer_fenced;
  const auto golden = hex("00 00 00 01"    // throttle_time_ms
                          "00 5a"          // PRODUCER_FENCED (90)
                          "00");           // tags
  check_golden(m, golden, 3);
  check_golden(m, golden, 4);
}

TEST(add_offsets_to_txn, rejects_v5) {
  check_rejects_versions<add_offsets_to_txn_request>({-1, 5});
  check_rejects_versions<add_offsets_to_txn_response>({5});
}

}  // namespace
}  // namespace sluice::protocol
