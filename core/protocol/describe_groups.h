#pragma once
/// DescribeGroups (key 15), versions 0–6; flexible from v5. kafkajs sends v2, librdkafka v4.
/// v6 (KIP-1043) adds an error message per group; from v6 the handler answers an unknown group
/// with GROUP_ID_NOT_FOUND (still "Dead") instead of a "Dead" group without an error.
///
/// Request:  groups [string], include_authorized_operations (v3+).
/// Response: throttle_time_ms (v1+), groups [error_code, error_message (v6+, nullable),
///           group_id, group_state, protocol_type, protocol_data, members [member_id,
///           group_instance_id (v4+, nullable), client_id, client_host, member_metadata,
///           member_assignment], authorized_operations (v3+)].
///           group_state is one of "Empty", "PreparingRebalance", "CompletingRebalance",
///           "Stable", "Dead" (librdkafka maps these names).

#include "core/protocol/acl.h"
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

inline constexpr version_range describe_groups_versions{0, 6};

struct describe_groups_request {
  std::vector<std::string> groups;
  bool include_authorized_operations = false;  ///< v3+

  static result<describe_groups_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_groups_request&) const = default;
};

struct describe_groups_response {
  /// DescribedGroupMember
  struct described_group_member {
    std::string member_id;
    std::optional<std::string> group_instance_id;  ///< v4+
    std::string client_id;
    std::string client_host;
    core::bytes member_metadata;
    core::bytes member_assignment;
    bool operator==(const described_group_member&) const = default;
  };
  /// DescribedGroup
  struct described_group {
    protocol::error_code error_code = protocol::error_code::none;
    std::optional<std::string> error_message;  ///< v6+
    std::string group_id;
    std::string group_state;
    std::string protocol_type;
    std::string protocol_data;  ///< the selected protocol (assignor) name
    std::vector<described_group_member> members;
    int32_t authorized_operations = authorized_operations_unknown;  ///< v3+
    bool operator==(const described_group&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v1+
  std::vector<described_group> groups;

  static result<describe_groups_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_groups_response&) const = default;
};

}  // namespace sluice::protocol
