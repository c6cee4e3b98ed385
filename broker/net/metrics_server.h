#pragma once
/// `metrics_server`: the broker's HTTP endpoint (`metrics.listen`). Serves
///   GET /metrics  → 200, Prometheus text format 0.0.4 (whatever `render` returns)
///   GET /health   → 200 "ok"
/// anything else → 404 (unknown path) or 405 (not GET/HEAD). HTTP/1.1 with keep-alive; a
/// connection idle for 30 s is closed.
///
/// Threads: its own `io_context` on one thread, apart from the Kafka listener, so a scrape
/// never competes with client traffic for a network thread. `render` is called on that thread.
/// Boost.Beast stays inside metrics_server.cc.
/// Lifecycle: construct, `start()` (binds and serves), `stop()` (idempotent; also the
/// destructor).

#include "core/error.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace sluice::broker::net {

class metrics_server {
 public:
  metrics_server(std::string host, uint16_t port, std::function<std::string()> render);
  ~metrics_server();
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  /// Binds `host:port` (0 = any free port) and starts serving.
  result<void> start();
  /// The bound port. REQUIRES: start() succeeded.
  uint16_t port() const noexcept;
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> _impl;
};

}  // namespace sluice::broker::net
