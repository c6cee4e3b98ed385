// `sluice`: the admin CLI. Topics, configs, consumer groups and offsets through librdkafka's
// admin API only, so the same commands work against sluice-broker and any Kafka cluster.
//
// Errors: every failure ends the command with one line on stderr ("error: ...") and exit
// code 1; a usage mistake exits with CLI11's code. Output on stdout is stable (golden-tested in
// tests/integration/cli_test.cc); `--json` prints one JSON document instead of the table.

#include <librdkafka/rdkafka.h>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

namespace sluice::cli {
namespace {

/// Ends the current command: its message is printed as the one error line.
class cli_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct global_options {
  std::string bootstrap = "localhost:9092";
  int timeout_ms = 10000;
  bool json = false;
};

template <class T, void (*Destroy)(T*)>
struct c_deleter {
  void operator()(T* p) const noexcept { Destroy(p); }
};
using event_ptr = std::unique_ptr<rd_kafka_event_t, c_deleter<rd_kafka_event_t, rd_kafka_event_destroy>>;
using queue_ptr = std::unique_ptr<rd_kafka_queue_t, c_deleter<rd_kafka_queue_t, rd_kafka_queue_destroy>>;
using options_ptr =
    std::unique_ptr<rd_kafka_AdminOptions_t, c_deleter<rd_kafka_AdminOptions_t, rd_kafka_AdminOptions_destroy>>;
using tpl_ptr = std::unique_ptr<rd_kafka_topic_partition_list_t,
                                c_deleter<rd_kafka_topic_partition_list_t, rd_kafka_topic_partition_list_destroy>>;

void metadata_destroy(const rd_kafka_metadata_t* md) { rd_kafka_metadata_destroy(md); }

/// Throws cli_error for a failed `rd_kafka_error_t` (which may be null: no error).
void check(const rd_kafka_error_t* err, const std::string& what) {
  if (err != nullptr && rd_kafka_error_code(err) != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw cli_error(what + ": " + rd_kafka_error_string(err));
}

/// One librdkafka handle (producer type; it needs no group) used for admin calls and offset
/// queries. Owned by the command being run; single-threaded.
class admin_client {
 public:
  explicit admin_client(const global_options& g) : _g(g) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char errstr[512];
    auto set = [&](const char* k, const std::string& v) {
      if (rd_kafka_conf_set(conf, k, v.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw cli_error(std::string("bad client setting ") + k + ": " + errstr);
      }
    };
    set("bootstrap.servers", g.bootstrap);
    set("socket.timeout.ms", std::to_string(std::max(g.timeout_ms, 10)));
    // librdkafka's own connection logs would break the one-line error contract.
    rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
    _rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (_rk == nullptr) {
      rd_kafka_conf_destroy(conf);
      throw cli_error(std::string("cannot create client: ") + errstr);
    }
    // Reachability check up front: every command needs the cluster.
    _md = fetch_metadata();
  }
  ~admin_client() { rd_kafka_destroy(_rk); }
  admin_client(const admin_client&) = delete;
  admin_client& operator=(const admin_client&) = delete;

  rd_kafka_t* rk() const noexcept { return _rk; }

  /// Fresh cluster-wide metadata (all topics; never auto-creates).
  std::shared_ptr<const rd_kafka_metadata_t> fetch_metadata() {
    const rd_kafka_metadata_t* md = nullptr;
    auto err = rd_kafka_metadata(_rk, 1, nullptr, &md, _g.timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw cli_error("cannot reach broker at " + _g.bootstrap + ": " + rd_kafka_err2str(err));
    return std::shared_ptr<const rd_kafka_metadata_t>(md, metadata_destroy);
  }
  const rd_kafka_metadata_t& metadata() const { return *_md; }
  void refresh() { _md = fetch_metadata(); }

  /// The topic's metadata, or cli_error "unknown topic".
  const rd_kafka_metadata_topic_t& topic(const std::string& name) const {
    for (int i = 0; i < _md->topic_cnt; ++i)
      if (name == _md->topics[i].topic && _md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR)
        return _md->topics[i];
    throw cli_error("unknown topic '" + name + "'");
  }

  options_ptr options(rd_kafka_admin_op_t op) const {
    options_ptr o(rd_kafka_AdminOptions_new(_rk, op));
    char errstr[256];
    rd_kafka_AdminOptions_set_request_timeout(o.get(), _g.timeout_ms, errstr, sizeof errstr);
    return o;
  }

  /// Runs one admin call whose result arrives on a private queue; throws on a request-level
  /// error (unreachable broker, timeout).
  template <class Call>
  event_ptr call(const std::string& what, Call&& c) {
    queue_ptr q(rd_kafka_queue_new(_rk));
    c(q.get());
    event_ptr ev(rd_kafka_queue_poll(q.get(), _g.timeout_ms + 5000));
    if (!ev) throw cli_error(what + ": timed out");
    if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw cli_error(what + ": " + rd_kafka_event_error_string(ev.get()));
    return ev;
  }

  std::pair<int64_t, int64_t> watermarks(const std::string& t, int32_t p) {
    int64_t lo = 0, hi = 0;
    auto err = rd_kafka_query_watermark_offsets(_rk, t.c_str(), p, &lo, &hi, _g.timeout_ms);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
      throw cli_error("offsets of " + t + "[" + std::to_string(p) + "]: " + rd_kafka_err2str(err));
    return {lo, hi};
  }

 private:
  const global_options& _g;
  rd_kafka_t* _rk = nullptr;
  std::shared_ptr<const rd_kafka_metadata_t> _md;
};

/// Prints rows as left-aligned columns separated by two spaces (first row is the header).
void print_table(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return;
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
  for (const auto& r : rows) {
    std::string line;
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 2, ' ');
    }
    std::cout << line << '\n';
  }
}

std::pair<std::string, std::string> split_kv(const std::string& kv) {
  auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0) throw cli_error("bad config '" + kv + "': expected KEY=VALUE");
  return {kv.substr(0, eq), kv.substr(eq + 1)};
}

std::vector<int32_t> partitions_of(const rd_kafka_metadata_topic_t& t) {
  std::vector<int32_t> ps;
  for (int i = 0; i < t.partition_cnt; ++i) ps.push_back(t.partitions[i].id);
  std::sort(ps.begin(), ps.end());
  return ps;
}

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

// ---- groups ---------------------------------------------------------------------------------

void groups_list(const global_options& g) {
  admin_client c(g);
  auto opts = c.options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
  auto ev = c.call("list groups", [&](rd_kafka_queue_t* q) { rd_kafka_ListConsumerGroups(c.rk(), opts.get(), q); });
  const auto* res = rd_kafka_event_ListConsumerGroups_result(ev.get());
  size_t ne = 0;
  const auto** errs = rd_kafka_ListConsumerGroups_result_errors(res, &ne);
  if (ne > 0) check(errs[0], "list groups");
  size_t n = 0;
  const auto** valid = rd_kafka_ListConsumerGroups_result_valid(res, &n);
  std::vector<std::pair<std::string, std::string>> groups;
  for (size_t i = 0; i < n; ++i)
    groups.emplace_back(rd_kafka_ConsumerGroupListing_group_id(valid[i]),
                        rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupListing_state(valid[i])));
  std::sort(groups.begin(), groups.end());
  if (g.json) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& [id, st] : groups) j.push_back({{"group", id}, {"state", st}});
    std::cout << j.dump() << '\n';
    return;
  }
  for (const auto& [id, st] : groups) std::cout << id << '\n';
}

