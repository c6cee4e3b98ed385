#pragma once
/// DescribeLogDirs (key 35), versions 0–4; flexible from v2 (v1 repeats the v0 wire format). The
/// log directories of the answering broker and the partitions in each, with their sizes.
///
/// Request:  topics (nullable: null = every partition) [topic, partitions []int32].
/// Response: throttle_time_ms, error_code (v3+), results [error_code, log_dir,
///           topics [name, partitions [partition_index, partition_size, offset_lag,
///           is_future_key]], total_bytes (v4+), usable_bytes (v4+)].

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

inline constexpr version_range describe_log_dirs_versions{0, 4};

struct describe_log_dirs_request {
  /// DescribableLogDirTopic
  struct describable_log_dir_topic {
    std::string topic;
    std::vector<core::partition_id> partitions;
    bool operator==(const describable_log_dir_topic&) const = default;
  };

  std::optional<std::vector<describable_log_dir_topic>> topics;  ///< null = all

  static result<describe_log_dirs_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_log_dirs_request&) const = default;
};

struct describe_log_dirs_response {
  /// DescribeLogDirsPartition
  struct describe_log_dirs_partition {
    core::partition_id partition_index{0};
    int64_t partition_size = 0;
    int64_t offset_lag = 0;
    bool is_future_key = false;
    bool operator==(const describe_log_dirs_partition&) const = default;
  };
  /// DescribeLogDirsTopic
  struct describe_log_dirs_topic {
    std::string name;
    std::vector<describe_log_dirs_partition> partitions;
    bool operator==(const describe_log_dirs_topic&) const = default;
  };
  /// DescribeLogDirsResult
  struct describe_log_dirs_result {
    protocol::error_code error_code = protocol::error_code::none;
    std::string log_dir;
    std::vector<describe_log_dirs_topic> topics;
    int64_t total_bytes = -1;   ///< v4+; -1 = unknown
    int64_t usable_bytes = -1;  ///< v4+; -1 = unknown
    bool operator==(const describe_log_dirs_result&) const = default;
  };

  int32_t throttle_time_ms = 0;
  protocol::error_code error_code = protocol::error_code::none;  ///< v3+
  std::vector<describe_log_dirs_result> results;

  static result<describe_log_dirs_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_log_dirs_response&) const = default;
};

}  // namespace sluice::protocol
