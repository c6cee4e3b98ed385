#include "broker/net/server.h"

#include "core/log.h"
#include "core/peer_signals.h"

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

#include <sys/sendfile.h>
#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <deque>
#include <optional>
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

}  // namespace

/// An io_context whose shutdown (destroying every queued handler while all services are
/// alive) can be run ahead of its destruction. A handler queued on one context may hold a
/// connection whose socket, timers and strand belong to another; shutting down every context
/// before destroying any keeps those objects from outliving their services.
struct network_context : asio::io_context {
  using asio::io_context::shutdown;
};

/// The network thread's own context and the server it belongs to, if the calling thread is one
/// (timers then fire where the work that armed them runs).
thread_local const void* current_server = nullptr;
thread_local asio::io_context* current_context = nullptr;

struct server::impl final : sluice::broker::scheduler {
  impl(server_options o, frame_handler h)
      : options(std::move(o)), handler(std::move(h)),
        blocking(static_cast<size_t>(options.blocking_threads)) {
    for (int i = 0; i < std::max(1, options.network_threads); ++i) {
      contexts.push_back(std::make_unique<network_context>());
      guards.push_back(asio::make_work_guard(*contexts.back()));
    }
    acceptor.emplace(*contexts.front());
  }

  /// The context for new work that belongs to no connection: round-robin.
  asio::io_context& next_context() {
    return *contexts[next.fetch_add(1, std::memory_order_relaxed) % contexts.size()];
  }

  int64_t now_ms() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  void run_blocking(std::function<void()> fn) override { asio::post(blocking, std::move(fn)); }