/// Committed offsets of a group: (topic, partition) -> offset (negative: none).
std::map<std::pair<std::string, int32_t>, int64_t> committed_offsets(admin_client& c, const std::string& group) {
  rd_kafka_ListConsumerGroupOffsets_t* req = rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), nullptr);
  std::unique_ptr<rd_kafka_ListConsumerGroupOffsets_t,
                  c_deleter<rd_kafka_ListConsumerGroupOffsets_t, rd_kafka_ListConsumerGroupOffsets_destroy>>
      owned(req);
  auto opts = c.options(RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS);
  auto ev = c.call("offsets of group '" + group + "'", [&](rd_kafka_queue_t* q) {
    rd_kafka_ListConsumerGroupOffsets(c.rk(), &req, 1, opts.get(), q);
  });
  size_t n = 0;
  const auto** res = rd_kafka_ListConsumerGroupOffsets_result_groups(
      rd_kafka_event_ListConsumerGroupOffsets_result(ev.get()), &n);
  std::map<std::pair<std::string, int32_t>, int64_t> out;
  for (size_t i = 0; i < n; ++i) {
    check(rd_kafka_group_result_error(res[i]), "offsets of group '" + group + "'");
    const auto* parts = rd_kafka_group_result_partitions(res[i]);
    for (int k = 0; parts != nullptr && k < parts->cnt; ++k)
      if (parts->elems[k].err == RD_KAFKA_RESP_ERR_NO_ERROR)
        out[{parts->elems[k].topic, parts->elems[k].partition}] = parts->elems[k].offset;
  }
  return out;
}

