#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/describe_groups.h"

namespace sluice::broker {
// An unknown group is described as state "Dead". Up to v5 without an error, as Apache Kafka
// does for those versions (kafkajs's describeGroups throws for the whole request on any group
// error); from v6 (KIP-1043) with GROUP_ID_NOT_FOUND and Kafka's message, still "Dead". A group
// deleted while we look is Dead too, and answered the same way.
void handle_describe_groups(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::describe_groups_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::describe_groups_response resp;
  for (auto& d : ctx.groups().describe_groups(body->groups)) {
    auto& g = resp.groups.emplace_back();
    g.error_code = to_kafka_error(d.error);
    if (req.version >= 6 && d.error == group::errc::ok && d.state == group::group_state::dead) {
      g.error_code = protocol::error_code::group_id_not_found;
      g.error_message = "Group " + d.group_id + " not found.";
    }
    g.group_id = std::move(d.group_id);
    g.group_state = std::string(group::to_string(d.state));
    g.protocol_type = std::move(d.protocol_type);
    g.protocol_data = std::move(d.protocol_name);
    for (auto& m : d.members) {
      g.members.push_back({std::move(m.member_id), std::move(m.group_instance_id), std::move(m.client_id),
                           std::move(m.client_host), std::move(m.metadata), std::move(m.assignment)});
    }
    // No authorizer: every operation a group supports (Kafka's answer without one), for the
    // groups answered without an error, as Kafka fills them.
    if (body->include_authorized_operations && g.error_code == protocol::error_code::none) {
      g.authorized_operations = protocol::supported_operations(protocol::resource_type::group);
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
