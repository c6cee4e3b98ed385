#pragma once
/// FindCoordinator (key 10), versions 0–6; flexible from v3. librdkafka needs 0 in the window
/// for its group-coordinator and LZ4 features, and 1+ for transactions (key_type). v4 is the
/// batched form (KIP-699): many keys in, one answer per key out. v5 and v6 change no bytes
/// (v5 may answer TRANSACTION_ABORTABLE, v6 allows key_type 2 = share group, KIP-932).
///
/// Request:  key (v0–v3), key_type (v1+: 0 = group, 1 = transaction, 2 = share group),
///           coordinator_keys [string] (v4+).
/// Response: throttle_time_ms (v1+), error_code (v0–v3), error_message (v1–v3, nullable),
///           node_id (v0–v3), host (v0–v3), port (v0–v3), coordinators (v4+) [key, node_id,
///           host, port, error_code, error_message (nullable)].
///
/// The two forms are kept as the schema has them: v0–v3 fill `key` and the single answer, v4+
/// `coordinator_keys` and `coordinators`. A handler can treat a v0–v3 request as
/// `coordinator_keys = {key}`.

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

inline constexpr version_range find_coordinator_versions{0, 6};

/// FindCoordinator key types.
inline constexpr int8_t coordinator_type_group = 0;
inline constexpr int8_t coordinator_type_transaction = 1;
inline constexpr int8_t coordinator_type_share = 2;  ///< v6+ (KIP-932 share groups)

struct find_coordinator_request {
  std::string key;                            ///< v0–v3
  int8_t key_type = coordinator_type_group;   ///< v1+
  std::vector<std::string> coordinator_keys;  ///< v4+

  static result<find_coordinator_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const find_coordinator_request&) const = default;
};

struct find_coordinator_response {
  /// Coordinator (v4+)
  struct coordinator {
    std::string key;
    core::node_id node_id{-1};
    std::string host;
    int32_t port = -1;
    protocol::error_code error_code = protocol::error_code::none;
    std::optional<std::string> error_message;
    bool operator==(const coordinator&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v1+
  protocol::error_code error_code = protocol::error_code::none;  ///< v0–v3
  std::optional<std::string> error_message;                      ///< v1–v3
  core::node_id node_id{-1};                                     ///< v0–v3
  std::string host;                                              ///< v0–v3
  int32_t port = -1;                                             ///< v0–v3
  std::vector<coordinator> coordinators;                         ///< v4+

  static result<find_coordinator_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const find_coordinator_response&) const = default;
};

}  // namespace sluice::protocol