struct member_info {
  std::string consumer_id, host, client_id;
};

void groups_describe(const global_options& g, const std::string& group) {
  admin_client c(g);
  const char* ids[] = {group.c_str()};
  auto opts = c.options(RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
  auto ev = c.call("describe group '" + group + "'", [&](rd_kafka_queue_t* q) {
    rd_kafka_DescribeConsumerGroups(c.rk(), ids, 1, opts.get(), q);
  });
  size_t n = 0;
  const auto** descs = rd_kafka_DescribeConsumerGroups_result_groups(
      rd_kafka_event_DescribeConsumerGroups_result(ev.get()), &n);
  if (n == 0) throw cli_error("unknown group '" + group + "'");
  check(rd_kafka_ConsumerGroupDescription_error(descs[0]), "describe group '" + group + "'");
  auto state = rd_kafka_ConsumerGroupDescription_state(descs[0]);
  std::map<std::pair<std::string, int32_t>, member_info> owner;
  size_t members = rd_kafka_ConsumerGroupDescription_member_count(descs[0]);
  for (size_t m = 0; m < members; ++m) {
    const auto* md = rd_kafka_ConsumerGroupDescription_member(descs[0], m);
    member_info info{rd_kafka_MemberDescription_consumer_id(md), rd_kafka_MemberDescription_host(md),
                     rd_kafka_MemberDescription_client_id(md)};
    const auto* parts = rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(md));
    for (int k = 0; parts != nullptr && k < parts->cnt; ++k)
      owner[{parts->elems[k].topic, parts->elems[k].partition}] = info;
  }
  auto committed = committed_offsets(c, group);
  if (state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD && committed.empty() && owner.empty())
    throw cli_error("unknown group '" + group + "'");
  std::map<std::pair<std::string, int32_t>, int64_t> rows = committed;
  for (const auto& [tp, m] : owner) rows.try_emplace(tp, -1);
  nlohmann::json j{{"group", group}, {"state", rd_kafka_consumer_group_state_name(state)}};
  j["partitions"] = nlohmann::json::array();
  std::vector<std::vector<std::string>> table{
      {"TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID"}};
  for (const auto& [tp, current] : rows) {
    auto [lo, hi] = c.watermarks(tp.first, tp.second);
    (void)lo;
    auto it = owner.find(tp);
    member_info none{"-", "-", "-"};
    const member_info& m = it != owner.end() ? it->second : none;
    nlohmann::json row{{"topic", tp.first}, {"partition", tp.second}, {"log_end_offset", hi}};
    row["current_offset"] = current >= 0 ? nlohmann::json(current) : nlohmann::json(nullptr);
    row["lag"] = current >= 0 ? nlohmann::json(hi - current) : nlohmann::json(nullptr);
    row["consumer_id"] = it != owner.end() ? nlohmann::json(m.consumer_id) : nlohmann::json(nullptr);
    row["host"] = it != owner.end() ? nlohmann::json(m.host) : nlohmann::json(nullptr);
    row["client_id"] = it != owner.end() ? nlohmann::json(m.client_id) : nlohmann::json(nullptr);
    j["partitions"].push_back(std::move(row));
    table.push_back({tp.first, std::to_string(tp.second), current >= 0 ? std::to_string(current) : "-",
                     std::to_string(hi), current >= 0 ? std::to_string(hi - current) : "-", m.consumer_id, m.host,
                     m.client_id});
  }
  if (g.json) {
    std::cout << j.dump() << '\n';
    return;
  }
  std::cout << "Group " << group << " (" << rd_kafka_consumer_group_state_name(state) << ", " << members
            << " member" << (members == 1 ? "" : "s") << ")\n";
  print_table(table);
}

