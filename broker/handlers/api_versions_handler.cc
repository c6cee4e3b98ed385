#include "broker/handlers/handlers.h"
#include "broker/protocol/api_versions.h"

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
  respond(encode_body(advertised_api_versions_response(), req.version));
}

}  // namespace sluice::broker
