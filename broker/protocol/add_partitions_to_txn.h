#pragma once
/// AddPartitionsToTxn (key 24), versions 0–1 (none flexible; same wire format). librdkafka
/// sends only v0, so 0 must stay in the window.
///
/// Request:  v3_and_below_transactional_id, v3_and_below_producer_id,
///           v3_and_below_producer_epoch, v3_and_below_topics [name, partitions [int32]].
/// Response: throttle_time_ms, results_by_topic_v3_and_below [name, results_by_partition
///           [partition_index, partition_error_code]].
///
/// The field names are the schema's: since KIP-890 (v4+, broker-to-broker batching) the
/// client-facing fields carry a `V3AndBelow` prefix.

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

inline constexpr version_range add_partitions_to_txn_versions{0, 1};

struct add_partitions_to_txn_request {
  /// AddPartitionsToTxnTopic
  struct add_partitions_to_txn_topic {
    std::string name;
    std::vector<core::partition_id> partitions;
    bool operator==(const add_partitions_to_txn_topic&) const = default;
  };

  std::string v3_and_below_transactional_id;
  core::producer_id v3_and_below_producer_id{-1};
  core::producer_epoch v3_and_below_producer_epoch{-1};
  std::vector<add_partitions_to_txn_topic> v3_and_below_topics;

  static result<add_partitions_to_txn_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const add_partitions_to_txn_request&) const = default;
};

struct add_partitions_to_txn_response {
  /// AddPartitionsToTxnPartitionResult
  struct add_partitions_to_txn_partition_result {
    core::partition_id partition_index{0};
    protocol::error_code partition_error_code = protocol::error_code::none;
    bool operator==(const add_partitions_to_txn_partition_result&) const = default;
  };
  /// AddPartitionsToTxnTopicResult
  struct add_partitions_to_txn_topic_result {
    std::string name;
    std::vector<add_partitions_to_txn_partition_result> results_by_partition;
    bool operator==(const add_partitions_to_txn_topic_result&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<add_partitions_to_txn_topic_result> results_by_topic_v3_and_below;

  static result<add_partitions_to_txn_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const add_partitions_to_txn_response&) const = default;
};

}  // namespace sluice::broker::protocol
