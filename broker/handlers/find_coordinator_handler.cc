#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/find_coordinator.h"

namespace sluice::broker {

// A single broker coordinates every group and every transactional id: the answer is always
// this node, with the address Metadata advertises (clients match the two).
void handle_find_coordinator(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::find_coordinator_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::find_coordinator_response resp;
  if (body->key_type != protocol::coordinator_type_group &&
      body->key_type != protocol::coordinator_type_transaction) {
    resp.error_code = protocol::error_code::invalid_request;
    resp.error_message = "unknown coordinator key type " + std::to_string(body->key_type) +
                         ": use 0 (group) or 1 (transaction)";
    return respond(encode_body(resp, req.version));
  }
  const auto& s = ctx.settings();
  resp.node_id = core::node_id{s.node_id};
  resp.host = s.advertised_host;
  resp.port = s.advertised_port;
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
