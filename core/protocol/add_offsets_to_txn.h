#pragma once
/// AddOffsetsToTxn (key 25), versions 0–4; flexible from v3. librdkafka sends only v0.
///
/// Request:  transactional_id, producer_id, producer_epoch, group_id.
/// Response: throttle_time_ms, error_code.
///
/// Every version has these fields: v1 responds before throttling, v2 may answer
/// PRODUCER_FENCED, v3 is the first flexible version (compact strings, tag sections), v4 may
/// answer TRANSACTION_ABORTABLE.

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <string>

namespace sluice::protocol {

inline constexpr version_range add_offsets_to_txn_versions{0, 4};

struct add_offsets_to_txn_request {
  std::string transactional_id;
  core::producer_id producer_id{-1};
  core::producer_epoch producer_epoch{-1};
  std::string group_id;

  static result<add_offsets_to_txn_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const add_offsets_to_txn_request&) const = default;
};

struct add_offsets_to_txn_response {
  int32_t throttle_time_ms = 0;
  protocol::error_code error_code = protocol::error_code::none;

  static result<add_offsets_to_txn_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const add_offsets_to_txn_response&) const = default;
};

}  // namespace sluice::protocol
