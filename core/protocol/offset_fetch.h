#pragma once
/// OffsetFetch (key 9), versions 1–10; flexible from v6. kafkajs sends v1–v4, librdkafka v7.
///
/// v1–v7 (one group):
/// Request:  group_id, topics [name, partition_indexes [int32]] (nullable from v2: null = all
///           committed offsets of the group), require_stable (v7+).
/// Response: throttle_time_ms (v3+), topics [name, partitions [partition_index,
///           committed_offset, committed_leader_epoch (v5+), metadata (nullable),
///           error_code]], error_code (v2+).
///
/// v8+ (KIP-709, a batch of groups; require_stable and throttle_time_ms stay top level):
/// Request:  groups [group_id, member_id (v9+, nullable), member_epoch (v9+), topics (nullable:
///           null = all) [name (v8–v9) | topic_id (v10+), partition_indexes [int32]]],
///           require_stable.
/// Response: throttle_time_ms, groups [group_id, topics [name (v8–v9) | topic_id (v10+),
///           partitions [partition_index, committed_offset, committed_leader_epoch, metadata
///           (nullable), error_code]], error_code].
///
/// The single-group fields (`group_id`, `topics`, the response's `topics` and `error_code`)
/// exist only in v1–v7 and `groups` only from v8: each is neither read nor written outside its
/// versions. In v1 a null topic list cannot be expressed: the encoder writes an empty array
/// for it.

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

inline constexpr version_range offset_fetch_versions{1, 10};

struct offset_fetch_request {
  /// OffsetFetchRequestTopic (v1–v7)
  struct offset_fetch_request_topic {
    std::string name;
    std::vector<core::partition_id> partition_indexes;
    bool operator==(const offset_fetch_request_topic&) const = default;
  };
  /// OffsetFetchRequestTopics (v8+)
  struct offset_fetch_request_topics {
    std::string name;  ///< v8–v9
    uuid topic_id;     ///< v10+
    std::vector<core::partition_id> partition_indexes;
    bool operator==(const offset_fetch_request_topics&) const = default;
  };
  /// OffsetFetchRequestGroup (v8+)
  struct offset_fetch_request_group {
    std::string group_id;
    std::optional<std::string> member_id;  ///< v9+; null = not a KIP-848 member
    int32_t member_epoch = -1;             ///< v9+
    std::optional<std::vector<offset_fetch_request_topics>> topics;  ///< null = all
    bool operator==(const offset_fetch_request_group&) const = default;
  };

  std::string group_id;                                            ///< v1–v7
  std::optional<std::vector<offset_fetch_request_topic>> topics;  ///< v1–v7; null (v2+) = all
  std::vector<offset_fetch_request_group> groups;                  ///< v8+
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
    int32_t committed_leader_epoch = -1;  ///< v5+ (always from v8)
    std::optional<std::string> metadata;
    protocol::error_code error_code = protocol::error_code::none;
    bool operator==(const offset_fetch_response_partition&) const = default;
  };
  /// OffsetFetchResponseTopic (v1–v7)
  struct offset_fetch_response_topic {
    std::string name;
    std::vector<offset_fetch_response_partition> partitions;
    bool operator==(const offset_fetch_response_topic&) const = default;
  };
  /// OffsetFetchResponsePartitions (v8+): the same fields as v1–v7's partition, the leader
  /// epoch always on the wire.
  using offset_fetch_response_partitions = offset_fetch_response_partition;
  /// OffsetFetchResponseTopics (v8+)
  struct offset_fetch_response_topics {
    std::string name;  ///< v8–v9
    uuid topic_id;     ///< v10+
    std::vector<offset_fetch_response_partitions> partitions;
    bool operator==(const offset_fetch_response_topics&) const = default;
  };
  /// OffsetFetchResponseGroup (v8+)
  struct offset_fetch_response_group {
    std::string group_id;
    std::vector<offset_fetch_response_topics> topics;
    protocol::error_code error_code = protocol::error_code::none;
    bool operator==(const offset_fetch_response_group&) const = default;
  };

  int32_t throttle_time_ms = 0;                                   ///< v3+
  std::vector<offset_fetch_response_topic> topics;                ///< v1–v7
  protocol::error_code error_code = protocol::error_code::none;  ///< v2–v7
  std::vector<offset_fetch_response_group> groups;                ///< v8+

  static result<offset_fetch_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const offset_fetch_response&) const = default;
};

}  // namespace sluice::protocol
