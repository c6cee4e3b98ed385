#pragma once
/// `thread_metrics`: a stream thread's series in the instance's metrics registry.
///
/// | name                                    | type      | labels           |
/// |-----------------------------------------|-----------|------------------|
/// | sluice_streams_records_processed_total  | counter   | thread           |
/// | sluice_streams_process_rate             | gauge     | thread           |
/// | sluice_streams_commit_latency_seconds   | histogram | thread           |
/// | sluice_streams_dropped_records_total    | counter   | thread, reason   |
/// | sluice_streams_active_tasks             | gauge     | thread           |
/// | sluice_streams_restoring_tasks          | gauge     | thread           |
/// | sluice_streams_records_lag              | gauge     | topic, partition |
///
/// (The deserialization handler registers the skipped and dead-letter counters.) Drops are
/// counted by each task's processors; `fold_drops` adds what a task dropped since it was last
/// folded. Lag is end offset minus the position processed, per assigned partition, refreshed
/// by `update` at most once a second.
///
/// Ownership: owned by its stream thread. Thread safety: that thread only (the registry itself
/// is thread-safe for scrapes).

#include "core/metrics.h"
#include "dsl/detail/task.h"
#include "runtime/detail/task_manager.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace sluice::runtime::detail {

class thread_metrics {
 public:
  /// A partition's end offset as the consumer last saw it, or nullopt.
  using end_offset_source = std::function<std::optional<int64_t>(const core::topic_partition&)>;

  thread_metrics(core::metrics_registry& registry, const std::string& thread);
  ~thread_metrics();
  thread_metrics(const thread_metrics&) = delete;
  thread_metrics& operator=(const thread_metrics&) = delete;

  void processed(uint64_t n) { _processed.inc(n); }
  void commit_took(std::chrono::steady_clock::duration d);
  void tasks(std::size_t active, std::size_t restoring);
  /// Adds the records `t` dropped since the last fold.
  void fold_drops(const stream_task& t);
  /// `t` is closed: folds its last drops and forgets it.
  void task_closed(const stream_task& t);
  /// Registers the lag gauges of every task input not registered yet.
  void register_lag(const task_manager& tasks);
  void unregister_lag();
  /// Refreshes the process rate, drops and lag, at most once a second unless `force`.
  void update(const task_manager& tasks, const end_offset_source& end_offset, bool force);

 private:
  core::metrics_registry& _registry;
  core::counter& _processed;
  core::gauge& _process_rate;
  core::histogram& _commit_latency;
  std::array<core::counter*, 3> _dropped{};
  core::gauge& _active_tasks;
  core::gauge& _restoring_tasks;
  std::map<core::topic_partition, core::gauge*> _lag;
  std::map<dsl::task_id, std::array<int64_t, 3>> _drops_seen;
  std::chrono::steady_clock::time_point _last_update;
  uint64_t _processed_at_last_update = 0;
};

}  // namespace sluice::runtime::detail
