#pragma once
/// `stream_task`: the runtime's side of one task — the `dsl::processor_task` running sub-topology
/// `id.subtopology` for partition `id.partition`, its stores (`task_stores`), its input queues
/// (`partition_group`) and the offsets it has processed.
///
/// States:
///
///     created ──open stores──▶ restoring ──changelogs caught up──▶ running ◀──▶ suspended
///        │ (store locked:           │                                  │
///        │  retried)                └────────────── close ─────────────┴──▶ closed
///
/// - created: stores not open yet (a previous owner in this process may still hold a lock).
/// - restoring: stores open, changelogs being replayed; input partitions are paused, records
///   that were already fetched are buffered, nothing is processed.
/// - running: `process()` takes records by lowest timestamp; stream-time punctuators run after
///   each record, wall-clock ones from `punctuate()`.
/// - suspended: after a clean commit at a rebalance; kept open in case the task comes back.
///
/// Commit protocol, driven by the stream thread for all its tasks at once: `flush()` every
/// task → flush the producer → commit the consumer offsets from `committable_offsets()`
/// (exactly-once: send them into the transaction and commit it) → `checkpoint()` every task
/// (exactly-once: the stores' pending batches are applied with their changelog positions and
/// new ones opened; they were opened by `start_running()`). Closing a task without a commit
/// under exactly-once discards its stores' batches: they roll back to the last commit.
///
/// Ownership: owned by its stream_thread; the topology, collector and cache outlive it.
/// Thread safety: the stream thread only.

#include "core/types.h"
#include "dsl/detail/task.h"
#include "dsl/topology.h"
#include "runtime/detail/kafka_record_collector.h"
#include "runtime/detail/partition_group.h"
#include "runtime/detail/task_stores.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::runtime::detail {

/// What a task does with a record it cannot deserialize; implemented by the stream thread.
class deserialization_error_sink {
 public:
  virtual ~deserialization_error_sink() = default;
  /// `raw` is the record as consumed, if still available. Throws to fail the thread.
  virtual void on_deserialization_error(const core::topic_partition& tp, core::offset off,
                                        const core::raw_record* raw, const std::error_code& ec) = 0;
  /// Whether the raw record must be kept until it is processed (the dead-letter handler needs
  /// it when the value fails to decode during processing).
  virtual bool keeps_raw_records() const noexcept = 0;
};

class stream_task {
 public:
  enum class state { created, restoring, running, suspended, closed };

  /// One input partition of the task.
  struct input {
    core::topic_partition tp;
    const dsl::source_binding* binding = nullptr;
    /// The next offset expected from the consumer (-1: any); older ones are duplicates.
    int64_t next_expected = -1;
    /// The offset after the last processed record (-1: nothing processed since assignment).
    int64_t processed_next = -1;
    /// The offset after the last committed record.
    int64_t committed_next = -1;
    /// The offset after the last record skipped as undeserializable (-1: none).
    int64_t skipped_next = -1;
    bool paused = false;
  };

  stream_task(const dsl::topology& topology, dsl::task_id id,
              std::vector<core::topic_partition> inputs, std::string application_id,
              task_stores::resources stores, kafka_record_collector& collector,
              deserialization_error_sink& errors);
  ~stream_task();
  stream_task(const stream_task&) = delete;
  stream_task& operator=(const stream_task&) = delete;

  const dsl::task_id& id() const noexcept { return _id; }
  state current_state() const noexcept { return _state; }
  bool has_state() const noexcept { return _stores != nullptr; }
  /// The inputs' state. The task alone changes it: `assign`, `set_paused`, and the record
  /// path.
  const std::vector<input>& inputs() const noexcept { return _inputs; }
  /// The index of `tp` in inputs(), or nullopt.
  std::optional<std::size_t> input_index(const core::topic_partition& tp) const;
  /// The task's stores, or nullptr for a stateless task.
  task_stores* stores() noexcept { return _stores.get(); }

