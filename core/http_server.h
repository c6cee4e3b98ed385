#pragma once
/// `http_server`: the one HTTP/1.1 server of the project, for operational endpoints — the
/// broker's `metrics.listen` and a worker's `--http` (`/metrics` in Prometheus text, `/health`).
/// Not a general web server: GET and HEAD only (anything else: 405 with `Allow: GET, HEAD`),
/// the query string is dropped before the handler sees the path, bodies are produced whole by
/// the handler. Keep-alive is honoured; a connection idle for 30 s, or a malformed request,
/// closes that connection only. A handler that throws answers 500 with the exception's text.
///
/// Threads: its own `io_context` on one thread (SIGPIPE blocked there), apart from any Kafka
/// listener or stream thread, so a scrape never competes with client traffic. The handler runs
/// on that thread, one request at a time, so it must be safe to call concurrently with the
/// rest of the program (metrics registries are).
///
/// Boost.Beast stays inside http_server.cc.
/// Lifecycle: `serve()` binds and starts; the destructor stops and joins the thread.

#include "core/error.h"
#include "core/host_port.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::core {

class http_server {
 public:
  struct response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
  };
  /// Gets the request target's path, query string removed.
  using handler = std::function<response(std::string_view path)>;

  /// The content type of the Prometheus text exposition format (0.0.4).
  static constexpr std::string_view prometheus_text = "text/plain; version=0.0.4; charset=utf-8";

  /// Binds `listen` (port 0: any free port) and starts serving; `name` goes in the `Server`
  /// header and the log. Fails with the system error if the address is invalid or taken.
  static result<std::unique_ptr<http_server>> serve(const host_port& listen, std::string name,
                                                    handler h);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// The bound port.
  uint16_t port() const noexcept;

 private:
  struct impl;
  explicit http_server(std::unique_ptr<impl> i);
  std::unique_ptr<impl> _impl;
};

}  // namespace sluice::core
