#include "broker/protocol/end_txn.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::protocol {
namespace {

TEST(end_txn, request_v0_v1) {
  end_txn_request m{"tx", producer_id{5}, producer_epoch{2}, true};
  const auto golden = hex("00 02 'tx'"                // transactional_id
                          "00 00 00 00 00 00 00 05"   // producer_id
                          "00 02"                     // producer_epoch
                          "01");                      // committed
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
  m.committed = false;
  check_golden(m, hex("00 02 'tx' 00 00 00 00 00 00 00 05 00 02 00"), 1);  // abort
}

TEST(end_txn, response_v0_v1) {
  end_txn_response m;
  m.error_code = error_code::invalid_txn_state;
  const auto golden = hex("00 00 00 00 00 30");  // throttle_time_ms, INVALID_TXN_STATE (48)
  check_golden(m, golden, 0);
  check_golden(m, golden, 1);
}

TEST(end_txn, rejects_v2) {
  check_rejects_versions<end_txn_request>({2});
}

}  // namespace
}  // namespace sluice::broker::protocol