  void run_after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    auto& ctx = current_server == this && current_context != nullptr ? *current_context : next_context();
    auto timer = std::make_shared<asio::steady_timer>(ctx, delay);
    timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec) fn();
    });
  }

  awaitable<void> accept_loop() {
    for (;;) {
      // Each connection lives on one network thread's context: its reads, handlers and writes
      // hand nothing to another thread.
      auto strand = asio::make_strand(next_context());
      auto [ec, socket] = co_await acceptor->async_accept(strand, asio::as_tuple(use_awaitable));
      if (ec) {
        if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
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
      auto conn = std::make_shared<connection>(*this, strand, std::move(socket));
      {
        std::lock_guard lock(sockets_mutex);
        live.insert(conn);
      }
      connections.fetch_add(1);
      conn->start();
    }
  }

  /// One client connection: a reader coroutine that decodes frames and dispatches them in
  /// arrival order, and a writer coroutine that sends the answers in the same order as they
  /// complete. A request's synchronous part (an append, say) runs before the next request is
  /// read, so side effects keep request order; only the completion (an fsync, a long-poll) may
  /// overlap with later requests — pipelining as the clients expect, with in-order responses.
  /// Both coroutines and every completion run on the connection's strand.
  struct connection : std::enable_shared_from_this<connection> {
    struct slot {
      /// Not zero-filled: the read overwrites it (a 1 MiB produce request would otherwise be
      /// written twice).
      std::unique_ptr<std::byte[]> frame;
      size_t frame_size = 0;
      std::optional<frame_result> result;
    };
    /// Requests dispatched but not yet written; bounds memory per connection.
    static constexpr size_t max_in_flight = 128;

    connection(impl& owner, asio::strand<asio::io_context::executor_type> st, tcp::socket s)
        : server(owner), strand(std::move(st)), socket(std::move(s)), writer_wake(strand),
          reader_wake(strand), idle_timer(strand) {
      boost::system::error_code ec;
      auto peer = socket.remote_endpoint(ec);
      peer_address = ec ? std::string() : peer.address().to_string();
      peer_name = ec ? std::string("?") : peer_address + ":" + std::to_string(peer.port());
    }

    void start() {
      auto self = shared_from_this();
      auto on_exit = [self](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          log().error("connection from {} failed: {}", self->peer_name, ex.what());
        } catch (...) {
          log().error("connection from {} failed with an unknown exception", self->peer_name);
        }
        self->close();
      };
      asio::co_spawn(strand, read_loop(), on_exit);
      asio::co_spawn(strand, idle_watch(), on_exit);
      asio::co_spawn(strand, write_loop(), [self, on_exit](std::exception_ptr e) {
        on_exit(e);
        self->server.connections.fetch_sub(1);
        std::lock_guard lock(self->server.sockets_mutex);
        self->server.live.erase(self);
      });
    }

    void close() {
      boost::system::error_code ec;
      socket.shutdown(tcp::socket::shutdown_both, ec);
      socket.close(ec);
      closed = true;
      reader_done = true;
      writer_wake.cancel();
      reader_wake.cancel();
      idle_timer.cancel();
    }

    void touch() { last_activity = std::chrono::steady_clock::now(); }

    /// Whether a dispatched request has not produced its answer yet (a long-poll Fetch, a
    /// JoinGroup waiting for the rebalance, a Produce waiting on its fsync).
    bool request_in_progress() const {
      for (const auto& s : queue) {
        if (!s->result) return true;
      }
      return false;
    }

    /// connections.max.idle.ms, as Kafka: a connection with no bytes read or written for that
    /// long is closed, unless a request is still being worked on. A peer that sent half a frame
    /// and stalled, or that never reads its answers, is idle: closing it releases the frame
    /// buffer or the answers it held.
    awaitable<void> idle_watch() {
      auto self = shared_from_this();
      const auto idle = std::chrono::milliseconds(server.options.connections_max_idle_ms);
      while (!closed) {
        const auto due = last_activity + idle;
        if (std::chrono::steady_clock::now() >= due) {
          if (!request_in_progress()) {
            log().debug("closing connection from {}: idle for {} ms (connections.max.idle.ms)",
                       peer_name, idle.count());
            close();
            break;
          }
          touch();  // the request's answer restarts the clock
          continue;
        }
        idle_timer.expires_at(due);
        co_await idle_timer.async_wait(asio::as_tuple(use_awaitable));
      }
    }

    awaitable<void> wait_on(asio::steady_timer& t) {
      t.expires_at(asio::steady_timer::time_point::max());
      co_await t.async_wait(asio::as_tuple(use_awaitable));
    }

    awaitable<void> read_loop() {
      auto self = shared_from_this();
      std::array<std::byte, 4> size_buf{};
      while (!reader_done) {
        while (queue.size() >= max_in_flight && !reader_done) co_await wait_on(reader_wake);
        if (reader_done) break;
        auto [rec, n] = co_await asio::async_read(socket, asio::buffer(size_buf),
                                                  asio::as_tuple(use_awaitable));
        if (rec) break;  // peer closed or reset, or we closed
        touch();
        uint32_t u = 0;
        for (auto b : size_buf) u = (u << 8) | static_cast<uint8_t>(b);
        auto size = static_cast<int32_t>(u);
        if (size < 8 || size > server.options.max_request_bytes) {
          log().warn("closing connection from {}: request frame of {} bytes outside [8, {}] "
                     "(socket.request.max.bytes)", peer_name, size, server.options.max_request_bytes);
          close();
          break;
        }
        auto s = std::make_unique<slot>();
        s->frame_size = static_cast<size_t>(size);
        s->frame = std::make_unique_for_overwrite<std::byte[]>(s->frame_size);
        // Piece by piece, so that a peer still sending is not taken for an idle one.
        boost::system::error_code bec;
        for (size_t got = 0; got < s->frame_size && !bec;) {
          auto [ec, m] = co_await socket.async_read_some(
              asio::buffer(s->frame.get() + got, s->frame_size - got), asio::as_tuple(use_awaitable));
          bec = ec;
          got += m;
          touch();
        }
        if (bec) break;
        // Stopping: no new work, so that the fsyncs under way can finish (see server::stop).
        // The answers already owed are still written; then the writer closes the connection.
        if (server.draining.load(std::memory_order_acquire)) break;
        slot* raw = s.get();
        queue.push_back(std::move(s));
        server.handler(bytes_view(raw->frame.get(), raw->frame_size), peer_address, [self, raw](frame_result r) {
          asio::post(self->strand, [self, raw, r = std::move(r)]() mutable {
            raw->result = std::move(r);
            self->writer_wake.cancel();
          });
        });
      }
      reader_done = true;
      writer_wake.cancel();
    }

    awaitable<void> write_loop() {
      auto self = shared_from_this();
      for (;;) {
        if (!queue.empty() && queue.front()->result) {
          auto s = std::move(queue.front());
          queue.pop_front();
          reader_wake.cancel();
          auto& r = *s->result;
          if (r.what == frame_result::kind::close) {
            // The dispatcher logged why (once per client and reason).
            log().debug("closing connection from {}: malformed or unsupported request", peer_name);
            close();
            break;
          }
          if (r.what == frame_result::kind::no_response) continue;
          std::array<std::byte, 4> out_size{};
          uint64_t total = r.head.size() + r.body.size();
          for (const auto& sp : r.splices) total += sp.size();
          auto len = static_cast<uint32_t>(total);
          for (int i = 3; i >= 0; --i, len >>= 8) {
            out_size[static_cast<size_t>(i)] = static_cast<std::byte>(len & 0xff);
          }
          std::error_code wec;
          if (r.splices.empty()) {
            std::array<asio::const_buffer, 3> bufs{asio::buffer(out_size), asio::buffer(r.head),
                                                   asio::buffer(r.body)};
            auto [ec, w] = co_await asio::async_write(socket, bufs, asio::as_tuple(use_awaitable));
            wec = ec;
          } else {
            wec = co_await write_spliced(r, out_size);
          }
          if (!wec) touch();
          if (wec) {
            log().debug("closing connection to {}: the peer went away mid-answer ({})", peer_name,
                        wec.message());
            close();
            break;
          }
          continue;
        }
        if (reader_done && queue.empty()) break;
        co_await wait_on(writer_wake);
      }
      // Answers still pending keep this object alive through their completions' `self`.
      close();
    }

    /// Sends a response with splices (a Fetch response's records). Memory splices go out in
    /// one gather write with the body pieces around them, never copied into the body. A file
    /// range goes out with sendfile straight from the page cache, the memory before it with
    /// MSG_MORE (so the framing does not go out as tiny segments of its own). Returns the
    /// first error; a file that ends before its range does (truncated under us) is an error
    /// too, since the frame's size has been promised.
    awaitable<std::error_code> write_spliced(const frame_result& r, std::array<std::byte, 4>& out_size) {
      std::vector<asio::const_buffer> pending;
      pending.reserve(4 + 2 * r.splices.size());
      pending.push_back(asio::buffer(out_size));
      pending.push_back(asio::buffer(r.head));
      size_t from = 0;
      for (const auto& sp : r.splices) {
        pending.push_back(asio::buffer(r.body.data() + from, sp.position - from));
        from = sp.position;
        if (sp.fd < 0) {
          pending.push_back(asio::buffer(sp.data.data(), sp.data.size()));
          continue;
        }
        if (auto ec = co_await send_memory(pending, true)) co_return ec;
        if (auto ec = co_await send_file(sp.fd, sp.file_position, sp.file_size)) co_return ec;
      }
      pending.push_back(asio::buffer(r.body.data() + from, r.body.size() - from));
      co_return co_await send_memory(pending, false);
    }

    /// Sends all of `bufs` (and empties it); `more` = more of this response follows.
    awaitable<std::error_code> send_memory(std::vector<asio::const_buffer>& bufs, bool more) {
      const auto flags = static_cast<asio::socket_base::message_flags>(more ? MSG_MORE : 0);
      std::erase_if(bufs, [](const asio::const_buffer& b) { return b.size() == 0; });
      while (!bufs.empty()) {
        auto [ec, n] = co_await socket.async_send(bufs, flags, asio::as_tuple(use_awaitable));
        if (ec) co_return std::error_code(ec.value(), std::system_category());
        touch();
        // Drop what went out; the first remaining buffer may be partly sent.
        size_t i = 0;
        while (i < bufs.size() && n >= bufs[i].size()) n -= bufs[i++].size();
        bufs.erase(bufs.begin(), bufs.begin() + static_cast<std::ptrdiff_t>(i));
        if (n > 0) bufs.front() += n;
      }
      co_return std::error_code();
    }

    awaitable<std::error_code> send_file(int fd, uint64_t position, uint64_t size) {
      if (!socket.native_non_blocking()) {
        boost::system::error_code ec;
        socket.native_non_blocking(true, ec);
        if (ec) co_return std::error_code(ec.value(), std::system_category());
      }
      auto offset = static_cast<off_t>(position);
      while (size > 0) {
        ssize_t n = ::sendfile(socket.native_handle(), fd, &offset, size);
        if (n > 0) {
          size -= static_cast<uint64_t>(n);
          touch();
          continue;
        }
        if (n == 0) {
          log().warn("closing connection to {}: a file ended {} bytes before the range being sent",
                     peer_name, size);
          co_return std::make_error_code(std::errc::io_error);
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) co_return std::error_code(errno, std::system_category());
        auto [ec] = co_await socket.async_wait(tcp::socket::wait_write, asio::as_tuple(use_awaitable));
        if (ec) co_return std::error_code(ec.value(), std::system_category());
      }
      co_return std::error_code();
    }

    impl& server;
    asio::strand<asio::io_context::executor_type> strand;
    tcp::socket socket;
    asio::steady_timer writer_wake;
    asio::steady_timer reader_wake;
    asio::steady_timer idle_timer;
    std::chrono::steady_clock::time_point last_activity = std::chrono::steady_clock::now();
    std::deque<std::unique_ptr<slot>> queue;
    bool reader_done = false;
    bool closed = false;
    std::string peer_address;
    std::string peer_name;
  };

  server_options options;
  frame_handler handler;
  /// One per network thread, each run by that thread alone.
  std::vector<std::unique_ptr<network_context>> contexts;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
  std::atomic<size_t> next{0};
  asio::thread_pool blocking;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::atomic<int64_t> connections{0};
  /// Set by stop(): connections dispatch no further requests.
  std::atomic<bool> draining{false};
  std::mutex sockets_mutex;
  std::set<std::shared_ptr<connection>> live;
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
  auto& a = *_impl->acceptor;
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return std::error_code(ec.value(), std::system_category());
  _impl->bound_port = a.local_endpoint().port();
  return core::success();
}

