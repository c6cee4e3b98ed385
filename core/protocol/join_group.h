#pragma once
/// JoinGroup (key 11), versions 0–9; flexible from v6. v4 introduces MEMBER_ID_REQUIRED, v5
/// group_instance_id (static membership, KIP-345), v7 the protocol type in the answer and a
/// nullable protocol name (KIP-559), v8 the client's reason (KIP-800), v9 skip_assignment
/// (KIP-814: a static leader that rejoins without a rebalance must not reassign).
///
/// Request:  group_id, session_timeout_ms, rebalance_timeout_ms (v1+), member_id,
///           group_instance_id (v5+, nullable), protocol_type, protocols [name, metadata],
///           reason (v8+, nullable).
/// Response: throttle_time_ms (v2+), error_code, generation_id, protocol_type (v7+, nullable),
///           protocol_name (nullable from v7), leader, skip_assignment (v9+), member_id,
///           members [member_id, group_instance_id (v5+, nullable), metadata].
///           protocol_name is non-nullable before v7 (librdkafka rejects a null one): a null
///           one is written as "" there, as Kafka does; from v7 an unknown name is null.

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

inline constexpr version_range join_group_versions{0, 9};

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
  std::optional<std::string> reason;  ///< v8+

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
  std::optional<std::string> protocol_type;  ///< v7+
  std::optional<std::string> protocol_name;  ///< nullable from v7 (written "" before)
  std::string leader;
  bool skip_assignment = false;  ///< v9+
  std::string member_id;
  std::vector<join_group_response_member> members;  ///< only the leader gets members

  static result<join_group_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const join_group_response&) const = default;
};

}  // namespace sluice::protocol
