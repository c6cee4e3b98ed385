#include "broker/broker_context.h"
#include "broker/config_manager.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/alter_configs.h"
#include "broker/protocol/describe_configs.h"

#include <set>
#include <utility>

namespace sluice::broker {
void handle_alter_configs(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::alter_configs_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::alter_configs_response resp;
  // A resource named twice in one request is ambiguous: both get INVALID_REQUEST (as in Kafka).
  std::set<std::pair<int8_t, std::string>> seen, repeated;
  for (const auto& res : body->resources) {
    if (!seen.insert({res.resource_type, res.resource_name}).second) {
      repeated.insert({res.resource_type, res.resource_name});
    }
  }
  for (const auto& res : body->resources) {
    auto& out = resp.responses.emplace_back();
    out.resource_type = res.resource_type;
    out.resource_name = res.resource_name;
    std::vector<config_assignment> configs;
    configs.reserve(res.configs.size());
    for (const auto& c : res.configs) configs.emplace_back(c.name, c.value);
    std::optional<config_error> failed;
    if (repeated.contains({res.resource_type, res.resource_name})) {
      failed = config_error{config_error::kind::invalid_request,
                            "resource '" + res.resource_name + "' appears more than once", {}};
    } else if (res.resource_type == protocol::config_resource_topic) {
      failed = ctx.configs().alter_topic(res.resource_name, configs, body->validate_only);
    } else if (res.resource_type == protocol::config_resource_broker) {
      failed = ctx.configs().alter_broker(res.resource_name, configs, body->validate_only);
    } else {
      failed = unsupported_config_resource(res.resource_type);
    }
    if (failed) {
      out.error_code = to_kafka_error(*failed);
      out.error_message = failed->message;
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
