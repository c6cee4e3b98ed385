#include "broker/net/metrics_server.h"
#include "broker/net/peer_signals.h"

#include "core/log.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <chrono>
#include <thread>

namespace sluice::broker::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace {

const core::logger& log() {
  static const core::logger instance("broker.metrics");
  return instance;
}

constexpr auto idle_timeout = std::chrono::seconds(30);

http::response<http::string_body> answer(const http::request<http::string_body>& req,
                                         const std::function<std::string()>& render) {
  http::response<http::string_body> res;
  res.version(req.version());
  res.keep_alive(req.keep_alive());
  res.set(http::field::server, "sluice-broker");
  auto target = std::string_view(req.target().data(), req.target().size());
  if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    res.result(http::status::method_not_allowed);
    res.set(http::field::allow, "GET, HEAD");
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "method not allowed\n";
  } else if (target == "/metrics") {
    res.result(http::status::ok);
    res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    res.body() = render();
  } else if (target == "/health") {
    res.result(http::status::ok);
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "ok";
  } else {
    res.result(http::status::not_found);
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.body() = "not found: try /metrics or /health\n";
  }
  res.prepare_payload();
  if (req.method() == http::verb::head) res.body().clear();
  return res;
}

}  // namespace

struct metrics_server::impl {
  impl(std::string h, uint16_t p, std::function<std::string()> r)
      : host(std::move(h)), port(p), render(std::move(r)), acceptor(io) {}

  awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      stream.expires_after(idle_timeout);
      http::request<http::string_body> req;
      auto [rec, n] = co_await http::async_read(stream, buffer, req, asio::as_tuple(use_awaitable));
      if (rec) break;  // closed, timed out or malformed: drop the connection
      auto res = answer(req, render);
      const bool keep = res.keep_alive();
      auto [wec, w] = co_await http::async_write(stream, res, asio::as_tuple(use_awaitable));
      if (wec || !keep) break;
    }
    beast::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  }

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        log().warn("metrics endpoint: accept failed: {}", ec.message());
        continue;
      }
      asio::co_spawn(io, session(std::move(socket)), [](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log().warn("metrics endpoint: connection failed: {}", ex.what());
        }
      });
    }
  }

  std::string host;
  uint16_t port;
  std::function<std::string()> render;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  std::thread thread;
  uint16_t bound_port = 0;
  bool started = false;
  bool stopped = false;
};

metrics_server::metrics_server(std::string host, uint16_t port, std::function<std::string()> render)
    : _impl(std::make_unique<impl>(std::move(host), port, std::move(render))) {}

metrics_server::~metrics_server() { stop(); }

result<void> metrics_server::start() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(_impl->host, ec);
  if (ec) return std::error_code(ec.value(), std::system_category());
  tcp::endpoint ep(address, _impl->port);
  auto& a = _impl->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::error_code(ec.value(), std::system_category());
  _impl->bound_port = a.local_endpoint().port();
  asio::co_spawn(_impl->io, _impl->accept_loop(), asio::detached);
  _impl->thread = std::thread([this] {
    block_peer_signals_on_this_thread();
    _impl->io.run();
  });
  _impl->started = true;
  log().info("metrics endpoint on http://{}:{}/metrics", _impl->host, _impl->bound_port);
  return core::success();
}

uint16_t metrics_server::port() const noexcept { return _impl->bound_port; }

void metrics_server::stop() {
  if (!_impl || _impl->stopped) return;
  _impl->stopped = true;
  if (!_impl->started) return;
  _impl->io.stop();
  if (_impl->thread.joinable()) _impl->thread.join();
}

}  // namespace sluice::broker::net
