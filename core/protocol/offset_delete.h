#pragma once
/// OffsetDelete (key 47), version 0 (no flexible versions exist). librdkafka's
/// DeleteConsumerGroupOffsets.
///
/// Request:  group_id, topics [name, partitions [partition_index]].
/// Response: error_code, throttle_time_ms, topics [name, partitions [partition_index,
///           error_code]]. (error_code comes before throttle_time_ms here.)

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

inline constexpr version_range offset_delete_versions{0, 0};

struct offset_delete_request {
  /// OffsetDeleteRequestPartition
  struct offset_delete_request_partition {
    core::partition_id partition_index{0};
    bool operator==(const offset_delete_request_partition&) const = default;
  };
  /// OffsetDeleteRequestTopic
  struct offset_delete_request_topic {
    std::string name;
    std::vector<offset_delete_request_partition> partitions;
    bool operator==(const offset_delete_request_topic&) const = default;
  };

  std::string group_id;
  std::vector<offset_delete_request_topic> topics;

  static result<offset_delete_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const offset_delete_request&) const = default;
};

struct offset_delete_response {
  /// OffsetDeleteResponsePartition
  struct offset_delete_response_partition {
    core::partition_id partition_index{0};
    protocol::error_code error_code = protocol::error_code::none;
    bool operator==(const offset_delete_response_partition&) const = default;
  };
  /// OffsetDeleteResponseTopic
  struct offset_delete_response_topic {
    std::string name;
    std::vector<offset_delete_response_partition> partitions;
    bool operator==(const offset_delete_response_topic&) const = default;
  };

  protocol::error_code error_code = protocol::error_code::none;
  int32_t throttle_time_ms = 0;
  std::vector<offset_delete_response_topic> topics;

  static result<offset_delete_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const offset_delete_response&) const = default;
};

}  // namespace sluice::protocol
