#pragma once
/// ListTransactions (key 66), versions 0–2; flexible from v0 (KIP-664). The transactional ids
/// the coordinator knows, with their producer id and state, optionally filtered.
///
/// Request:  state_filters [string] (empty = every state), producer_id_filters [int64]
///           (empty = every producer), duration_filter int64 (v1+, KIP-994; -1 = none:
///           otherwise only transactions started longer ago than this many ms),
///           transactional_id_pattern nullable string (v2+, KIP-1152; null or empty = every
///           id, otherwise a regular expression the whole id must match).
/// Response: throttle_time_ms, error_code, unknown_state_filters [string],
///           transaction_states [transactional_id, producer_id, transaction_state].
///
/// The response has the same layout in every version; v2 may answer INVALID_REGULAR_EXPRESSION.

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range list_transactions_versions{0, 2};

struct list_transactions_request {
  std::vector<std::string> state_filters;
  std::vector<core::producer_id> producer_id_filters;
  int64_t duration_filter = -1;                         ///< v1+
  std::optional<std::string> transactional_id_pattern;  ///< v2+

  static result<list_transactions_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const list_transactions_request&) const = default;
};

struct list_transactions_response {
  /// TransactionState
  struct transaction_state {
    std::string transactional_id;
    core::producer_id producer_id{-1};
    std::string transaction_state;
    // `struct`: inside, the field of the same name hides the type's name.
    bool operator==(const struct transaction_state&) const = default;
  };

  int32_t throttle_time_ms = 0;
  protocol::error_code error_code = protocol::error_code::none;
  std::vector<std::string> unknown_state_filters;
  std::vector<transaction_state> transaction_states;

  static result<list_transactions_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const list_transactions_response&) const = default;
};

}  // namespace sluice::protocol
