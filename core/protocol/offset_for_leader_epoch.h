#pragma once
/// OffsetForLeaderEpoch (key 23), versions 0–4; flexible from v4. Where a leader epoch ends in
/// the log: consumers ask it after a leader change to detect truncation (KIP-320), followers to
/// find where to truncate. v1 answers the epoch found; v2 adds the fencing current_leader_epoch
/// and throttle; v3 the asking replica (-1 a consumer, -2 a debugging tool).
///
/// Request:  replica_id (v3+), topics [topic, partitions [partition,
///           current_leader_epoch (v2+), leader_epoch]].
/// Response: throttle_time_ms (v2+), topics [topic, partitions [error_code, partition,
///           leader_epoch (v1+), end_offset]].

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range offset_for_leader_epoch_versions{0, 4};

struct offset_for_leader_epoch_request {
  /// OffsetForLeaderPartition
  struct leader_partition {
    core::partition_id partition{0};
    int32_t current_leader_epoch = -1;  ///< v2+
    int32_t leader_epoch = -1;
    bool operator==(const leader_partition&) const = default;
  };
  /// OffsetForLeaderTopic
  struct leader_topic {
    std::string topic;
    std::vector<leader_partition> partitions;
    bool operator==(const leader_topic&) const = default;
  };

  core::node_id replica_id{-2};  ///< v3+
  std::vector<leader_topic> topics;

  static result<offset_for_leader_epoch_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const offset_for_leader_epoch_request&) const = default;
};

struct offset_for_leader_epoch_response {
  /// EpochEndOffset
  struct epoch_end_offset {
    protocol::error_code error_code = protocol::error_code::none;
    core::partition_id partition{0};
    int32_t leader_epoch = -1;  ///< v1+
    core::offset end_offset{-1};
    bool operator==(const epoch_end_offset&) const = default;
  };
  /// OffsetForLeaderTopicResult
  struct topic_result {
    std::string topic;
    std::vector<epoch_end_offset> partitions;
    bool operator==(const topic_result&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v2+
  std::vector<topic_result> topics;

  static result<offset_for_leader_epoch_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const offset_for_leader_epoch_response&) const = default;
};

}  // namespace sluice::protocol
