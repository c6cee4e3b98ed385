#include "core/protocol/end_txn.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(end_txn, request_v0_to_v2) {
  end_txn_request m{"tx", producer_id{5}, producer_epoch{2}, true};
  const auto golden = hex("00 02 'tx'"                // transactional_id
                          "00 00 00 00 00 00 00 05"   // producer_id
                          "00 02"                     // producer_epoch
                          "01");                      // committed
  for (int16_t v = 0; v <= 2; ++v) check_golden(m, golden, v);
  m.committed = false;
  check_golden(m, hex("00 02 'tx' 00 00 00 00 00 00 00 05 00 02 00"), 1);  // abort
}

TEST(end_txn, request_v3_to_v5_are_flexible) {
  end_txn_request m{"tx", producer_id{5}, producer_epoch{2}, true};
  const auto golden = hex("03 'tx'"                   // transactional_id (compact)
                          "00 00 00 00 00 00 00 05"   // producer_id
                          "00 02"                     // producer_epoch
                          "01"                        // committed
                          "00");                      // tags
  for (int16_t v = 3; v <= 5; ++v) check_golden(m, golden, v);
}

TEST(end_txn, response_v0_to_v2) {
  end_txn_response m;
  m.error_code = error_code::invalid_txn_state;
  const auto golden = hex("00 00 00 00 00 30");  // throttle_time_ms, INVALID_TXN_STATE (48)
  for (int16_t v = 0; v <= 2; ++v) check_golden(m, golden, v);
}

TEST(end_txn, response_v3_v4_are_flexible) {
  end_txn_response m;
  m.error_code = error_code::producer_fenced;
  const auto golden = hex("00 00 00 00"    // throttle_time_ms
                          "00 5a"          // PRODUCER_FENCED (90)
                          "00");           // tags
  check_golden(m, golden, 3);
  check_golden(m, golden, 4);
}

TEST(end_txn, response_v5_carries_the_next_producer_id_and_epoch) {
  end_txn_response m;
  m.producer_id = producer_id{5};
  m.producer_epoch = producer_epoch{3};
  check_golden(m,
               hex("00 00 00 00"                  // throttle_time_ms
                   "00 00"                        // error_code NONE
                   "00 00 00 00 00 00 00 05"      // producer_id (v5+)
                   "00 03"                        // producer_epoch (v5+)
                   "00"),                         // tags
               5);
  end_txn_response failed;
  failed.error_code = error_code::invalid_txn_state;
  check_golden(failed,
               hex("00 00 00 00"                  // throttle_time_ms
                   "00 30"                        // INVALID_TXN_STATE
                   "ff ff ff ff ff ff ff ff"      // producer_id -1 (the default)
                   "ff ff"                        // producer_epoch -1
                   "00"),                         // tags
               5);
}

TEST(end_txn, rejects_v6) {
  check_rejects_versions<end_txn_request>({-1, 6});
  check_rejects_versions<end_txn_response>({6});
}

}  // namespace
}  // namespace sluice::protocol
