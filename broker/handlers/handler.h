#pragma once
/// The contract between the network layer and the per-API handlers.
///
/// The connection decodes the request header, looks the API up in the handler table, checks
/// the version against the handler's window, and calls it with the body. A handler answers by
/// calling the responder exactly once — synchronously, or later from any thread (a long-poll
/// Fetch, a Produce waiting for fsync). The body view stays valid until then. Responses are
/// written in request order by the connection, whatever order handlers finish in.

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/writer.h"
#include "core/bytes.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::broker {

class broker_context;

struct request {
  protocol::api_key key;
  int16_t version = 0;
  int32_t correlation_id = 0;
  std::string client_id;
  /// The client's address as Kafka reports it ("/127.0.0.1"); "" if unknown.
  std::string client_host;
  /// The body after the header. Valid until the responder has been called.
  bytes_view body;
};

/// What a handler answers: a response body (without the response header), nothing at all
/// (Produce with acks=0), or "malformed", which closes the connection.
struct reply {
  enum class kind { body, none, malformed };
  kind what = kind::body;
  core::bytes body;
  /// The non-zero error codes inside `body` (one per failed partition or resource), for the
  /// per-API error metrics. Optional: a handler that leaves it empty reports no errors. Empty on
  /// the success path, so it costs nothing there.
  std::vector<protocol::error_code> errors;
  /// Bytes sent in the middle of `body` without being copied into it (protocol::splice), kept
  /// valid by `keepalive` until the response is written. Empty for almost every reply.
  std::vector<protocol::splice> splices;
  std::shared_ptr<const void> keepalive;

  reply(core::bytes b) : body(std::move(b)) {}  // NOLINT: a body is the usual reply
  static reply none() { return reply(kind::none); }
  static reply malformed() { return reply(kind::malformed); }

 private:
  explicit reply(kind k) : what(k) {}
};

/// Called exactly once per request, from any thread.
using responder = std::function<void(reply)>;

using handler_fn = void (*)(broker_context&, const request&, responder);

struct handler_entry {
  protocol::api_key key;
  /// The versions served. A request for any other version closes the connection (as Kafka
  /// does), except ApiVersions, which gets Kafka's v0 fallback answer.
  protocol::version_range versions;
  handler_fn fn;
  /// What ApiVersions advertises, where it is wider than `versions` (Produce only: see
  /// protocol::produce_advertised_versions).
  std::optional<protocol::version_range> advertised = std::nullopt;

  protocol::version_range advertised_versions() const noexcept { return advertised.value_or(versions); }
};

/// Every API the broker serves: one entry per key, in api_key order. ApiVersions advertises
/// exactly this table.
std::span<const handler_entry> handler_table() noexcept;
const handler_entry* find_handler(protocol::api_key key) noexcept;

}  // namespace sluice::broker
