#include "broker/config_manager.h"

#include "broker/broker_config.h"
#include "broker/storage/errc.h"
#include "broker/storage/file.h"
#include "broker/storage/topic_config.h"
#include "core/assert.h"
#include "core/log.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace sluice::broker {
namespace {

const core::logger& log() {
  static const core::logger instance("broker.config");
  return instance;
}

constexpr const char* configs_file = "broker-configs.json";

core::properties builtin_defaults() {
  core::properties out;
  for (const auto& e : broker_config_def().parse({}).entries()) out[e.name] = e.value;
  return out;
}

/// Canonical text of a broker key's value (as `config::entries` would print it).
std::string canonical_broker_value(const std::string& key, const std::string& value) {
  core::properties one{{key, value}};
  for (const auto& e : broker_config_def().parse(one).entries()) {
    if (e.name == key) return e.value;
  }
  return value;
}

config_error invalid_config(std::string message) {
  return {config_error::kind::invalid_config, std::move(message), {}};
}

config_error invalid_request(std::string message) {
  return {config_error::kind::invalid_request, std::move(message), {}};
}

bool wanted(const std::optional<std::vector<std::string>>& keys, std::string_view name) {
  return !keys || std::find(keys->begin(), keys->end(), name) != keys->end();
}

/// Checks an AlterConfigs key list for repeats and nulls.
std::optional<config_error> check_assignments(const std::vector<config_assignment>& configs) {
  std::set<std::string> seen;
  for (const auto& [name, value] : configs) {
    if (!seen.insert(name).second) {
      return invalid_request("config '" + name + "' appears more than once");
    }
    if (!value) return invalid_request("null value for config '" + name + "' is not supported");
  }
  return std::nullopt;
}

core::properties read_layer(const nlohmann::json& doc, const char* name) {
  core::properties out;
  if (!doc.contains(name) || !doc[name].is_object()) return out;
  for (auto& [k, v] : doc[name].items()) {
    if (!v.is_string()) continue;
    auto value = v.get<std::string>();
    if (!config_manager::is_dynamic_broker_key(k)) {
      log().warn("{}: ignoring '{}': not a dynamic broker config", configs_file, k);
      continue;
    }
    if (auto problem = broker_config_def().validate(k, value)) {
      log().warn("{}: ignoring {}", configs_file, *problem);
      continue;
    }
    out[k] = value;
  }
  return out;
}

}  // namespace

bool config_manager::is_dynamic_broker_key(std::string_view key) noexcept {
  return storage::find_topic_key_by_broker_name(key) != nullptr;
}

config_manager::config_manager(std::filesystem::path data_dir, core::properties static_config,
                               int32_t node_id, storage::log_manager& logs)
    : _path(data_dir / configs_file), _static(std::move(static_config)),
      _builtin_defaults(builtin_defaults()), _node_id(node_id), _logs(logs) {}

result<std::unique_ptr<config_manager>> config_manager::open(std::filesystem::path data_dir,
                                                             core::properties static_config,
                                                             int32_t node_id,
                                                             storage::log_manager& logs) {
  std::unique_ptr<config_manager> m(
      new config_manager(std::move(data_dir), std::move(static_config), node_id, logs));
  auto raw = storage::read_whole_file(m->_path);
  if (raw) {
    auto doc = nlohmann::json::parse(core::as_string_view(raw.value()), nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
      log().error("{}: unreadable dynamic broker configuration", m->_path.string());
      return core::errc::invalid_config;
    }
    m->_cluster_default = read_layer(doc, "cluster-default");
    m->_broker = read_layer(doc, "broker");
  } else if (raw.error() != std::errc::no_such_file_or_directory) {
    return raw.error();
  }
  if (!m->_cluster_default.empty() || !m->_broker.empty()) {
    std::lock_guard lock(m->_mutex);
    auto options = to_broker_options(
        broker_config_def().parse(m->effective_locked(m->_cluster_default, m->_broker)));
    logs.set_defaults(options.log);
    log().info("applied {} dynamic broker config(s) from {}",
               m->_cluster_default.size() + m->_broker.size(), m->_path.string());
  }
  return m;
}

