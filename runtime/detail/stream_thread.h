#pragma once
/// `stream_thread`: one of a `streams` instance's `num.stream.threads` threads. It owns a
/// librdkafka consumer (member of the group `application.id`), a producer
/// (`kafka_record_collector`), a restore consumer (`changelog_reader`), its share of the record
/// cache, and its tasks; every processor, punctuator and store of its tasks runs on it.
///
/// The loop:
///
///     poll the consumer (rebalance callbacks run here) ─▶ buffer records per task partition
///     ─▶ restore a slice of changelog records ─▶ process records by lowest timestamp
///     ─▶ wall-clock punctuation ─▶ commit every commit.interval.ms ─▶ metrics
///
/// Assignment. Range assignment (`partition.assignment.strategy=range`) gives each member the
/// same partition numbers of every topic with the same partition count, because it splits each
/// topic's partitions over the same sorted member list. Co-partitioned topics have equal
/// counts (checked at start), so all input partitions of a task (sub-topology, partition) land
/// on the same consumer — i.e. on one thread of one process.
///
/// Rebalance (eager protocol): on revocation every running task is committed and suspended
/// (kept open), others are closed; on assignment, suspended tasks that come back resume at
/// once, the rest are closed, and new tasks are created, their stores opened and restored
/// before they process (their partitions stay paused meanwhile). A lost assignment (the
/// member was evicted) closes tasks without committing.
///
/// Back-pressure: when the records buffered in the thread's task queues take more than its
/// share of `input.buffer.max.bytes`, every partition with buffered records is paused; a
/// partition resumes when its queue is empty, or once the thread is under half its share.
/// `buffered.records.per.partition` (off by default) also pauses one partition whose queue
/// reaches it, until it drains below half. Pausing is the exception, not the rhythm: librdkafka
/// drops a paused partition's prefetched records and fetches them again on resume, so a
/// per-partition limit below one fetch's worth of records would refetch every response.
///
/// Exactly-once (processing.guarantee=exactly_once_v2): the producer is transactional with
/// `transactional.id = <application.id>-<process id>-<thread index>`, initialized (fencing any
/// earlier incarnation) before the consumer subscribes. A commit flushes the stores (caches
/// send their changelog records inside the transaction), sends the consumed offsets into the
/// transaction with the consumer's group metadata, commits it, and only then applies the
/// stores' pending batches with their changelog positions. When the transaction cannot commit
/// (`transaction_error`: fenced, abortable error, lost assignment) the thread throws away
/// everything since the last commit: its tasks are closed dirty (their stores' batches are
/// discarded, so they stand at the last commit again), buffered records are dropped, the
/// transaction is aborted, and the tasks of the current assignment are created anew from the
/// committed offsets (the consumer rejoins by itself if the group has moved on). A fatal
/// producer error (fenced by a newer producer with the same transactional.id) recreates the
/// producer the same way; a second one within 30 s and before any successful commit fails the
/// thread.
///
/// Errors: anything that stops the thread — a processor exception, a failed delivery, a store
/// failure, a deserialization error under log-and-fail — closes its tasks without committing,
/// leaves the group and ends the thread in `dead` with `error()` set; the owning `streams`
/// hands it to the uncaught-error handler.
///
/// Thread safety: constructed, started, asked to stop and queried (`state`, `metadata`,
/// `error`) from any thread; everything else runs on the thread itself.

#include "core/metrics.h"
#include "dsl/topology.h"
#include "runtime/detail/changelog_reader.h"
#include "runtime/detail/record_collector.h"
#include "runtime/detail/repartition_purger.h"
#include "runtime/detail/stream_task.h"
#include "runtime/detail/topic_manager.h"
#include "runtime/metadata.h"
#include "runtime/streams_config.h"
#include "state/record_cache.h"
#include "state/rocksdb_resources.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace sluice::runtime::detail {

/// What every stream thread of an instance shares. Outlives the threads.
struct app_context {
  const dsl::topology& topology;
  const streams_config& config;
  const topic_layout& layout;
  state::rocksdb_resources& rocksdb;
  core::metrics_registry& metrics;
  /// This instance's stable id (persisted under the state directory): part of the
  /// transactional.id of every thread's producer under exactly-once.
  const std::string& process_id;
};

enum class thread_state {
  created,
  starting,
  partitions_revoked,
  partitions_assigned,
  running,
  pending_shutdown,
  dead,
};

std::string_view to_string(thread_state s) noexcept;

class stream_thread final : private deserialization_error_sink {
 public:
  /// `on_change` is called (from the thread) after every state change.
  stream_thread(const app_context& app, int index, std::function<void()> on_change);
  ~stream_thread() override;
  stream_thread(const stream_thread&) = delete;
  stream_thread& operator=(const stream_thread&) = delete;

