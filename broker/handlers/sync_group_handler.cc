#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/sync_group.h"

namespace sluice::broker {
namespace {

std::optional<std::string> unless_empty(std::string s) {
  if (s.empty()) return std::nullopt;
  return s;
}

}  // namespace

// v5+ (KIP-559): the protocol type and name are mandatory — a request without either gets
// INCONSISTENT_GROUP_PROTOCOL before the coordinator sees it, as Kafka answers — and must be
// the group's (the coordinator checks, after the member and generation). Successful answers
// carry the group's type and name, errors neither.
void handle_sync_group(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::sync_group_request>(req);
  if (!body) return respond(reply::malformed());
  if (req.version >= 5 && (!body->protocol_type || !body->protocol_name)) {
    protocol::sync_group_response resp;
    resp.error_code = protocol::error_code::inconsistent_group_protocol;
    return respond(encode_body(resp, req.version));
  }
  group::sync_request sr;
  sr.group_id = std::move(body->group_id);
  sr.generation = body->generation_id;
  sr.member_id = std::move(body->member_id);
  sr.group_instance_id = std::move(body->group_instance_id);
  sr.protocol_type = std::move(body->protocol_type);
  sr.protocol_name = std::move(body->protocol_name);
  for (auto& a : body->assignments) sr.assignments.emplace_back(std::move(a.member_id), std::move(a.assignment));
  ctx.groups().sync(std::move(sr), [respond = std::move(respond), version = req.version](group::sync_result r) {
    protocol::sync_group_response resp;
    resp.error_code = to_kafka_error(r.error);
    if (r.error == group::errc::ok) {
      resp.protocol_type = unless_empty(std::move(r.protocol_type));
      resp.protocol_name = unless_empty(std::move(r.protocol_name));
    }
    resp.assignment = std::move(r.assignment);
    respond(encode_body(resp, version));
  });
}

}  // namespace sluice::broker
