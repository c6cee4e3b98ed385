#include "core/http_server.h"

#include "core/log.h"
#include "core/peer_signals.h"

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

namespace sluice::core {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace {

const logger& log() {
  static const logger instance("http");
  return instance;
}

constexpr auto idle_timeout = std::chrono::seconds(30);

}  // namespace

struct http_server::impl {
  impl(std::string n, handler h) : name(std::move(n)), on_request(std::move(h)), acceptor(io) {}

  http::response<http::string_body> answer(const http::request<http::string_body>& req) const {
    http::response<http::string_body> res;
    res.version(req.version());
    res.keep_alive(req.keep_alive());
    res.set(http::field::server, name);
    const bool head = req.method() == http::verb::head;
    if (req.method() != http::verb::get && !head) {
      res.result(http::status::method_not_allowed);
      res.set(http::field::allow, "GET, HEAD");
      res.set(http::field::content_type, "text/plain; charset=utf-8");
      res.body() = "method not allowed: only GET and HEAD\n";
    } else {
      std::string_view target(req.target().data(), req.target().size());
      if (auto q = target.find('?'); q != std::string_view::npos) target = target.substr(0, q);
      response r;
      try {
        r = on_request(target);
      } catch (const std::exception& e) {
        r = {500, "text/plain; charset=utf-8", std::string("error: ") + e.what() + "\n"};
      }
      res.result(static_cast<http::status>(r.status));
      res.set(http::field::content_type, r.content_type);
      res.body() = std::move(r.body);
    }
    res.prepare_payload();
    if (head) res.body().clear();
    return res;
  }

  awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    for (;;) {
      stream.expires_after(idle_timeout);
      http::request<http::string_body> req;
      auto [rec, n] = co_await http::async_read(stream, buffer, req, asio::as_tuple(use_awaitable));
      if (rec) break;  // closed, timed out or malformed: drop this connection only
      auto res = answer(req);
      const bool keep = res.keep_alive();
      auto [wec, w] = co_await http::async_write(stream, res, asio::as_tuple(use_awaitable));
      if (wec || !keep) break;
    }
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        log().warn("{}: accept failed: {}", name, ec.message());
        continue;
      }
      asio::co_spawn(io, session(std::move(socket)), [n = name](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log().warn("{}: connection failed: {}", n, ex.what());
        }
      });
    }
  }

  std::string name;
  handler on_request;
  asio::io_context io{1};
  tcp::acceptor acceptor;
  std::thread thread;
  uint16_t port = 0;
};

result<std::unique_ptr<http_server>> http_server::serve(const host_port& listen, std::string name,
                                                        handler h) {
  auto i = std::make_unique<impl>(std::move(name), std::move(h));
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(listen.host, ec);
  if (ec) return std::error_code(ec.value(), std::system_category());
  const tcp::endpoint ep(address, listen.port);
  i->acceptor.open(ep.protocol(), ec);
  if (!ec) i->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) i->acceptor.bind(ep, ec);
  if (!ec) i->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::error_code(ec.value(), std::system_category());
  i->port = i->acceptor.local_endpoint().port();
  asio::co_spawn(i->io, i->accept_loop(), asio::detached);
  i->thread = std::thread([raw = i.get()] {
    block_peer_signals_on_this_thread();
    raw->io.run();
  });
  log().info("{}: serving HTTP on {}:{}", i->name, listen.host, i->port);
  return std::unique_ptr<http_server>(new http_server(std::move(i)));
}

http_server::http_server(std::unique_ptr<impl> i) : _impl(std::move(i)) {}

http_server::~http_server() {
  _impl->io.stop();
  if (_impl->thread.joinable()) _impl->thread.join();
}

uint16_t http_server::port() const noexcept {
  return _impl->port;
}

}  // namespace sluice::core