void groups_delete(const global_options& g, const std::string& group) {
  admin_client c(g);
  rd_kafka_DeleteGroup_t* dg = rd_kafka_DeleteGroup_new(group.c_str());
  std::unique_ptr<rd_kafka_DeleteGroup_t, c_deleter<rd_kafka_DeleteGroup_t, rd_kafka_DeleteGroup_destroy>> owned(dg);
  auto opts = c.options(RD_KAFKA_ADMIN_OP_DELETEGROUPS);
  auto ev = c.call("delete group '" + group + "'", [&](rd_kafka_queue_t* q) {
    rd_kafka_DeleteGroups(c.rk(), &dg, 1, opts.get(), q);
  });
  size_t n = 0;
  const auto** res = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) check(rd_kafka_group_result_error(res[i]), "cannot delete group '" + group + "'");
  if (g.json)
    std::cout << nlohmann::json{{"deleted", group}}.dump() << '\n';
  else
    std::cout << "Deleted group " << group << ".\n";
}

/// Where `reset-offsets` and `offsets` position: earliest, latest, a timestamp or an offset.
struct position {
  enum class kind { earliest, latest, time, offset } k = kind::latest;
  int64_t value = 0;
};

/// Resolves `pos` to an offset per partition of `topic`.
std::vector<std::pair<int32_t, int64_t>> resolve(admin_client& c, const std::string& topic, const position& pos) {
  const auto& t = c.topic(topic);
  std::vector<std::pair<int32_t, int64_t>> out;
  if (pos.k == position::kind::time) {
    tpl_ptr list(rd_kafka_topic_partition_list_new(t.partition_cnt));
    for (int32_t p : partitions_of(t)) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = pos.value;
    auto err = rd_kafka_offsets_for_times(c.rk(), list.get(), 10000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) throw cli_error("offsets of '" + topic + "' by time: " + rd_kafka_err2str(err));
    for (int i = 0; i < list->cnt; ++i) {
      int64_t off = list->elems[i].offset;
      if (off < 0) off = c.watermarks(topic, list->elems[i].partition).second;  // no record that late
      out.emplace_back(list->elems[i].partition, off);
    }
    return out;
  }
  for (int32_t p : partitions_of(t)) {
    auto [lo, hi] = c.watermarks(topic, p);
    switch (pos.k) {
      case position::kind::earliest: out.emplace_back(p, lo); break;
      case position::kind::latest: out.emplace_back(p, hi); break;
      default: out.emplace_back(p, std::clamp(pos.value, lo, hi)); break;
    }
  }
  return out;
}

position parse_position(const std::string& s, bool allow_offset) {
  if (s == "earliest") return {position::kind::earliest, 0};
  if (s == "latest") return {position::kind::latest, 0};
  auto number = [&](const std::string& digits) {
    try {
      size_t used = 0;
      int64_t v = std::stoll(digits, &used);
      if (used == digits.size() && v >= 0) return v;
    } catch (const std::exception&) {
    }
    throw cli_error("bad position '" + s + "': expected earliest, latest, a timestamp in ms" +
                    (allow_offset ? " or offset:N" : ""));
  };
  if (allow_offset && s.rfind("offset:", 0) == 0) return {position::kind::offset, number(s.substr(7))};
  return {position::kind::time, number(s)};
}

