#include "runtime/cli/commands.h"

#include <librdkafka/rdkafka.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace sluice::cli {
// ---- configs --------------------------------------------------------------------------------

struct config_entry {
  std::string name;
  std::optional<std::string> value;
  bool is_default = false;
  bool read_only = false;
  bool sensitive = false;
  rd_kafka_ConfigSource_t source = RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG;
};

struct config_target {
  rd_kafka_ResourceType_t type;
  std::string name;
  std::string label() const { return (type == RD_KAFKA_RESOURCE_TOPIC ? "topic '" : "broker '") + name + "'"; }
};

config_target resolve_target(admin_client& c, const std::string& topic, const std::optional<int>& broker) {
  if (!topic.empty() && broker) throw cli_error("give either --topic or --broker, not both");
  if (!topic.empty()) {
    c.topic(topic);
    return {RD_KAFKA_RESOURCE_TOPIC, topic};
  }
  if (broker) {
    for (int i = 0; i < c.metadata().broker_cnt; ++i)
      if (c.metadata().brokers[i].id == *broker) return {RD_KAFKA_RESOURCE_BROKER, std::to_string(*broker)};
    throw cli_error("unknown broker " + std::to_string(*broker));
  }
  throw cli_error("give --topic NAME or --broker ID");
}

std::vector<config_entry> describe_configs(admin_client& c, const config_target& t) {
  rd_kafka_ConfigResource_t* r = rd_kafka_ConfigResource_new(t.type, t.name.c_str());
  std::unique_ptr<rd_kafka_ConfigResource_t, c_deleter<rd_kafka_ConfigResource_t, rd_kafka_ConfigResource_destroy>> owned(r);
  auto opts = c.options(RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
  auto ev = c.call("describe configs of " + t.label(), [&](rd_kafka_queue_t* q) {
    rd_kafka_DescribeConfigs(c.rk(), &r, 1, opts.get(), q);
  });
  size_t n = 0;
  const auto** res =
      rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev.get()), &n);
  std::vector<config_entry> out;
  for (size_t i = 0; i < n; ++i) {
    if (rd_kafka_ConfigResource_error(res[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* s = rd_kafka_ConfigResource_error_string(res[i]);
      throw cli_error("describe configs of " + t.label() + ": " +
                      (s != nullptr && *s ? s : rd_kafka_err2str(rd_kafka_ConfigResource_error(res[i]))));
    }
    size_t cnt = 0;
    const auto** entries = rd_kafka_ConfigResource_configs(res[i], &cnt);
    for (size_t k = 0; k < cnt; ++k) {
      config_entry e;
      e.name = rd_kafka_ConfigEntry_name(entries[k]);
      if (const char* v = rd_kafka_ConfigEntry_value(entries[k])) e.value = v;
      e.is_default = rd_kafka_ConfigEntry_is_default(entries[k]) != 0;
      e.read_only = rd_kafka_ConfigEntry_is_read_only(entries[k]) != 0;
      e.sensitive = rd_kafka_ConfigEntry_is_sensitive(entries[k]) != 0;
      e.source = rd_kafka_ConfigEntry_source(entries[k]);
      out.push_back(std::move(e));
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

void configs_describe(const global_options& g, const std::string& topic, const std::optional<int>& broker) {
  admin_client c(g);
  auto target = resolve_target(c, topic, broker);
  auto entries = describe_configs(c, target);
  if (g.json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& e : entries) j[e.name] = e.value ? nlohmann::json(*e.value) : nlohmann::json(nullptr);
    std::cout << j.dump() << '\n';
    return;
  }
  for (const auto& e : entries)
    std::cout << e.name << '=' << (e.sensitive ? "(sensitive)" : e.value.value_or("")) << '\n';
}

void configs_alter(const global_options& g, const std::string& topic, const std::optional<int>& broker,
                   const std::vector<std::string>& sets) {
  if (sets.empty()) throw cli_error("nothing to change: give --set KEY=VALUE");
  admin_client c(g);
  auto target = resolve_target(c, topic, broker);
  // AlterConfigs replaces the resource's whole dynamic config: carry over what is explicitly
  // set today (not defaults, not read-only) so that only the given keys change.
  std::map<std::string, std::string> next;
  for (const auto& e : describe_configs(c, target))
    if (!e.is_default && !e.read_only && !e.sensitive && e.value &&
        e.source != RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG && e.source != RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG)
      next[e.name] = *e.value;
  std::vector<std::pair<std::string, std::string>> changed;
  for (const auto& kv : sets) {
    auto [k, v] = split_kv(kv);
    next[k] = v;
    changed.emplace_back(k, v);
  }
  rd_kafka_ConfigResource_t* r = rd_kafka_ConfigResource_new(target.type, target.name.c_str());
  std::unique_ptr<rd_kafka_ConfigResource_t, c_deleter<rd_kafka_ConfigResource_t, rd_kafka_ConfigResource_destroy>> owned(r);
  for (const auto& [k, v] : next) rd_kafka_ConfigResource_set_config(r, k.c_str(), v.c_str());
  auto opts = c.options(RD_KAFKA_ADMIN_OP_ALTERCONFIGS);
  auto ev = c.call("alter configs of " + target.label(), [&](rd_kafka_queue_t* q) {
    rd_kafka_AlterConfigs(c.rk(), &r, 1, opts.get(), q);
  });
  size_t n = 0;
  const auto** res = rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i)
    if (rd_kafka_ConfigResource_error(res[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* s = rd_kafka_ConfigResource_error_string(res[i]);
      throw cli_error("alter configs of " + target.label() + ": " +
                      (s != nullptr && *s ? s : rd_kafka_err2str(rd_kafka_ConfigResource_error(res[i]))));
    }
  if (g.json) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [k, v] : changed) j[k] = v;
    std::cout << nlohmann::json{{"altered", target.label()}, {"configs", j}}.dump() << '\n';
    return;
  }
  for (const auto& [k, v] : changed) std::cout << "Set " << k << '=' << v << " on " << target.label() << ".\n";
}

}  // namespace sluice::cli
