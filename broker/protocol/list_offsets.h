#pragma once
/// ListOffsets (key 2), versions 1–3 (none flexible). v2 adds isolation_level and throttle;
/// v3 is the same wire format as v2.
///
/// Request:  replica_id, isolation_level (v2+), topics [name, partitions [partition_index,
///           timestamp]]. timestamp -1 = latest, -2 = earliest, >= 0 = first offset at or after.
/// Response: throttle_time_ms (v2+), topics [name, partitions [partition_index, error_code,
///           timestamp, offset]].

#include "broker/protocol/api_key.h"
#include "broker/protocol/error_code.h"
#include "broker/protocol/reader.h"
#include "broker/protocol/writer.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::broker::protocol {

inline constexpr version_range list_offsets_versions{1, 3};

/// Special ListOffsets request timestamps.
inline constexpr int64_t list_offsets_latest = -1;
inline constexpr int64_t list_offsets_earliest = -2;

struct list_offsets_request {
  /// ListOffsetsPartition
  struct list_offsets_partition {
    core::partition_id partition_index{0};
    int64_t timestamp = list_offsets_latest;
    bool operator==(const list_offsets_partition&) const = default;
  };
  /// ListOffsetsTopic
  struct list_offsets_topic {
    std::string name;
    std::vector<list_offsets_partition> partitions;
    bool operator==(const list_offsets_topic&) const = default;
  };

  core::node_id replica_id{-1};
  int8_t isolation_level = 0;  ///< v2+
  std::vector<list_offsets_topic> topics;

  static result<list_offsets_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const list_offsets_request&) const = default;
};

struct list_offsets_response {
  /// ListOffsetsPartitionResponse
  struct list_offsets_partition_response {
    core::partition_id partition_index{0};
    protocol::error_code error_code = protocol::error_code::none;
    int64_t timestamp = -1;
    core::offset offset{-1};
    bool operator==(const list_offsets_partition_response&) const = default;
  };
  /// ListOffsetsTopicResponse
  struct list_offsets_topic_response {
    std::string name;
    std::vector<list_offsets_partition_response> partitions;
    bool operator==(const list_offsets_topic_response&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v2+
  std::vector<list_offsets_topic_response> topics;

  static result<list_offsets_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const list_offsets_response&) const = default;
};

}  // namespace sluice::broker::protocol
