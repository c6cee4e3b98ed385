#include "runtime/detail/kafka_connection.h"

#include "core/protocol/api_versions.h"
#include "core/config.h"

#include <fmt/format.h>

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sluice::runtime::detail {
namespace {

using protocol::api_key;
using protocol::version_range;

class client_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "sluice.runtime.client"; }
  std::string message(int code) const override {
    switch (static_cast<client_errc>(code)) {
      case client_errc::ok: return "ok";
      case client_errc::connect_failed: return "could not connect to the broker";
      case client_errc::timed_out: return "the broker did not answer in time";
      case client_errc::connection_lost: return "the connection to the broker was lost";
      case client_errc::bad_response: return "the broker's answer is malformed";
      case client_errc::unsupported_version: return "the broker serves no version of the API the client speaks";
      case client_errc::not_connected: return "not connected to the broker";
      case client_errc::fatal_membership: return "the group member was fenced and must not rejoin";
      case client_errc::cancelled: return "the call was cancelled";
    }
    return "unknown client error";
  }
};

class kafka_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "kafka"; }
  std::string message(int code) const override {
    return std::string(protocol::name(static_cast<protocol::error_code>(code)));
  }
};

/// ApiVersions: v3 first (client software name and version), v0 as the fallback.
constexpr int16_t api_versions_first = 3;
constexpr std::string_view software_name = "sluice";
constexpr std::string_view software_version = "1.0";

std::string window_text(version_range r) {
  return r.min == r.max ? fmt::format("v{}", r.min) : fmt::format("v{}–{}", r.min, r.max);
}

int remaining_ms(kafka_connection::clock::time_point deadline) {
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - kafka_connection::clock::now());
  return static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1'000'000'000));
}

enum class wait_result { ready, timed_out, cancelled };

/// Waits until `fd` is ready for `events`, the deadline passes or `cancel_fd` (when >= 0)
/// becomes readable.
wait_result wait_for(int fd, short events, kafka_connection::clock::time_point deadline, int cancel_fd) {
  for (;;) {
    pollfd p[2] = {{fd, events, 0}, {cancel_fd, POLLIN, 0}};
    const int n = ::poll(p, cancel_fd >= 0 ? 2 : 1, remaining_ms(deadline));
    if (n > 0) return cancel_fd >= 0 && p[1].revents != 0 ? wait_result::cancelled : wait_result::ready;
    if (n == 0) return wait_result::timed_out;
    if (errno != EINTR) return wait_result::ready;  // let the following syscall report the error
  }
}

}  // namespace

const std::error_category& client_category() noexcept {
  static const client_category_impl c;
  return c;
}

const std::error_category& kafka_error_category() noexcept {
  static const kafka_category_impl c;
  return c;
}

const std::map<api_key, version_range>& client_versions() {
  static const std::map<api_key, version_range> windows{
      {api_key::api_versions, {0, 3}},
      {api_key::find_coordinator, {1, 6}},
      {api_key::join_group, {4, 9}},
      {api_key::sync_group, {0, 5}},
      {api_key::heartbeat, {0, 4}},
      {api_key::leave_group, {0, 5}},
      {api_key::offset_commit, {2, 9}},
      {api_key::offset_fetch, {1, 9}},
  };
  return windows;
}

kafka_connection::kafka_connection(core::host_port address, connection_options options)
    : _address(std::move(address)), _options(std::move(options)) {}

kafka_connection::~kafka_connection() { close(); }

void kafka_connection::close() noexcept {
  if (_fd >= 0) ::close(_fd);
  _fd = -1;
  _broker.clear();
}

std::error_code kafka_connection::fail(client_errc e, std::string message) {
  close();
  _last_error = std::move(message);
  return e;
}

std::string kafka_connection::describe(api_key key, int16_t version) const {
  return fmt::format("{} v{} to {}", protocol::name(key), version, core::to_string(_address));
}

std::error_code kafka_connection::not_open(api_key key) {
  _last_error = fmt::format("{} to {}: not connected", protocol::name(key), core::to_string(_address));
  return client_errc::not_connected;
}

