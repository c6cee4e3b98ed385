#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/sync_group.h"

namespace sluice::broker {
void handle_sync_group(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::sync_group_request>(req);
  if (!body) return respond(reply::malformed());
  group::sync_request sr;
  sr.group_id = std::move(body->group_id);
  sr.generation = body->generation_id;
  sr.member_id = std::move(body->member_id);
  sr.group_instance_id = std::move(body->group_instance_id);
  for (auto& a : body->assignments) sr.assignments.emplace_back(std::move(a.member_id), std::move(a.assignment));
  ctx.groups().sync(std::move(sr), [respond = std::move(respond), version = req.version](group::sync_result r) {
    protocol::sync_group_response resp;
    resp.error_code = to_kafka_error(r.error);
    resp.assignment = std::move(r.assignment);
    respond(encode_body(resp, version));
  });
}

}  // namespace sluice::broker
