#include "broker/broker_context.h"
#include "broker/config_manager.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/describe_configs.h"
#include "broker/protocol/incremental_alter_configs.h"

#include <set>
#include <utility>

namespace sluice::broker {

void handle_incremental_alter_configs(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::incremental_alter_configs_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::incremental_alter_configs_response resp;
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
    std::vector<config_alteration> alterations;
    alterations.reserve(res.configs.size());
    for (const auto& c : res.configs) {
      alterations.push_back(
          {c.name, static_cast<config_alteration::op>(c.config_operation), c.value});
    }
    std::optional<config_error> failed;
    if (repeated.contains({res.resource_type, res.resource_name})) {
      failed = config_error{config_error::kind::invalid_request,
                            "resource '" + res.resource_name + "' appears more than once",
                            {}};
    } else if (res.resource_type == protocol::config_resource_topic) {
      failed = ctx.configs().incremental_alter_topic(res.resource_name, alterations,
                                                     body->validate_only);
    } else if (res.resource_type == protocol::config_resource_broker) {
      failed = ctx.configs().incremental_alter_broker(res.resource_name, alterations,
                                                      body->validate_only);
    } else {
      // BROKER_LOGGER (8) included: log levels are not alterable here, as with AlterConfigs.
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
