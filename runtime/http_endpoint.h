#pragma once
/// `http_endpoint`: a deliberately small HTTP/1.1 server (Boost.Beast) for a worker's
/// `/metrics` (Prometheus text) and `/health` — GET only, one request per connection, bodies
/// produced by a handler. Not a general web server.
///
/// Runs on one background thread of its own; the handler is called there, one request at a
/// time, so it must be thread-safe with respect to what it reads (metrics registries and
/// `streams::state()` are). Requests slower than 10 s are dropped; other methods get 405.
///
/// Lifecycle: serving from construction to destruction.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace sluice::runtime {

class http_endpoint {
 public:
  struct response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
  };
  /// Gets the request target's path (query string removed).
  using handler = std::function<response(std::string_view path)>;

  /// Binds `host:port` (port 0: any free port) and starts serving. Throws streams_error if the
  /// address cannot be bound.
  http_endpoint(const std::string& host, uint16_t port, handler h);
  ~http_endpoint();
  http_endpoint(const http_endpoint&) = delete;
  http_endpoint& operator=(const http_endpoint&) = delete;

  /// The bound port.
  uint16_t port() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> _impl;
};

}  // namespace sluice::runtime
