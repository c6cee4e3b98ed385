#include "broker/broker.h"

#include "broker/broker_config.h"
#include "broker/broker_context.h"
#include "broker/broker_metrics.h"
#include "broker/config_manager.h"
#include "broker/group/group_coordinator.h"
#include "broker/txn/transaction_coordinator.h"
#include "broker/durable_appender.h"
#include "broker/handlers/dispatcher.h"
#include "broker/net/server.h"
#include "broker/storage/file.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/log_manager.h"
#include "core/http_server.h"
#include "core/log.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <random>
#include <thread>

namespace sluice::broker {
namespace {

/// The broker's HTTP endpoint (`metrics.listen`): GET /metrics (Prometheus text), GET /health.
core::http_server::response serve_http(broker_metrics& metrics, std::string_view path) {
  if (path == "/metrics") {
    return {200, std::string(core::http_server::prometheus_text), metrics.render()};
  }
  if (path == "/health") return {200, "text/plain; charset=utf-8", "ok"};
  return {404, "text/plain; charset=utf-8", "not found: try /metrics or /health\n"};
}

const core::logger& log() {
  static const core::logger instance("broker");
  return instance;
}

/// A cluster id in Kafka's style: 16 random bytes, URL-safe base64 without padding (22 chars).
std::string generate_cluster_id() {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::random_device rd;
  std::string id;
  for (int i = 0; i < 22; ++i) id.push_back(alphabet[rd() % 64]);
  return id;
}

/// The cluster id persists in `<data-dir>/meta.properties` so clients see a stable id.
result<std::string> load_or_create_cluster_id(const std::filesystem::path& dir,
                                              const std::string& configured) {
  auto path = dir / "meta.properties";
  auto existing = storage::read_whole_file(path);
  if (existing) {
    auto text = core::to_string(existing.value());
    auto pos = text.find("cluster.id=");
    if (pos != std::string::npos) {
      auto end = text.find('\n', pos);
      auto id = text.substr(pos + 11, end == std::string::npos ? std::string::npos : end - pos - 11);
      if (!configured.empty() && configured != id) {
        log().error("cluster.id {} does not match {} stored in {}", configured, id, path.string());
        return core::errc::invalid_config;
      }
      return id;
    }
  }
  std::string id = configured.empty() ? generate_cluster_id() : configured;
  SLUICE_TRY(storage::write_file_atomically(path, core::as_bytes("version=1\ncluster.id=" + id + "\n")));
  return id;
}

}  // namespace

struct broker::impl {
  broker_options options;
  std::string cluster_id;
  // Declared before the logs: partition logs point at its counters, so it is destroyed last.
  std::unique_ptr<broker_metrics> metrics;
  std::unique_ptr<storage::log_manager> logs;
  std::unique_ptr<config_manager> configs;
  std::unique_ptr<storage::log_cleaner> cleaner;
  std::unique_ptr<core::http_server> metrics_endpoint;
  std::unique_ptr<net::server> server;
  // Declared after the server: destroyed first, so answers they still hold go before the
  // connections they belong to.
  std::unique_ptr<durable_appender> appends;
  std::unique_ptr<group::group_coordinator> groups;
  std::unique_ptr<txn::transaction_coordinator> transactions;
  std::unique_ptr<broker_context> context;
  std::unique_ptr<dispatcher> requests;
  std::thread housekeeper;
  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  bool stopping = false;
  bool stopped = false;

