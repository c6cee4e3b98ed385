#pragma once
/// `task_stores`: the state stores of one task, as the runtime creates them — the
/// `dsl::store_provider` the task's processors get their stores from.
///
/// Per store spec of the task's sub-topology:
///
///     RocksDB (default; in state.dir/<application.id>/<task-id>/rocksdb/<store>/)
///       or in-memory (materialized as in_memory)
///       ← change-logging to `<application.id>-<store>-changelog`, the task's partition
///         (unless the store is not logged)
///       ← caching in the thread's record cache (key-value and window stores without
///         duplicates, when cache.max.bytes > 0)
///
/// Positions. Each change-logged store has a changelog position: the offset of the next
/// changelog record its contents do not reflect. Restoration starts there:
/// - a RocksDB store keeps it inside RocksDB, written atomically with the data it describes
///   (`restore_batch`, `commit_batch`), so it is right even after kill -9; the task's
///   `.checkpoint` file (written at every commit and clean close) may only move it forward
///   (it is written after the stores' write-ahead logs were fsynced);
/// - a fresh RocksDB store (no position) and an in-memory store restore from the beginning.
///
/// Lifecycle: `open()` (may be retried: a store still locked by a previous owner in this
/// process fails with errc::store_failed), restore through `changelogs()` and
/// `restore_batch`, then the task runs; `flush()` and `checkpoint()` at every commit;
/// `close()`.
///
/// Exactly-once (`resources::exactly_once`): when the task starts running, `begin_batches()`
/// opens a pending batch in every store, so what the task writes stays out of RocksDB until
/// the Kafka transaction that carries its changelog records has committed; `checkpoint()`
/// then applies each batch with the changelog position in one atomic write (`commit_batch`)
/// and opens the next one. No checkpoint file is read (the position inside each RocksDB store
/// is exact). `close()` — clean or not — discards the open batch: the store stays at its last
/// committed state and position, which close() writes into the checkpoint file so that the
/// instance can report what it holds without opening RocksDB (`local_task_offset_sums`).
///
/// `local_task_offset_sums(dir)`: per task directory under `<state.dir>/<application.id>`, the
/// sum of the changelog offsets in its checkpoint file — how far the instance's local state of
/// each task goes, which its group subscription reports (streams_protocol.h). A directory
/// without a readable checkpoint is left out (its state counts as unknown).
///
/// Ownership: owned by its stream_task; the record collector, record cache, RocksDB resources
/// are borrowed and outlive it. Thread safety: one stream thread.

#include "dsl/detail/task.h"
#include "dsl/topology.h"
#include "runtime/detail/kafka_record_collector.h"
#include "state/changelog_sink.h"
#include "state/checkpoint_file.h"
#include "state/record_cache.h"
#include "state/rocksdb_resources.h"
#include "state/state_store.h"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sluice::runtime::detail {

class task_stores final : public dsl::store_provider {
 public:
  /// One change-logged store and where it stands in its changelog.
  struct changelog {
    const dsl::store_spec* spec = nullptr;
    state::state_store* store = nullptr;  ///< the outermost layer
    core::topic_partition topic;
    /// Acknowledged end of the changelog partition, as the producer sees it.
    kafka_record_collector::changelog_position* produced = nullptr;
    /// The offset restoration starts from (set by open()).
    int64_t restore_from = 0;
  };

  struct resources {
    std::string application_id;
    std::filesystem::path state_dir;  ///< state.dir
    state::rocksdb_resources* rocksdb = nullptr;
    state::record_cache* cache = nullptr;  ///< nullptr: no caching layer
    kafka_record_collector* collector = nullptr;
    /// processing.guarantee=exactly_once_v2: writes are batched between commits.
    bool exactly_once = false;
  };

  task_stores(dsl::task_id id, std::vector<const dsl::store_spec*> specs, resources res);
  ~task_stores() override;
  task_stores(const task_stores&) = delete;
  task_stores& operator=(const task_stores&) = delete;

  /// Opens every store and computes where each changelog's restoration starts. Fails (and
  /// leaves nothing open) if a store cannot be opened; the caller may retry.
  result<void> open();
  bool is_open() const noexcept { return _open; }
  bool exactly_once() const noexcept { return _res.exactly_once; }
  /// The task directory (exists only for tasks with RocksDB stores).
  const std::filesystem::path& directory() const noexcept { return _dir; }

  state::state_store& store(const dsl::store_spec& spec) override;
  std::vector<changelog>& changelogs() noexcept { return _changelogs; }

  /// Flushes every store: caches write down (and their changelog records go to the producer),
  /// RocksDB syncs its write-ahead log.
  result<void> flush();
  /// Exactly-once: opens a pending batch in every store. REQUIRES: restored.
  result<void> begin_batches();
  /// After the producer is flushed (exactly-once: after the transaction committed): records
  /// each store's changelog position in the store (`commit_batch`, which under exactly-once
  /// also applies the batch) and writes the task's checkpoint file (at-least-once) or opens
  /// the next batch (exactly-once).
  result<void> checkpoint();
  /// Closes every store; with `clean` (at-least-once), writes the checkpoint file first.
  /// Under exactly-once every open batch is discarded and the checkpoint file records the
  /// committed positions (clean or not), for `local_task_offset_sums`.
  /// REQUIRES: after a successful flush() and producer flush when `clean`.
  void close(bool clean);

 private:
  class sink;
  struct entry {
    const dsl::store_spec* spec = nullptr;
    std::unique_ptr<sink> changelog_sink;
    std::unique_ptr<state::state_store> store;
  };
  result<std::unique_ptr<state::state_store>> open_one(const dsl::store_spec& spec,
                                                       sink* changelog_sink);
  int64_t position_of(const changelog& c) const;

  dsl::task_id _id;
  std::vector<const dsl::store_spec*> _specs;
  resources _res;
  std::filesystem::path _dir;
  state::checkpoint_file _checkpoint;
  std::vector<entry> _entries;
  std::vector<changelog> _changelogs;
  bool _open = false;
};

/// The offset sum of every task with a readable checkpoint file under `app_dir`
/// (`<state.dir>/<application.id>`; see the class comment). Directories whose names are no
/// task id (`<subtopology>_<partition>`) are ignored; a missing `app_dir` gives an empty map.
std::map<dsl::task_id, int64_t> local_task_offset_sums(const std::filesystem::path& app_dir);

}  // namespace sluice::runtime::detail