std::optional<bool> config_manager::is_cluster_default(const std::string& name) const {
  if (name.empty()) return true;
  if (name == std::to_string(_node_id)) return false;
  return std::nullopt;
}

core::properties config_manager::effective_locked(const core::properties& cluster_default,
                                                  const core::properties& broker) const {
  core::properties p = _static;
  for (const auto& [k, v] : cluster_default) p[k] = v;
  for (const auto& [k, v] : broker) p[k] = v;
  return p;
}

config_description config_manager::describe_broker_key_locked(const core::config_key& key) const {
  config_description d;
  d.name = key.name;
  d.sensitive = key.sensitive;
  d.read_only = !is_dynamic_broker_key(key.name);
  auto add = [&](const core::properties& layer, config_origin origin) {
    auto it = layer.find(key.name);
    if (it != layer.end()) d.synonyms.push_back({key.name, it->second, origin});
  };
  add(_broker, config_origin::broker_override);
  add(_cluster_default, config_origin::cluster_default_override);
  auto st = _static.find(key.name);
  auto def = _builtin_defaults.find(key.name);
  std::string default_text = def == _builtin_defaults.end() ? std::string() : def->second;
  if (st != _static.end() && st->second != default_text) {
    d.synonyms.push_back({key.name, st->second, config_origin::static_config});
  }
  d.synonyms.push_back({key.name, default_text, config_origin::default_value});
  d.value = d.synonyms.front().value;
  d.origin = d.synonyms.front().origin;
  if (d.sensitive) {
    d.value.clear();
    for (auto& s : d.synonyms) s.value.clear();
  }
  return d;
}

config_description config_manager::describe_topic_default_locked(std::string_view topic_key,
                                                                 std::string_view broker_key) const {
  const auto* key = broker_config_def().find(broker_key);
  SLUICE_ASSERT(key != nullptr, "a topic key without a broker synonym");
  config_description d = describe_broker_key_locked(*key);
  d.name = std::string(topic_key);
  d.read_only = false;
  return d;
}

std::optional<config_error> config_manager::describe_topic(
    const std::string& topic, const std::optional<std::vector<std::string>>& keys,
    std::vector<config_description>& out) const {
  auto info = _logs.topic(topic);
  if (!info) {
    return config_error{config_error::kind::unknown_topic,
                        "topic '" + topic + "' does not exist", {}};
  }
  std::lock_guard lock(_mutex);
  for (const auto& k : storage::topic_keys()) {
    if (!wanted(keys, k.name)) continue;
    config_description d = describe_topic_default_locked(k.name, k.broker_name);
    auto it = info->configs.find(std::string(k.name));
    if (it != info->configs.end()) {
      d.synonyms.insert(d.synonyms.begin(),
                        {std::string(k.name), it->second, config_origin::topic_override});
      d.value = it->second;
      d.origin = config_origin::topic_override;
    }
    out.push_back(std::move(d));
  }
  return std::nullopt;
}

std::optional<config_error> config_manager::describe_broker(
    const std::string& name, const std::optional<std::vector<std::string>>& keys,
    std::vector<config_description>& out) const {
  auto cluster_default = is_cluster_default(name);
  if (!cluster_default) {
    return invalid_request("broker '" + name + "' is not this broker (node " +
                           std::to_string(_node_id) + ")");
  }
  std::lock_guard lock(_mutex);
  std::vector<config_description> all;
  for (const auto& key : broker_config_def().keys()) {
    if (!wanted(keys, key.name)) continue;
    if (*cluster_default) {
      auto it = _cluster_default.find(key.name);
      if (it == _cluster_default.end()) continue;
      config_description d;
      d.name = key.name;
      d.value = it->second;
      d.origin = config_origin::cluster_default_override;
      d.synonyms.push_back({key.name, it->second, d.origin});
      all.push_back(std::move(d));
      continue;
    }
    all.push_back(describe_broker_key_locked(key));
  }
  std::sort(all.begin(), all.end(),
            [](const config_description& a, const config_description& b) { return a.name < b.name; });
  for (auto& d : all) out.push_back(std::move(d));
  return std::nullopt;
}