void groups_reset_offsets(const global_options& g, const std::string& group, const std::string& topic,
                          const std::string& to, bool dry_run) {
  admin_client c(g);
  auto target = resolve(c, topic, parse_position(to, true));
  if (!dry_run) {
    tpl_ptr list(rd_kafka_topic_partition_list_new(static_cast<int>(target.size())));
    for (auto [p, off] : target) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = off;
    rd_kafka_AlterConsumerGroupOffsets_t* req = rd_kafka_AlterConsumerGroupOffsets_new(group.c_str(), list.get());
    std::unique_ptr<rd_kafka_AlterConsumerGroupOffsets_t,
                    c_deleter<rd_kafka_AlterConsumerGroupOffsets_t, rd_kafka_AlterConsumerGroupOffsets_destroy>>
        owned(req);
    auto opts = c.options(RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS);
    auto ev = c.call("reset offsets of group '" + group + "'", [&](rd_kafka_queue_t* q) {
      rd_kafka_AlterConsumerGroupOffsets(c.rk(), &req, 1, opts.get(), q);
    });
    size_t n = 0;
    const auto** res = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(ev.get()), &n);
    for (size_t i = 0; i < n; ++i) {
      check(rd_kafka_group_result_error(res[i]), "reset offsets of group '" + group + "'");
      const auto* parts = rd_kafka_group_result_partitions(res[i]);
      for (int k = 0; parts != nullptr && k < parts->cnt; ++k)
        if (parts->elems[k].err != RD_KAFKA_RESP_ERR_NO_ERROR)
          throw cli_error("reset offsets of group '" + group + "': " + rd_kafka_err2str(parts->elems[k].err) +
                          (parts->elems[k].err == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID ||
                                   parts->elems[k].err == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS
                               ? " (stop the group's consumers first)"
                               : ""));
    }
  }
  if (g.json) {
    nlohmann::json j = nlohmann::json::array();
    for (auto [p, off] : target) j.push_back({{"topic", topic}, {"partition", p}, {"new_offset", off}});
    std::cout << nlohmann::json{{"group", group}, {"dry_run", dry_run}, {"partitions", j}}.dump() << '\n';
    return;
  }
  std::vector<std::vector<std::string>> table{{"TOPIC", "PARTITION", "NEW-OFFSET"}};
  for (auto [p, off] : target) table.push_back({topic, std::to_string(p), std::to_string(off)});
  print_table(table);
}

// ---- offsets --------------------------------------------------------------------------------

void offsets(const global_options& g, const std::string& topic, const std::string& time) {
  admin_client c(g);
  auto pos = parse_position(time, false);
  auto result = resolve(c, topic, pos);
  if (g.json) {
    nlohmann::json j = nlohmann::json::array();
    for (auto [p, off] : result) j.push_back({{"topic", topic}, {"partition", p}, {"offset", off}});
    std::cout << j.dump() << '\n';
    return;
  }
  for (auto [p, off] : result) std::cout << topic << ':' << p << ':' << off << '\n';
}

