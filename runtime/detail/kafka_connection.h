#pragma once
/// `kafka_connection`: a blocking connection to one broker, speaking the Kafka protocol through
/// the core/protocol codecs — POSIX sockets, no Asio and no librdkafka. It exists for what
/// librdkafka 2.0.2 does not let the runtime do itself: take part in the classic consumer-group
/// protocol as one member per application instance (`group_member`).
///
///     open(deadline)  getaddrinfo → non-blocking connect + poll (every address in turn) →
///                     TCP_NODELAY → ApiVersions v3 (v0 when the broker answers
///                     UNSUPPORTED_VERSION, as Kafka's clients fall back) → per API the highest
///                     version both `client_versions` and the broker serve
///     call<Response>(key, request, deadline)
///                     request frame (correlation id, client id, header v2 when the version is
///                     flexible) → send (MSG_NOSIGNAL) → size-prefixed answer (at most
///                     `max_response_bytes`) → response header → `Response::decode`
///
/// Failures close the connection, so that a late answer can never be taken for the next
/// call's: a deadline that passes mid-call (`timed_out`), a peer that closes or resets
/// (`connection_lost`), a size below 4 or above the limit, another correlation id or a body that
/// does not decode (`bad_response`, the message names the API and version). `open()` again
/// to reconnect. A call of an API whose client window does not meet the broker's fails with
/// `unsupported_version` and a message such as "broker serves JoinGroup v0–3, the runtime needs
/// v4–9"; the connection stays open for other APIs. Error answers *inside* a response (a
/// Kafka error code) are the caller's: `kafka_error(code)` turns one into an `std::error_code`.
///
/// Client windows (`client_versions`): the versions the codecs implement, narrowed so that one
/// client works against Kafka 2.4+ and Redpanda. Kafka 4 dropped FindCoordinator v0 and
/// OffsetCommit v0–1, so every window reaches its newest versions; the lower ends:
/// JoinGroup 4+ (MEMBER_ID_REQUIRED, KIP-394; static membership needs v5, checked by
/// `group_member`), FindCoordinator 1+ (key_type; v4+ is the batched form, handled), SyncGroup,
/// Heartbeat and LeaveGroup from v0 (the instance id goes out from v3; v3+ LeaveGroup is the
/// members list), OffsetCommit 2–9 and OffsetFetch 1–9 (v10 names topics by id only, which this
/// client does not resolve; OffsetFetch v7+ has require_stable, v8+ is the batched form,
/// handled), ApiVersions 0–3. Kafka 2.4 serves at least JoinGroup 0–6, SyncGroup and Heartbeat
/// 0–4, OffsetCommit 0–8, OffsetFetch 0–6, FindCoordinator 0–3: every window meets it.
///
/// Security: PLAINTEXT only. TLS and SASL (issue #17) plug in at the connect step: once the TCP
/// connection is up, `open()` will run the TLS handshake and the SaslHandshake/SaslAuthenticate
/// exchange before ApiVersions, and `send`/`receive` will go through the TLS session.
///
/// Ownership and threads: a value owned by one thread at a time (the socket is closed by the
/// destructor); none of its members may be used concurrently. Nothing here logs.

#include "core/host_port.h"
#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/request_header.h"
#include "core/bytes.h"
#include "core/error.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace sluice::runtime::detail {

/// Errors of the runtime's own Kafka client (`kafka_connection`, `group_member`). Broker error
/// codes are a category of their own (`kafka_error`).
enum class client_errc {
  ok = 0,
  connect_failed = 1,   ///< no address of the broker accepted a connection (or none resolved)
  timed_out,            ///< the deadline passed before the exchange completed
  connection_lost,      ///< the peer closed or reset the connection, or a send failed
  bad_response,         ///< an answer of a bad size, another correlation id, or undecodable
  unsupported_version,  ///< the broker serves no version of the API that the client speaks
  not_connected,        ///< a call on a connection that is not open
  fatal_membership,     ///< the group member was fenced (FENCED_INSTANCE_ID): it must not rejoin
  cancelled,            ///< `connection_options::cancel_fd` became readable: the owner is stopping
};

const std::error_category& client_category() noexcept;

inline std::error_code make_error_code(client_errc e) noexcept {
  return {static_cast<int>(e), client_category()};
}

/// The category of broker error codes: value = Kafka's wire code, message = its name
/// ("ILLEGAL_GENERATION").
const std::error_category& kafka_error_category() noexcept;

/// A Kafka error code as an `std::error_code` (`error_code::none` is a success value).
inline std::error_code kafka_error(protocol::error_code e) noexcept {
  return {static_cast<int>(protocol::to_wire(e)), kafka_error_category()};
}

}  // namespace sluice::runtime::detail

