#pragma once
/// `broker_context`: what request handlers share — the logs, the broker's settings, the
/// long-poll registry and the two services the network layer provides (a blocking-work pool for
/// fsync, and timers). Owned by `broker`; outlives every connection. Thread-safe.

#include "broker/storage/log_manager.h"
#include "core/types.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

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

/// Services implemented by the network layer.
class broker_services {
 public:
  virtual ~broker_services() = default;
  /// Runs `fn` on the blocking-work pool (fsync), never on a network thread.
  virtual void run_blocking(std::function<void()> fn) = 0;
  /// Runs `fn` on a network thread after `delay`.
  virtual void run_after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
};

/// Fetches parked in a long-poll register here per partition; an append wakes every waiter of
/// its partition. A waiter is a callback invoked at most once per registration.
class fetch_waiters {
 public:
  using waiter = std::function<void()>;
  void add(const core::topic_partition& tp, std::shared_ptr<waiter> w);
  void notify(const core::topic_partition& tp);

 private:
  std::mutex _mutex;
  std::unordered_map<core::topic_partition, std::vector<std::weak_ptr<waiter>>> _waiters;
};

class broker_context {
 public:
  broker_context(storage::log_manager& logs, broker_settings settings, broker_services& services)
      : _logs(logs), _settings(std::move(settings)), _services(services),
        _produce_responses_to_drop(_settings.test_drop_produce_responses) {}

  storage::log_manager& logs() noexcept { return _logs; }
  const broker_settings& settings() const noexcept { return _settings; }
  broker_services& services() noexcept { return _services; }
  fetch_waiters& waiters() noexcept { return _waiters; }
  /// Test-only fault injection: true (and one fewer left) when this Produce response must be
  /// dropped by closing the connection (see broker_settings::test_drop_produce_responses).
  bool take_produce_response_drop() noexcept {
    int32_t left = _produce_responses_to_drop.load(std::memory_order_relaxed);
    while (left > 0 && !_produce_responses_to_drop.compare_exchange_weak(left, left - 1)) {
    }
    return left > 0;
  }

  /// DescribeConfigs/AlterConfigs state. REQUIRES: attached (the broker does so before serving).
  config_manager& configs() noexcept { return *_configs; }
  void attach_configs(config_manager& c) noexcept { _configs = &c; }
  /// The broker's metrics, or nullptr (contexts built by tests without a broker).
  broker_metrics* metrics() noexcept { return _metrics; }
  void attach_metrics(broker_metrics& m) noexcept { _metrics = &m; }
  /// Consumer groups and committed offsets. REQUIRES: attached (the broker does so before
  /// serving).
  group::group_coordinator& groups() noexcept { return *_groups; }
  void attach_groups(group::group_coordinator& g) noexcept { _groups = &g; }
  /// Producer ids and transactions. REQUIRES: attached (the broker does so before serving).
  txn::transaction_coordinator& transactions() noexcept { return *_transactions; }
  void attach_transactions(txn::transaction_coordinator& t) noexcept { _transactions = &t; }

 private:
  storage::log_manager& _logs;
  broker_settings _settings;
  broker_services& _services;
  fetch_waiters _waiters;
  std::atomic<int32_t> _produce_responses_to_drop;
  config_manager* _configs = nullptr;
  broker_metrics* _metrics = nullptr;
  group::group_coordinator* _groups = nullptr;
  txn::transaction_coordinator* _transactions = nullptr;
};

}  // namespace sluice::broker
