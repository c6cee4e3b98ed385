#pragma once
/// What AlterConfigs and IncrementalAlterConfigs share (module-private): the answer built
/// resource by resource, a resource named twice refused, and the resource types served.

#include "broker/config_manager.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/describe_configs.h"

#include <optional>
#include <set>
#include <string>
#include <utility>

namespace sluice::broker {

/// Fills `responses` with one entry per request resource, in order: a resource named twice in
/// the request gets INVALID_REQUEST on every copy (ambiguous, as Kafka answers); a TOPIC or
/// BROKER resource gets what `alter_topic(resource)` / `alter_broker(resource)` return; any
/// other type (BROKER_LOGGER included: log levels are not alterable here) is refused.
template <class Resources, class Responses, class AlterTopic, class AlterBroker>
void alter_each_config_resource(const Resources& resources, Responses& responses,
                                AlterTopic&& alter_topic, AlterBroker&& alter_broker) {
  std::set<std::pair<int8_t, std::string>> seen, repeated;
  for (const auto& res : resources) {
    if (!seen.insert({res.resource_type, res.resource_name}).second) {
      repeated.insert({res.resource_type, res.resource_name});
    }
  }
  for (const auto& res : resources) {
    auto& out = responses.emplace_back();
    out.resource_type = res.resource_type;
    out.resource_name = res.resource_name;
    std::optional<config_error> failed;
    if (repeated.contains({res.resource_type, res.resource_name})) {
      failed = config_error{config_error::kind::invalid_request,
                            "resource '" + res.resource_name + "' appears more than once", {}};
    } else if (res.resource_type == protocol::config_resource_topic) {
      failed = alter_topic(res);
    } else if (res.resource_type == protocol::config_resource_broker) {
      failed = alter_broker(res);
    } else {
      failed = unsupported_config_resource(res.resource_type);
    }
    if (failed) {
      out.error_code = to_kafka_error(*failed);
      out.error_message = failed->message;
    }
  }
}

}  // namespace sluice::broker
