#include "broker/broker_metrics.h"

#include "broker/handlers/handler.h"
#include "broker/storage/log_manager.h"

#include <string_view>

namespace sluice::broker {
namespace {

constexpr std::string_view requests_name = "sluice_broker_requests_total";
constexpr std::string_view errors_name = "sluice_broker_request_errors_total";
constexpr std::string_view latency_name = "sluice_broker_request_latency_seconds";
constexpr std::string_view log_size_name = "sluice_broker_log_size_bytes";
constexpr std::string_view log_start_name = "sluice_broker_log_start_offset";
constexpr std::string_view log_end_name = "sluice_broker_log_end_offset";
constexpr std::string_view groups_name = "sluice_broker_consumer_groups";
constexpr std::string_view members_name = "sluice_broker_consumer_group_members";
constexpr std::string_view committed_name = "sluice_broker_consumer_group_committed_offset";
constexpr std::string_view lag_name = "sluice_broker_consumer_group_lag";

constexpr std::string_view errors_help =
    "Error codes returned per API (one per failed partition or resource), and requests that "
    "closed the connection (MALFORMED_REQUEST).";

core::metric_labels partition_labels(const core::topic_partition& tp) {
  return {{"topic", tp.topic}, {"partition", std::to_string(tp.partition.value())}};
}

/// 100 µs … ~52 s in factors of 2: covers an in-memory metadata answer and a long-poll.
std::vector<double> latency_buckets() { return core::exponential_buckets(0.0001, 2.0, 20); }

}  // namespace

broker_metrics::broker_metrics() {
  for (const auto& entry : handler_table()) {
    auto i = static_cast<size_t>(static_cast<int16_t>(entry.key));
    if (i >= _apis.size()) continue;
    core::metric_labels labels{{"api", std::string(protocol::name(entry.key))}};
    _apis[i].requests = &_registry.register_counter(requests_name, "Requests received per API.", labels);
    _apis[i].latency = &_registry.register_histogram(
        latency_name, "Time from a decoded request to its response, per API (seconds).",
        latency_buckets(), labels);
  }
  _partitions = &_registry.register_gauge("sluice_broker_partitions", "Partitions hosted.");
  _registry.register_gauge_callback("sluice_broker_active_connections", "Open client connections.",
                                    {}, [] { return 0.0; });
  _registry.register_gauge_callback(groups_name, "Consumer groups known to the coordinator.", {},
                                    [] { return 0.0; });
}

void broker_metrics::count_errors(protocol::api_key key,
                                  std::span<const protocol::error_code> errors) {
  for (auto e : errors) {
    if (e == protocol::error_code::none) continue;
    _registry
        .register_counter(errors_name, errors_help,
                          {{"api", std::string(protocol::name(key))},
                           {"error", std::string(protocol::name(e))}})
        .inc();
  }
}

void broker_metrics::count_malformed(protocol::api_key key) {
  _registry
      .register_counter(errors_name, errors_help,
                        {{"api", std::string(protocol::name(key))}, {"error", "MALFORMED_REQUEST"}})
      .inc();
}

const storage::traffic_counters& broker_metrics::traffic_for(const std::string& topic) {
  std::lock_guard lock(_topics_mutex);
  auto it = _topics.find(topic);
  if (it != _topics.end()) return *it->second;
  auto t = std::make_unique<storage::traffic_counters>();
  core::metric_labels labels{{"topic", topic}};
  t->bytes_in = &_registry.register_counter("sluice_broker_topic_bytes_in_total",
                                            "Record batch bytes appended per topic.", labels);
  t->records_in = &_registry.register_counter("sluice_broker_topic_records_in_total",
                                              "Records appended per topic.", labels);
  t->bytes_out = &_registry.register_counter("sluice_broker_topic_bytes_out_total",
                                             "Record batch bytes sent to consumers per topic.",
                                             labels);
  return *_topics.emplace(topic, std::move(t)).first->second;
}

void broker_metrics::partition_added(const std::shared_ptr<storage::partition_log>& log) {
  // Per-topic counters are never unregistered: an in-flight request of a deleted topic may
  // still hold its partition log and count into them.
  log->set_traffic(&traffic_for(log->tp().topic));
  std::weak_ptr<storage::partition_log> weak = log;
  auto labels = partition_labels(log->tp());
  _registry.register_gauge_callback(log_size_name, "Bytes of log on disk per partition.", labels,
                                    [weak] {
                                      auto l = weak.lock();
                                      return l ? static_cast<double>(l->size_bytes()) : 0.0;
                                    });
  _registry.register_gauge_callback(log_start_name, "Log start offset per partition.", labels,
                                    [weak] {
                                      auto l = weak.lock();
                                      return l ? static_cast<double>(l->log_start_offset().value()) : 0.0;
                                    });
  _registry.register_gauge_callback(log_end_name, "Log end offset per partition.", labels, [weak] {
    auto l = weak.lock();
    return l ? static_cast<double>(l->log_end_offset().value()) : 0.0;
  });
  _partitions->add(1);
}

void broker_metrics::partition_removed(const core::topic_partition& tp) {
  auto labels = partition_labels(tp);
  _registry.unregister(log_size_name, labels);
  _registry.unregister(log_start_name, labels);
  _registry.unregister(log_end_name, labels);
  _partitions->sub(1);
}

void broker_metrics::set_connection_source(std::function<int64_t()> read) {
  _registry.register_gauge_callback("sluice_broker_active_connections", "Open client connections.",
                                    {}, [read = std::move(read)] {
                                      return static_cast<double>(read());
                                    });
}

void broker_metrics::set_group_source(group_metrics_source source, const storage::log_manager* logs) {
  std::lock_guard lock(_groups_mutex);
  _group_source = std::move(source);
  _logs = logs;
}

void broker_metrics::refresh_groups() {
  if (!_group_source) return;
  auto groups = _group_source();
  std::map<std::string, std::set<core::metric_labels>> now;
  auto set = [&](std::string_view family, std::string_view help, core::metric_labels labels,
                 double value) {
    _registry.register_gauge(family, help, labels).set(value);
    now[std::string(family)].insert(std::move(labels));
  };
  for (const auto& g : groups) {
    set(members_name, "Members per consumer group.", {{"group", g.group}}, g.members);
    for (const auto& [tp, committed] : g.committed) {
      core::metric_labels labels{{"group", g.group},
                                 {"topic", tp.topic},
                                 {"partition", std::to_string(tp.partition.value())}};
      set(committed_name, "Committed offset per consumer group and partition.", labels,
          static_cast<double>(committed));
      if (_logs == nullptr) continue;
      auto log = _logs->get(tp);
      if (!log || committed < 0) continue;
      // Lag as kafka-consumer-groups prints it: log end offset − committed offset.
      set(lag_name, "Consumer lag (log end offset - committed offset) per group and partition.",
          labels, static_cast<double>(std::max<int64_t>(0, log->log_end_offset().value() - committed)));
    }
  }
  const double count = static_cast<double>(groups.size());
  _registry.register_gauge_callback(groups_name, "Consumer groups known to the coordinator.", {},
                                    [count] { return count; });
  // Series of groups and partitions that disappeared since the last scrape.
  for (const auto& [family, series] : _group_series) {
    for (const auto& labels : series) {
      if (!now[family].contains(labels)) _registry.unregister(family, labels);
    }
  }
  _group_series = std::move(now);
}

std::string broker_metrics::render() {
  std::lock_guard lock(_groups_mutex);
  refresh_groups();
  return _registry.render_prometheus();
}

}  // namespace sluice::broker
