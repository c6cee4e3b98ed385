#pragma once
/// Plain blocking TCP to 127.0.0.1 for tests: a connection that reads size-prefixed frames (raw
/// Kafka requests, hostile input) or everything up to the peer's close, and a one-shot HTTP/1.1
/// request. Header-only, so every test binary can use it without linking anything.

#include "core/bytes.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace sluice::testing {

class loopback_connection {
 public:
  /// Connects to 127.0.0.1:`port`; reads give up after 10 s without data. A positive
  /// `receive_buffer` sets SO_RCVBUF before connecting (a client that reads slowly, or never).
  explicit loopback_connection(uint16_t port, int receive_buffer = 0) {
    _fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (_fd >= 0 && receive_buffer > 0) {
      ::setsockopt(_fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    _connected = _fd >= 0 && ::connect(_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    timeval tv{10, 0};
    if (_fd >= 0) ::setsockopt(_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~loopback_connection() {
    if (_fd >= 0) ::close(_fd);
  }
  loopback_connection(const loopback_connection&) = delete;
  loopback_connection& operator=(const loopback_connection&) = delete;

  bool connected() const noexcept { return _connected; }

  /// Closes the socket now (FIN, or with `reset` an RST through SO_LINGER 0), without reading
  /// what the peer sent or is still sending.
  void hang_up(bool reset = false) {
    if (_fd < 0) return;
    if (reset) {
      linger l{1, 0};
      ::setsockopt(_fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    ::close(_fd);
    _fd = -1;
  }

  /// Sends all of `data`; false if the connection failed.
  bool send(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(_fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }
  bool send(bytes_view data) {
    return send(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
  }

  bool read_exact(void* out, size_t n) {
    auto* p = static_cast<char*>(out);
    while (n > 0) {
      ssize_t r = ::recv(_fd, p, n, 0);
      if (r <= 0) return false;
      p += r;
      n -= static_cast<size_t>(r);
    }
    return true;
  }

  /// One size-prefixed frame (a Kafka response without its 4-byte size).
  std::optional<core::bytes> read_frame() {
    unsigned char size[4];
    if (!read_exact(size, 4)) return std::nullopt;
    core::bytes out((uint32_t(size[0]) << 24) | (uint32_t(size[1]) << 16) | (uint32_t(size[2]) << 8) | size[3]);
    if (!read_exact(out.data(), out.size())) return std::nullopt;
    return out;
  }

  /// Everything until the peer closes (or 10 s pass without data).
  std::string read_to_end() {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::recv(_fd, buf, sizeof buf, 0)) > 0;) out.append(buf, static_cast<size_t>(n));
    return out;
  }

  /// True when the peer closed the connection (recv returns 0, or a reset).
  bool closed_by_peer() {
    char buf[256];
    ssize_t n = ::recv(_fd, buf, sizeof buf, 0);
    return n == 0 || (n < 0 && errno == ECONNRESET);
  }

 private:
  int _fd = -1;
  bool _connected = false;
};

struct http_answer {
  int status = 0;
  std::string content_type;
  std::string body;
};

/// One HTTP/1.1 request without a body (`Connection: close`); nullopt when the connection fails
/// or the answer has no status line and header end.
inline std::optional<http_answer> http_request(uint16_t port, const std::string& method,
                                               const std::string& path) {
  loopback_connection c(port);
  if (!c.connected()) return std::nullopt;
  if (!c.send(method + " " + path +
              " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")) {
    return std::nullopt;
  }
  const std::string raw = c.read_to_end();
  const auto head_end = raw.find("\r\n\r\n");
  if (head_end == std::string::npos) return std::nullopt;
  http_answer out;
  std::istringstream head(raw.substr(0, head_end));
  std::string version;
  if (!(head >> version >> out.status)) return std::nullopt;
  std::string line;
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("Content-Type: ", 0) == 0) out.content_type = line.substr(14);
  }
  out.body = raw.substr(head_end + 4);
  return out;
}

}  // namespace sluice::testing