void server::run() {
  asio::co_spawn(*_impl->contexts.front(), _impl->accept_loop(), asio::detached);
  for (auto& ctx : _impl->contexts) {
    _impl->threads.emplace_back([owner = _impl.get(), c = ctx.get()] {
      core::block_peer_signals_on_this_thread();
      current_server = owner;
      current_context = c;
      c->run();
    });
  }
  log().info("listening on {}:{}", _impl->options.host, _impl->bound_port);
}

uint16_t server::port() const noexcept { return _impl->bound_port; }

sluice::broker::scheduler& server::scheduler() noexcept { return *_impl; }

int64_t server::active_connections() const noexcept { return _impl->connections.load(); }

void server::stop() {
  if (!_impl || _impl->stopped) return;
  _impl->stopped = true;
  asio::post(*_impl->contexts.front(), [this] {
    boost::system::error_code ec;
    _impl->acceptor->close(ec);
  });
  // Pending fsyncs finish first so that acknowledged data is durable; then the loops stop.
  // Requests read from now on are not dispatched: the pool's queue only drains, and join()
  // cannot be kept waiting by producers that keep sending.
  _impl->draining.store(true, std::memory_order_release);
  _impl->blocking.join();
  for (auto& ctx : _impl->contexts) ctx->stop();
  for (auto& t : _impl->threads) t.join();
  _impl->threads.clear();
  {
    std::lock_guard lock(_impl->sockets_mutex);
    boost::system::error_code ec;
    for (auto& c : _impl->live) c->socket.close(ec);
    _impl->live.clear();
  }
  // The suspended connection coroutines and every other queued handler are destroyed here,
  // while all contexts are still alive (see network_context).
  for (auto& ctx : _impl->contexts) ctx->shutdown();
}

}  // namespace sluice::broker::net