std::error_code kafka_connection::undecodable(api_key key, int16_t version) {
  return fail(client_errc::bad_response,
              fmt::format("{}: the answer does not decode", describe(key, version)));
}

result<void> kafka_connection::open(clock::time_point deadline) {
  close();
  SLUICE_TRY(connect_socket(deadline));
  return negotiate(deadline);
}

result<void> kafka_connection::connect_socket(clock::time_point deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(_address.port);
  if (int rc = ::getaddrinfo(_address.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return fail(client_errc::connect_failed, fmt::format("cannot resolve {}: {}", core::to_string(_address),
                                                         ::gai_strerror(rc)));
  }
  std::string why = "no address";
  for (addrinfo* a = found; a != nullptr && _fd < 0; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) {
      why = std::strerror(errno);
      continue;
    }
    int rc = ::connect(fd, a->ai_addr, a->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      if (const auto w = wait_for(fd, POLLOUT, deadline, _options.cancel_fd); w != wait_result::ready) {
        ::close(fd);
        ::freeaddrinfo(found);
        if (w == wait_result::cancelled) return cancelled();
        return fail(client_errc::timed_out, fmt::format("cannot connect to {}: timed out", core::to_string(_address)));
      }
      int error = 0;
      socklen_t len = sizeof error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len);
      rc = error == 0 ? 0 : -1;
      errno = error;
    }
    if (rc != 0) {
      why = std::strerror(errno);
      ::close(fd);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    _fd = fd;
  }
  ::freeaddrinfo(found);
  if (_fd < 0) {
    return fail(client_errc::connect_failed, fmt::format("cannot connect to {}: {}", core::to_string(_address), why));
  }
  return core::success();
}

result<void> kafka_connection::negotiate(clock::time_point deadline) {
  protocol::api_versions_request request;
  request.client_software_name = software_name;
  request.client_software_version = software_version;
  int16_t version = api_versions_first;
  for (int attempt = 0; attempt < 2; ++attempt) {
    core::bytes frame;
    const int32_t correlation = ++_correlation;
    protocol::encode_request_frame(frame, {api_key::api_versions, version, correlation, _options.client_id},
                                   request);
    SLUICE_TRY(const std::size_t body_at, exchange(api_key::api_versions, version, correlation, frame, deadline));
    const bytes_view body = bytes_view(_response).subspan(body_at);
    // A broker that does not serve `version` answers UNSUPPORTED_VERSION in a v0 body, whatever
    // was asked: look at the error code (the first field of every version) before decoding.
    protocol::reader peek(body);
    const auto error = static_cast<protocol::error_code>(peek.read_int16());
    const int16_t decode_as = error == protocol::error_code::unsupported_version ? 0 : version;
    protocol::reader r(body);
    auto decoded = protocol::api_versions_response::decode(r, decode_as);
    if (!decoded) return undecodable(api_key::api_versions, decode_as);
    const auto& answer = decoded.value();
    if (answer.error_code == protocol::error_code::unsupported_version && version != 0) {
      version = 0;
      continue;
    }
    if (answer.error_code != protocol::error_code::none) {
      return fail(client_errc::bad_response, fmt::format("{}: the broker answered {}",
                                                         describe(api_key::api_versions, version),
                                                         protocol::name(answer.error_code)));
    }
    for (const auto& k : answer.api_keys) _broker[k.api_key] = {k.min_version, k.max_version};
    return core::success();
  }
  return fail(client_errc::bad_response,
              fmt::format("{}: the broker refused ApiVersions v0", core::to_string(_address)));
}

std::optional<version_range> kafka_connection::broker_versions(api_key key) const {
  auto it = _broker.find(static_cast<int16_t>(key));
  if (it == _broker.end()) return std::nullopt;
  return it->second;
}

