#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/sync_group.h"

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
    case errc::coordinator_not_available:
    case errc::storage_error: return error_code::coordinator_not_available;
    default: return error_code::unknown_server_error;  // record_too_large among others
  }
}

}  // namespace

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
    resp.error_code = map_error(r.error);
    resp.assignment = std::move(r.assignment);
    respond(encode_body(resp, version));
  });
}

}  // namespace sluice::broker
