#pragma once
/// Metadata (key 3), versions 0–13; flexible from v9.
///
/// Request:  topics [topic_id (v10+), name (nullable from v10)] (the array nullable from v1:
///           null = all topics), allow_auto_topic_creation (v4+),
///           include_cluster_authorized_operations (v8–10), include_topic_authorized_operations
///           (v8+). In v0 an empty array means "all topics"; the decoder normalises that to
///           nullopt so handlers see one meaning, and the encoder writes nullopt as an empty v0
///           array (v0 therefore cannot ask for "no topics").
/// Response: throttle_time_ms (v3+), brokers [node_id, host, port, rack (v1+, nullable)],
///           cluster_id (v2+, nullable), controller_id (v1+), topics [error_code, name
///           (nullable from v12), topic_id (v10+), is_internal (v1+), partitions [error_code,
///           partition_index, leader_id, leader_epoch (v7+), replica_nodes, isr_nodes,
///           offline_replicas (v5+)], topic_authorized_operations (v8+)],
///           cluster_authorized_operations (v8–10), error_code (v13+).
///
/// Topic ids in requests are honoured from v12 (earlier versions must send a name and the zero
/// id; the handler answers INVALID_REQUEST otherwise, as Kafka does).

#include "core/protocol/acl.h"
#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/types.h"
#include "core/protocol/writer.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range metadata_versions{0, 13};

struct metadata_request {
  /// MetadataRequestTopic
  struct request_topic {
    std::optional<std::string> name;  ///< null only from v10 (a lookup by id, v12+)
    uuid topic_id;                    ///< v10+; zero = by name
    bool operator==(const request_topic&) const = default;
  };

  std::optional<std::vector<request_topic>> topics;  ///< null = all topics
  bool allow_auto_topic_creation = true;             ///< v4+ (older versions: true)
  bool include_cluster_authorized_operations = false;  ///< v8–10
  bool include_topic_authorized_operations = false;    ///< v8+

  static result<metadata_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const metadata_request&) const = default;
};

struct metadata_response {
  /// MetadataResponseBroker
  struct response_broker {
    core::node_id node_id{0};
    std::string host;
    int32_t port = 0;
    std::optional<std::string> rack;  ///< v1+
    bool operator==(const response_broker&) const = default;
  };
  /// MetadataResponsePartition
  struct response_partition {
    protocol::error_code error_code = protocol::error_code::none;
    core::partition_id partition_index{0};
    core::node_id leader_id{-1};
    int32_t leader_epoch = -1;  ///< v7+
    std::vector<core::node_id> replica_nodes;
    std::vector<core::node_id> isr_nodes;
    std::vector<core::node_id> offline_replicas;  ///< v5+
    bool operator==(const response_partition&) const = default;
  };
  /// MetadataResponseTopic
  struct response_topic {
    protocol::error_code error_code = protocol::error_code::none;
    std::optional<std::string> name;  ///< null only from v12 (an unknown topic id)
    uuid topic_id;                    ///< v10+
    bool is_internal = false;         ///< v1+
    std::vector<response_partition> partitions;
    int32_t topic_authorized_operations = authorized_operations_unknown;  ///< v8+
    bool operator==(const response_topic&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v3+
  std::vector<response_broker> brokers;
  std::optional<std::string> cluster_id;  ///< v2+
  core::node_id controller_id{-1};        ///< v1+
  std::vector<response_topic> topics;
  int32_t cluster_authorized_operations = authorized_operations_unknown;  ///< v8–10
  protocol::error_code error_code = protocol::error_code::none;          ///< v13+

  static result<metadata_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const metadata_response&) const = default;
};

}  // namespace sluice::protocol
