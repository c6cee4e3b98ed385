#pragma once
/// `broker_metrics`: every metric the broker exports, on a `core::metrics_registry`, and the
/// cheap handles the request path updates. The HTTP endpoint (net/metrics_server.h) serves
/// `render()`.
///
/// | metric                                              | type      | labels                  |
/// |-----------------------------------------------------|-----------|-------------------------|
/// | sluice_broker_requests_total                        | counter   | api                     |
/// | sluice_broker_request_errors_total                  | counter   | api, error              |
/// | sluice_broker_request_latency_seconds               | histogram | api                     |
/// | sluice_broker_active_connections                    | gauge     |                         |
/// | sluice_broker_partitions                            | gauge     |                         |
/// | sluice_broker_topic_bytes_in_total                  | counter   | topic                   |
/// | sluice_broker_topic_records_in_total                | counter   | topic                   |
/// | sluice_broker_topic_bytes_out_total                 | counter   | topic                   |
/// | sluice_broker_log_size_bytes                        | gauge     | topic, partition        |
/// | sluice_broker_log_start_offset                      | gauge     | topic, partition        |
/// | sluice_broker_log_end_offset                        | gauge     | topic, partition        |
/// | sluice_broker_consumer_groups                       | gauge     |                         |
/// | sluice_broker_consumer_group_members                | gauge     | group                   |
/// | sluice_broker_consumer_group_committed_offset       | gauge     | group, topic, partition |
/// | sluice_broker_consumer_group_lag                    | gauge     | group, topic, partition |
///
/// Errors count the non-zero error codes a handler reports in `reply::errors` (one per failed
/// partition or resource), with the Kafka error name, plus `error="MALFORMED_REQUEST"` for
/// requests that closed the connection. Latency runs from the decoded frame to the response
/// (long-polls included).
///
/// Hot path: `api()` is an array index, the per-topic counters hang on the partition log
/// (`partition_log::traffic()`), so a request updates atomics and never looks anything up.
/// Error series are registered on first use (a registry lookup, on the error path only).
///
/// Group metrics come from the group coordinator through `set_group_source`: a callback that
/// returns a snapshot per group; lag is computed here as log end offset − committed offset. The
/// callback runs on the scraping thread with no broker lock held.
///
/// Threads: everything is thread-safe. Owned by `broker`; outlives the logs and the server.

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "broker/storage/partition_log.h"
#include "core/metrics.h"
#include "core/types.h"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace sluice::broker {

namespace storage {
class log_manager;
}

/// One consumer group as the group coordinator reports it to the metrics.
struct group_metrics_snapshot {
  std::string group;
  int32_t members = 0;
  /// Committed offsets of the group, per partition.
  std::vector<std::pair<core::topic_partition, int64_t>> committed;
};

/// Called at each scrape; returns every group. Must be thread-safe and must not throw.
using group_metrics_source = std::function<std::vector<group_metrics_snapshot>()>;

class broker_metrics {
 public:
  /// Per-API handles.
  struct api_handles {
    core::counter* requests = nullptr;
    core::histogram* latency = nullptr;  ///< seconds
  };

  broker_metrics();
  broker_metrics(const broker_metrics&) = delete;
  broker_metrics& operator=(const broker_metrics&) = delete;

  core::metrics_registry& registry() noexcept { return _registry; }

  /// The handles of an API the broker serves, or nullptr.
  const api_handles* api(protocol::api_key key) const noexcept {
    auto i = static_cast<size_t>(static_cast<int16_t>(key));
    return i < _apis.size() && _apis[i].requests != nullptr ? &_apis[i] : nullptr;
  }
  /// Counts the error codes of one response (slow path: registers series on first use).
  void count_errors(protocol::api_key key, std::span<const protocol::error_code> errors);
  /// Counts a request that closed its connection (malformed or unsupported).
  void count_malformed(protocol::api_key key);

  /// Registers a partition's gauges and hangs its topic's traffic counters on it. Called from
  /// log_manager's partition listener.
  void partition_added(const std::shared_ptr<storage::partition_log>& log);
  void partition_removed(const core::topic_partition& tp);

  /// The connection count the server reports.
  void set_connection_source(std::function<int64_t()> read);
  /// The group coordinator's snapshot; `logs` gives the log end offsets for lag.
  void set_group_source(group_metrics_source source, const storage::log_manager* logs);

  /// Refreshes the group series and renders everything (Prometheus text format 0.0.4).
  std::string render();

 private:
  const storage::traffic_counters& traffic_for(const std::string& topic);
  void refresh_groups();

  core::metrics_registry _registry;
  std::array<api_handles, 128> _apis{};
  core::gauge* _partitions = nullptr;

  std::mutex _topics_mutex;
  std::map<std::string, std::unique_ptr<storage::traffic_counters>, std::less<>> _topics;

  std::mutex _groups_mutex;  ///< refresh + render, and the source
  group_metrics_source _group_source;
  const storage::log_manager* _logs = nullptr;
  std::map<std::string, std::set<core::metric_labels>> _group_series;  ///< by family
};

}  // namespace sluice::broker
