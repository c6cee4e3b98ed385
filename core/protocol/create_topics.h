#pragma once
/// CreateTopics (key 19), versions 0–7; flexible from v5. v3, v4 and v6 repeat the wire format
/// of the version before them (v4: -1 counts without assignments; v6: quota errors).
///
/// Request:  topics [name, num_partitions, replication_factor,
///           assignments [partition_index, broker_ids [int32]],
///           configs [name, value (nullable)]], timeout_ms, validate_only (v1+).
///           num_partitions / replication_factor are -1 when the broker default (or explicit
///           assignments) should be used.
/// Response: throttle_time_ms (v2+), topics [name, topic_id (v7+), error_code, error_message
///           (v1+, nullable), num_partitions (v5+), replication_factor (v5+), configs (v5+,
///           nullable) [name, value (nullable), read_only, config_source, is_sensitive]].
///           The v5+ topic tag TopicConfigErrorCode (tag 0) is skipped on read and never
///           written: Kafka sets it only when the client may not describe the topic's configs,
///           and Sluice has no authorizer.

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

inline constexpr version_range create_topics_versions{0, 7};

struct create_topics_request {
  /// CreatableReplicaAssignment
  struct creatable_replica_assignment {
    core::partition_id partition_index{0};
    std::vector<core::node_id> broker_ids;
    bool operator==(const creatable_replica_assignment&) const = default;
  };
  /// CreatableTopicConfig
  struct creatable_topic_config {
    std::string name;
    std::optional<std::string> value;
    bool operator==(const creatable_topic_config&) const = default;
  };
  /// CreatableTopic
  struct creatable_topic {
    std::string name;
    int32_t num_partitions = -1;
    int16_t replication_factor = -1;
    std::vector<creatable_replica_assignment> assignments;
    std::vector<creatable_topic_config> configs;
    bool operator==(const creatable_topic&) const = default;
  };

  std::vector<creatable_topic> topics;
  int32_t timeout_ms = 60000;
  bool validate_only = false;  ///< v1+

  static result<create_topics_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const create_topics_request&) const = default;
};

struct create_topics_response {
  /// CreatableTopicConfigs (v5+): one effective config of the created topic.
  struct creatable_topic_configs {
    std::string name;
    std::optional<std::string> value;  ///< null for sensitive configs
    bool read_only = false;
    int8_t config_source = -1;  ///< a config_source value (describe_configs.h)
    bool is_sensitive = false;
    bool operator==(const creatable_topic_configs&) const = default;
  };
  /// CreatableTopicResult
  struct creatable_topic_result {
    std::string name;
    uuid topic_id;  ///< v7+; zero when nothing was created
    protocol::error_code error_code = protocol::error_code::none;
    std::optional<std::string> error_message;  ///< v1+
    int32_t num_partitions = -1;               ///< v5+
    int16_t replication_factor = -1;           ///< v5+
    /// v5+ (nullable on the wire; Kafka never sends null): empty after a failure.
    std::optional<std::vector<creatable_topic_configs>> configs =
        std::vector<creatable_topic_configs>{};
    bool operator==(const creatable_topic_result&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v2+
  std::vector<creatable_topic_result> topics;

  static result<create_topics_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const create_topics_response&) const = default;
};

}  // namespace sluice::protocol
