#pragma once
/// `state_store`: what every store — RocksDB, in-memory, and the decorators layered on them —
/// offers the runtime: identity, flush/close, exactly-once batches and bulk restoration.
///
/// Exactly-once (exactly_once_v2). Between `begin_batch()` and
/// `commit_batch(position)` a store keeps every write in a pending batch that its own reads see
/// but that does not reach storage. `commit_batch` applies the pending writes *and* the
/// changelog position in one atomic write (one `rocksdb::WriteBatch`), so after a crash the
/// store holds exactly the state at some committed position, never more and never less:
/// restoration resumes from `committed_offset()` and no wipe is needed. `abort_batch()` throws
/// the pending writes away, rolling the store back to the last commit without a restore. The
/// runtime's commit sequence is: `flush()` every store (caches push their dirty entries down and
/// downstream, change-logging sends them), commit the Kafka transaction, then `commit_batch()`
/// each store with the changelog end offset, then `begin_batch()` again.
///
/// Restoration: `restore_batch()` applies records read from the changelog (in the store kind's
/// changelog format, see changelog_format.h) plus the position after them as one atomic write,
/// so an interrupted restore resumes where it stopped. It never per-record puts.
///
/// Ownership and threads: a store is owned (unique_ptr) by one task and used only by the
/// stream thread that runs the task. Stores are not copyable.

#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <optional>
#include <span>
#include <string>

namespace sluice::state {

/// One changelog entry handed to `restore_batch()`: a key in the store's changelog key format
/// and a value, or nullopt for a tombstone. Borrowed for the duration of the call.
struct changelog_record {
  bytes_view key;
  std::optional<bytes_view> value;
};

class state_store {
 public:
  state_store() = default;
  state_store(const state_store&) = delete;
  state_store& operator=(const state_store&) = delete;
  virtual ~state_store() = default;

  /// The store name, unique within a task; names its directory and its changelog topic.
  virtual const std::string& name() const noexcept = 0;
  /// True if the contents survive a process restart (RocksDB), false for in-memory stores.
  virtual bool persistent() const noexcept = 0;
  virtual bool is_open() const noexcept = 0;

  /// Makes committed writes durable and pushes cached writes down. Caching layers write their
  /// dirty entries to the store below (in key order, notifying their flush listener). The
  /// RocksDB store syncs its write-ahead log (or flushes its memtables when the WAL is off).
  /// Pending (batched) writes are not committed by a flush.
  virtual result<void> flush() = 0;
  /// Flushes and releases every resource. An open batch is discarded. Later calls other than
  /// `name()`, `persistent()` and `is_open()` fail with `errc::store_closed`.
  /// REQUIRES: no iterator of this store is alive.
  virtual result<void> close() = 0;

  /// Starts buffering writes in a pending batch. Fails with `errc::invalid_state` if a batch
  /// is already open.
  virtual result<void> begin_batch() = 0;
  /// Atomically applies the pending batch (if one is open) together with `changelog_position`:
  /// the offset of the next changelog record the store has not seen. Without an open batch it
  /// records only the position (for at-least-once processing, where writes go straight down).
  /// Fails with `errc::invalid_state` if a cache above still holds dirty entries (flush first).
  /// REQUIRES: no iterator of this store is alive.
  virtual result<void> commit_batch(core::offset changelog_position) = 0;
  /// Discards the pending batch. Fails with `errc::invalid_state` if no batch is open.
  /// REQUIRES: no iterator of this store is alive.
  virtual result<void> abort_batch() = 0;
  virtual bool batch_active() const noexcept = 0;
  /// The position stored by the last successful `commit_batch()` or `restore_batch()`, or
  /// nullopt if there was none (a new store; in-memory stores forget it on restart).
  virtual result<std::optional<core::offset>> committed_offset() = 0;

  /// Applies changelog records (oldest first) and then `next_position` in one atomic write. The
  /// writes are not change-logged again. Fails with `errc::invalid_state` if a batch is open
  /// and with `errc::corruption` if a key does not match the store's changelog key format.
  virtual result<void> restore_batch(std::span<const changelog_record> records,
                                     core::offset next_position) = 0;
};

}  // namespace sluice::state
