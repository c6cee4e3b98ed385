#pragma once
/// Metadata (key 3), versions 0–4 (none flexible).
///
/// Request:  topics [name] (nullable from v1: null = all topics), allow_auto_topic_creation (v4+).
///           In v0 an empty array means "all topics"; the decoder normalises that to nullopt so
///           handlers see one meaning, and the encoder writes nullopt as an empty v0 array
///           (v0 therefore cannot ask for "no topics").
/// Response: throttle_time_ms (v3+), brokers [node_id, host, port, rack (v1+, nullable)],
///           cluster_id (v2+, nullable), controller_id (v1+), topics [error_code, name,
///           is_internal (v1+), partitions [error_code, partition_index, leader_id,
///           replica_nodes, isr_nodes]].

#include "broker/protocol/api_key.h"
#include "broker/protocol/error_code.h"
#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::broker::protocol {

inline constexpr version_range metadata_versions{0, 4};

struct metadata_request {
  /// MetadataRequestTopic
  struct request_topic {
    std::string name;
    bool operator==(const request_topic&) const = default;
  };

  std::optional<std::vector<request_topic>> topics;  ///< null = all topics
  bool allow_auto_topic_creation = true;             ///< v4+ (older versions: true)

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
    std::vector<core::node_id> replica_nodes;
    std::vector<core::node_id> isr_nodes;
    bool operator==(const response_partition&) const = default;
  };
  /// MetadataResponseTopic
  struct response_topic {
    protocol::error_code error_code = protocol::error_code::none;
    std::string name;
    bool is_internal = false;  ///< v1+
    std::vector<response_partition> partitions;
    bool operator==(const response_topic&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v3+
  std::vector<response_broker> brokers;
  std::optional<std::string> cluster_id;  ///< v2+
  core::node_id controller_id{-1};        ///< v1+
  std::vector<response_topic> topics;

  static result<metadata_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const metadata_response&) const = default;
};

}  // namespace sluice::broker::protocol
