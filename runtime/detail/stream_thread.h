#pragma once
/// `stream_thread`: one of a `streams` instance's `num.stream.threads` threads. It owns a
/// librdkafka consumer (manually assigned its tasks' partitions), a producer
/// (`kafka_record_collector`), a restore consumer (`changelog_reader`), its share of the record
/// cache, and its tasks; every processor, punctuator and store of its tasks runs on it.
///
/// The loop:
///
///     take a new task assignment from the inbox ─▶ poll the consumer ─▶ buffer records per
///     task partition ─▶ restore a slice of changelog records ─▶ process records by lowest
///     timestamp ─▶ wall-clock punctuation ─▶ commit every commit.interval.ms ─▶ metrics
///
/// Assignment. The instance's group member (`streams_membership`) decides which tasks the
/// thread runs and posts them to its `task_inbox`. A change is applied incrementally (KIP-429):
/// tasks that stay keep processing; if some go, the thread commits, closes them and gives up
/// their partitions (`rd_kafka_incremental_unassign`); new tasks get their partitions at the
/// committed offsets (`rd_kafka_incremental_assign`), open their stores and restore before they
/// process (their partitions stay paused meanwhile). Then the thread tells the inbox the
/// change is applied. Commits are fenced by the member's generation: when the instance fell
/// out of the group the commit fails, and the thread closes every task without committing and
/// starts its new set from the committed offsets.
///
/// Parts it owns, each its own class: `client_factory` (every librdkafka client and the
/// transactional id), `task_manager` (tasks and partition routing), `back_pressure` (when
/// partitions pause), `deserialization_error_handler` (bad records), `thread_metrics`.
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
/// failure, a deserialization error under log-and-fail — closes its tasks without committing
/// and ends the thread in `dead` with `error()` set; the owning `streams`
/// hands it to the uncaught-error handler.
///
/// Thread safety: constructed, started, asked to stop and queried (`state`, `metadata`,
/// `error`) from any thread; everything else runs on the thread itself.

#include "core/metrics.h"
#include "dsl/topology.h"
#include "runtime/detail/back_pressure.h"
#include "runtime/detail/changelog_reader.h"
#include "runtime/detail/client_factory.h"
#include "runtime/detail/deserialization_error_handler.h"
#include "runtime/detail/kafka_record_collector.h"
#include "runtime/detail/repartition_purger.h"
#include "runtime/detail/streams_membership.h"
#include "runtime/detail/stream_task.h"
#include "runtime/detail/task_manager.h"
#include "runtime/detail/thread_metrics.h"
#include "runtime/detail/topic_manager.h"
#include "runtime/metadata.h"
#include "runtime/streams_config.h"
#include "state/record_cache.h"
#include "state/rocksdb_resources.h"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

struct rd_kafka_error_s;

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
  /// The instance's group member: commits are made under its membership.
  streams_membership& membership;
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

class stream_thread final : private partition_control, private offset_committer {
 public:
  /// `on_change` is called (from the thread) after every state change; `inbox` is where the
  /// membership posts the thread's tasks.
  stream_thread(const app_context& app, int index, std::shared_ptr<task_inbox> inbox, std::function<void()> on_change);
  ~stream_thread() override;
  stream_thread(const stream_thread&) = delete;
  stream_thread& operator=(const stream_thread&) = delete;

  const std::string& name() const noexcept { return _name; }
  int index() const noexcept { return _index; }
  const std::shared_ptr<task_inbox>& inbox() const noexcept { return _inbox; }
  void start();
  /// Asks the thread to commit and close its tasks. Returns at once.
  void request_shutdown() noexcept;
  /// Waits until the thread has ended (state dead) or `deadline`; true if it has.
  bool wait_until_dead(std::chrono::steady_clock::time_point deadline);
  /// Joins the OS thread. REQUIRES: dead.
  void join();
  thread_state state() const noexcept { return _state.load(); }
  /// Runs `read` on this thread against its tasks, between two processing turns (at-least-once)
  /// or right after a commit (exactly-once: the stores hold exactly the committed state), and
  /// waits for it. Exceptions `read` throws reach the caller. Throws invalid_state_store
  /// (unavailable) if the thread ends or does not answer within `timeout`. From any thread but
  /// this one.
  void query(const std::function<void(task_manager&)>& read, std::chrono::milliseconds timeout);
  /// Why the thread died, or nullptr after a requested shutdown.
  std::exception_ptr error() const;
  thread_metadata metadata() const;

