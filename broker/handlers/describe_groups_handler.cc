#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/describe_groups.h"

namespace sluice::broker {
// An unknown group is described as state "Dead" without an error, as Apache Kafka does for
// these versions: kafkajs's describeGroups throws for the whole request on any group error.
void handle_describe_groups(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::describe_groups_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::describe_groups_response resp;
  for (auto& d : ctx.groups().describe_groups(body->groups)) {
    auto& g = resp.groups.emplace_back();
    g.error_code = to_kafka_error(d.error);
    g.group_id = std::move(d.group_id);
    g.group_state = std::string(group::to_string(d.state));
    g.protocol_type = std::move(d.protocol_type);
    g.protocol_data = std::move(d.protocol_name);
    for (auto& m : d.members) {
      g.members.push_back({std::move(m.member_id), std::move(m.group_instance_id), std::move(m.client_id),
                           std::move(m.client_host), std::move(m.metadata), std::move(m.assignment)});
    }
    // No authorizer: every operation a group supports (Kafka's answer without one).
    if (body->include_authorized_operations) {
      g.authorized_operations = protocol::supported_operations(protocol::resource_type::group);
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
