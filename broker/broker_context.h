#pragma once
/// `broker_context`: what request handlers share — the logs, the broker's settings, the
/// durable-append path (with the long-poll registry and the scheduler), the configs, metrics
/// and the two coordinators. Owned by `broker`; outlives every connection. Thread-safe.

#include "broker/durable_appender.h"
#include "broker/scheduler.h"
#include "broker/storage/log_manager.h"
#include "core/types.h"

#include <atomic>
#include <cstdint>
#include <string>

namespace sluice::broker {

class config_manager;
class broker_metrics;
namespace group {
class group_coordinator;
}  // namespace group
namespace txn {
class transaction_coordinator;
}  // namespace txn

/// Broker-wide settings handlers need, resolved from the configuration at start-up.
struct broker_settings {
  int32_t node_id = 0;
  std::string cluster_id;
  std::string advertised_host = "127.0.0.1";
  int32_t advertised_port = 9092;
  bool auto_create_topics = true;
  int32_t num_partitions = 1;
  int32_t message_max_bytes = 1024 * 1024 + 12;
  /// fetch.max.bytes: the most record bytes one Fetch response carries, below the request's
  /// own max_bytes.
  int32_t fetch_max_bytes = 2 * 1024 * 1024;
  /// Test-only fault (`sluice.test.drop.produce.responses`): this many Produce requests whose
  /// batches are in the log (appended, or duplicates of batches already there) are answered by
  /// closing the connection after the append and its flush.
  int32_t test_drop_produce_responses = 0;
};

class broker_context {
 public:
  /// Everything is built before the context (the broker's composition root does so), so a
  /// handler never sees a half-built broker. `metrics` may be nullptr (contexts built by tests).
  broker_context(storage::log_manager& logs, broker_settings settings, durable_appender& appends,
                 config_manager& configs, broker_metrics* metrics, group::group_coordinator& groups,
                 txn::transaction_coordinator& transactions)
      : _logs(logs), _settings(std::move(settings)), _appends(appends), _configs(configs),
        _metrics(metrics), _groups(groups), _transactions(transactions),
        _produce_responses_to_drop(_settings.test_drop_produce_responses) {}

  storage::log_manager& logs() noexcept { return _logs; }
  const broker_settings& settings() const noexcept { return _settings; }
  /// The durable-append path (append, wake long-polls, fsync per the flush policy, answer).
  durable_appender& appends() noexcept { return _appends; }
  /// Clock, timers and the blocking pool.
  scheduler& sched() noexcept { return _appends.sched(); }
  fetch_waiters& waiters() noexcept { return _appends.waiters(); }
  /// Test-only fault injection: true (and one fewer left) when this Produce response must be
  /// dropped by closing the connection (see broker_settings::test_drop_produce_responses).
  bool take_produce_response_drop() noexcept {
    int32_t left = _produce_responses_to_drop.load(std::memory_order_relaxed);
    while (left > 0 && !_produce_responses_to_drop.compare_exchange_weak(left, left - 1)) {
    }
    return left > 0;
  }

  /// DescribeConfigs/AlterConfigs state.
  config_manager& configs() noexcept { return _configs; }
  /// The broker's metrics, or nullptr.
  broker_metrics* metrics() noexcept { return _metrics; }
  /// Consumer groups and committed offsets.
  group::group_coordinator& groups() noexcept { return _groups; }
  /// Producer ids and transactions.
  txn::transaction_coordinator& transactions() noexcept { return _transactions; }

 private:
  storage::log_manager& _logs;
  broker_settings _settings;
  durable_appender& _appends;
  config_manager& _configs;
  broker_metrics* _metrics;
  group::group_coordinator& _groups;
  txn::transaction_coordinator& _transactions;
  std::atomic<int32_t> _produce_responses_to_drop;
};

}  // namespace sluice::broker
