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
// ---- topics ---------------------------------------------------------------------------------

void topics_list(const global_options& g, bool all) {
  admin_client c(g);
  std::vector<std::string> names;
  for (int i = 0; i < c.metadata().topic_cnt; ++i) {
    std::string n = c.metadata().topics[i].topic;
    if (all || n.rfind("__", 0) != 0) names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  if (g.json) {
    std::cout << nlohmann::json(names).dump() << '\n';
    return;
  }
  for (const auto& n : names) std::cout << n << '\n';
}

void topics_create(const global_options& g, const std::string& name, int partitions, int rf,
                   const std::vector<std::string>& configs) {
  admin_client c(g);
  char errstr[512];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(name.c_str(), partitions, rf, errstr, sizeof errstr);
  if (nt == nullptr) throw cli_error(std::string("cannot create topic '") + name + "': " + errstr);
  std::unique_ptr<rd_kafka_NewTopic_t, c_deleter<rd_kafka_NewTopic_t, rd_kafka_NewTopic_destroy>> owned(nt);
  for (const auto& kv : configs) {
    auto [k, v] = split_kv(kv);
    rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  }
  auto opts = c.options(RD_KAFKA_ADMIN_OP_CREATETOPICS);
  auto ev = c.call("create topic '" + name + "'", [&](rd_kafka_queue_t* q) {
    rd_kafka_CreateTopics(c.rk(), &nt, 1, opts.get(), q);
  });
  size_t n = 0;
  const auto** res = rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i)
    if (rd_kafka_topic_result_error(res[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* s = rd_kafka_topic_result_error_string(res[i]);
      throw cli_error("cannot create topic '" + name + "': " +
                      (s != nullptr ? s : rd_kafka_err2str(rd_kafka_topic_result_error(res[i]))));
    }
  if (g.json)
    std::cout << nlohmann::json{{"created", name}, {"partitions", partitions}}.dump() << '\n';
  else
    std::cout << "Created topic " << name << " with " << partitions << " partition"
              << (partitions == 1 ? "" : "s") << ".\n";
}

void topics_describe(const global_options& g, const std::string& name) {
  admin_client c(g);
  const auto& t = c.topic(name);
  std::vector<const rd_kafka_metadata_partition_t*> parts;
  for (int i = 0; i < t.partition_cnt; ++i) parts.push_back(&t.partitions[i]);
  std::sort(parts.begin(), parts.end(), [](auto* a, auto* b) { return a->id < b->id; });
  auto join = [](const int32_t* v, int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += (i ? "," : "") + std::to_string(v[i]);
    return s;
  };
  int rf = parts.empty() ? 0 : parts[0]->replica_cnt;
  if (g.json) {
    nlohmann::json j{{"topic", name}, {"partition_count", parts.size()}, {"replication_factor", rf}};
    j["partitions"] = nlohmann::json::array();
    for (auto* p : parts)
      j["partitions"].push_back({{"partition", p->id},
                                 {"leader", p->leader},
                                 {"replicas", std::vector<int32_t>(p->replicas, p->replicas + p->replica_cnt)},
                                 {"isr", std::vector<int32_t>(p->isrs, p->isrs + p->isr_cnt)}});
    std::cout << j.dump() << '\n';
    return;
  }
  std::cout << "Topic: " << name << "  PartitionCount: " << parts.size() << "  ReplicationFactor: " << rf
            << '\n';
  std::vector<std::vector<std::string>> rows{{"PARTITION", "LEADER", "REPLICAS", "ISR"}};
  for (auto* p : parts)
    rows.push_back({std::to_string(p->id), std::to_string(p->leader), join(p->replicas, p->replica_cnt),
                    join(p->isrs, p->isr_cnt)});
  print_table(rows);
}

void topics_delete(const global_options& g, const std::string& name) {
  admin_client c(g);
  c.topic(name);
  rd_kafka_DeleteTopic_t* dt = rd_kafka_DeleteTopic_new(name.c_str());
  std::unique_ptr<rd_kafka_DeleteTopic_t, c_deleter<rd_kafka_DeleteTopic_t, rd_kafka_DeleteTopic_destroy>> owned(dt);
  auto opts = c.options(RD_KAFKA_ADMIN_OP_DELETETOPICS);
  auto ev = c.call("delete topic '" + name + "'", [&](rd_kafka_queue_t* q) {
    rd_kafka_DeleteTopics(c.rk(), &dt, 1, opts.get(), q);
  });
  size_t n = 0;
  const auto** res = rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i)
    if (rd_kafka_topic_result_error(res[i]) != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw cli_error("cannot delete topic '" + name + "': " + rd_kafka_err2str(rd_kafka_topic_result_error(res[i])));
  if (g.json)
    std::cout << nlohmann::json{{"deleted", name}}.dump() << '\n';
  else
    std::cout << "Deleted topic " << name << ".\n";
}

void topics_alter_partitions(const global_options& g, const std::string& name, int total) {
  admin_client c(g);
  c.topic(name);
  char errstr[512];
  rd_kafka_NewPartitions_t* np = rd_kafka_NewPartitions_new(name.c_str(), static_cast<size_t>(total), errstr, sizeof errstr);
  if (np == nullptr) throw cli_error(std::string("cannot add partitions to '") + name + "': " + errstr);
  std::unique_ptr<rd_kafka_NewPartitions_t, c_deleter<rd_kafka_NewPartitions_t, rd_kafka_NewPartitions_destroy>> owned(np);
  auto opts = c.options(RD_KAFKA_ADMIN_OP_CREATEPARTITIONS);
  auto ev = c.call("add partitions to '" + name + "'", [&](rd_kafka_queue_t* q) {
    rd_kafka_CreatePartitions(c.rk(), &np, 1, opts.get(), q);
  });
  size_t n = 0;
  const auto** res =
      rd_kafka_CreatePartitions_result_topics(rd_kafka_event_CreatePartitions_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i)
    if (rd_kafka_topic_result_error(res[i]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* s = rd_kafka_topic_result_error_string(res[i]);
      throw cli_error("cannot add partitions to '" + name + "': " +
                      (s != nullptr ? s : rd_kafka_err2str(rd_kafka_topic_result_error(res[i]))));
    }
  if (g.json)
    std::cout << nlohmann::json{{"topic", name}, {"partitions", total}}.dump() << '\n';
  else
    std::cout << "Topic " << name << " now has " << total << " partitions.\n";
}

}  // namespace sluice::cli