 private:
  void run() noexcept;
  void loop();
  void set_state(thread_state s);
  void create_clients();
  void poll_records();
  void handle_message(const rd_kafka_message_s* m);
  void open_created_tasks();
  void restore();
  int process_records();
  void maybe_commit();
  /// Commits every running task that needs it (all running tasks with `all`). Returns whether
  /// the offsets were committed. Throws streams_error on a failure that ends the thread.
  bool commit(bool all);
  /// Exactly-once: throws away the work since the last commit (see above) and starts again
  /// from the committed offsets; `fatal`: the producer is recreated.
  void recover(const transaction_error& e);
  void close_all_tasks(bool clean);
  void update_metrics(bool force);
  /// Answers the waiting queries (see `query`); `fail`: with invalid_state_store (unavailable).
  void answer_queries(bool fail);
  void shutdown(bool clean) noexcept;

  /// Applies a new task set from the inbox, if one was posted (`change_tasks`), and says so.
  void apply_assignment();
  /// Makes `want` the thread's tasks: incrementally, or all anew the first time and after a
  /// failed commit.
  void change_tasks(const std::set<dsl::task_id>& want);
  /// Throws streams_error ("cannot <what>") for an incremental (un)assign that failed.
  void check_incremental(rd_kafka_error_s* error, std::string_view what) const;
  /// Takes `parts` as the whole assignment (committed offsets, then every task anew or resumed).
  void on_assigned(rd_kafka_topic_partition_list_s* parts);
  /// Adds `parts` to the assignment and creates their tasks (committed offsets).
  void add_partitions(rd_kafka_topic_partition_list_s* parts);
  /// The committed offsets of `parts` (written into it), else the reset policy's logical offset.
  std::map<core::topic_partition, int64_t> start_offsets(rd_kafka_topic_partition_list_s* parts);
  /// Commits every running task before some are revoked; false if that failed (they are then
  /// closed dirty). Throws what the commit throws under at-least-once.
  bool commit_before_revocation();
  /// Suspends (`committed`) or closes every task and empties the consumer's assignment
  /// (exactly-once and not committed: the open transaction is aborted).
  void revoke_all(bool committed);
  void on_revoked();
  void publish_metadata();

  // partition_control, over the consumer
  bool pause(const core::topic_partition& tp, bool paused) override;
  // offset_committer, over the producer and the consumer
  bool commit_offsets(const std::vector<std::pair<core::topic_partition, int64_t>>& offsets) override;

  const app_context& _app;
  const int _index;
  const std::string _name;
  const std::shared_ptr<task_inbox> _inbox;
  std::function<void()> _on_change;
  std::thread _thread;

  std::atomic<thread_state> _state{thread_state::created};
  std::atomic<bool> _shutdown{false};
  mutable std::mutex _mutex;  // guards _error, _metadata; with _dead_cv, the end of the thread
  std::condition_variable _dead_cv;
  std::exception_ptr _error;
  thread_metadata _metadata;
  /// Interactive queries waiting for the thread (guarded by _mutex).
  struct pending_query;
  std::vector<std::shared_ptr<pending_query>> _queries;
  std::atomic<bool> _has_queries{false};
  bool _ended = false;  ///< no more queries are answered (guarded by _mutex)

  const bool _eos;
  const client_factory _clients;
  thread_metrics _metrics;
  deserialization_error_handler _bad_records;
  const back_pressure _pressure;
  task_manager _tasks;

  // Owned by the thread while it runs.
  std::unique_ptr<state::record_cache> _cache;
  std::unique_ptr<kafka_record_collector> _collector;
  std::unique_ptr<changelog_reader> _reader;
  kafka_client _consumer;
  /// Sends through `_consumer`; reset before it is destroyed.
  std::unique_ptr<repartition_purger> _purger;
  /// The tasks the thread runs (the last set taken from the inbox), once it got one.
  std::optional<std::set<dsl::task_id>> _assigned;
  /// Exactly-once: the producer was recreated (at `_last_recreation`) and nothing has been
  /// committed since.
  bool _recreated_since_commit = false;
  std::chrono::steady_clock::time_point _last_recreation;
  /// Exactly-once: a rebalance callback found the producer unusable; recreate it.
  std::optional<transaction_error> _pending_txn_error;
  std::chrono::steady_clock::time_point _last_commit;
  std::chrono::steady_clock::time_point _last_open_attempt;
  // One-entry cache of the partition lookup: consecutive messages mostly share a partition.
  const void* _last_rkt = nullptr;
  int32_t _last_partition = -1;
  const std::vector<task_manager::input_ref>* _last_refs = nullptr;
  uint64_t _last_routing = 0;
  /// Records processed straight from poll (stream_task::process_at_once) not yet counted.
  uint64_t _processed_in_poll = 0;
};

}  // namespace sluice::runtime::detail
