#include "broker/config_manager.h"

#include "broker/broker_config.h"
#include "broker/storage/errc.h"
#include "broker/storage/file.h"
#include "broker/storage/topic_config.h"
#include "core/assert.h"
#include "core/log.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
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

/// Why a broker key cannot be given a value at run time: unknown or read-only.
std::optional<config_error> broker_key_problem(const std::string& key) {
  if (broker_config_def().find(key) == nullptr) {
    return invalid_config("unknown broker config '" + key + "'");
  }
  if (!config_manager::is_dynamic_broker_key(key)) {
    return invalid_config("broker config '" + key +
                          "' is read-only: it cannot be changed while the broker runs; set it "
                          "in the broker's configuration and restart");
  }
  return std::nullopt;
}

std::string_view op_name(config_alteration::op op) {
  switch (op) {
    case config_alteration::op::set: return "SET";
    case config_alteration::op::remove: return "DELETE";
    case config_alteration::op::append: return "APPEND";
    case config_alteration::op::subtract: return "SUBTRACT";
  }
  return "UNKNOWN";
}

/// The items of a LIST value: split on commas, trimmed, empty items dropped.
std::vector<std::string> list_items(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const size_t comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!item.empty() && space(item.front())) item.remove_prefix(1);
    while (!item.empty() && space(item.back())) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (comma == std::string_view::npos) return out;
    text.remove_prefix(comma + 1);
  }
}

/// Checks an IncrementalAlterConfigs operation list before anything else, as Kafka does: a key
/// named twice, a null value for anything but DELETE, an unknown operation.
std::optional<config_error> check_alterations(const std::vector<config_alteration>& alterations) {
  std::set<std::string> seen;
  for (const auto& a : alterations) {
    if (!seen.insert(a.name).second) {
      return invalid_request("config '" + a.name + "' appears more than once");
    }
  }
  for (const auto& a : alterations) {
    if (a.operation != config_alteration::op::remove && !a.value) {
      return invalid_request("null value for config '" + a.name + "' is not supported");
    }
    const auto code = static_cast<int>(a.operation);
    if (code < static_cast<int>(config_alteration::op::set) ||
        code > static_cast<int>(config_alteration::op::subtract)) {
      return invalid_request("unknown operation type " + std::to_string(code) + " for config '" +
                             a.name + "'");
    }
  }
  return std::nullopt;
}

/// Applies `alterations` (checked by check_alterations) to `layer`, one resource's dynamic keys
/// (see config_manager::incremental_alter_broker). `definition(name)` is a key's definition, or
/// nullptr for an unknown key; `admit(name, value)` validates the value the key is about to
/// hold and makes it canonical, or returns the error.
template <class Definition, class Admit>
std::optional<config_error> apply_alterations(core::properties& layer,
                                              const std::vector<config_alteration>& alterations,
                                              Definition&& definition, Admit&& admit) {
  using op = config_alteration::op;
  for (const auto& a : alterations) {
    if (a.operation == op::remove) {
      layer.erase(a.name);
      continue;
    }
    std::string value = *a.value;
    if (a.operation == op::append || a.operation == op::subtract) {
      const core::config_key* key = definition(a.name);
      if (key == nullptr || key->type != core::config_type::list) {
        return invalid_config("cannot " + std::string(op_name(a.operation)) + " to config '" +
                              a.name + "': its type is not LIST");
      }
      auto current = layer.find(a.name);
      auto items = list_items(current != layer.end() ? current->second
                                                     : key->default_value.value_or(""));
      for (auto& item : list_items(*a.value)) {
        auto at = std::find(items.begin(), items.end(), item);
        if (a.operation == op::append && at == items.end()) items.push_back(std::move(item));
        if (a.operation == op::subtract && at != items.end()) items.erase(at);
      }
      value.clear();
      for (const auto& item : items) value += (value.empty() ? "" : ",") + item;
    }
    if (auto e = admit(a.name, value)) return e;
    layer[a.name] = std::move(value);
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
  d.definition = &key;
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
  if (broker_key.empty()) {
    // No broker synonym (as in Kafka): the key's own default, with no synonyms to list.
    config_description d;
    d.name = std::string(topic_key);
    d.definition = storage::topic_config_def().find(topic_key);
    SLUICE_ASSERT(d.definition != nullptr, "a topic key without a definition");
    d.value = d.definition->default_value.value_or("");
    d.origin = config_origin::default_value;
    return d;
  }
  const auto* key = broker_config_def().find(broker_key);
  SLUICE_ASSERT(key != nullptr, "a topic key without a broker synonym");
  config_description d = describe_broker_key_locked(*key);
  d.name = std::string(topic_key);
  d.read_only = false;
  d.definition = storage::topic_config_def().find(topic_key);
  SLUICE_ASSERT(d.definition != nullptr, "a topic key without a definition");
  return d;
}

void config_manager::describe_topic_locked(const storage::topic_overrides& overrides,
                                           const std::optional<std::vector<std::string>>& keys,
                                           std::vector<config_description>& out) const {
  for (const auto& k : storage::topic_keys()) {
    if (!wanted(keys, k.name)) continue;
    config_description d = describe_topic_default_locked(k.name, k.broker_name);
    auto it = overrides.find(std::string(k.name));
    if (it != overrides.end()) {
      d.synonyms.insert(d.synonyms.begin(),
                        {std::string(k.name), it->second, config_origin::topic_override});
      d.value = it->second;
      d.origin = config_origin::topic_override;
    }
    out.push_back(std::move(d));
  }
}

void config_manager::describe_new_topic(const storage::topic_overrides& overrides,
                                        std::vector<config_description>& out) const {
  std::lock_guard lock(_mutex);
  describe_topic_locked(overrides, std::nullopt, out);
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
  describe_topic_locked(info->configs, keys, out);
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
      d.definition = &key;
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
  if (auto problem = storage::validate_topic_overrides(overrides, _logs.defaults())) {
    return invalid_config(*problem);
  }
  if (validate_only) return std::nullopt;
  std::lock_guard lock(_mutex);
  if (auto e = store_topic_overrides_locked(topic, overrides)) return e;
  log().info("topic {}: configuration replaced ({} override(s))", topic, overrides.size());
  return std::nullopt;
}

std::optional<config_error> config_manager::store_topic_overrides_locked(
    const std::string& topic, const storage::topic_overrides& overrides) {
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
    if (auto e = broker_key_problem(key)) return e;
    if (auto problem = broker_config_def().validate(key, *value)) return invalid_config(*problem);
    layer[key] = canonical_broker_value(key, *value);
  }
  std::lock_guard lock(_mutex);
  const size_t keys = layer.size();
  if (auto e = replace_broker_layer_locked(*cluster_default, std::move(layer), validate_only)) {
    return e;
  }
  if (validate_only) return std::nullopt;
  log().info("dynamic broker configuration of '{}' replaced ({} key(s))",
             *cluster_default ? std::string("<cluster default>") : name, keys);
  return std::nullopt;
}

