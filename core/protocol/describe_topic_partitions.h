#pragma once
/// DescribeTopicPartitions (key 75), version 0; flexible from v0. Topic and partition metadata
/// paged by partition count (KIP-966), which the Java admin client uses instead of Metadata to
/// describe topics: the answer stops after `response_partition_limit` partitions and hands back
/// a cursor to continue from.
///
/// Request:  topics [name], response_partition_limit, cursor (nullable) {topic_name,
///           partition_index}.
/// Response: throttle_time_ms, topics [error_code, name (nullable), topic_id, is_internal,
///           partitions [error_code, partition_index, leader_id, leader_epoch, replica_nodes,
///           isr_nodes, eligible_leader_replicas (nullable), last_known_elr (nullable),
///           offline_replicas], topic_authorized_operations], next_cursor (nullable)
///           {topic_name, partition_index}.
///
/// A nullable struct is a marker byte on the wire: -1 for null, 1 before the struct's fields
/// (any negative marker reads as null, any other as present, as Kafka reads it).

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

inline constexpr version_range describe_topic_partitions_versions{0, 0};

/// Cursor: where a page starts (request) or the next one would (response).
struct describe_topic_partitions_cursor {
  std::string topic_name;
  core::partition_id partition_index{0};
  bool operator==(const describe_topic_partitions_cursor&) const = default;
};

struct describe_topic_partitions_request {
  /// TopicRequest
  struct topic_request {
    std::string name;
    bool operator==(const topic_request&) const = default;
  };

  std::vector<topic_request> topics;  ///< empty = every topic
  int32_t response_partition_limit = 2000;
  std::optional<describe_topic_partitions_cursor> cursor;

  static result<describe_topic_partitions_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_topic_partitions_request&) const = default;
};

struct describe_topic_partitions_response {
  /// DescribeTopicPartitionsResponsePartition
  struct response_partition {
    protocol::error_code error_code = protocol::error_code::none;
    core::partition_id partition_index{0};
    core::node_id leader_id{-1};
    int32_t leader_epoch = -1;
    std::vector<core::node_id> replica_nodes;
    std::vector<core::node_id> isr_nodes;
    std::optional<std::vector<core::node_id>> eligible_leader_replicas;
    std::optional<std::vector<core::node_id>> last_known_elr;
    std::vector<core::node_id> offline_replicas;
    bool operator==(const response_partition&) const = default;
  };
  /// DescribeTopicPartitionsResponseTopic
  struct response_topic {
    protocol::error_code error_code = protocol::error_code::none;
    std::optional<std::string> name;
    uuid topic_id;
    bool is_internal = false;
    std::vector<response_partition> partitions;
    int32_t topic_authorized_operations = authorized_operations_unknown;
    bool operator==(const response_topic&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<response_topic> topics;
  std::optional<describe_topic_partitions_cursor> next_cursor;

  static result<describe_topic_partitions_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_topic_partitions_response&) const = default;
};

}  // namespace sluice::protocol
