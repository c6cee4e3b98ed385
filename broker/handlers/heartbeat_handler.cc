#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/heartbeat.h"

namespace sluice::broker {
namespace {

protocol::error_code map_error(group::errc e) noexcept {
  using group::errc;
  using protocol::error_code;
  switch (e) {
    case errc::ok: return error_code::none;
    case errc::unknown_member_id: return error_code::unknown_member_id;
    case errc::illegal_generation: return error_code::illegal_generation;
    case errc::rebalance_in_progress: return error_code::rebalance_in_progress;
    case errc::fenced_instance_id: return error_code::fenced_instance_id;
    case errc::coordinator_not_available: return error_code::coordinator_not_available;
    default: return error_code::unknown_server_error;
  }
}

}  // namespace

void handle_heartbeat(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::heartbeat_request>(req);
  if (!body) return respond(reply::malformed());
  group::heartbeat_request hr;
  hr.group_id = std::move(body->group_id);
  hr.generation = body->generation_id;
  hr.member_id = std::move(body->member_id);
  hr.group_instance_id = std::move(body->group_instance_id);
  protocol::heartbeat_response resp;
  resp.error_code = map_error(ctx.groups().heartbeat(hr));
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
