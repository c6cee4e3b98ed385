#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/leave_group.h"

namespace sluice::broker {
// v0–v2 name one member; v3+ (kafkajs) is the batch form with per-member answers (a static
// member may be named by its instance id alone); v5 adds a reason per member, which the
// coordinator logs.
void handle_leave_group(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::leave_group_request>(req);
  if (!body) return respond(reply::malformed());
  std::vector<group::member_identity> who;
  if (req.version >= 3) {
    for (auto& m : body->members) {
      who.push_back({std::move(m.member_id), std::move(m.group_instance_id), std::move(m.reason)});
    }
  } else {
    who.push_back({std::move(body->member_id), std::nullopt, std::nullopt});
  }
  ctx.groups().leave(std::move(body->group_id), who,
                     [respond = std::move(respond), version = req.version, who](group::leave_result r) {
    protocol::leave_group_response resp;
    resp.error_code = to_kafka_error(r.error);
    if (version >= 3) {
      for (size_t i = 0; i < r.members.size() && i < who.size(); ++i) {
        resp.members.push_back({who[i].member_id, who[i].group_instance_id, to_kafka_error(r.members[i])});
      }
    } else if (r.error == group::errc::ok && !r.members.empty()) {
      resp.error_code = to_kafka_error(r.members.front());
    }
    respond(encode_body(resp, version));
  });
}

}  // namespace sluice::broker
