#include "core/protocol/list_transactions.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

list_transactions_request request_for(int16_t v) {
  list_transactions_request m;
  m.state_filters = {"Ongoing", "Bogus"};
  m.producer_id_filters = {producer_id{7}};
  if (v >= 1) m.duration_filter = 60000;
  if (v >= 2) m.transactional_id_pattern = "tx-.*";
  return m;
}

// The fields every version starts with.
constexpr std::string_view filters =
    "03 08 'Ongoing' 06 'Bogus'"            // state_filters: 2 (compact strings)
    "02 00 00 00 00 00 00 00 07";           // producer_id_filters: 7

TEST(list_transactions, request_v0_flexible) {
  check_golden(request_for(0), hex(std::string(filters) + "00"), 0);  // tags
}

TEST(list_transactions, request_v1_duration_filter) {
  check_golden(request_for(1),
               hex(std::string(filters) +
                   "00 00 00 00 00 00 ea 60"        // duration_filter 60000 (v1+)
                   "00"),
               1);
}

TEST(list_transactions, request_v2_pattern) {
  check_golden(request_for(2),
               hex(std::string(filters) +
                   "00 00 00 00 00 00 ea 60"
                   "06 'tx-.*'"                     // transactional_id_pattern (v2+, compact)
                   "00"),
               2);
}

TEST(list_transactions, request_v2_no_filters) {
  list_transactions_request m;  // no filters, duration -1, null pattern
  check_golden(m,
               hex("01 01"                          // state_filters, producer_id_filters: empty
                   "ff ff ff ff ff ff ff ff"        // duration_filter -1
                   "00"                             // transactional_id_pattern null
                   "00"),
               2);
}

list_transactions_response listed() {
  list_transactions_response m;
  m.unknown_state_filters = {"Bogus"};
  m.transaction_states = {{"tx-a", producer_id{7}, "Ongoing"}};
  return m;
}

TEST(list_transactions, response_same_in_every_version) {
  const auto golden = hex("00 00 00 00"             // throttle_time_ms
                          "00 00"                   // error_code NONE
                          "02 06 'Bogus'"           // unknown_state_filters: 1
                          "02"                      // transaction_states: 1
                          "05 'tx-a'"               //   transactional_id
                          "00 00 00 00 00 00 00 07" //   producer_id 7
                          "08 'Ongoing'"            //   transaction_state
                          "00"                      //   tags
                          "00");                    // tags
  for (int16_t v = 0; v <= 2; ++v) check_golden(listed(), golden, v);
}

TEST(list_transactions, response_v2_invalid_regular_expression) {
  list_transactions_response m;
  m.error_code = error_code::invalid_regular_expression;
  check_golden(m,
               hex("00 00 00 00"
                   "00 80"                          // INVALID_REGULAR_EXPRESSION (128)
                   "01 01"                          // both arrays empty
                   "00"),
               2);
}

TEST(list_transactions, rejects_v3) {
  check_rejects_versions<list_transactions_request>({3, -1});
  check_rejects_versions<list_transactions_response>({3, -1});
}

}  // namespace
}  // namespace sluice::protocol
