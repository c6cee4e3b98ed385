#include "runtime/detail/topic_manager.h"

#include "core/log.h"
#include "dsl/topology_error.h"
#include "runtime/errors.h"

#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

#include <chrono>
#include <set>

namespace sluice::runtime::detail {
namespace {

const core::logger log("runtime.topics");

/// How long start-up waits for metadata and topic creation.
constexpr int admin_timeout_ms = 30000;
/// Kafka Streams keeps windowed changelogs one day beyond the store's retention, so that a
/// restore never misses a window the store still holds.
constexpr int64_t windowed_changelog_extra_retention_ms = 24LL * 60 * 60 * 1000;

}  // namespace

std::string control_topic_name(std::string_view application_id) {
  return std::string(application_id) + "-control";
}

topic_manager::topic_manager(const streams_config& config) : _config(config) {
  core::properties settings = config.admin;
  settings["bootstrap.servers"] = config.bootstrap_servers;
  settings["client.id"] = config.client_id + "-admin";
  _admin = make_client(client_type::producer, settings, "admin client");
}

std::map<std::string, int32_t> topic_manager::describe_all() {
  std::shared_ptr<const rd_kafka_metadata_t> md;
  try {
    md = kafka::fetch_metadata(_admin.get(), _config.bootstrap_servers,
                               std::chrono::milliseconds(admin_timeout_ms));
  } catch (const kafka::client_error& e) {
    throw streams_error(fmt::format("cannot read the topics of the Kafka cluster: {}", e.what()));
  }
  std::map<std::string, int32_t> out;
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    if (t.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) continue;
    out[t.topic] = t.partition_cnt;
  }
  return out;
}

std::optional<int32_t> topic_manager::partitions_of(const std::string& topic) {
  auto all = describe_all();
  auto it = all.find(topic);
  if (it == all.end()) return std::nullopt;
  return it->second;
}

void topic_manager::create_topic(const std::string& name, int32_t partitions,
                                 std::map<std::string, std::string> configs, std::string what) {
  create({{name, partitions, std::move(configs), std::move(what)}});
}

