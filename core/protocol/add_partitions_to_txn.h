#pragma once
/// AddPartitionsToTxn (key 24), versions 0–5; flexible from v3. librdkafka sends only v0, so 0
/// must stay in the window.
///
/// v0–3 are the client form, one transaction per request:
///   Request:  v3_and_below_transactional_id, v3_and_below_producer_id,
///             v3_and_below_producer_epoch, v3_and_below_topics [name, partitions [int32]].
///   Response: throttle_time_ms, results_by_topic_v3_and_below [name, results_by_partition
///             [partition_index, partition_error_code]].
/// v4–5 are the batched form brokers send to the coordinator (KIP-890 part 1), which has none
/// of the fields above:
///   Request:  transactions [transactional_id, producer_id, producer_epoch, verify_only,
///             topics [name, partitions [int32]]].
///   Response: throttle_time_ms, error_code, results_by_transaction [transactional_id,
///             topic_results [name, results_by_partition [partition_index,
///             partition_error_code]]].
/// v1: no wire change (responds before throttling). v2: PRODUCER_FENCED may be answered.
/// v5: TRANSACTION_ABORTABLE may be answered.
///
/// The field names are the schema's: since KIP-890 the client-facing fields carry a
/// `V3AndBelow` prefix. Fields of the other form keep their defaults on decode and are not
/// written on encode.

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

inline constexpr version_range add_partitions_to_txn_versions{0, 5};

/// The first version of the batched, broker-to-broker form.
inline constexpr int16_t add_partitions_to_txn_first_batched_version = 4;

struct add_partitions_to_txn_request {
  /// AddPartitionsToTxnTopic
  struct add_partitions_to_txn_topic {
    std::string name;
    std::vector<core::partition_id> partitions;
    bool operator==(const add_partitions_to_txn_topic&) const = default;
  };
  /// AddPartitionsToTxnTransaction (v4+)
  struct add_partitions_to_txn_transaction {
    std::string transactional_id;
    core::producer_id producer_id{-1};
    core::producer_epoch producer_epoch{-1};
    /// Only ask whether the partitions are in the transaction; add nothing.
    bool verify_only = false;
    std::vector<add_partitions_to_txn_topic> topics;
    bool operator==(const add_partitions_to_txn_transaction&) const = default;
  };

  std::vector<add_partitions_to_txn_transaction> transactions;  ///< v4+
  std::string v3_and_below_transactional_id;                    ///< v0–3
  core::producer_id v3_and_below_producer_id{-1};               ///< v0–3
  core::producer_epoch v3_and_below_producer_epoch{-1};         ///< v0–3
  std::vector<add_partitions_to_txn_topic> v3_and_below_topics;  ///< v0–3

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
  /// AddPartitionsToTxnResult (v4+)
  struct add_partitions_to_txn_result {
    std::string transactional_id;
    std::vector<add_partitions_to_txn_topic_result> topic_results;
    bool operator==(const add_partitions_to_txn_result&) const = default;
  };

  int32_t throttle_time_ms = 0;
  protocol::error_code error_code = protocol::error_code::none;    ///< v4+, the whole request
  std::vector<add_partitions_to_txn_result> results_by_transaction;  ///< v4+
  std::vector<add_partitions_to_txn_topic_result> results_by_topic_v3_and_below;  ///< v0–3

  static result<add_partitions_to_txn_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const add_partitions_to_txn_response&) const = default;
};

}  // namespace sluice::protocol
