#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/find_coordinator.h"

#include <optional>
#include <string>

namespace sluice::broker {
namespace {

/// Where one key's coordinator is: this node, or why not.
struct coordinator_answer {
  protocol::error_code error = protocol::error_code::none;
  std::optional<std::string> message;
  core::node_id node{-1};
  std::string host;
  int32_t port = -1;
};

// A single broker coordinates every group and every transactional id: the answer is always
// this node, with the address Metadata advertises (clients match the two). Any other key type
// — share groups (2, v6+, KIP-932) included, which this broker does not have — gets
// INVALID_REQUEST and no node (-1, "", -1), as Kafka answers a key type it has no coordinator
// for (per key from v4).
coordinator_answer answer_for(const broker_context& ctx, int8_t key_type) {
  coordinator_answer a;
  if (key_type == protocol::coordinator_type_group ||
      key_type == protocol::coordinator_type_transaction) {
    const auto& s = ctx.settings();
    a.node = core::node_id{s.node_id};
    a.host = s.advertised_host;
    a.port = s.advertised_port;
    return a;
  }
  a.error = protocol::error_code::invalid_request;
  a.message = key_type == protocol::coordinator_type_share
                  ? std::string("share groups are not supported: use key type 0 (group) or 1 (transaction)")
                  : "unknown coordinator key type " + std::to_string(key_type) +
                        ": use 0 (group) or 1 (transaction)";
  return a;
}

}  // namespace

// v0–v3 ask for one key and get one answer; v4+ (KIP-699) ask for many, one answer per key in
// request order.
void handle_find_coordinator(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::find_coordinator_request>(req);
  if (!body) return respond(reply::malformed());
  const coordinator_answer a = answer_for(ctx, body->key_type);
  protocol::find_coordinator_response resp;
  if (req.version >= 4) {
    for (auto& key : body->coordinator_keys) {
      resp.coordinators.push_back({std::move(key), a.node, a.host, a.port, a.error, a.message});
    }
  } else {
    resp.error_code = a.error;
    resp.error_message = a.message;
    resp.node_id = a.node;
    resp.host = a.host;
    resp.port = a.port;
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