int run(int argc, char** argv) {
  CLI::App app{"sluice: administer topics, configs, consumer groups and offsets of a Kafka cluster"};
  app.require_subcommand(1);
  global_options g;
  app.add_option("--bootstrap,-b", g.bootstrap, "bootstrap servers (host:port[,host:port])")->capture_default_str();
  app.add_option("--timeout", g.timeout_ms, "request timeout in milliseconds")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_flag("--json", g.json, "print JSON instead of a table");
  // Options given after a subcommand are accepted too (`sluice topics list --json`).
  app.fallthrough();

  std::string name, topic, to, time = "latest";
  int partitions = 1, rf = 1;
  bool all = false, dry_run = false;
  std::optional<int> broker;
  std::vector<std::string> configs;
  std::function<void()> action;

  auto* topics = app.add_subcommand("topics", "create, list, describe, delete topics, add partitions");
  topics->require_subcommand(1);
  auto* tc = topics->add_subcommand("create", "create a topic");
  tc->add_option("name", name, "topic name")->required();
  tc->add_option("--partitions,-p", partitions, "partition count")->capture_default_str()->check(CLI::PositiveNumber);
  tc->add_option("--replication-factor,-r", rf, "replication factor")->capture_default_str()->check(CLI::PositiveNumber);
  tc->add_option("--config,-c", configs, "topic config KEY=VALUE (repeatable)");
  tc->callback([&] { action = [&] { topics_create(g, name, partitions, rf, configs); }; });
  auto* tl = topics->add_subcommand("list", "list topics");
  tl->add_flag("--all", all, "include internal topics (__consumer_offsets)");
  tl->callback([&] { action = [&] { topics_list(g, all); }; });
  auto* td = topics->add_subcommand("describe", "partitions, leaders and replicas of a topic");
  td->add_option("name", name, "topic name")->required();
  td->callback([&] { action = [&] { topics_describe(g, name); }; });
  auto* tx = topics->add_subcommand("delete", "delete a topic");
  tx->add_option("name", name, "topic name")->required();
  tx->callback([&] { action = [&] { topics_delete(g, name); }; });
  auto* ta = topics->add_subcommand("alter-partitions", "grow a topic to a new partition count");
  ta->add_option("name", name, "topic name")->required();
  ta->add_option("--partitions,-p", partitions, "new total partition count")->required()->check(CLI::PositiveNumber);
  ta->callback([&] { action = [&] { topics_alter_partitions(g, name, partitions); }; });

  auto* cfg = app.add_subcommand("configs", "describe and alter topic or broker configs");
  cfg->require_subcommand(1);
  auto* cd = cfg->add_subcommand("describe", "print KEY=VALUE for every config");
  cd->add_option("--topic", topic, "topic name");
  cd->add_option("--broker", broker, "broker id");
  cd->callback([&] { action = [&] { configs_describe(g, topic, broker); }; });
  auto* ca = cfg->add_subcommand("alter", "set configs (others keep their values)");
  ca->add_option("--topic", topic, "topic name");
  ca->add_option("--broker", broker, "broker id");
  ca->add_option("--set", configs, "KEY=VALUE (repeatable)")->required();
  ca->callback([&] { action = [&] { configs_alter(g, topic, broker, configs); }; });

  auto* grp = app.add_subcommand("groups", "list, describe, delete consumer groups, reset offsets");
  grp->require_subcommand(1);
  auto* gl = grp->add_subcommand("list", "list consumer groups");
  gl->callback([&] { action = [&] { groups_list(g); }; });
  auto* gd = grp->add_subcommand("describe", "offsets, log-end offsets, lag and owners per partition");
  gd->add_option("group", name, "group id")->required();
  gd->callback([&] { action = [&] { groups_describe(g, name); }; });
  auto* gx = grp->add_subcommand("delete", "delete an empty consumer group");
  gx->add_option("group", name, "group id")->required();
  gx->callback([&] { action = [&] { groups_delete(g, name); }; });
  auto* gr = grp->add_subcommand("reset-offsets", "set an (inactive) group's committed offsets on a topic");
  gr->add_option("group", name, "group id")->required();
  gr->add_option("--topic", topic, "topic name")->required();
  gr->add_option("--to", to, "earliest, latest, offset:N or a timestamp in ms")->required();
  gr->add_flag("--dry-run", dry_run, "print the new offsets without committing them");
  gr->callback([&] { action = [&] { groups_reset_offsets(g, name, topic, to, dry_run); }; });

  auto* off = app.add_subcommand("offsets", "earliest, latest or by-time offset per partition");
  off->add_option("topic", topic, "topic name")->required();
  off->add_option("--time", time, "earliest, latest or a timestamp in ms")->capture_default_str();
  off->callback([&] { action = [&] { offsets(g, topic, time); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (action) action();
  } catch (const cli_error& e) {
    std::cout.flush();
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) { return sluice::cli::run(argc, argv); }