template <>
struct std::is_error_code_enum<sluice::runtime::detail::client_errc> : std::true_type {};

namespace sluice::runtime::detail {

/// The API windows this client speaks (see the file comment for why).
const std::map<protocol::api_key, protocol::version_range>& client_versions();

/// A connection's settings.
struct connection_options {
  /// The request header's client id (also the prefix of member ids the broker hands out).
  std::string client_id = "sluice";
  /// Largest answer accepted (Kafka's socket.request.max.bytes default).
  std::size_t max_response_bytes = 100 * 1024 * 1024;
  /// A descriptor (an eventfd) that, once readable, makes every wait of the connection fail
  /// with `cancelled` and closes the connection: how another thread stops a call parked for
  /// long (a JoinGroup). -1: none. Not owned.
  int cancel_fd = -1;
};

class kafka_connection {
 public:
  using clock = std::chrono::steady_clock;

  /// A closed connection to `address`; nothing happens until `open`.
  kafka_connection(core::host_port address, connection_options options);
  ~kafka_connection();
  kafka_connection(const kafka_connection&) = delete;
  kafka_connection& operator=(const kafka_connection&) = delete;

  /// Connects (closing a previous connection first) and negotiates versions, all before
  /// `deadline` (name resolution itself cannot be bounded). On failure the connection is
  /// closed and `last_error()` says why.
  result<void> open(clock::time_point deadline);
  /// Closes the socket (idempotent).
  void close() noexcept;
  /// Whether the socket is open and negotiated.
  bool is_open() const noexcept { return _fd >= 0; }

  /// The version `call` uses for `key`: the highest both sides serve; fails with
  /// `unsupported_version` (and `last_error()`) when the windows do not meet or the API is not
  /// one this client speaks, `not_connected` before `open`.
  result<int16_t> version(protocol::api_key key);
  /// The window the broker advertised for `key`, if it did.
  std::optional<protocol::version_range> broker_versions(protocol::api_key key) const;

  /// Sends `request` as `version(key)` and decodes the answer as `Response`.
  template <class Response, class Request>
  result<Response> call(protocol::api_key key, const Request& request, clock::time_point deadline) {
    SLUICE_TRY(const int16_t v, version(key));
    return call_version<Response>(key, v, request, deadline);
  }

  /// Sends `request` as `version` (which the caller chose; it need not be negotiated — tests
  /// and ApiVersions use this) and decodes the answer as `Response`.
  template <class Response, class Request>
  result<Response> call_version(protocol::api_key key, int16_t version, const Request& request,
                                clock::time_point deadline) {
    if (_fd < 0) return not_open(key);
    core::bytes frame;
    const int32_t correlation = ++_correlation;
    protocol::encode_request_frame(frame, {key, version, correlation, _options.client_id}, request);
    SLUICE_TRY(const std::size_t body_at, exchange(key, version, correlation, frame, deadline));
    protocol::reader r(bytes_view(_response).subspan(body_at));
    auto decoded = Response::decode(r, version);
    if (!decoded) return undecodable(key, version);
    return std::move(decoded).value();
  }

  /// What the last failure was, in words (names the API and the broker). Empty before one.
  const std::string& last_error() const noexcept { return _last_error; }
  /// The broker this connection talks to.
  const core::host_port& address() const noexcept { return _address; }

 private:
  /// Sends `frame` and reads the answer into `_response`; returns the offset of its body
  /// (after the checked response header).
  result<std::size_t> exchange(protocol::api_key key, int16_t version, int32_t correlation,
                               const core::bytes& frame, clock::time_point deadline);
  result<void> connect_socket(clock::time_point deadline);
  result<void> negotiate(clock::time_point deadline);
  result<void> send_all(bytes_view data, clock::time_point deadline);
  result<void> receive_exact(std::byte* out, std::size_t n, clock::time_point deadline);
  /// Closes the connection and records `message`; returns `e`.
  std::error_code fail(client_errc e, std::string message);
  std::error_code cancelled() { return fail(client_errc::cancelled, "cancelled"); }
  std::error_code not_open(protocol::api_key key);
  std::error_code undecodable(protocol::api_key key, int16_t version);
  std::string describe(protocol::api_key key, int16_t version) const;

  core::host_port _address;
  connection_options _options;
  int _fd = -1;
  int32_t _correlation = 0;
  core::bytes _response;
  /// The broker's windows by wire key (from ApiVersions).
  std::map<int16_t, protocol::version_range> _broker;
  std::string _last_error;
};

/// Parses `bootstrap.servers` ("host:port,host:port", blanks around entries allowed).
/// Throws core::config_exception naming `what` for an empty list or a bad entry.
std::vector<core::host_port> parse_bootstrap_servers(const std::string& servers, std::string_view what);

}  // namespace sluice::runtime::detail
