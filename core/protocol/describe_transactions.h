#pragma once
/// DescribeTransactions (key 65), version 0; flexible from v0 (KIP-664). The coordinator's
/// state of each named transactional id: its producer, its timeout and, while a transaction
/// is open, when it started and which partitions it holds.
///
/// Request:  transactional_ids [string] (empty = nothing to describe).
/// Response: throttle_time_ms, transaction_states [error_code, transactional_id,
///           transaction_state, transaction_timeout_ms, transaction_start_time_ms,
///           producer_id, producer_epoch, topics [topic, partitions [int32]]].
///
/// The schema gives the entry's fields no defaults, so an entry with an error carries "" and
/// zeros (Kafka leaves them so).

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

inline constexpr version_range describe_transactions_versions{0, 0};

struct describe_transactions_request {
  std::vector<std::string> transactional_ids;

  static result<describe_transactions_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_transactions_request&) const = default;
};

struct describe_transactions_response {
  /// TopicData
  struct topic_data {
    std::string topic;
    std::vector<core::partition_id> partitions;
    bool operator==(const topic_data&) const = default;
  };
  /// TransactionState
  struct transaction_state {
    protocol::error_code error_code = protocol::error_code::none;
    std::string transactional_id;
    std::string transaction_state;
    int32_t transaction_timeout_ms = 0;
    int64_t transaction_start_time_ms = 0;
    core::producer_id producer_id{0};
    core::producer_epoch producer_epoch{0};
    std::vector<topic_data> topics;
    // `struct`: inside, the field of the same name hides the type's name.
    bool operator==(const struct transaction_state&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<transaction_state> transaction_states;

  static result<describe_transactions_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_transactions_response&) const = default;
};

}  // namespace sluice::protocol
