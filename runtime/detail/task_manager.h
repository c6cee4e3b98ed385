#pragma once
/// `task_manager`: a stream thread's tasks, and the routing of its assigned partitions to them
/// (Kafka Streams' TaskManager). It turns assignment changes into task lifecycle steps:
///
///     assign(partitions and start offsets)
///       ├─ suspended task whose partitions came back ─▶ resume
///       ├─ suspended task that did not come back     ─▶ close clean (it was committed)
///       ├─ new task                                  ─▶ create (its stores open in the loop)
///       └─ every input                               ─▶ stream_task::assign(start offset);
///                                                       paused until its task runs
///     revoke(committed)
///       ├─ running task, offsets committed           ─▶ suspend (kept in case it comes back)
///       └─ any other                                 ─▶ close dirty
///     remove(tasks, committed) / add(partitions)    ─▶ the incremental form: only those tasks
///                                                       close or are created; the rest go on
///     close_all(clean)                               ─▶ close every task (running ones clean
///                                                       when `clean`), forget the routing
///
/// It never talks to librdkafka: the thread reads committed offsets and hands the consumer its
/// assignment; pausing and resuming a partition goes through the narrow `partition_control`
/// the thread implements over its consumer (a recording fake in unit tests). Tasks are built
/// by the factory the thread passes in, so tests can build them without a broker.
///
/// Ownership: owned by its stream thread; owns the tasks. Thread safety: that thread only.

#include "core/types.h"
#include "dsl/detail/task.h"
#include "runtime/detail/stream_task.h"
#include "runtime/detail/topic_manager.h"
#include "runtime/metadata.h"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace sluice::runtime::detail {

class back_pressure;

/// Pausing and resuming the fetching of single partitions: the part of a consumer the task
/// manager and back-pressure need.
class partition_control {
 public:
  virtual ~partition_control() = default;
  /// Pauses (or resumes) fetching `tp`. False if the consumer refused (logged by the
  /// implementation); the partition's state is then unchanged.
  virtual bool pause(const core::topic_partition& tp, bool paused) = 0;
};

/// The thread's side of a commit, over its clients: what the task manager cannot do itself.
class offset_committer {
 public:
  virtual ~offset_committer() = default;
  /// Called once the tasks' stores are flushed: makes every record the tasks sent durable and
  /// commits `offsets` (exactly-once: both in one transaction; `offsets` may then be empty).
  /// Returns whether the offsets were committed; throws streams_error (or transaction_error)
  /// when the thread cannot go on.
  virtual bool commit_offsets(const std::vector<std::pair<core::topic_partition, int64_t>>& offsets) = 0;
};

class task_manager {
 public:
  /// One input of one task: where records of a partition go.
  struct input_ref {
    stream_task* task;
    std::size_t index;
  };
  using task_map = std::map<dsl::task_id, std::unique_ptr<stream_task>>;
  /// Builds the task `id` reading `partitions`.
  using task_factory =
      std::function<std::unique_ptr<stream_task>(const dsl::task_id& id, std::vector<core::topic_partition> partitions)>;
  /// Runs before a task is closed (the thread stops restoring it and folds its metrics).
  using close_hook = std::function<void(stream_task&)>;

  task_manager(const topic_layout& layout, task_factory factory, partition_control& partitions,
               close_hook before_close);
  ~task_manager();
  task_manager(const task_manager&) = delete;
  task_manager& operator=(const task_manager&) = delete;

