#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/list_groups.h"

namespace sluice::broker {

void handle_list_groups(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::list_groups_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::list_groups_response resp;
  // v4 filter: state names as DescribeGroups spells them (any case); names that match no state
  // select nothing, so a filter of only unknown names lists no group.
  std::vector<group::group_state> states;
  for (const auto& s : body->states_filter) {
    if (auto st = group::parse_group_state(s)) states.push_back(*st);
  }
  if (body->states_filter.empty() || !states.empty()) {
    for (auto& g : ctx.groups().list_groups(states)) {
      resp.groups.push_back({std::move(g.group_id), std::move(g.protocol_type), std::string(group::to_string(g.state))});
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
