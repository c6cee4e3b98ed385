#pragma once
/// SyncGroup (key 14), versions 0–5; flexible from v4. v3 adds group_instance_id, v5 the
/// protocol type and name on both sides (KIP-559: the broker checks them against the group's).
///
/// Request:  group_id, generation_id, member_id, group_instance_id (v3+, nullable),
///           protocol_type (v5+, nullable), protocol_name (v5+, nullable),
///           assignments [member_id, assignment] (only the leader sends assignments).
/// Response: throttle_time_ms (v1+), error_code, protocol_type (v5+, nullable),
///           protocol_name (v5+, nullable), assignment (empty = no partitions).

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/bytes.h"
#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range sync_group_versions{0, 5};

struct sync_group_request {
  /// SyncGroupRequestAssignment
  struct sync_group_request_assignment {
    std::string member_id;
    core::bytes assignment;  ///< opaque (consumer protocol assignment)
    bool operator==(const sync_group_request_assignment&) const = default;
  };

  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  ///< v3+
  std::optional<std::string> protocol_type;      ///< v5+
  std::optional<std::string> protocol_name;      ///< v5+
  std::vector<sync_group_request_assignment> assignments;

  static result<sync_group_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const sync_group_request&) const = default;
};

struct sync_group_response {
  int32_t throttle_time_ms = 0;  ///< v1+
  protocol::error_code error_code = protocol::error_code::none;
  std::optional<std::string> protocol_type;  ///< v5+
  std::optional<std::string> protocol_name;  ///< v5+
  core::bytes assignment;

  static result<sync_group_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const sync_group_response&) const = default;
};

}  // namespace sluice::protocol
