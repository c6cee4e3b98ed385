#pragma once
/// `producer_state`: what one partition remembers about the idempotent and transactional
/// producers that wrote to it — Kafka's ProducerStateManager. Per producer id: the epoch, the
/// last five appended batches (first/last sequence, first/last offset) to recognise retries,
/// the first offset of its open transaction in this partition, the coordinator epoch of its
/// last marker and the newest timestamp it wrote. From the open transactions follows the first
/// unstable offset, which bounds the last stable offset (LSO).
///
/// Rules for a producer batch (`check`), per producer id (Kafka's idempotence rules):
/// - unknown producer: any sequence is accepted (its state may have been lost or expired);
/// - epoch < stored: `invalid_producer_epoch`;
/// - epoch > stored (a bump): base_sequence must be 0, else `out_of_order_sequence`;
/// - same epoch: a batch equal (first and last sequence) to one of the last five is a
///   duplicate — the caller answers with its original offsets and appends nothing; otherwise
///   base_sequence must be last_sequence + 1 (INT32_MAX wraps to 0), or 0 when the epoch has
///   no batch yet (it came from a marker), else `out_of_order_sequence`.
/// Sequence state survives transaction markers; only a new epoch restarts it.
///
/// Snapshot file (`<20-digit offset>.snapshot` in the partition directory: the state after
/// every batch below that offset), big-endian:
/// | off | size | field                                                  |
/// |-----|------|--------------------------------------------------------|
/// |   0 |    2 | version = 1                                            |
/// |   2 |    4 | CRC-32C of every byte from offset 6 to the end         |
/// |   6 |    8 | snapshot offset                                        |
/// |  14 |    4 | producer count, then per producer, by increasing id:   |
/// |     |    8 | producer id                                            |
/// |     |    2 | epoch                                                  |
/// |     |    4 | coordinator epoch (-1 = none)                          |
/// |     |    8 | last timestamp (-1 = none)                             |
/// |     |    8 | first offset of the open transaction (-1 = none)       |
/// |     |    1 | batch count n (0–5), then n × (4 first sequence, 4 last sequence, 8 first offset, 8 last offset), oldest first |
///
/// Threads: none of its own; the owning `partition_log` calls it under the log's mutex.
/// Lifecycle: built empty or from a snapshot, then fed every appended batch in offset order.

#include "broker/storage/record_batch.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <utility>

namespace sluice::broker::storage {

/// One appended batch of a producer.
struct producer_batch {
  int32_t first_sequence = -1;
  int32_t last_sequence = -1;
  int64_t first_offset = -1;
  int64_t last_offset = -1;
  bool operator==(const producer_batch&) const = default;
};

/// One producer's state in one partition.
struct producer_entry {
  int16_t epoch = -1;
  int32_t coordinator_epoch = -1;
  int64_t last_timestamp = -1;
  int64_t txn_first_offset = -1;  ///< first offset of the open transaction, -1 = none
  std::deque<producer_batch> batches;  ///< the last `max_batches`, oldest first
  bool operator==(const producer_entry&) const = default;
};

/// A transaction ended by an ABORT marker: the aborted-transaction index entry.
struct aborted_txn_entry {
  int64_t producer_id = -1;
  int64_t first_offset = -1;
  int64_t last_offset = -1;         ///< the marker's offset
  int64_t last_stable_offset = -1;  ///< the LSO right after the marker
  bool operator==(const aborted_txn_entry&) const = default;
};

/// The sequence that follows `sequence` (INT32_MAX wraps to 0).
int32_t next_sequence(int32_t sequence) noexcept;
/// The last sequence of a batch starting at `base_sequence` spanning `last_offset_delta`.
int32_t last_sequence_of(int32_t base_sequence, int32_t last_offset_delta) noexcept;

class producer_state {
 public:
  static constexpr size_t max_batches = 5;

  /// Checks a producer batch (see the rules above). Returns the original batch when `h` is a
  /// duplicate of one of the last five, nullopt when it may be appended.
  /// REQUIRES: h.producer_id >= 0.
  result<std::optional<producer_batch>> check(const batch_header& h) const;

  /// Records an appended data batch whose offsets are assigned (`h.base_offset`). With
  /// `track_sequence` false (coordinator writes, base_sequence -1) only the epoch, timestamp
  /// and transaction are tracked. A transactional batch opens the producer's transaction at
  /// its base offset when none is open. REQUIRES: h.producer_id >= 0, not a control batch.
  void on_append(const batch_header& h, bool track_sequence = true);

  /// Records a transaction marker at `marker_offset`: an epoch newer than the stored one
  /// becomes the producer's (a marker-bumped epoch restarts the batch history), and the open
  /// transaction ends. Returns the aborted-transaction entry for an ABORT that ended an open
  /// transaction; nullopt otherwise. `log_end` (one past the marker) bounds the entry's LSO.
  std::optional<aborted_txn_entry> on_marker(core::producer_id producer, int16_t epoch,
                                             bool commit, int32_t coordinator_epoch,
                                             int64_t marker_offset, int64_t timestamp,
                                             int64_t log_end);

  /// Feeds one stored batch during recovery, with no checks: data batches as `on_append`,
  /// control batches as `on_marker` (`batch` must then hold the whole batch to read its type).
  /// Returns the aborted-transaction entry an ABORT marker produced.
  result<std::optional<aborted_txn_entry>> replay(const batch_header& h, bytes_view batch,
                                                  int64_t log_end);

  /// The smallest first offset of an open transaction, nullopt when none is open.
  std::optional<int64_t> first_unstable_offset() const noexcept;

  /// Forgets producers that have no open transaction, whose newest batch lies below
  /// `log_start` and whose last write is older than `now_ms - max_idle_ms`. Returns how many.
  size_t expire(int64_t log_start, int64_t now_ms, int64_t max_idle_ms);

  const std::map<int64_t, producer_entry>& producers() const noexcept { return _producers; }
  const producer_entry* find(core::producer_id id) const noexcept;
  void clear();

  /// The snapshot bytes (layout above) of the current state, taken at `offset`.
  bytes serialize(int64_t offset) const;
  /// Parses snapshot bytes; `corrupt_batch` on a bad CRC, version or length, or producer ids
  /// not in increasing order.
  static result<std::pair<int64_t, producer_state>> deserialize(bytes_view data);

  bool operator==(const producer_state& o) const { return _producers == o._producers; }

 private:
  void open_txn(int64_t producer, producer_entry& e, int64_t first_offset);
  void close_txn(int64_t producer, producer_entry& e);

  std::map<int64_t, producer_entry> _producers;
  std::set<std::pair<int64_t, int64_t>> _open;  ///< (first offset, producer id) of open txns
};

}  // namespace sluice::broker::storage
