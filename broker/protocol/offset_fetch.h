#pragma once
/// OffsetFetch (key 9), versions 1–7; flexible from v6. kafkajs sends v1–v4, librdkafka v7.
///
/// Request:  group_id, topics [name, partition_indexes [int32]] (nullable from v2: null = all
///           committed offsets of the group), require_stable (v7+).
/// Response: throttle_time_ms (v3+), topics [name, partitions [partition_index,
///           committed_offset, committed_leader_epoch (v5+), metadata (nullable),
///           error_code]], error_code (v2+).
///
/// v8+ (batched groups) is not implemented. In v1 a null topic list cannot be expressed: the
/// encoder writes an empty array for it.

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

inline constexpr version_range offset_fetch_versions{1, 7};

struct offset_fetch_request {
  /// OffsetFetchRequestTopic
  struct offset_fetch_request_topic {
    std::string name;
    std::vector<core::partition_id> partition_indexes;
    bool operator==(const offset_fetch_request_topic&) const = default;
  };

  std::string group_id;
  std::optional<std::vector<offset_fetch_request_topic>> topics;  ///< null (v2+) = all
  bool require_stable = false;                                     ///< v7+

  static result<offset_fetch_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const offset_fetch_request&) const = default;
};

struct offset_fetch_response {
  /// OffsetFetchResponsePartition
  struct offset_fetch_response_partition {
    core::partition_id partition_index{0};
    core::offset committed_offset{-1};  ///< -1 = no committed offset
    int32_t committed_leader_epoch = -1;  ///< v5+
    std::optional<std::string> metadata;
    protocol::error_code error_code = protocol::error_code::none;
    bool operator==(const offset_fetch_response_partition&) const = default;
  };
  /// OffsetFetchResponseTopic
  struct offset_fetch_response_topic {
    std::string name;
    std::vector<offset_fetch_response_partition> partitions;
    bool operator==(const offset_fetch_response_topic&) const = default;
  };

  int32_t throttle_time_ms = 0;  ///< v3+
  std::vector<offset_fetch_response_topic> topics;
  protocol::error_code error_code = protocol::error_code::none;  ///< v2+

  static result<offset_fetch_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const offset_fetch_response&) const = default;
};

}  // namespace sluice::broker::protocol
