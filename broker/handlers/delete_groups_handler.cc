#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/delete_groups.h"

namespace sluice::broker {
void handle_delete_groups(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::delete_groups_request>(req);
  if (!body) return respond(reply::malformed());
  auto names = body->groups_names;
  ctx.groups().delete_groups(std::move(body->groups_names),
                             [respond = std::move(respond), version = req.version,
                              names = std::move(names)](std::vector<group::errc> r) {
    protocol::delete_groups_response resp;
    for (size_t i = 0; i < names.size(); ++i) {
      resp.results.push_back({names[i], i < r.size() ? to_kafka_error(r[i]) : protocol::error_code::unknown_server_error});
    }
    respond(encode_body(resp, version));
  });
}

}  // namespace sluice::broker
