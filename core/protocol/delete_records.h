#pragma once
/// DeleteRecords (key 21), versions 0–2; flexible from v2 (v1 repeats the v0 wire format).
///
/// Request:  topics [name, partitions [partition_index, offset]], timeout_ms.
///           offset -1 means "up to the high watermark".
/// Response: throttle_time_ms, topics [name, partitions [partition_index, low_watermark,
///           error_code]].

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

inline constexpr version_range delete_records_versions{0, 2};

struct delete_records_request {
  /// DeleteRecordsPartition
  struct delete_records_partition {
    core::partition_id partition_index{0};
    core::offset offset{-1};
    bool operator==(const delete_records_partition&) const = default;
  };
  /// DeleteRecordsTopic
  struct delete_records_topic {
    std::string name;
    std::vector<delete_records_partition> partitions;
    bool operator==(const delete_records_topic&) const = default;
  };

  std::vector<delete_records_topic> topics;
  int32_t timeout_ms = 0;

  static result<delete_records_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const delete_records_request&) const = default;
};

struct delete_records_response {
  /// DeleteRecordsPartitionResult
  struct delete_records_partition_result {
    core::partition_id partition_index{0};
    core::offset low_watermark{-1};
    protocol::error_code error_code = protocol::error_code::none;
    bool operator==(const delete_records_partition_result&) const = default;
  };
  /// DeleteRecordsTopicResult
  struct delete_records_topic_result {
    std::string name;
    std::vector<delete_records_partition_result> partitions;
    bool operator==(const delete_records_topic_result&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<delete_records_topic_result> topics;

  static result<delete_records_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const delete_records_response&) const = default;
};

}  // namespace sluice::protocol
