#pragma once
/// Heartbeat (key 12), versions 0–4; flexible from v4. v3 adds group_instance_id.
///
/// Request:  group_id, generation_id, member_id, group_instance_id (v3+, nullable).
/// Response: throttle_time_ms (v1+), error_code.

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::protocol {

inline constexpr version_range heartbeat_versions{0, 4};

struct heartbeat_request {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  ///< v3+

  static result<heartbeat_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const heartbeat_request&) const = default;
};

struct heartbeat_response {
  int32_t throttle_time_ms = 0;  ///< v1+
  protocol::error_code error_code = protocol::error_code::none;

  static result<heartbeat_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const heartbeat_response&) const = default;
};

}  // namespace sluice::protocol