void topic_manager::create(const std::vector<wanted>& topics) {
  if (topics.empty()) return;
  std::vector<rd_kafka_NewTopic_t*> news;
  char err[512];
  for (const auto& w : topics) {
    rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(w.name.c_str(), w.partitions,
                                                    _config.replication_factor, err, sizeof err);
    if (nt == nullptr) {
      for (auto* n : news) rd_kafka_NewTopic_destroy(n);
      throw streams_error(fmt::format("cannot create {} '{}': {}", w.why, w.name, err));
    }
    for (const auto& [k, v] : w.configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
    news.push_back(nt);
  }
  kafka::event event;
  try {
    event = kafka::admin_call(_admin.get(), "cannot create internal topics",
                              std::chrono::milliseconds(admin_timeout_ms), [&](rd_kafka_queue_t* queue) {
                                rd_kafka_AdminOptions_t* options =
                                    rd_kafka_AdminOptions_new(_admin.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS);
                                rd_kafka_AdminOptions_set_operation_timeout(options, admin_timeout_ms, err, sizeof err);
                                rd_kafka_CreateTopics(_admin.get(), news.data(), news.size(), options, queue);
                                rd_kafka_AdminOptions_destroy(options);
                              });
  } catch (const kafka::client_error& e) {
    rd_kafka_NewTopic_destroy_array(news.data(), news.size());
    throw streams_error(e.what());
  }
  rd_kafka_NewTopic_destroy_array(news.data(), news.size());
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(event.get());
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
  std::vector<std::string> problems;
  bool raced = false;
  for (size_t i = 0; i < n; ++i) {
    const char* name = rd_kafka_topic_result_name(results[i]);
    const rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
    const wanted* w = nullptr;
    for (const auto& t : topics) {
      if (t.name == name) w = &t;
    }
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
      log.info("created {} '{}' with {} partition(s)", w ? w->why : "topic", name,
               w ? w->partitions : 0);
      continue;
    }
    if (e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {  // another instance was faster
      raced = true;
      continue;
    }
    std::string configs;
    if (w != nullptr) {
      for (const auto& [k, v] : w->configs) configs += fmt::format(", {}={}", k, v);
    }
    const char* msg = rd_kafka_topic_result_error_string(results[i]);
    problems.push_back(fmt::format(
        "cannot create {} '{}' ({} partitions{}): the broker answered {}{}{}",
        w ? w->why : "topic", name, w ? w->partitions : 0, configs, rd_kafka_err2name(e),
        msg != nullptr && *msg != '\0' ? ": " : "", msg != nullptr ? msg : ""));
  }
  if (!problems.empty()) {
    std::string all;
    for (const auto& p : problems) all += (all.empty() ? "" : "; ") + p;
    throw streams_error(all);
  }
  if (raced) {
    auto existing = describe_all();
    for (const auto& w : topics) {
      auto it = existing.find(w.name);
      if (it != existing.end() && it->second != w.partitions) {
        throw streams_error(fmt::format("{} '{}' has {} partitions; the topology needs {}", w.why,
                                        w.name, it->second, w.partitions));
      }
    }
  }
}

topic_layout topic_manager::prepare(const dsl::topology& t) {
  const std::string& app = _config.application_id;
  auto existing = describe_all();
  auto external = [&](std::string_view topic) -> std::optional<int32_t> {
    auto it = existing.find(std::string(topic));
    if (it == existing.end()) return std::nullopt;
    return it->second;
  };
  std::map<dsl::topic_ref, int32_t> resolved;
  try {
    resolved = t.resolve_partitions(external);
  } catch (const dsl::topology_error& e) {
    throw streams_error(fmt::format("application '{}' cannot start: {}", app, e.what()));
  }

  topic_layout layout;
  layout.control_topic = control_topic_name(app);
  for (const auto& [ref, count] : resolved) layout.partitions[ref.resolve(app)] = count;
  const auto reset = t.source_topics();
  for (const auto& sub : t.subtopologies()) {
    // Range assignment gives a consumer the same partition numbers of topics with equal
    // partition counts; a task with state must get all of its partitions on one thread.
    std::optional<std::pair<std::string, int32_t>> first;
    for (const auto& src : sub.sources) {
      const std::string name = src.resolve(app);
      const int32_t count = layout.partitions.at(name);
      if (!sub.stores.empty() && first && first->second != count) {
        throw streams_error(fmt::format(
            "application '{}' cannot start: sub-topology {} has state stores and reads topics "
            "with different partition counts ('{}' has {}, '{}' has {}); a stateful task must "
            "read the same partition number of each of its topics — repartition one of them "
            "(kstream::repartition) or give them equal partition counts",
            app, sub.id, first->first, first->second, name, count));
      }
      if (!first) first = std::pair{name, count};
      auto& readers = layout.readers[name];
      if (readers.empty()) layout.source_topics.push_back(name);
      readers.push_back(sub.id);
      auto r = reset.find(name);
      layout.reset[name] = (r != reset.end() && r->second) ? *r->second : dsl::offset_reset::earliest;
    }
    layout.task_counts[sub.id] = t.task_count(sub.id, resolved);
  }

  std::vector<wanted> missing;
  auto want = [&](wanted w) {
    auto it = existing.find(w.name);
    if (it == existing.end()) {
      missing.push_back(std::move(w));
    } else if (it->second != w.partitions) {
      throw streams_error(fmt::format(
          "application '{}' cannot start: {} '{}' has {} partitions but the topology needs {} "
          "(delete it, or reset the application, to let the runtime recreate it)",
          app, w.why, w.name, it->second, w.partitions));
    }
  };
  for (const auto& rp : t.repartition_topics()) {
    const std::string name = dsl::topic_ref{rp.name, true}.resolve(app);
    want({name, layout.partitions.at(name), {}, "repartition topic"});
  }
  for (const auto& store : t.stores()) {
    if (!store.logged) continue;
    wanted w{store.changelog_topic(app), layout.task_counts.at(store.subtopology), {},
             "changelog topic of store '" + store.name + "'"};
    if (store.kind == dsl::store_kind::key_value) {
      w.configs["cleanup.policy"] = "compact";
    } else {
      w.configs["cleanup.policy"] = "compact,delete";
      w.configs["retention.ms"] =
          std::to_string(store.retention.count() + windowed_changelog_extra_retention_ms);
    }
    layout.partitions[w.name] = w.partitions;
    want(std::move(w));
  }
  if (auto it = existing.find(layout.control_topic); it == existing.end()) {
    missing.push_back({layout.control_topic, 1, {}, "control topic"});
  }
  layout.partitions[layout.control_topic] = 1;
  if (!_config.dead_letter_topic.empty()) {
    if (auto it = existing.find(_config.dead_letter_topic); it == existing.end()) {
      missing.push_back({_config.dead_letter_topic, 1, {}, "dead-letter topic"});
      layout.partitions[_config.dead_letter_topic] = 1;
    } else {
      layout.partitions[_config.dead_letter_topic] = it->second;
    }
  }
  create(missing);
  return layout;
}

}  // namespace sluice::runtime::detail
