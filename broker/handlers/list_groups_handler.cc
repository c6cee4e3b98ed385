#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/list_groups.h"

#include <algorithm>
#include <cctype>
#include <string_view>

namespace sluice::broker {
namespace {

/// Every group here speaks the classic protocol (KIP-848's other types are not served).
constexpr std::string_view classic_group_type = "classic";

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

// Filters as Kafka applies them: an empty filter selects everything; otherwise a group must
// match one of the names, compared case-insensitively, and names that match nothing select
// nothing. v4 filters states (as DescribeGroups spells them), v5 group types — all of ours are
// "classic", which v5+ answers carry as group_type.
void handle_list_groups(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::list_groups_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::list_groups_response resp;
  std::vector<group::group_state> states;
  for (const auto& s : body->states_filter) {
    if (auto st = group::parse_group_state(s)) states.push_back(*st);
  }
  const bool states_match = body->states_filter.empty() || !states.empty();
  const bool types_match =
      body->types_filter.empty() ||
      std::any_of(body->types_filter.begin(), body->types_filter.end(),
                  [](const std::string& t) { return iequal(t, classic_group_type); });
  if (states_match && types_match) {
    for (auto& g : ctx.groups().list_groups(states)) {
      resp.groups.push_back({std::move(g.group_id), std::move(g.protocol_type),
                             std::string(group::to_string(g.state)), std::string(classic_group_type)});
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
