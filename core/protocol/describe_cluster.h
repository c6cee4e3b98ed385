#pragma once
/// DescribeCluster (key 60), versions 0–2; flexible from v0. The cluster as the answering node
/// sees it, for admin clients (KIP-700 moved it out of Metadata). v1 names the kind of endpoint
/// the client meant to reach (KIP-919: brokers or controllers); v2 asks for fenced brokers too
/// and marks them (KIP-1073).
///
/// Request:  include_cluster_authorized_operations, endpoint_type (v1+),
///           include_fenced_brokers (v2+).
/// Response: throttle_time_ms, error_code, error_message (nullable), endpoint_type (v1+),
///           cluster_id, controller_id, brokers [broker_id, host, port, rack (nullable),
///           is_fenced (v2+)], cluster_authorized_operations.

#include "core/protocol/acl.h"
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

inline constexpr version_range describe_cluster_versions{0, 2};

/// KIP-919 endpoint types (AK: EndpointType); any other value is UNKNOWN.
inline constexpr int8_t endpoint_type_broker = 1;
inline constexpr int8_t endpoint_type_controller = 2;

struct describe_cluster_request {
  bool include_cluster_authorized_operations = false;
  int8_t endpoint_type = endpoint_type_broker;  ///< v1+
  bool include_fenced_brokers = false;          ///< v2+

  static result<describe_cluster_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_cluster_request&) const = default;
};

struct describe_cluster_response {
  /// DescribeClusterBroker
  struct describe_cluster_broker {
    core::node_id broker_id{0};
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;
    bool is_fenced = false;  ///< v2+
    bool operator==(const describe_cluster_broker&) const = default;
  };

  int32_t throttle_time_ms = 0;
  protocol::error_code error_code = protocol::error_code::none;
  std::optional<std::string> error_message;
  int8_t endpoint_type = endpoint_type_broker;  ///< v1+
  std::string cluster_id;
  core::node_id controller_id{-1};
  std::vector<describe_cluster_broker> brokers;
  int32_t cluster_authorized_operations = authorized_operations_unknown;

  static result<describe_cluster_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_cluster_response&) const = default;
};

}  // namespace sluice::protocol
