#pragma once
/// CreatePartitions (key 37), versions 0–3; flexible from v2. v1 repeats the v0 wire format,
/// v3 the v2 one (v3: THROTTLING_QUOTA_EXCEEDED may be answered; Sluice has no quotas).
///
/// Request:  topics [name, count, assignments (nullable) [broker_ids [int32]]], timeout_ms,
///           validate_only. `count` is the new total number of partitions.
/// Response: throttle_time_ms, results [name, error_code, error_message (nullable)].

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range create_partitions_versions{0, 3};

struct create_partitions_request {
  /// CreatePartitionsAssignment: the replicas of one new partition.
  struct create_partitions_assignment {
    std::vector<core::node_id> broker_ids;
    bool operator==(const create_partitions_assignment&) const = default;
  };
  /// CreatePartitionsTopic
  struct create_partitions_topic {
    std::string name;
    int32_t count = 0;
    std::optional<std::vector<create_partitions_assignment>> assignments;  ///< null = automatic
    bool operator==(const create_partitions_topic&) const = default;
  };

  std::vector<create_partitions_topic> topics;
  int32_t timeout_ms = 0;
  bool validate_only = false;

  static result<create_partitions_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const create_partitions_request&) const = default;
};

struct create_partitions_response {
  /// CreatePartitionsTopicResult
  struct create_partitions_topic_result {
    std::string name;
    protocol::error_code error_code = protocol::error_code::none;
    std::optional<std::string> error_message;
    bool operator==(const create_partitions_topic_result&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<create_partitions_topic_result> results;

  static result<create_partitions_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const create_partitions_response&) const = default;
};

}  // namespace sluice::protocol
