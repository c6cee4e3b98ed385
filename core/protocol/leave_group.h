#pragma once
/// LeaveGroup (key 13), versions 0–5; flexible from v4. v3 is the batch form (KIP-345) that
/// kafkajs uses when it is advertised; librdkafka sends v1. v5 adds a reason per member
/// (KIP-800).
///
/// Request:  group_id, member_id (v0–v2), members (v3+) [member_id, group_instance_id
///           (nullable), reason (v5+, nullable)].
/// Response: throttle_time_ms (v1+), error_code, members (v3+) [member_id, group_instance_id
///           (nullable), error_code].
///
/// The two request forms are kept as the schema has them: v0–v2 fill `member_id`, v3 fills
/// `members`. A handler can treat a v0–v2 request as `members = {{member_id, null}}`.

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range leave_group_versions{0, 5};

struct leave_group_request {
  /// MemberIdentity
  struct member_identity {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::optional<std::string> reason;  ///< v5+
    bool operator==(const member_identity&) const = default;
  };

  std::string group_id;
  std::string member_id;                ///< v0–v2
  std::vector<member_identity> members;  ///< v3+

  static result<leave_group_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const leave_group_request&) const = default;
};

struct leave_group_response {
  /// MemberResponse
  struct member_response {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    protocol::error_code error_code = protocol::error_code::none;
    bool operator==(const member_response&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v1+
  protocol::error_code error_code = protocol::error_code::none;
  std::vector<member_response> members;  ///< v3+

  static result<leave_group_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const leave_group_response&) const = default;
};

}  // namespace sluice::protocol
