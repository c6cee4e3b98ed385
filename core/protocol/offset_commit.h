#pragma once
/// OffsetCommit (key 8), versions 1–10; flexible from v8. kafkajs sends v5, librdkafka v7,
/// Sarama v1 (its default, whatever its configured Kafka version; Kafka 4.x serves 2–10).
///
/// Request:  group_id, generation_id_or_member_epoch, member_id, group_instance_id (v7+,
///           nullable), retention_time_ms (v2–v4), topics [name (v1–v9) | topic_id (v10+),
///           partitions [partition_index, committed_offset, committed_leader_epoch (v6+),
///           commit_timestamp (v1 only), committed_metadata (nullable)]].
/// Response: throttle_time_ms (v3+), topics [name (v1–v9) | topic_id (v10+), partitions
///           [partition_index, error_code]].
///
/// v9 has v8's layout (it is the first version a KIP-848 consumer may send; for a classic
/// group the generation field is still the generation). From v10 topics are named by id only:
/// `name` is neither read nor written, `topic_id` is (and the reverse below v10).

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

inline constexpr version_range offset_commit_versions{1, 10};

struct offset_commit_request {
  /// OffsetCommitRequestPartition
  struct offset_commit_request_partition {
    core::partition_id partition_index{0};
    core::offset committed_offset{-1};
    int32_t committed_leader_epoch = -1;  ///< v6+
    std::optional<std::string> committed_metadata;
    /// v1 only (on the wire before the metadata): the commit's time for offset expiry, -1 = the
    /// broker's. Committed offsets do not expire on this broker (broker/group/README.md), so it
    /// is read and not kept.
    int64_t commit_timestamp = -1;
    bool operator==(const offset_commit_request_partition&) const = default;
  };
  /// OffsetCommitRequestTopic
  struct offset_commit_request_topic {
    std::string name;  ///< v1–v9
    uuid topic_id;     ///< v10+
    std::vector<offset_commit_request_partition> partitions;
    bool operator==(const offset_commit_request_topic&) const = default;
  };

  std::string group_id;
  int32_t generation_id_or_member_epoch = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;  ///< v7+
  int64_t retention_time_ms = -1;                ///< v2–v4; -1 = broker default
  std::vector<offset_commit_request_topic> topics;

  static result<offset_commit_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const offset_commit_request&) const = default;
};

struct offset_commit_response {
  /// OffsetCommitResponsePartition
  struct offset_commit_response_partition {
    core::partition_id partition_index{0};
    protocol::error_code error_code = protocol::error_code::none;
    bool operator==(const offset_commit_response_partition&) const = default;
  };
  /// OffsetCommitResponseTopic
  struct offset_commit_response_topic {
    std::string name;  ///< v1–v9
    uuid topic_id;     ///< v10+
    std::vector<offset_commit_response_partition> partitions;
    bool operator==(const offset_commit_response_topic&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v3+
  std::vector<offset_commit_response_topic> topics;

  static result<offset_commit_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const offset_commit_response&) const = default;
};

}  // namespace sluice::protocol