  const std::string& name() const noexcept { return _name; }
  int index() const noexcept { return _index; }
  void start();
  /// Asks the thread to commit, close its tasks and leave the group. Returns at once.
  void request_shutdown() noexcept;
  /// Waits until the thread has ended (state dead) or `deadline`; true if it has.
  bool wait_until_dead(std::chrono::steady_clock::time_point deadline);
  /// Joins the OS thread. REQUIRES: dead.
  void join();
  thread_state state() const noexcept { return _state.load(); }
  /// Why the thread died, or nullptr after a requested shutdown.
  std::exception_ptr error() const;
  thread_metadata metadata() const;

 private:
  struct input_ref {
    stream_task* task;
    std::size_t index;
  };

  void run() noexcept;
  void loop();
  void set_state(thread_state s);
  void create_clients();
  void poll_records();
  bool has_processable_records();
  void handle_message(const rd_kafka_message_s* m);
  void open_created_tasks();
  void restore();
  int process_records();
  std::size_t buffered_bytes() const;
  /// Pauses every partition with buffered records when the thread is over its buffer share.
  void limit_buffers();
  /// Resumes paused partitions of running tasks that may fetch again (see the class comment).
  void resume_drained();
  void punctuate();
  void maybe_commit();
  /// Commits every running task that needs it (all running tasks with `all`). Returns whether
  /// the offsets were committed. Throws streams_error on a failure that ends the thread.
  bool commit(bool all);
  /// Exactly-once: throws away the work since the last commit (see above) and starts again
  /// from the committed offsets; `fatal`: the producer is recreated.
  void recover(const transaction_error& e);
  /// Closes every task — running ones cleanly (checkpoint) with `clean`, after a commit; all of
  /// them without committing otherwise — and forgets the assignment's partitions.
  void close_all_tasks(bool clean);
  void shutdown(bool clean) noexcept;

  friend struct thread_callbacks;  // librdkafka's C callbacks (stream_thread.cc)
  void on_rebalance(bool assigned, rd_kafka_topic_partition_list_s* parts);
  void on_assigned(rd_kafka_topic_partition_list_s* parts);
  void on_revoked();
  void close_task(stream_task& t, bool clean);
  void pause(stream_task::input& in, bool pause);
  void register_lag(const core::topic_partition& tp);
  void unregister_all_lag();
  void update_metrics(bool force);
  void fold_drops(const stream_task& t);
  void publish_metadata();
  bool all_tasks_running() const;

  // deserialization_error_sink
  void on_deserialization_error(const core::topic_partition& tp, core::offset off,
                                const core::record* raw, const std::error_code& ec) override;
  bool keeps_raw_records() const noexcept override;

  const app_context& _app;
  const int _index;
  const std::string _name;
  std::function<void()> _on_change;
  std::thread _thread;

  std::atomic<thread_state> _state{thread_state::created};
  std::atomic<bool> _shutdown{false};
  mutable std::mutex _mutex;  // guards _error, _metadata; with _dead_cv, the end of the thread
  std::condition_variable _dead_cv;
  std::exception_ptr _error;
  thread_metadata _metadata;

  // Owned by the thread while it runs.
  std::unique_ptr<state::record_cache> _cache;
  std::unique_ptr<kafka_record_collector> _collector;
  std::unique_ptr<changelog_reader> _reader;
  kafka_client _consumer;
  /// Sends through `_consumer`; reset before it is destroyed.
  std::unique_ptr<repartition_purger> _purger;
  std::map<dsl::task_id, std::unique_ptr<stream_task>> _tasks;
  std::unordered_map<core::topic_partition, std::vector<input_ref>> _inputs;
  std::exception_ptr _callback_error;
  bool _closing = false;
  const bool _eos;
  /// This thread's share of input.buffer.max.bytes.
  const std::size_t _buffer_limit;
  /// Exactly-once: the producer was recreated (at `_last_recreation`) and nothing has been
  /// committed since.
  bool _recreated_since_commit = false;
  std::chrono::steady_clock::time_point _last_recreation;
  /// Exactly-once: a rebalance callback found the producer unusable; recreate it.
  std::optional<transaction_error> _pending_txn_error;
  std::chrono::steady_clock::time_point _last_commit;
  std::chrono::steady_clock::time_point _last_open_attempt;
  std::chrono::steady_clock::time_point _last_metrics;
  // One-entry cache of the partition lookup: consecutive messages mostly share a partition.
  const void* _last_rkt = nullptr;
  int32_t _last_partition = -1;
  std::vector<input_ref>* _last_refs = nullptr;

  // Metrics (handles into the registry).
  core::counter& _processed;
  core::gauge& _process_rate;
  core::histogram& _commit_latency;
  core::counter& _skipped;
  core::counter& _dead_lettered;
  std::array<core::counter*, 3> _dropped{};
  core::gauge& _active_tasks;
  core::gauge& _restoring_tasks;
  std::map<core::topic_partition, core::gauge*> _lag;
  std::map<dsl::task_id, std::array<int64_t, 3>> _drops_seen;
  uint64_t _processed_at_last_metrics = 0;
  /// Records processed straight from poll (stream_task::process_at_once) not yet counted.
  uint64_t _processed_in_poll = 0;
};

}  // namespace sluice::runtime::detail
