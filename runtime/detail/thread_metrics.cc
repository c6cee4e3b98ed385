#include "runtime/detail/thread_metrics.h"

#include <algorithm>

namespace sluice::runtime::detail {
namespace {

using steady = std::chrono::steady_clock;

constexpr auto update_interval = std::chrono::seconds(1);

constexpr std::array<dsl::drop_reason, 3> drop_reasons{
    dsl::drop_reason::late, dsl::drop_reason::null_key_or_value,
    dsl::drop_reason::invalid_timestamp};
constexpr std::array<const char*, 3> drop_reason_names{"late", "null_key_or_value",
                                                       "invalid_timestamp"};

core::metric_labels lag_labels(const core::topic_partition& tp) {
  return {{"topic", tp.topic}, {"partition", std::to_string(tp.partition.value())}};
}

}  // namespace

thread_metrics::thread_metrics(core::metrics_registry& registry, const std::string& thread)
    : _registry(registry),
      _processed(registry.register_counter("sluice_streams_records_processed_total",
                                           "Records processed by the thread's tasks.",
                                           {{"thread", thread}})),
      _process_rate(registry.register_gauge("sluice_streams_process_rate",
                                            "Records processed per second over the last second.",
                                            {{"thread", thread}})),
      _commit_latency(registry.register_histogram(
          "sluice_streams_commit_latency_seconds",
          "Duration of a commit: flush stores, flush the producer, commit offsets, checkpoint.",
          core::exponential_buckets(0.001, 2, 16), {{"thread", thread}})),
      _active_tasks(registry.register_gauge("sluice_streams_active_tasks", "Tasks owned by the thread.",
                                            {{"thread", thread}})),
      _restoring_tasks(registry.register_gauge("sluice_streams_restoring_tasks",
                                               "Tasks of the thread still restoring their state.",
                                               {{"thread", thread}})),
      _last_update(steady::now()) {
  for (std::size_t i = 0; i < drop_reasons.size(); ++i) {
    _dropped[i] = &registry.register_counter(
        "sluice_streams_dropped_records_total",
        "Records dropped by processors: late (window closed), null key or value, invalid "
        "timestamp.",
        {{"thread", thread}, {"reason", drop_reason_names[i]}});
  }
}

thread_metrics::~thread_metrics() { unregister_lag(); }

void thread_metrics::commit_took(steady::duration d) {
  _commit_latency.observe(std::chrono::duration<double>(d).count());
}

void thread_metrics::tasks(std::size_t active, std::size_t restoring) {
  _active_tasks.set(static_cast<double>(active));
  _restoring_tasks.set(static_cast<double>(restoring));
}

void thread_metrics::fold_drops(const stream_task& t) {
  auto& seen = _drops_seen[t.id()];
  for (std::size_t i = 0; i < drop_reasons.size(); ++i) {
    const int64_t now = t.metrics().dropped_total(drop_reasons[i]);
    if (now > seen[i]) _dropped[i]->inc(static_cast<uint64_t>(now - seen[i]));
    seen[i] = now;
  }
}

void thread_metrics::task_closed(const stream_task& t) {
  fold_drops(t);
  _drops_seen.erase(t.id());
}

void thread_metrics::register_lag(const task_manager& tasks) {
  for (const auto& [id, t] : tasks.tasks()) {
    for (const auto& in : t->inputs()) {
      if (_lag.contains(in.tp)) continue;
      _lag[in.tp] = &_registry.register_gauge(
          "sluice_streams_records_lag",
          "Records in the partition after the last one processed (end offset - position).",
          lag_labels(in.tp));
    }
  }
}

void thread_metrics::unregister_lag() {
  for (const auto& [tp, g] : _lag) _registry.unregister("sluice_streams_records_lag", lag_labels(tp));
  _lag.clear();
}

void thread_metrics::update(const task_manager& tasks, const end_offset_source& end_offset, bool force) {
  const auto now = steady::now();
  const auto elapsed = now - _last_update;
  if (!force && elapsed < update_interval) return;
  _last_update = now;
  const uint64_t processed = _processed.value();
  const double secs = std::chrono::duration<double>(elapsed).count();
  if (secs > 0) _process_rate.set(static_cast<double>(processed - _processed_at_last_update) / secs);
  _processed_at_last_update = processed;
  for (const auto& [id, t] : tasks.tasks()) {
    const auto s = t->current_state();
    if (s == stream_task::state::closed) continue;
    if (s == stream_task::state::running || s == stream_task::state::suspended) fold_drops(*t);
    for (const auto& in : t->inputs()) {
      auto g = _lag.find(in.tp);
      if (g == _lag.end()) continue;
      const auto high = end_offset(in.tp);
      if (!high || *high < 0) continue;
      const int64_t position = in.processed_next >= 0 ? in.processed_next : in.committed_next;
      if (position >= 0) g->second->set(static_cast<double>(std::max<int64_t>(0, *high - position)));
    }
  }
}

}  // namespace sluice::runtime::detail