std::optional<config_error> config_manager::replace_broker_layer_locked(bool cluster_default,
                                                                        core::properties layer,
                                                                        bool validate_only) {
  core::properties next_default = cluster_default ? std::move(layer) : _cluster_default;
  core::properties next_broker = cluster_default ? _broker : std::move(layer);
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
  return std::nullopt;
}

std::optional<config_error> config_manager::incremental_alter_topic(
    const std::string& topic, const std::vector<config_alteration>& alterations,
    bool validate_only) {
  if (!_logs.topic(topic)) {
    return config_error{config_error::kind::unknown_topic,
                        "topic '" + topic + "' does not exist", {}};
  }
  if (auto e = check_alterations(alterations)) return e;
  // Read, alter and store under the lock, so that concurrent alterations of one topic compose.
  std::lock_guard lock(_mutex);
  auto info = _logs.topic(topic);
  if (!info) {
    return config_error{config_error::kind::unknown_topic,
                        "topic '" + topic + "' does not exist", {}};
  }
  storage::topic_overrides overrides = info->configs;
  auto failed = apply_alterations(
      overrides, alterations,
      [](const std::string& name) { return storage::topic_config_def().find(name); },
      [](const std::string& name, std::string& value) -> std::optional<config_error> {
        if (auto problem = storage::validate_topic_config(name, value)) {
          return invalid_config(*problem);
        }
        value = storage::canonical_topic_config(name, value);
        return std::nullopt;
      });
  if (!failed) {
    if (auto problem = storage::validate_topic_overrides(overrides, _logs.defaults())) {
      failed = invalid_config(*problem);
    }
  }
  if (failed || validate_only) return failed;
  if (auto e = store_topic_overrides_locked(topic, overrides)) return e;
  log().info("topic {}: {} config(s) altered incrementally ({} override(s))", topic,
             alterations.size(), overrides.size());
  return std::nullopt;
}

std::optional<config_error> config_manager::incremental_alter_broker(
    const std::string& name, const std::vector<config_alteration>& alterations,
    bool validate_only) {
  auto cluster_default = is_cluster_default(name);
  if (!cluster_default) {
    return invalid_request("broker '" + name + "' is not this broker (node " +
                           std::to_string(_node_id) + ")");
  }
  if (auto e = check_alterations(alterations)) return e;
  for (const auto& a : alterations) {
    if (a.operation == config_alteration::op::remove) continue;
    if (auto e = broker_key_problem(a.name)) return e;
  }
  std::lock_guard lock(_mutex);
  core::properties layer = *cluster_default ? _cluster_default : _broker;
  auto failed = apply_alterations(
      layer, alterations, [](const std::string& key) { return broker_config_def().find(key); },
      [](const std::string& key, std::string& value) -> std::optional<config_error> {
        if (auto problem = broker_config_def().validate(key, value)) {
          return invalid_config(*problem);
        }
        value = canonical_broker_value(key, value);
        return std::nullopt;
      });
  if (failed) return failed;
  const size_t keys = layer.size();
  if (auto e = replace_broker_layer_locked(*cluster_default, std::move(layer), validate_only)) {
    return e;
  }
  if (validate_only) return std::nullopt;
  log().info("dynamic broker configuration of '{}': {} config(s) altered incrementally ({} key(s))",
             *cluster_default ? std::string("<cluster default>") : name, alterations.size(), keys);
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
