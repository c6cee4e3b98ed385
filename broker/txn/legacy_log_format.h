#pragma once
/// Sluice's own `__transaction_state` record format, written before the broker wrote Kafka's
/// (issue #15). Kept only so that `log_migration` can read — and tests can write — a data
/// directory from that time; nothing else may use it (log_format.h is the format in use).
///
/// The records the transaction coordinator wrote: one record per state change of a
/// transactional id, key = the id, value = its whole metadata. The topic is
/// compacted, so the newest record of an id is its state; the coordinator rebuilds its map by
/// replaying the topic at start-up.
///
/// All integers big-endian; `string` = int16 length + UTF-8 bytes.
///
/// Key: `key_version` int16 (0), `transactional_id` string.
///
/// Value, version 0:
///
/// | field            | type   | notes                                                    |
/// |------------------|--------|----------------------------------------------------------|
/// | value_version    | int16  | 0                                                        |
/// | producer_id      | int64  |                                                          |
/// | producer_epoch   | int16  |                                                          |
/// | timeout_ms       | int32  | transaction.timeout.ms the producer asked for            |
/// | state            | int8   | txn_state                                                |
/// | start_ms         | int64  | wall clock when the current transaction began, -1 = none |
/// | update_ms        | int64  | wall clock of this record                                |
/// | partition_count  | int32  | then per partition: topic string, partition int32        |
/// | group_count      | int32  | then per group: group id string (AddOffsetsToTxn)        |
///
/// Unknown versions are refused (`errc::corrupt_log`), never guessed.
///
/// Thread safety: pure functions.

#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <set>
#include <string>
#include <string_view>

namespace sluice::broker::txn::legacy {

enum class txn_state : int8_t {
  empty = 0,
  ongoing = 1,
  prepare_commit = 2,
  prepare_abort = 3,
  complete_commit = 4,
  complete_abort = 5,
};

/// What the coordinator knows of one transactional id.
struct txn_metadata {
  core::producer_id producer_id{-1};
  core::producer_epoch producer_epoch{-1};
  int32_t timeout_ms = 60000;
  txn_state state = txn_state::empty;
  int64_t start_ms = -1;
  int64_t update_ms = 0;
  std::set<core::topic_partition> partitions;
  std::set<std::string> groups;
  bool operator==(const txn_metadata&) const = default;
};

core::bytes encode_txn_key(std::string_view transactional_id);
core::bytes encode_txn_value(const txn_metadata& m);
result<std::string> decode_txn_key(core::bytes_view bytes);
result<txn_metadata> decode_txn_value(core::bytes_view bytes);

}  // namespace sluice::broker::txn::legacy
