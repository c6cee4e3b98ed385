#pragma once
/// `broker`: a whole `sluice-broker` in one object — the data directory's logs, the Kafka
/// protocol handlers and the TCP server, plus the housekeeping timer (retention, time-based
/// flushes, checkpoints). Tests and the embedded-broker launcher start one in-process on port 0
/// and read `bootstrap()`; `sluice-broker`'s main does the same with its command line.
///
/// Threads: `start`/`stop` from one controlling thread; everything else is internal.
/// Lifecycle: `start` → serve → `stop` (flushes, writes the clean-shutdown marker). The
/// destructor stops a running broker.

#include "broker/group/coordinator_config.h"
#include "broker/storage/partition_log.h"
#include "broker/txn/txn_config.h"
#include "core/error.h"
#include "core/host_port.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace sluice::broker {

class broker_metrics;
namespace storage {
class log_cleaner;
class log_manager;
}  // namespace storage

struct broker_options {
  std::string host = "127.0.0.1";
  uint16_t port = 9092;  ///< 0 = any free port
  std::filesystem::path data_dir = "data";
  int32_t node_id = 0;
  std::string cluster_id;  ///< empty = generated once and stored in the data directory
  std::string advertised_host;  ///< empty = `host`
  int32_t advertised_port = 0;  ///< 0 = the bound port
  bool auto_create_topics = true;
  int32_t num_partitions = 1;
  int64_t max_request_bytes = 100 * 1024 * 1024;
  int64_t max_connections = 1000;
  /// connections.max.idle.ms: a connection with no bytes moving either way and no request in
  /// progress for this long is closed (a half-sent frame counts as idle).
  int64_t connections_max_idle_ms = 600000;
  int network_threads = 2;
  /// fetch.max.bytes: the most record bytes one Fetch response carries (the client's own limit
  /// applies too; a first batch larger than both still goes out whole, KIP-74).
  int32_t fetch_max_bytes = 2 * 1024 * 1024;
  /// How often time-based flushes are checked; retention runs every
  /// `retention_check_interval_ms` (log.retention.check.interval.ms).
  int64_t housekeeping_interval_ms = 1000;
  int64_t retention_check_interval_ms = 300000;
  storage::log_config log;  ///< broker-wide log defaults (segment, retention, flush, message size)
  group::coordinator_config groups;  ///< group coordinator (group.*, offsets.topic.*, offset.*)
  txn::txn_config transactions;  ///< transaction coordinator (transaction.*)
  /// The log cleaner (compaction): log.cleaner.enable, .backoff.ms, .dedupe.buffer.size.
  bool cleaner_enable = true;
  int64_t cleaner_backoff_ms = 15000;
  int64_t cleaner_dedupe_buffer_bytes = 128LL * 1024 * 1024;
  /// metrics.listen: where the HTTP /metrics and /health endpoint listens; nullopt = off.
  std::optional<core::host_port> metrics_listen;
  /// Test hooks (fault injection) are honoured only when this is set; `start` refuses a fault
  /// without it. Never set by configuration keys: see `test_hook_config_def()`.
  bool test_hooks = false;
  /// Test hook (sluice.test.drop.produce.responses): the next N Produce requests whose
  /// batches are in the log (appended, or duplicates of batches already there) get their
  /// connection closed instead of a response, after the append and its flush, so that clients
  /// retry batches already written.
  int32_t test_drop_produce_responses = 0;
};

class broker {
 public:
  /// Opens the data directory (recovering it if needed), binds and starts serving.
  static result<std::unique_ptr<broker>> start(broker_options options);
  ~broker();
  broker(const broker&) = delete;
  broker& operator=(const broker&) = delete;

  uint16_t port() const noexcept;
  /// "host:port" for clients' bootstrap.servers.
  std::string bootstrap() const;
  const std::string& cluster_id() const noexcept;
  /// The port of the metrics endpoint (`metrics.listen`), or 0 when it is off.
  uint16_t metrics_port() const noexcept;
  /// The broker's metrics; the group coordinator feeds its snapshot through
  /// `metrics().set_group_source(...)`.
  broker_metrics& metrics() noexcept;
  /// The logs, for tests and embedding.
  storage::log_manager& logs() noexcept;
  /// The log cleaner, or nullptr when log.cleaner.enable=false.
  storage::log_cleaner* cleaner() noexcept;
  /// Stops serving, flushes every log and writes the clean-shutdown marker. Idempotent.
  result<void> stop();

 private:
  struct impl;
  explicit broker(std::unique_ptr<impl> i);
  std::unique_ptr<impl> _impl;
};

}  // namespace sluice::broker
