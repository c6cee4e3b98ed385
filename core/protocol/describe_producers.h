#pragma once
/// DescribeProducers (key 61), version 0; flexible from v0 (KIP-664). The idempotent and
/// transactional producers a partition remembers, as its producer state holds them — what
/// `kafka-transactions.sh describe-producers` and the admin client's `describeProducers` show
/// when looking for a hanging transaction.
///
/// Request:  topics [name, partition_indexes [int32]].
/// Response: throttle_time_ms, topics [name, partitions [partition_index, error_code,
///           error_message (nullable), active_producers [producer_id, producer_epoch,
///           last_sequence, last_timestamp, coordinator_epoch, current_txn_start_offset]]].
///
/// `producer_epoch` is an int32 on this wire (an int16 everywhere else), so it is a plain
/// integer here, not `core::producer_epoch`.

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

inline constexpr version_range describe_producers_versions{0, 0};

struct describe_producers_request {
  /// TopicRequest
  struct topic_request {
    std::string name;
    std::vector<core::partition_id> partition_indexes;
    bool operator==(const topic_request&) const = default;
  };

  std::vector<topic_request> topics;

  static result<describe_producers_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_producers_request&) const = default;
};

struct describe_producers_response {
  /// ProducerState
  struct producer_state {
    core::producer_id producer_id{-1};
    int32_t producer_epoch = -1;
    int32_t last_sequence = -1;
    int64_t last_timestamp = -1;
    int32_t coordinator_epoch = -1;
    core::offset current_txn_start_offset{-1};  ///< -1 = no open transaction
    bool operator==(const producer_state&) const = default;
  };
  /// PartitionResponse
  struct partition_response {
    core::partition_id partition_index{0};
    protocol::error_code error_code = protocol::error_code::none;
    std::optional<std::string> error_message;
    std::vector<producer_state> active_producers;
    bool operator==(const partition_response&) const = default;
  };
  /// TopicResponse
  struct topic_response {
    std::string name;
    std::vector<partition_response> partitions;
    bool operator==(const topic_response&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<topic_response> topics;

  static result<describe_producers_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_producers_response&) const = default;
};

}  // namespace sluice::protocol
