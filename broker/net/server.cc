#include "broker/net/server.h"

#include "core/log.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace sluice::broker::net {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace {

const core::logger& log() {
  static const core::logger instance("broker.net");
  return instance;
}

/// Bridges the callback-style frame handler into an awaitable: the completion is posted back to
/// the awaiting coroutine's executor (the connection's strand).
template <class Token>
auto async_handle(const frame_handler& handler, bytes_view frame, Token&& token) {
  return asio::async_initiate<Token, void(frame_result)>(
      [&handler, frame](auto completion) {
        using completion_t = decltype(completion);
        auto state = std::make_shared<completion_t>(std::move(completion));
        auto ex = asio::get_associated_executor(*state);
        auto once = std::make_shared<std::atomic<bool>>(false);
        handler(frame, [state, ex, once](frame_result r) {
          if (once->exchange(true)) return;  // a handler answering twice is a bug; keep the first
          asio::post(ex, [state, r = std::move(r)]() mutable { (*state)(std::move(r)); });
        });
      },
      token);
}

}  // namespace

struct server::impl final : broker_services {
  impl(server_options o, frame_handler h)
      : options(std::move(o)), handler(std::move(h)), io(options.network_threads),
        blocking(static_cast<size_t>(options.blocking_threads)), acceptor(io) {}

  void run_blocking(std::function<void()> fn) override { asio::post(blocking, std::move(fn)); }

  void run_after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    auto timer = std::make_shared<asio::steady_timer>(io, delay);
    timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec) fn();
    });
  }

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
        log().warn("accept failed: {}", ec.message());
        continue;
      }
      if (connections.load() >= options.max_connections) {
        log().warn("refusing connection: max.connections={} reached", options.max_connections);
        boost::system::error_code ignore;
        socket.close(ignore);
        continue;
      }
      socket.set_option(tcp::no_delay(true));
      auto strand = asio::make_strand(io);
      auto sock = std::make_shared<tcp::socket>(std::move(socket));
      {
        std::lock_guard lock(sockets_mutex);
        sockets.insert(sock);
      }
      connections.fetch_add(1);
      asio::co_spawn(strand, connection(sock), [this, sock](std::exception_ptr e) {
        if (e) {
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            log().error("connection failed: {}", ex.what());
          } catch (...) {
            log().error("connection failed with an unknown exception");
          }
        }
        connections.fetch_sub(1);
        std::lock_guard lock(sockets_mutex);
        sockets.erase(sock);
      });
    }
  }

  awaitable<void> connection(std::shared_ptr<tcp::socket> sock) {
    boost::system::error_code ec;
    auto peer = sock->remote_endpoint(ec);
    std::string peer_name = ec ? std::string("?") : peer.address().to_string() + ":" + std::to_string(peer.port());
    core::bytes frame;
    std::array<std::byte, 4> size_buf{};
    for (;;) {
      auto [rec, n] = co_await asio::async_read(*sock, asio::buffer(size_buf),
                                                asio::as_tuple(use_awaitable));
      if (rec) break;  // peer closed or reset
      uint32_t u = 0;
      for (auto b : size_buf) u = (u << 8) | static_cast<uint8_t>(b);
      auto size = static_cast<int32_t>(u);
      if (size < 8 || size > options.max_request_bytes) {
        log().warn("closing connection from {}: request frame of {} bytes outside [8, {}] "
                   "(socket.request.max.bytes)", peer_name, size, options.max_request_bytes);
        break;
      }
      frame.resize(static_cast<size_t>(size));
      auto [bec, m] = co_await asio::async_read(*sock, asio::buffer(frame.data(), frame.size()),
                                                asio::as_tuple(use_awaitable));
      if (bec) break;
      frame_result r = co_await async_handle(handler, frame, use_awaitable);
      if (r.what == frame_result::kind::close) {
        log().warn("closing connection from {}: malformed or unsupported request", peer_name);
        break;
      }
      if (r.what == frame_result::kind::no_response) continue;
      std::array<std::byte, 4> out_size{};
      auto len = static_cast<uint32_t>(r.frame.size());
      for (int i = 3; i >= 0; --i, len >>= 8) out_size[static_cast<size_t>(i)] = static_cast<std::byte>(len & 0xff);
      std::array<asio::const_buffer, 2> bufs{asio::buffer(out_size), asio::buffer(r.frame)};
      auto [wec, w] = co_await asio::async_write(*sock, bufs, asio::as_tuple(use_awaitable));
      if (wec) break;
    }
    sock->shutdown(tcp::socket::shutdown_both, ec);
    sock->close(ec);
  }

  server_options options;
  frame_handler handler;
  asio::io_context io;
  asio::thread_pool blocking;
  tcp::acceptor acceptor;
  std::vector<std::thread> threads;
  std::atomic<int64_t> connections{0};
  std::mutex sockets_mutex;
  std::set<std::shared_ptr<tcp::socket>> sockets;
  uint16_t bound_port = 0;
  bool stopped = false;
};

server::server(server_options options, frame_handler handler)
    : _impl(std::make_unique<impl>(std::move(options), std::move(handler))) {}

server::~server() { stop(); }

result<void> server::bind() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(_impl->options.host, ec);
  if (ec) return std::error_code(ec.value(), std::system_category());
  tcp::endpoint ep(address, _impl->options.port);
  auto& a = _impl->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::error_code(ec.value(), std::system_category());
  _impl->bound_port = a.local_endpoint().port();
  return core::success();
}

void server::run() {
  asio::co_spawn(_impl->io, _impl->accept_loop(), asio::detached);
  for (int i = 0; i < std::max(1, _impl->options.network_threads); ++i) {
    _impl->threads.emplace_back([this] { _impl->io.run(); });
  }
  log().info("listening on {}:{}", _impl->options.host, _impl->bound_port);
}

uint16_t server::port() const noexcept { return _impl->bound_port; }

broker_services& server::services() noexcept { return *_impl; }

int64_t server::active_connections() const noexcept { return _impl->connections.load(); }

void server::stop() {
  if (!_impl || _impl->stopped) return;
  _impl->stopped = true;
  asio::post(_impl->io, [this] {
    boost::system::error_code ec;
    _impl->acceptor.close(ec);
  });
  // Pending fsyncs finish first so that acknowledged data is durable; then the loop stops and
  // the suspended connection coroutines (with their sockets) are destroyed with the context.
  _impl->blocking.join();
  _impl->io.stop();
  for (auto& t : _impl->threads) t.join();
  _impl->threads.clear();
  std::lock_guard lock(_impl->sockets_mutex);
  boost::system::error_code ec;
  for (auto& s : _impl->sockets) s->close(ec);
}

}  // namespace sluice::broker::net
