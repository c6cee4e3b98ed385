#pragma once
/// InitProducerId (key 22), versions 0–5; flexible from v2. kafkajs sends v1, librdkafka v4
/// (v3+ carries the current producer id/epoch for KIP-360 epoch bumps). v1, v4 and v5 repeat
/// the wire format of the version before them: v4 clients know PRODUCER_FENCED, v5 clients
/// TRANSACTION_ABORTABLE (which Kafka's coordinator, like Sluice's, never answers here).
///
/// Request:  transactional_id (nullable: null = idempotent producer), transaction_timeout_ms,
///           producer_id (v3+), producer_epoch (v3+).
/// Response: throttle_time_ms, error_code, producer_id, producer_epoch.

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::protocol {

inline constexpr version_range init_producer_id_versions{0, 5};

struct init_producer_id_request {
  std::optional<std::string> transactional_id;
  int32_t transaction_timeout_ms = 0;
  core::producer_id producer_id{-1};        ///< v3+
  core::producer_epoch producer_epoch{-1};  ///< v3+

  static result<init_producer_id_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const init_producer_id_request&) const = default;
};

struct init_producer_id_response {
  int32_t throttle_time_ms = 0;
  protocol::error_code error_code = protocol::error_code::none;
  core::producer_id producer_id{-1};
  core::producer_epoch producer_epoch{-1};

  static result<init_producer_id_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const init_producer_id_response&) const = default;
};

}  // namespace sluice::protocol
