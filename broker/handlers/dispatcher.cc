#include "broker/handlers/dispatcher.h"

#include "broker/broker_context.h"
#include "broker/broker_metrics.h"
#include "broker/handlers/handler.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/api_versions.h"
#include "core/protocol/request_header.h"
#include "core/log.h"
#include "core/once_filter.h"

#include <chrono>

namespace sluice::broker {
namespace {

const core::logger& log() {
  static const core::logger instance("broker");
  return instance;
}

/// The client id of a request, if its header decodes.
std::string client_id_of(bytes_view frame) {
  protocol::reader r(frame);
  auto header = protocol::request_header::decode(r);
  return header && header.value().client_id ? *header.value().client_id : std::string();
}

/// Warns that a connection is closed because of its request, once per peer address, client
/// id, API, version and reason (process-wide, so that a late reply still finds it): a client
/// that retries what we refuse is not logged on every attempt.
void log_close(const std::string& peer, const std::string& client, int16_t api, int16_t version,
               std::string_view why) {
  static auto* logged = new core::once_filter();  // never destroyed: replies may outlive brokers
  if (!logged->first(fmt::format("{}\n{}\n{}\n{}\n{}", peer, client, api, version, why))) return;
  const auto key = protocol::to_api_key(api);
  const std::string api_name = key ? std::string(protocol::name(*key)) : "API " + std::to_string(api);
  log().warn("closing the connection of client '{}' ({}): {} v{}: {} (logged once per client, "
             "API, version and reason)",
             client, peer, api_name, version, why);
}

}  // namespace

void dispatcher::dispatch(bytes_view frame, const std::string& peer,
                          std::function<void(net::frame_result)> done) {
  using net::frame_result;
  auto prefix = protocol::peek_request_prefix(frame);
  if (!prefix) {
    log_close(peer, "", -1, -1, "a frame too short for a request header");
    return done({frame_result::kind::close, {}});
  }
  auto key = protocol::to_api_key(prefix->api_key);
  const handler_entry* entry = key ? find_handler(*key) : nullptr;
  if (entry == nullptr) {
    log_close(peer, client_id_of(frame), prefix->api_key, prefix->api_version, "unknown API key");
    return done({frame_result::kind::close, {}});
  }
  const broker_metrics::api_handles* api = _metrics.api(*key);
  if (api != nullptr) api->requests->inc();
  if (!entry->versions.contains(prefix->api_version)) {
    if (*key == protocol::api_key::api_versions) {
      // Kafka's fallback: a v0 body with UNSUPPORTED_VERSION and our ApiVersions range, so the
      // client can retry with a version we speak.
      core::bytes out;
      protocol::writer w(out);
      protocol::encode_response_header(w, *key, 0, prefix->correlation_id);
      auto list = advertised_api_versions_response().api_keys;
      protocol::api_versions_response::unsupported_version_fallback(std::move(list)).encode(w, 0);
      return done({frame_result::kind::respond, std::move(out), {}});
    }
    // As Kafka: the connection is closed (the client cannot decode an answer in a version it
    // did not expect).
    log_close(peer, client_id_of(frame), prefix->api_key, prefix->api_version,
              fmt::format("version not served (served: {}–{})", entry->versions.min, entry->versions.max));
    _metrics.count_malformed(*key);
    return done({frame_result::kind::close, {}});
  }
  protocol::reader r(frame);
  auto header = protocol::request_header::decode(r);
  if (!header) {
    log_close(peer, "", prefix->api_key, prefix->api_version, "malformed request header");
    _metrics.count_malformed(*key);
    return done({frame_result::kind::close, {}});
  }
  request req;
  req.key = *key;
  req.version = prefix->api_version;
  req.correlation_id = prefix->correlation_id;
  req.client_id = header.value().client_id.value_or("");
  if (!peer.empty()) req.client_host = "/" + peer;
  req.body = frame.subspan(r.position());
  auto respond = [key = *key, version = req.version, correlation = req.correlation_id,
                  done = std::move(done), m = &_metrics, api, peer, client = req.client_id,
                  started = std::chrono::steady_clock::now()](reply r) {
    if (api != nullptr) {
      api->latency->observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    if (!r.errors.empty()) m->count_errors(key, r.errors);
    if (r.what == reply::kind::none) return done({frame_result::kind::no_response, {}});
    if (r.what == reply::kind::malformed) {
      log_close(peer, client, static_cast<int16_t>(key), version, "malformed request body");
      m->count_malformed(key);
      return done({frame_result::kind::close, {}});
    }
    core::bytes head;
    protocol::writer w(head);
    protocol::encode_response_header(w, key, version, correlation);
    frame_result out{frame_result::kind::respond, std::move(head), std::move(r.body), {}, std::move(r.keepalive)};
    out.splices.reserve(r.splices.size());
    for (const auto& sp : r.splices) {
      out.splices.push_back({sp.position, sp.data, sp.file.fd, sp.file.position, sp.file.size});
    }
    done(std::move(out));
  };
  entry->fn(_ctx, req, std::move(respond));
}

}  // namespace sluice::broker
