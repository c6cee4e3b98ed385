#pragma once
/// EndTxn (key 26), versions 0–5; flexible from v3.
///
/// Request:  transactional_id, producer_id, producer_epoch, committed (true = commit,
///           false = abort).
/// Response: throttle_time_ms, error_code, producer_id (v5+), producer_epoch (v5+).
///
/// v1 responds before throttling, v2 may answer PRODUCER_FENCED, v3 is the first flexible
/// version, v4 may answer TRANSACTION_ABORTABLE. v5 is transaction version 2 (KIP-890 part 2):
/// every commit or abort bumps the producer epoch, and the response carries the producer id and
/// epoch to use next (-1 when the request failed).

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <string>

namespace sluice::protocol {

inline constexpr version_range end_txn_versions{0, 5};

struct end_txn_request {
  std::string transactional_id;
  core::producer_id producer_id{-1};
  core::producer_epoch producer_epoch{-1};
  bool committed = false;

  static result<end_txn_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const end_txn_request&) const = default;
};

struct end_txn_response {
  int32_t throttle_time_ms = 0;
  protocol::error_code error_code = protocol::error_code::none;
  core::producer_id producer_id{-1};        ///< v5+
  core::producer_epoch producer_epoch{-1};  ///< v5+

  static result<end_txn_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const end_txn_response&) const = default;
};

}  // namespace sluice::protocol
