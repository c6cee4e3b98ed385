#pragma once
/// The records of `__transaction_state`, byte for byte as Apache Kafka writes them (schemas
/// `TransactionLogKey` and `TransactionLogValue`, transaction-coordinator/src/main/resources/
/// common/message/): one record per state change of a transactional id, key = the id, value =
/// its whole metadata. The topic is compacted, so the newest record of an id is its state; the
/// coordinator rebuilds its map by replaying the topic at start-up. A null value (tombstone)
/// forgets the id.
///
/// `string` = int16 length + UTF-8; arrays = int32 count (-1 = null) + elements. Flexible
/// versions (1+) use Kafka's compact forms (unsigned varint of length + 1, 0 = null) and end
/// each struct with a tagged-field section (varint count, then tag, size, data per field).
/// All integers big-endian.
///
/// Key: `version` int16 (0), `transactional_id` string.
///
/// TransactionLogValue — written: v1, what Kafka 4.x writes once `transaction.version` >= 1
/// (the default of a new Kafka 4 cluster; Sluice serves transaction version 2, EndTxn v5);
/// read: v0 (Kafka 0.11–3.x) and v1:
///
/// | field                  | type            | notes                                          |
/// |------------------------|-----------------|------------------------------------------------|
/// | version                | int16           | 1                                              |
/// | producer_id            | int64           |                                                |
/// | producer_epoch         | int16           |                                                |
/// | timeout_ms             | int32           | transaction.timeout.ms the producer asked for  |
/// | state                  | int8            | txn_state (Kafka's TransactionState ids)       |
/// | partitions             | nullable array  | null when Empty; else per topic:               |
/// | ├ topic                | string          |                                                |
/// | └ partition_ids        | array of int32  |                                                |
/// | last_update_ms         | int64           | wall clock of this record                      |
/// | start_ms               | int64           | when the current transaction began, -1 = none  |
/// | tag 0 previous_producer_id | int64       | v1 tagged; read, not written (Kafka neither)   |
/// | tag 1 next_producer_id | int64           | v1 tagged; read, not written (Kafka neither)   |
/// | tag 2 client_transaction_version | int16 | v1 tagged; written when not 0                  |
///
/// Example (v1): producer 5 epoch 1, timeout 60000, Ongoing, `t` partitions 0 and 2, updated
/// at 2, started at 1 — `00 01 | 00..05 | 00 01 | 00 00 ea 60 | 01 | 02 02 't' 03 00 00 00 00
/// 00 00 00 02 00 | 00..02 | 00..01 | 00`.
///
/// Unknown versions, states and malformed bytes are refused (`errc::corrupt_log`), never
/// guessed.
///
/// Thread safety: pure functions.

#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace sluice::broker::txn {

/// Kafka's TransactionState ids, as stored. Kafka's Dead (6, written before an expired id's
/// tombstone) and PrepareEpochFence (7, never written) are handled by the reader.
enum class txn_state : int8_t {
  empty = 0,
  ongoing = 1,
  prepare_commit = 2,
  prepare_abort = 3,
  complete_commit = 4,
  complete_abort = 5,
};

std::string_view to_string(txn_state s) noexcept;

/// What the coordinator knows of one transactional id. A group added by AddOffsetsToTxn is in
/// `partitions` as its `__consumer_offsets` partition, as in Kafka: the transaction names
/// partitions, not groups.
struct txn_metadata {
  core::producer_id producer_id{-1};
  core::producer_epoch producer_epoch{-1};
  int32_t timeout_ms = 60000;
  txn_state state = txn_state::empty;
  int64_t start_ms = -1;
  int64_t update_ms = 0;
  std::set<core::topic_partition> partitions;
  /// Kafka's ClientTransactionVersion: 2 when the producer's last EndTxn followed transaction
  /// version 2 (EndTxn v5+), else 0.
  int16_t client_transaction_version = 0;
  bool operator==(const txn_metadata&) const = default;
};

/// The value version written.
inline constexpr int16_t txn_value_version = 1;

core::bytes encode_txn_key(std::string_view transactional_id);
/// REQUIRES: an Empty `m` has no partitions (Kafka writes null for them).
core::bytes encode_txn_value(const txn_metadata& m);
result<std::string> decode_txn_key(core::bytes_view bytes);
/// nullopt for Kafka's Dead state: the id is being removed (a tombstone follows).
result<std::optional<txn_metadata>> decode_txn_value(core::bytes_view bytes);

}  // namespace sluice::broker::txn
