#include "core/protocol/init_producer_id.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

init_producer_id_request request_for(int16_t v) {
  init_producer_id_request m;
  m.transactional_id = "tx";
  m.transaction_timeout_ms = 60000;
  if (v >= 3) {
    m.producer_id = producer_id{5};
    m.producer_epoch = producer_epoch{2};
  }
  return m;
}

TEST(init_producer_id, request_v0_v1) {
  const auto golden = hex("00 02 'tx'"      // transactional_id
                          "00 00 ea 60");   // transaction_timeout_ms 60000
  check_golden(request_for(0), golden, 0);
  check_golden(request_for(1), golden, 1);
  init_producer_id_request idempotent;  // null transactional_id
  idempotent.transaction_timeout_ms = 60000;
  check_golden(idempotent, hex("ff ff 00 00 ea 60"), 1);
}

TEST(init_producer_id, request_v2_is_flexible) {
  check_golden(request_for(2),
               hex("03 'tx'"        // transactional_id (compact)
                   "00 00 ea 60"
                   "00"),           // tags
               2);
  init_producer_id_request idempotent;
  idempotent.transaction_timeout_ms = 1;
  check_golden(idempotent, hex("00 00 00 00 01 00"), 2);  // compact null
}

TEST(init_producer_id, request_v3_to_v5) {
  const auto golden = hex("03 'tx' 00 00 ea 60"
                          "00 00 00 00 00 00 00 05"   // producer_id 5 (v3+)
                          "00 02"                     // producer_epoch 2 (v3+)
                          "00");
  for (int16_t v = 3; v <= 5; ++v) check_golden(request_for(v), golden, v);
  init_producer_id_request fresh;
  fresh.transactional_id = "tx";
  fresh.transaction_timeout_ms = 60000;
  check_golden(fresh,
               hex("03 'tx' 00 00 ea 60 ff ff ff ff ff ff ff ff ff ff 00"),  // -1 / -1
               5);
}

init_producer_id_response response() {
  init_producer_id_response m;
  m.producer_id = producer_id{5};
  m.producer_epoch = producer_epoch{0};
  return m;
}

TEST(init_producer_id, response_v0_v1) {
  const auto golden = hex("00 00 00 00"                 // throttle_time_ms
                          "00 00"                       // error_code
                          "00 00 00 00 00 00 00 05"     // producer_id
                          "00 00");                     // producer_epoch
  check_golden(response(), golden, 0);
  check_golden(response(), golden, 1);
}

TEST(init_producer_id, response_v2_to_v5) {
  const auto golden = hex("00 00 00 00 00 00 00 00 00 00 00 00 00 05 00 00"
                          "00");                        // tags
  for (int16_t v = 2; v <= 5; ++v) check_golden(response(), golden, v);
  init_producer_id_response fenced;
  fenced.error_code = error_code::producer_fenced;
  check_golden(fenced, hex("00 00 00 00 00 5a ff ff ff ff ff ff ff ff ff ff 00"), 4);
  check_golden(fenced, hex("00 00 00 00 00 5a ff ff ff ff ff ff ff ff ff ff 00"), 5);
}

TEST(init_producer_id, rejects_v6) {
  check_rejects_versions<init_producer_id_request>({6});
  check_rejects_versions<init_producer_id_response>({6});
}

}  // namespace
}  // namespace sluice::protocol
