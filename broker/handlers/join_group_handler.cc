#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/join_group.h"

namespace sluice::broker {
namespace {

std::optional<std::string> unless_empty(std::string s) {
  if (s.empty()) return std::nullopt;
  return s;
}

}  // namespace

// v7+ answer the group's protocol type, and null for a protocol type or name the answer does
// not know (every error, MEMBER_ID_REQUIRED included), as Kafka does; before v7 the codec
// writes an unknown name as "". v9's skip_assignment is set only for a returning static leader
// answered without a rebalance (KIP-814): we have no server-side assignor, so a leader chosen
// by a join phase always assigns.
void handle_join_group(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::join_group_request>(req);
  if (!body) return respond(reply::malformed());
  group::join_request jr;
  jr.group_id = std::move(body->group_id);
  jr.member_id = std::move(body->member_id);
  jr.group_instance_id = std::move(body->group_instance_id);
  jr.client_id = req.client_id;
  jr.client_host = req.client_host;
  jr.session_timeout_ms = body->session_timeout_ms;
  // v0 has no rebalance timeout: the session timeout bounds the join phase.
  jr.rebalance_timeout_ms = req.version >= 1 ? body->rebalance_timeout_ms : body->session_timeout_ms;
  jr.protocol_type = std::move(body->protocol_type);
  for (auto& p : body->protocols) jr.protocols.push_back({std::move(p.name), std::move(p.metadata)});
  jr.require_known_member_id = req.version >= 4;
  jr.supports_skip_assignment = req.version >= 9;
  jr.reason = std::move(body->reason);
  ctx.groups().join(std::move(jr), [respond = std::move(respond), version = req.version](group::join_result r) {
    protocol::join_group_response resp;
    resp.error_code = to_kafka_error(r.error);
    resp.generation_id = r.generation;
    resp.protocol_type = unless_empty(std::move(r.protocol_type));
    resp.protocol_name = unless_empty(std::move(r.protocol_name));
    resp.leader = std::move(r.leader);
    resp.skip_assignment = r.skip_assignment;
    resp.member_id = std::move(r.member_id);
    for (auto& m : r.members) {
      resp.members.push_back({std::move(m.member_id), std::move(m.group_instance_id), std::move(m.metadata)});
    }
    respond(encode_body(resp, version));
  });
}

}  // namespace sluice::broker