  /// A new assignment: `start` holds every assigned partition with the offset it starts at
  /// (negative: a logical offset, beginning or end, left to the consumer). Partitions of topics
  /// no sub-topology reads are ignored.
  void assign(const std::map<core::topic_partition, int64_t>& start);
  /// The assignment is revoked. With `committed` (the offsets of every running task were
  /// committed), running tasks are suspended; every other task is closed without a commit.
  void revoke(bool committed);
  /// Incremental change, part 1: closes the tasks `ids` — running ones cleanly when
  /// `committed` (their offsets were just committed), the others dirty. Every other task goes
  /// on untouched (queues, positions, state).
  void remove(const std::set<dsl::task_id>& ids, bool committed);
  /// Incremental change, part 2: creates the tasks reading the partitions of `start` (as in
  /// `assign`), paused until they run. REQUIRES: none of them exists.
  void add(const std::map<core::topic_partition, int64_t>& start);
  /// Closes every task — running ones cleanly (checkpoint) when `clean`, the others dirty —
  /// and forgets the routing. Closing errors are logged, not thrown.
  void close_all(bool clean);

  /// The inputs reading `tp`, or nullptr if no task reads it. The pointer stays valid until the
  /// routing changes, which bumps `routing_version()`.
  const std::vector<input_ref>* route(const core::topic_partition& tp) const;
  uint64_t routing_version() const noexcept { return _routing_version; }

  /// Opens the stores of the tasks still created. A task whose stores are locked or unreadable
  /// for now (another owner in this process is still closing them) stays created for a later
  /// try; a stateful task that opened is handed to `start_restoring`; a stateless one runs at
  /// once and its partitions fetch. Returns whether some task left the created state. Throws
  /// streams_error when stores cannot be opened at all or restoration cannot start.
  bool open_created(const std::function<result<void>(stream_task&)>& start_restoring);

  /// The tasks as `thread_metadata::active_tasks` lists them (suspended ones are not the
  /// thread's any more), and how many of them are not running yet.
  std::vector<task_metadata> describe(std::size_t& not_running) const;

  /// Hands a record consumed from the partition `refs` routes (see route()) to each task input
  /// reading it: processed at once where that is possible (stream_task::process_at_once),
  /// queued otherwise — where `pressure` may pause the partition. Returns how many were
  /// processed at once (0 or 1).
  int deliver(const std::vector<input_ref>& refs, core::offset off, core::raw_record&& rec,
              const back_pressure& pressure);

  /// Pauses or resumes one input of a task (and records it in the task).
  void pause(stream_task& t, std::size_t index, bool paused);

  /// Processes buffered records of the running tasks, turn by turn (`per_turn` records of a
  /// task, then the next), until none is processable or `max_records` were processed.
  int process(int max_records, int per_turn, partition_group::clock::time_point now,
              std::chrono::milliseconds max_idle);
  /// Whether some running task has a record to process now.
  bool processable(partition_group::clock::time_point now, std::chrono::milliseconds max_idle) const;
  /// Runs the running tasks' due wall-clock punctuators.
  void punctuate(core::timestamp now);
  /// Commits the running tasks that need it (every running one with `all`; with `force` even
  /// when none does, for output an open transaction holds): flushes their stores, has
  /// `committer` commit their offsets, then records the commit in each (checkpoint). Returns
  /// nullopt when there was nothing to commit, else whether the offsets were committed.
  /// Throws streams_error when a store fails.
  std::optional<bool> commit(bool all, bool force, offset_committer& committer);

  task_map& tasks() noexcept { return _tasks; }
  const task_map& tasks() const noexcept { return _tasks; }
  /// Whether every task runs (suspended ones count: they are not this assignment's).
  bool all_running() const;
  /// Whether some task waits to open its stores.
  bool any_created() const;
  /// Records buffered across the tasks, in bytes.
  std::size_t buffered_bytes() const;

 private:
  /// The partitions of `start` by the task that reads them (topics no sub-topology reads are
  /// left out).
  std::map<dsl::task_id, std::vector<core::topic_partition>> group_by_task(
      const std::map<core::topic_partition, int64_t>& start) const;
  void close_task(stream_task& t, bool clean);
  void forget_routing();

  const topic_layout& _layout;
  task_factory _factory;
  partition_control& _partitions;
  close_hook _before_close;
  task_map _tasks;
  std::unordered_map<core::topic_partition, std::vector<input_ref>> _routes;
  uint64_t _routing_version = 0;
};

}  // namespace sluice::runtime::detail
