#include "broker/broker_context.h"
#include "broker/config_manager.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/describe_configs.h"

namespace sluice::broker {
namespace {

/// Kafka's ConfigType of a key: the Java ConfigDef.Type it would be declared with.
protocol::config_type to_config_type(const core::config_key& key) noexcept {
  using protocol::config_type;
  switch (key.type) {
    case core::config_type::string:
      return key.sensitive ? config_type::password_type : config_type::string_type;
    case core::config_type::integer:
      return key.width == core::int_width::int32 ? config_type::int_type : config_type::long_type;
    case core::config_type::boolean: return config_type::boolean_type;
    case core::config_type::floating: return config_type::double_type;
    case core::config_type::list: return config_type::list_type;
    case core::config_type::enumeration: return config_type::string_type;
  }
  return config_type::unknown;
}

}  // namespace

protocol::config_source to_config_source(config_origin o) noexcept {
  using protocol::config_source;
  switch (o) {
    case config_origin::topic_override: return config_source::dynamic_topic_config;
    case config_origin::broker_override: return config_source::dynamic_broker_config;
    case config_origin::cluster_default_override: return config_source::dynamic_default_broker_config;
    case config_origin::static_config: return config_source::static_broker_config;
    case config_origin::default_value: return config_source::default_config;
  }
  return config_source::unknown;
}

void handle_describe_configs(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::describe_configs_request>(req);
  if (!body) return respond(reply::malformed());
  using response = protocol::describe_configs_response;
  response resp;
  for (const auto& res : body->resources) {
    auto& result = resp.results.emplace_back();
    result.resource_type = res.resource_type;
    result.resource_name = res.resource_name;
    std::vector<config_description> described;
    std::optional<config_error> failed;
    const bool topic = res.resource_type == protocol::config_resource_topic;
    if (topic) {
      failed = ctx.configs().describe_topic(res.resource_name, res.configuration_keys, described);
    } else if (res.resource_type == protocol::config_resource_broker) {
      failed = ctx.configs().describe_broker(res.resource_name, res.configuration_keys, described);
    } else {
      failed = unsupported_config_resource(res.resource_type);
    }
    if (failed) {
      result.error_code = to_kafka_error(*failed);
      result.error_message = failed->message;
      continue;
    }
    for (auto& d : described) {
      auto& c = result.configs.emplace_back();
      c.name = std::move(d.name);
      c.value = d.sensitive ? std::nullopt : std::optional<std::string>(std::move(d.value));
      c.read_only = d.read_only;
      // v0's IsDefault: "the configuration is not set" on this resource.
      c.is_default = topic ? d.origin != config_origin::topic_override
                           : d.origin == config_origin::default_value;
      c.config_source = static_cast<int8_t>(to_config_source(d.origin));
      c.is_sensitive = d.sensitive;
      if (body->include_synonyms) {
        for (auto& s : d.synonyms) {
          c.synonyms.push_back(
              {std::move(s.name),
               d.sensitive ? std::nullopt : std::optional<std::string>(std::move(s.value)),
               static_cast<int8_t>(to_config_source(s.origin))});
        }
      }
      // v3+: the type always, the documentation only when asked for (null otherwise), as
      // Kafka's ConfigHelper answers.
      c.config_type = static_cast<int8_t>(to_config_type(*d.definition));
      if (body->include_documentation) c.documentation = d.definition->doc;
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