  /// Input `index` was (re)assigned: the consumer starts it at `start_offset` (the committed
  /// offset; negative: a logical offset, beginning or end, whatever comes is taken) and it
  /// fetches (is not paused).
  void assign(std::size_t index, int64_t start_offset);
  /// The consumer stopped (or resumed) fetching input `index`.
  void set_paused(std::size_t index, bool paused) { _inputs[index].paused = paused; }

  /// created → restoring: opens the stores. A failure leaves the task created (retry later).
  result<void> open();
  /// restoring → running: initializes the processors (they fetch their stores now).
  void start_running();

  /// Buffers a consumed record of input `index` (prepare: timestamp extraction).
  /// A record that cannot be deserialized goes to the error sink.
  void enqueue(std::size_t index, core::offset off, core::raw_record&& rec);
  /// Processes a consumed record of input `index` at once, without queueing it, when the queue
  /// could only have handed it out next anyway: the task is running, reads one partition and
  /// has nothing buffered. Returns `queue`, and leaves `rec` alone, otherwise (then enqueue()
  /// it). Same effects as enqueue() followed by process() of that record.
  enum class at_once { queue, processed, skipped, duplicate };
  at_once process_at_once(std::size_t index, core::offset off, core::raw_record&& rec);
  std::size_t buffered(std::size_t index) const noexcept { return _queues.size(index); }
  std::size_t buffered() const noexcept { return _queues.total(); }
  /// The buffered records' approximate memory in bytes.
  std::size_t buffered_bytes() const noexcept { return _queues.bytes(); }

  /// Processes up to `max_records` records; returns how many were processed.
  /// REQUIRES: running.
  int process(int max_records, partition_group::clock::time_point now,
              std::chrono::milliseconds max_idle);
  /// Whether process() would take a record now.
  bool processable(partition_group::clock::time_point now, std::chrono::milliseconds max_idle);
  /// Runs due wall-clock punctuators. REQUIRES: running.
  void punctuate(core::timestamp now);

  /// True if something was processed or punctuated since the last commit.
  bool commit_needed() const noexcept { return _commit_needed; }
  /// Flushes the stores (caches down, changelog records to the producer, WAL synced).
  result<void> flush();
  /// The offsets to commit: inputs with records processed since the last commit.
  std::vector<std::pair<core::topic_partition, int64_t>> committable_offsets() const;
  /// After a successful offset commit: records them and writes the checkpoint.
  result<void> checkpoint(bool offsets_committed);

  /// running → suspended: drops buffered records (they are fetched again from the committed
  /// offsets if the task comes back). REQUIRES: committed.
  void suspend();
  /// suspended → running, with new input bindings from the new assignment.
  void resume();
  /// → closed. With `clean` (after a commit) the checkpoint is written; otherwise the stores
  /// are closed as they are (at-least-once: local state ahead of the checkpoint is harmless;
  /// exactly-once: uncommitted writes are discarded either way).
  void close(bool clean);

  /// Records dropped by the processors so far (late, null key, invalid timestamp).
  const dsl::task_metrics& metrics() const { return _task->metrics(); }
  core::timestamp stream_time() const { return _task->stream_time(); }

 private:
  /// enqueue()'s and process_at_once()'s common part: drops a duplicate, keeps the raw copy for
  /// the dead-letter handler, prepares the record (one that cannot be prepared goes to the error
  /// sink and is skipped) and hands it to `admitted(pending_record&&, optional<record>&& raw)`.
  /// Returns processed (= admitted), skipped or duplicate. Defined in the .cc.
  template <class Admitted>
  at_once admit(std::size_t index, core::offset off, core::raw_record&& rec, Admitted&& admitted);

  dsl::task_id _id;
  state _state = state::created;
  std::vector<input> _inputs;
  std::unique_ptr<task_stores> _stores;
  std::unique_ptr<dsl::processor_task> _task;
  partition_group _queues;
  deserialization_error_sink& _errors;
  const bool _keep_raw;  ///< _errors.keeps_raw_records(), asked once
  bool _commit_needed = false;
  /// Raw copies kept for the dead-letter handler, parallel to the queued records by offset.
  std::vector<std::deque<std::pair<int64_t, core::raw_record>>> _raw;
};

std::string_view to_string(stream_task::state s) noexcept;

}  // namespace sluice::runtime::detail
