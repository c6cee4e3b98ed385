#include "broker/handlers/handlers.h"
#include "core/protocol/api_versions.h"

namespace sluice::broker {

std::vector<std::pair<int16_t, protocol::version_range>> advertised_versions() {
  std::vector<std::pair<int16_t, protocol::version_range>> out;
  for (const auto& e : handler_table()) out.emplace_back(static_cast<int16_t>(e.key), e.advertised_versions());
  return out;
}

protocol::api_versions_response advertised_api_versions_response() {
  protocol::api_versions_response resp;
  for (auto [key, range] : advertised_versions()) resp.api_keys.push_back({key, range.min, range.max});
  return resp;
}

void handle_api_versions(broker_context&, const request& req, responder respond) {
  auto body = decode_body<protocol::api_versions_request>(req);
  if (!body) return respond(reply::malformed());
  if (req.version >= 3 && (!protocol::is_valid_client_software(body->client_software_name) ||
                           !protocol::is_valid_client_software(body->client_software_version))) {
    // Kafka answers INVALID_REQUEST with no API list (and keeps the connection).
    protocol::api_versions_response invalid;
    invalid.error_code = protocol::error_code::invalid_request;
    return respond(encode_body(invalid, req.version));
  }
  respond(encode_body(advertised_api_versions_response(), req.version));
}

}  // namespace sluice::broker
