#pragma once
/// JoinGroup (key 11), versions 0–5 (none flexible). v4 introduces MEMBER_ID_REQUIRED, v5
/// group_instance_id (static membership, KIP-345).
///
/// Request:  group_id, session_timeout_ms, rebalance_timeout_ms (v1+), member_id,
///           group_instance_id (v5+, nullable), protocol_type, protocols [name, metadata].
/// Response: throttle_time_ms (v2+), error_code, generation_id, protocol_name, leader,
///           member_id, members [member_id, group_instance_id (v5+, nullable), metadata].
///           protocol_name is non-nullable in these versions (librdkafka rejects a null one).

#include "broker/protocol/api_key.h"
#include "broker/protocol/error_code.h"
#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"
#include "core/bytes.h"
#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::broker::protocol {

inline constexpr version_range join_group_versions{0, 5};

struct join_group_request {
  /// JoinGroupRequestProtocol
  struct join_group_request_protocol {
    std::string name;
    core::bytes metadata;  ///< opaque (consumer protocol subscription)
    bool operator==(const join_group_request_protocol&) const = default;
  };

  std::string group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;  ///< v1+ (v0: use session_timeout_ms)
  std::string member_id;
  std::optional<std::string> group_instance_id;  ///< v5+
  std::string protocol_type;
  std::vector<join_group_request_protocol> protocols;

  static result<join_group_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const join_group_request&) const = default;
};

struct join_group_response {
  /// JoinGroupResponseMember
  struct join_group_response_member {
    std::string member_id;
    std::optional<std::string> group_instance_id;  ///< v5+
    core::bytes metadata;
    bool operator==(const join_group_response_member&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v2+
  protocol::error_code error_code = protocol::error_code::none;
  int32_t generation_id = -1;
  std::string protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<join_group_response_member> members;  ///< only the leader gets members

  static result<join_group_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const join_group_response&) const = default;
};

}  // namespace sluice::broker::protocol
