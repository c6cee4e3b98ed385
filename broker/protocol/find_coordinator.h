#pragma once
/// FindCoordinator (key 10), versions 0–2 (none flexible). librdkafka needs 0 in the window
/// for its group-coordinator and LZ4 features, and 1+ for transactions (key_type).
///
/// Request:  key, key_type (v1+: 0 = group, 1 = transaction).
/// Response: throttle_time_ms (v1+), error_code, error_message (v1+, nullable), node_id, host,
///           port.

#include "broker/protocol/api_key.h"
#include "broker/protocol/error_code.h"
#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::broker::protocol {

inline constexpr version_range find_coordinator_versions{0, 2};

/// FindCoordinator key types.
inline constexpr int8_t coordinator_type_group = 0;
inline constexpr int8_t coordinator_type_transaction = 1;

struct find_coordinator_request {
  std::string key;
  int8_t key_type = coordinator_type_group;  ///< v1+

  static result<find_coordinator_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const find_coordinator_request&) const = default;
};

struct find_coordinator_response {
  int32_t throttle_time_ms = 0;  ///< v1+
  protocol::error_code error_code = protocol::error_code::none;
  std::optional<std::string> error_message;  ///< v1+
  core::node_id node_id{-1};
  std::string host;
  int32_t port = -1;

  static result<find_coordinator_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const find_coordinator_response&) const = default;
};

}  // namespace sluice::broker::protocol