result<int16_t> kafka_connection::version(api_key key) {
  if (_fd < 0) return not_open(key);
  const auto mine = client_versions().find(key);
  if (mine == client_versions().end()) {
    _last_error = fmt::format("the runtime's client does not speak {}", protocol::name(key));
    return client_errc::unsupported_version;
  }
  const auto theirs = broker_versions(key);
  if (!theirs) {
    _last_error = fmt::format("{} does not serve {}, the runtime needs {}", core::to_string(_address),
                              protocol::name(key), window_text(mine->second));
    return client_errc::unsupported_version;
  }
  const int16_t high = std::min(mine->second.max, theirs->max);
  const int16_t low = std::max(mine->second.min, theirs->min);
  if (high < low) {
    _last_error = fmt::format("broker {} serves {} {}, the runtime needs {}", core::to_string(_address),
                              protocol::name(key), window_text(*theirs), window_text(mine->second));
    return client_errc::unsupported_version;
  }
  return high;
}

result<std::size_t> kafka_connection::exchange(api_key key, int16_t version, int32_t correlation,
                                               const core::bytes& frame, clock::time_point deadline) {
  SLUICE_TRY(send_all(frame, deadline));
  std::byte size_bytes[4];
  SLUICE_TRY(receive_exact(size_bytes, 4, deadline));
  const auto byte = [&](int i) { return std::to_integer<uint32_t>(size_bytes[i]); };
  const auto size = static_cast<int32_t>((byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3));
  if (size < 4 || static_cast<uint64_t>(size) > _options.max_response_bytes) {
    return fail(client_errc::bad_response,
                fmt::format("{}: answer of {} bytes (the limit is {})", describe(key, version), size,
                            _options.max_response_bytes));
  }
  _response.resize(static_cast<std::size_t>(size));
  SLUICE_TRY(receive_exact(_response.data(), _response.size(), deadline));
  protocol::reader r(_response);
  auto answered = protocol::decode_response_header(r, key, version);
  if (!answered) return undecodable(key, version);
  if (answered.value() != correlation) {
    return fail(client_errc::bad_response,
                fmt::format("{}: answer with correlation id {}, expected {}", describe(key, version),
                            answered.value(), correlation));
  }
  return r.position();
}

result<void> kafka_connection::send_all(bytes_view data, clock::time_point deadline) {
  while (!data.empty()) {
    const ssize_t n = ::send(_fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data = data.subspan(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (const auto w = wait_for(_fd, POLLOUT, deadline, _options.cancel_fd); w != wait_result::ready) {
        if (w == wait_result::cancelled) return cancelled();
        return fail(client_errc::timed_out, fmt::format("sending to {} timed out", core::to_string(_address)));
      }
      continue;
    }
    return fail(client_errc::connection_lost,
                fmt::format("sending to {} failed: {}", core::to_string(_address), std::strerror(errno)));
  }
  return core::success();
}

result<void> kafka_connection::receive_exact(std::byte* out, std::size_t n, clock::time_point deadline) {
  while (n > 0) {
    const ssize_t got = ::recv(_fd, out, n, 0);
    if (got > 0) {
      out += got;
      n -= static_cast<std::size_t>(got);
      continue;
    }
    if (got == 0) {
      return fail(client_errc::connection_lost, fmt::format("{} closed the connection", core::to_string(_address)));
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      const auto w = clock::now() >= deadline ? wait_result::timed_out
                                              : wait_for(_fd, POLLIN, deadline, _options.cancel_fd);
      if (w == wait_result::cancelled) return cancelled();
      if (w == wait_result::timed_out) {
        return fail(client_errc::timed_out,
                    fmt::format("no answer from {} before the deadline", core::to_string(_address)));
      }
      continue;
    }
    return fail(client_errc::connection_lost,
                fmt::format("receiving from {} failed: {}", core::to_string(_address), std::strerror(errno)));
  }
  return core::success();
}

std::vector<core::host_port> parse_bootstrap_servers(const std::string& servers, std::string_view what) {
  std::vector<core::host_port> out;
  std::size_t start = 0;
  while (start <= servers.size()) {
    std::size_t end = servers.find(',', start);
    if (end == std::string::npos) end = servers.size();
    std::string_view entry(servers.data() + start, end - start);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (!entry.empty()) out.push_back(core::parse_host_port(entry, what));
    start = end + 1;
  }
  if (out.empty()) {
    throw core::config_exception({fmt::format("{} is empty: expected host:port[,host:port...]", what)});
  }
  return out;
}

}  // namespace sluice::runtime::detail
