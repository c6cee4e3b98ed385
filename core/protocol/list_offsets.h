#pragma once
/// ListOffsets (key 2), versions 0–11; flexible from v6. v0 is the legacy form (several
/// offsets per partition, Kafka 3.9 still serves it); v1 answers one offset; v2 adds
/// isolation_level and throttle; v4 leader epochs (KIP-320); v7–v9 and v11 add the special
/// timestamps below; v10 a timeout for remote-storage lookups (KIP-1075).
///
/// Request:  replica_id, isolation_level (v2+), topics [name, partitions [partition_index,
///           current_leader_epoch (v4+), timestamp, max_num_offsets (v0 only)]],
///           timeout_ms (v10+).
/// Response: throttle_time_ms (v2+), topics [name, partitions [partition_index, error_code,
///           old_style_offsets (v0 only), timestamp (v1+), offset (v1+), leader_epoch (v4+)]].

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

inline constexpr version_range list_offsets_versions{0, 11};

/// Special ListOffsets request timestamps, and the first version that may ask for each.
inline constexpr int64_t list_offsets_latest = -1;            ///< v0+
inline constexpr int64_t list_offsets_earliest = -2;          ///< v0+
inline constexpr int64_t list_offsets_max_timestamp = -3;     ///< v7+ (KIP-734)
inline constexpr int64_t list_offsets_earliest_local = -4;    ///< v8+ (KIP-405)
inline constexpr int64_t list_offsets_latest_tiered = -5;     ///< v9+ (KIP-1005)
inline constexpr int64_t list_offsets_earliest_pending_upload = -6;  ///< v11+ (KIP-1023)
/// The first version that may send special timestamp `ts` (< 0); -1 for an unknown one.
constexpr int16_t list_offsets_min_version_for(int64_t ts) noexcept {
  switch (ts) {
    case list_offsets_latest:
    case list_offsets_earliest: return 0;
    case list_offsets_max_timestamp: return 7;
    case list_offsets_earliest_local: return 8;
    case list_offsets_latest_tiered: return 9;
    case list_offsets_earliest_pending_upload: return 11;
    default: return -1;
  }
}

struct list_offsets_request {
  /// ListOffsetsPartition
  struct list_offsets_partition {
    core::partition_id partition_index{0};
    int32_t current_leader_epoch = -1;  ///< v4+
    int64_t timestamp = list_offsets_latest;
    int32_t max_num_offsets = 1;        ///< v0 only
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
  int32_t timeout_ms = 0;      ///< v10+

  static result<list_offsets_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const list_offsets_request&) const = default;
};

struct list_offsets_response {
  /// ListOffsetsPartitionResponse
  struct list_offsets_partition_response {
    core::partition_id partition_index{0};
    protocol::error_code error_code = protocol::error_code::none;
    std::vector<int64_t> old_style_offsets;  ///< v0 only
    int64_t timestamp = -1;                  ///< v1+
    core::offset offset{-1};                 ///< v1+
    int32_t leader_epoch = -1;               ///< v4+
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

}  // namespace sluice::protocol
