#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/heartbeat.h"

namespace sluice::broker {
void handle_heartbeat(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::heartbeat_request>(req);
  if (!body) return respond(reply::malformed());
  group::heartbeat_request hr;
  hr.group_id = std::move(body->group_id);
  hr.generation = body->generation_id;
  hr.member_id = std::move(body->member_id);
  hr.group_instance_id = std::move(body->group_instance_id);
  protocol::heartbeat_response resp;
  resp.error_code = to_kafka_error(ctx.groups().heartbeat(hr));
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