std::optional<config_error> config_manager::alter_topic(const std::string& topic,
                                                        const std::vector<config_assignment>& configs,
                                                        bool validate_only) {
  if (!_logs.topic(topic)) {
    return config_error{config_error::kind::unknown_topic,
                        "topic '" + topic + "' does not exist", {}};
  }
  if (auto e = check_assignments(configs)) return e;
  storage::topic_overrides overrides;
  for (const auto& [name, value] : configs) {
    if (auto problem = storage::validate_topic_config(name, *value)) return invalid_config(*problem);
    overrides[name] = storage::canonical_topic_config(name, *value);
  }
  if (validate_only) return std::nullopt;
  std::lock_guard lock(_mutex);
  if (auto r = _logs.set_topic_configs(topic, overrides); !r) {
    if (r.error() == storage::errc::unknown_partition) {
      return config_error{config_error::kind::unknown_topic,
                          "topic '" + topic + "' does not exist", {}};
    }
    return config_error{config_error::kind::storage,
                        "could not persist the configuration of topic '" + topic +
                            "': " + r.error().message(),
                        r.error()};
  }
  log().info("topic {}: configuration replaced ({} override(s))", topic, overrides.size());
  return std::nullopt;
}

std::optional<config_error> config_manager::alter_broker(const std::string& name,
                                                         const std::vector<config_assignment>& configs,
                                                         bool validate_only) {
  auto cluster_default = is_cluster_default(name);
  if (!cluster_default) {
    return invalid_request("broker '" + name + "' is not this broker (node " +
                           std::to_string(_node_id) + ")");
  }
  if (auto e = check_assignments(configs)) return e;
  core::properties layer;
  for (const auto& [key, value] : configs) {
    if (broker_config_def().find(key) == nullptr) {
      return invalid_config("unknown broker config '" + key + "'");
    }
    if (!is_dynamic_broker_key(key)) {
      return invalid_config("broker config '" + key +
                            "' is read-only: it cannot be changed while the broker runs; set it "
                            "in the broker's configuration and restart");
    }
    if (auto problem = broker_config_def().validate(key, *value)) return invalid_config(*problem);
    layer[key] = canonical_broker_value(key, *value);
  }
  std::lock_guard lock(_mutex);
  core::properties next_default = *cluster_default ? layer : _cluster_default;
  core::properties next_broker = *cluster_default ? _broker : layer;
  broker_options options;
  try {
    options = to_broker_options(broker_config_def().parse(effective_locked(next_default, next_broker)));
  } catch (const core::config_exception& e) {
    return invalid_config(e.what());
  }
  if (validate_only) return std::nullopt;
  if (auto r = save_locked(next_default, next_broker); !r) {
    return config_error{config_error::kind::storage,
                        "could not persist the dynamic broker configuration: " + r.error().message(),
                        r.error()};
  }
  _cluster_default = std::move(next_default);
  _broker = std::move(next_broker);
  _logs.set_defaults(options.log);
  log().info("dynamic broker configuration of '{}' replaced ({} key(s))",
             *cluster_default ? std::string("<cluster default>") : name, layer.size());
  return std::nullopt;
}

result<void> config_manager::save_locked(const core::properties& cluster_default,
                                         const core::properties& broker) const {
  nlohmann::json doc;
  doc["version"] = 1;
  doc["cluster-default"] = nlohmann::json::object();
  for (const auto& [k, v] : cluster_default) doc["cluster-default"][k] = v;
  doc["broker"] = nlohmann::json::object();
  for (const auto& [k, v] : broker) doc["broker"][k] = v;
  return storage::write_file_atomically(_path, core::as_bytes(doc.dump(2)));
}

}  // namespace sluice::broker
