#include "broker/broker_context.h"
#include "broker/handlers/config_resources.h"
#include "core/protocol/alter_configs.h"

namespace sluice::broker {

void handle_alter_configs(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::alter_configs_request>(req);
  if (!body) return respond(reply::malformed());
  const bool validate_only = body->validate_only;
  // AlterConfigs replaces a resource's whole dynamic set.
  auto assignments = [](const auto& res) {
    std::vector<config_assignment> configs;
    configs.reserve(res.configs.size());
    for (const auto& c : res.configs) configs.emplace_back(c.name, c.value);
    return configs;
  };
  protocol::alter_configs_response resp;
  alter_each_config_resource(
      body->resources, resp.responses,
      [&](const auto& res) { return ctx.configs().alter_topic(res.resource_name, assignments(res), validate_only); },
      [&](const auto& res) { return ctx.configs().alter_broker(res.resource_name, assignments(res), validate_only); });
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
