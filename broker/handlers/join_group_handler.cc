#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/join_group.h"

namespace sluice::broker {
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
  ctx.groups().join(std::move(jr), [respond = std::move(respond), version = req.version](group::join_result r) {
    protocol::join_group_response resp;
    resp.error_code = to_kafka_error(r.error);
    resp.generation_id = r.generation;
    resp.protocol_name = std::move(r.protocol_name);
    resp.leader = std::move(r.leader);
    resp.member_id = std::move(r.member_id);
    for (auto& m : r.members) {
      resp.members.push_back({std::move(m.member_id), std::move(m.group_instance_id), std::move(m.metadata)});
    }
    respond(encode_body(resp, version));
  });
}

}  // namespace sluice::broker