  void housekeeping_loop();
};

void broker::impl::housekeeping_loop() {
  std::unique_lock lock(stop_mutex);
  auto interval = std::chrono::milliseconds(
      std::min(options.housekeeping_interval_ms, options.retention_check_interval_ms));
  auto next_retention = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(options.retention_check_interval_ms);
  while (!stopping) {
    stop_cv.wait_for(lock, interval);
    if (stopping) break;
    lock.unlock();
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    bool retention = std::chrono::steady_clock::now() >= next_retention;
    if (retention) {
      next_retention = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(options.retention_check_interval_ms);
    }
    if (auto r = logs->housekeeping(now, retention); !r) {
      log().error("housekeeping failed: {}", r.error().message());
    }
    lock.lock();
  }
}

broker::broker(std::unique_ptr<impl> i) : _impl(std::move(i)) {}

broker::~broker() {
  if (auto r = stop(); !r) log().error("shutdown failed: {}", r.error().message());
}

result<std::unique_ptr<broker>> broker::start(broker_options options) {
  if (!options.test_hooks && options.test_drop_produce_responses != 0) {
    log().error("a test hook (sluice.test.drop.produce.responses) without test hooks enabled");
    return std::make_error_code(std::errc::invalid_argument);
  }
  if (options.test_hooks) log().warn("test hooks enabled: faults are injected on purpose");
  auto i = std::make_unique<impl>();
  i->options = options;
  std::error_code ec;
  std::filesystem::create_directories(options.data_dir, ec);
  if (ec) return ec;
  SLUICE_TRY(auto cluster_id, load_or_create_cluster_id(options.data_dir, options.cluster_id));
  i->cluster_id = std::move(cluster_id);
  i->metrics = std::make_unique<broker_metrics>();
  SLUICE_TRY(auto logs, storage::log_manager::open(options.data_dir, options.log));
  i->logs = std::move(logs);
  {
    auto* m = i->metrics.get();
    i->logs->set_partition_listener(
        {[m](const std::shared_ptr<storage::partition_log>& l) { m->partition_added(l); },
         [m](const core::topic_partition& tp) { m->partition_removed(tp); }});
  }
  // Dynamic broker configs persisted by an earlier run apply before anything is served.
  SLUICE_TRY(auto configs, config_manager::open(options.data_dir, to_properties(options),
                                                options.node_id, *i->logs));
  i->configs = std::move(configs);

  net::server_options so;
  so.host = options.host;
  so.port = options.port;
  so.network_threads = options.network_threads;
  so.max_request_bytes = options.max_request_bytes;
  so.max_connections = options.max_connections;
  so.connections_max_idle_ms = options.connections_max_idle_ms;
  auto* raw = i.get();
  i->server = std::make_unique<net::server>(
      so, [raw](bytes_view frame, const std::string& peer, std::function<void(net::frame_result)> done) {
        raw->requests->dispatch(frame, peer, std::move(done));
      });

  broker_settings settings;
  settings.node_id = options.node_id;
  settings.cluster_id = i->cluster_id;
  settings.advertised_host = options.advertised_host.empty() ? options.host : options.advertised_host;
  settings.auto_create_topics = options.auto_create_topics;
  settings.num_partitions = options.num_partitions;
  settings.message_max_bytes = options.log.max_message_bytes;
  settings.fetch_max_bytes = options.fetch_max_bytes;
  settings.test_drop_produce_responses = options.test_drop_produce_responses;
  // Bind first (the advertised port may be the one the kernel picked), build the context, and
  // only then accept: no request can see a half-built broker.
  SLUICE_TRY(i->server->bind());
  settings.advertised_port = options.advertised_port != 0 ? options.advertised_port : i->server->port();
  // The coordinators, then the context that hands them to handlers, then the dispatcher: each
  // is complete before anything can reach it.
  i->appends = std::make_unique<durable_appender>(i->server->scheduler());
  // Rebuild groups and committed offsets from __consumer_offsets before the first request.
  SLUICE_TRY(auto groups, group::group_coordinator::open(*i->logs, *i->appends, options.groups));
  i->groups = std::move(groups);
  // Producer ids and transactions: replays __transaction_state and finishes every transaction a
  // crash left between its decision and its markers, before the first request.
  SLUICE_TRY(auto transactions,
             txn::transaction_coordinator::open(*i->logs, *i->appends, *i->groups, options.data_dir,
                                                options.transactions));
  i->transactions = std::move(transactions);
  i->context = std::make_unique<broker_context>(*i->logs, settings, *i->appends, *i->configs,
                                                i->metrics.get(), *i->groups, *i->transactions);
  i->requests = std::make_unique<dispatcher>(*i->context, *i->metrics);
  // Group count, members and committed offsets (lag) at each scrape, from the coordinator.
  i->metrics->set_group_source(
      [g = i->groups.get()] {
        std::vector<group_metrics_snapshot> out;
        for (auto& s : g->snapshot()) {
          out.push_back({std::move(s.group_id), static_cast<int32_t>(s.members), std::move(s.committed)});
        }
        return out;
      },
      i->logs.get());
  {
    auto* server = i->server.get();
    i->metrics->set_connection_source([server] { return server->active_connections(); });
  }
  if (options.metrics_listen) {
    SLUICE_TRY(auto endpoint, core::http_server::serve(*options.metrics_listen, "sluice-broker",
                                                       [m = i->metrics.get()](std::string_view path) {
                                                         return serve_http(*m, path);
                                                       }));
    i->metrics_endpoint = std::move(endpoint);
  }
  if (options.cleaner_enable) {
    storage::cleaner_options co;
    co.backoff_ms = options.cleaner_backoff_ms;
    co.dedupe_buffer_bytes = options.cleaner_dedupe_buffer_bytes;
    i->cleaner = std::make_unique<storage::log_cleaner>(*i->logs, std::move(co));
    i->cleaner->start();
  }
  i->server->run();
  i->housekeeper = std::thread([raw] { raw->housekeeping_loop(); });
  log().info("sluice-broker node {} of cluster {} serving on {}:{} with data in {}",
             options.node_id, i->cluster_id, options.host, i->server->port(),
             options.data_dir.string());
  return std::unique_ptr<broker>(new broker(std::move(i)));
}

uint16_t broker::port() const noexcept { return _impl->server->port(); }

std::string broker::bootstrap() const {
  return _impl->context->settings().advertised_host + ":" + std::to_string(port());
}

const std::string& broker::cluster_id() const noexcept { return _impl->cluster_id; }

uint16_t broker::metrics_port() const noexcept {
  return _impl->metrics_endpoint ? _impl->metrics_endpoint->port() : 0;
}

broker_metrics& broker::metrics() noexcept { return *_impl->metrics; }

storage::log_manager& broker::logs() noexcept { return *_impl->logs; }

storage::log_cleaner* broker::cleaner() noexcept { return _impl->cleaner.get(); }

result<void> broker::stop() {
  if (!_impl || _impl->stopped) return core::success();
  _impl->stopped = true;
  {
    std::lock_guard lock(_impl->stop_mutex);
    _impl->stopping = true;
  }
  _impl->stop_cv.notify_all();
  if (_impl->housekeeper.joinable()) _impl->housekeeper.join();
  if (_impl->cleaner) _impl->cleaner->stop();
  _impl->metrics_endpoint.reset();
  _impl->server->stop();
  if (_impl->transactions) _impl->transactions->shutdown();
  if (_impl->groups) _impl->groups->shutdown();
  return _impl->logs->shutdown();
}

}  // namespace sluice::broker
