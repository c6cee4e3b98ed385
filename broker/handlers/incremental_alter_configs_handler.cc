#include "broker/broker_context.h"
#include "broker/handlers/config_resources.h"
#include "core/protocol/incremental_alter_configs.h"

namespace sluice::broker {

void handle_incremental_alter_configs(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::incremental_alter_configs_request>(req);
  if (!body) return respond(reply::malformed());
  const bool validate_only = body->validate_only;
  // Each named key is set, deleted, appended to or subtracted from; the others are kept.
  auto alterations = [](const auto& res) {
    std::vector<config_alteration> out;
    out.reserve(res.configs.size());
    for (const auto& c : res.configs) {
      out.push_back({c.name, static_cast<config_alteration::op>(c.config_operation), c.value});
    }
    return out;
  };
  protocol::incremental_alter_configs_response resp;
  alter_each_config_resource(
      body->resources, resp.responses,
      [&](const auto& res) {
        return ctx.configs().incremental_alter_topic(res.resource_name, alterations(res), validate_only);
      },
      [&](const auto& res) {
        return ctx.configs().incremental_alter_broker(res.resource_name, alterations(res), validate_only);
      });
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
