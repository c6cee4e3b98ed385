#pragma once
/// `server`: the broker's TCP front end. Accepts connections, reads size-prefixed frames
/// (enforcing `socket.request.max.bytes` before allocating), hands each frame to the frame
/// handler and writes the answers back in request order. It knows nothing of Kafka beyond the
/// 4-byte size prefix; `broker` plugs the protocol in.
///
/// Threads: `network_threads` threads, each running an `io_context` of its own; connections
/// are spread over them round-robin and stay on theirs, so a request's read, handling and
/// answer never hop between threads (a hop costs a futex wake-up and a context switch, which
/// on a small VM was a fifth of a Fetch round trip). Each connection is on a strand: its
/// requests are processed strictly in order, completions from other threads (fsyncs, appends
/// waking a long-poll) are posted to it, and a long-poll Fetch never stalls another socket. Blocking work (fsync) runs on a separate
/// pool through `scheduler().run_blocking`. Asio stays inside server.cc.
/// Lifecycle: construct, `bind()`, `run()`, `stop()` (idempotent; also run by the destructor).

#include "broker/scheduler.h"
#include "core/bytes.h"
#include "core/error.h"

#include <cstdint>
#include <functional>
#include <vector>
#include <utility>
#include <memory>
#include <string>

namespace sluice::broker::net {

struct server_options {
  std::string host = "127.0.0.1";
  uint16_t port = 9092;  ///< 0 = pick a free port
  int network_threads = 2;
  int blocking_threads = 2;
  int64_t max_request_bytes = 100 * 1024 * 1024;  ///< socket.request.max.bytes
  int64_t max_connections = 1000;                 ///< max.connections
  int64_t connections_max_idle_ms = 600000;       ///< connections.max.idle.ms
};

/// Bytes sent in the middle of a response body without being copied into it: `data`, or —
/// when `fd >= 0` — `file_size` bytes at `file_position` of that file, sent from the page
/// cache with sendfile (a Fetch response's records).
struct frame_splice {
  size_t position = 0;  ///< sent right before this body byte
  bytes_view data;
  int fd = -1;
  uint64_t file_position = 0;
  uint64_t file_size = 0;
  uint64_t size() const noexcept { return fd >= 0 ? file_size : data.size(); }
};

/// What a frame handler decided for one request.
struct frame_result {
  enum class kind { respond, no_response, close } what = kind::close;
  /// The response for `respond`, without the size prefix: `head` then `body`, written with one
  /// gather write (so a large body is never copied just to put a header in front of it).
  core::bytes head;
  core::bytes body;
  /// In body order; each is sent right before its body byte, not copied into the body.
  std::vector<frame_splice> splices;
  /// Keeps the spliced bytes (and files) alive until the write completed.
  std::shared_ptr<const void> keepalive;
};

/// Called once per request frame (header + body, without the size prefix) with the peer's IP
/// address. Must call `done` exactly once, from any thread. `frame` stays valid until then.
using frame_handler = std::function<void(bytes_view frame, const std::string& peer_address,
                                         std::function<void(frame_result)> done)>;

class server {
 public:
  server(server_options options, frame_handler handler);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and listens; nothing is accepted until `run()`.
  result<void> bind();
  /// Starts accepting and the network threads. REQUIRES: bind() succeeded.
  void run();
  /// The bound port (useful with port 0). REQUIRES: bind() succeeded.
  uint16_t port() const noexcept;
  /// The broker's scheduler: the steady clock, timers on the network threads (on the calling
  /// network thread when there is one) and the blocking pool.
  sluice::broker::scheduler& scheduler() noexcept;
  int64_t active_connections() const noexcept;
  /// Stops accepting, closes every connection and joins the threads.
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> _impl;
};

}  // namespace sluice::broker::net
