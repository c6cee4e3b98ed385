#include "broker/broker_config.h"

#include "core/host_port.h"

#include "broker/storage/topic_config.h"
#include "core/log.h"

#include <charconv>
#include <limits>

namespace sluice::broker {
namespace {

constexpr int64_t i32max = std::numeric_limits<int32_t>::max();
constexpr int64_t i64max = std::numeric_limits<int64_t>::max();

/// A key Kafka declares as LONG.
core::config_key long_key(std::string name, int64_t def, int64_t min, int64_t max, std::string doc) {
  core::config_key k;
  k.name = std::move(name);
  k.type = core::config_type::integer;
  k.default_value = std::to_string(def);
  k.int_bounds = core::int_range{min, max};
  k.doc = std::move(doc);
  return k;
}

/// A key Kafka declares as INT. REQUIRES: the bounds lie within int32.
core::config_key int_key(std::string name, int64_t def, int64_t min, int64_t max, std::string doc) {
  core::config_key k = long_key(std::move(name), def, min, max, std::move(doc));
  k.width = core::int_width::int32;
  return k;
}

core::config_key string_key(std::string name, std::string def, std::string doc) {
  core::config_key k;
  k.name = std::move(name);
  k.type = core::config_type::string;
  k.default_value = std::move(def);
  k.doc = std::move(doc);
  return k;
}

core::config_key bool_key(std::string name, bool def, std::string doc) {
  core::config_key k;
  k.name = std::move(name);
  k.type = core::config_type::boolean;
  k.default_value = def ? "true" : "false";
  k.doc = std::move(doc);
  return k;
}

core::config_key enum_key(std::string name, std::string def, std::vector<std::string> accepted,
                          std::string doc) {
  core::config_key k;
  k.name = std::move(name);
  k.type = core::config_type::enumeration;
  k.default_value = std::move(def);
  k.accepted = std::move(accepted);
  k.doc = std::move(doc);
  return k;
}

core::config_def make_def() {
  core::config_def d;
  d.define(string_key("listeners", "127.0.0.1:9092",
                      "Address to listen on: host:port or PLAINTEXT://host:port (port 0 = any)."));
  d.define(string_key("advertised.listeners", "",
                      "Address clients are told to connect to; empty = the listener's."));
  d.define(string_key("log.dirs", "data", "The data directory."));
  d.define(int_key("node.id", 0, 0, i32max, "This broker's node id."));
  d.define(string_key("cluster.id", "",
                      "Cluster id; empty = generated once and kept in the data directory."));
  d.define(int_key("num.partitions", 1, 1, 100000,
                   "Partitions of auto-created topics and of CreateTopics with -1."));
  d.define(bool_key("auto.create.topics.enable", true,
                    "Create unknown topics named in Metadata requests that allow it."));
  // The log defaults (log.retention.ms, message.max.bytes, …) are the broker synonyms of the
  // topic-level keys and are defined once, in storage/topic_config.
  storage::define_broker_defaults(d);
  d.define(long_key("log.retention.check.interval.ms", 300000, 1, i64max,
                   "How often retention runs."));
  d.define(bool_key("log.cleaner.enable", true,
                    "Run the log cleaner (compaction of cleanup.policy=compact topics)."));
  d.define(long_key("log.cleaner.backoff.ms", 15000, 1, i64max,
                   "How long the cleaner sleeps when no log needs cleaning."));
  d.define(long_key("log.cleaner.dedupe.buffer.size", 134217728, 1024 * 1024, i64max,
                   "Memory for the cleaner's key map; a pass cleans as many dirty segments as "
                   "fit."));
  d.define(int_key("socket.request.max.bytes", 104857600, 1, i32max,
                   "Largest request frame; a larger one closes the connection."));
  d.define(int_key("fetch.max.bytes", 2097152, 1024, i32max,
                   "Largest Fetch response the broker builds, below the client's own "
                   "fetch.max.bytes (a first batch still goes out whole)."));
  d.define(int_key("max.connections", i32max, 1, i32max, "Most client connections at once."));
  d.define(long_key("connections.max.idle.ms", 600000, 1, i64max,
                   "Close a connection after this long with no bytes moving and no request in "
                   "progress (a half-sent request frame counts as idle)."));
  d.define(int_key("num.network.threads", 2, 1, 64, "Threads serving connections."));
  d.define(string_key("metrics.listen", "",
                      "host:port of the HTTP endpoint serving /metrics (Prometheus) and "
                      "/health; empty = off."));
  d.define(int_key("group.min.session.timeout.ms", 6000, 1, i32max,
                   "Shortest session timeout a JoinGroup may ask for."));
  d.define(int_key("group.max.session.timeout.ms", 1800000, 1, i32max,
                   "Longest session timeout a JoinGroup may ask for."));
  d.define(int_key("group.initial.rebalance.delay.ms", 3000, 0, i32max,
                   "How long the first rebalance of an empty group waits for more members."));
  d.define(int_key("offsets.topic.num.partitions", 4, 1, 1000,
                   "Partitions of __consumer_offsets when the broker creates it."));
  d.define(int_key("offsets.topic.segment.bytes", 104857600, 14, i32max,
                   "Segment size of __consumer_offsets when the broker creates it."));
  d.define(int_key("offset.metadata.max.bytes", 4096, 0, i32max,
                   "Longest metadata string an offset commit may carry."));
  d.define(int_key("transaction.max.timeout.ms", 900000, 1, i32max,
                   "Longest transaction.timeout.ms a transactional producer may ask for."));
  d.define(int_key("transaction.state.log.num.partitions", 4, 1, 1000,
                   "Partitions of __transaction_state when the broker creates it."));
  d.define(int_key("transaction.state.log.segment.bytes", 104857600, 14, i32max,
                   "Segment size of __transaction_state when the broker creates it."));
  d.define(int_key("transaction.abort.timed.out.transaction.cleanup.interval.ms", 10000, 1, i32max,
                   "How often open transactions are checked against their timeout."));
  d.define(int_key("producer.id.expiration.ms", 86400000, 1, i32max,
                   "Per partition, producer state (idempotence) whose batches are all below the "
                   "log start and whose last write is older than this is forgotten."));
  d.define(enum_key("log.level", "info", {"trace", "debug", "info", "warn", "error", "off"},
                    "Logging level."));
  return d;
}

}  // namespace

const core::config_def& broker_config_def() {
  static const core::config_def def = make_def();
  return def;
}

const core::config_def& test_hook_config_def() {
  static const core::config_def def = [] {
    core::config_def d;
    d.define(int_key(
        "sluice.test.drop.produce.responses", 0, 0, std::numeric_limits<int32_t>::max(),
        "The next N Produce requests whose batches are in the log (appended or duplicates) are "
        "answered by closing the connection (after the append and its flush), so that producers "
        "retry batches already written."));
    return d;
  }();
  return def;
}

void apply_test_hooks(broker_options& options, const core::config& hooks) {
  options.test_hooks = true;
  options.test_drop_produce_responses = static_cast<int32_t>(hooks.get_int("sluice.test.drop.produce.responses"));
}

std::pair<std::string, uint16_t> parse_listener(std::string_view key, std::string_view value) {
  std::string_view v = value;
  if (auto scheme = v.find("://"); scheme != std::string_view::npos) {
    if (v.substr(0, scheme) != "PLAINTEXT") {
      throw core::config_exception({"invalid value '" + std::string(value) + "' for config '" +
                                    std::string(key) + "': only PLAINTEXT listeners are supported"});
    }
    v = v.substr(scheme + 3);
  }
  auto parsed = core::parse_host_port(v, "config '" + std::string(key) + "'");
  return {std::move(parsed.host), parsed.port};
}

broker_options to_broker_options(const core::config& c) {
  broker_options o;
  auto [host, port] = parse_listener("listeners", c.get_string("listeners"));
  o.host = host;
  o.port = port;
  if (const auto& adv = c.get_string("advertised.listeners"); !adv.empty()) {
    auto [ahost, aport] = parse_listener("advertised.listeners", adv);
    o.advertised_host = ahost;
    o.advertised_port = aport;
  }
  o.data_dir = c.get_string("log.dirs");
  o.node_id = static_cast<int32_t>(c.get_int("node.id"));
  o.cluster_id = c.get_string("cluster.id");
  o.num_partitions = static_cast<int32_t>(c.get_int("num.partitions"));
  o.auto_create_topics = c.get_bool("auto.create.topics.enable");
  o.max_request_bytes = c.get_int("socket.request.max.bytes");
  o.max_connections = c.get_int("max.connections");
  o.connections_max_idle_ms = c.get_int("connections.max.idle.ms");
  o.fetch_max_bytes = static_cast<int32_t>(c.get_int("fetch.max.bytes"));
  o.network_threads = static_cast<int>(c.get_int("num.network.threads"));
  o.retention_check_interval_ms = c.get_int("log.retention.check.interval.ms");
  for (const auto& entry : c.entries()) {
    if (storage::find_topic_key_by_broker_name(entry.name) != nullptr) {
      storage::apply_config(o.log, entry.name, entry.value);
    }
  }
  if (o.log.min_compaction_lag_ms > o.log.max_compaction_lag_ms) {
    // Kafka's LogConfig.validateValues, which it also runs on the broker's log defaults.
    throw core::config_exception({"invalid value '" + std::to_string(o.log.min_compaction_lag_ms) +
                                  "' for config 'log.cleaner.min.compaction.lag.ms': larger than "
                                  "log.cleaner.max.compaction.lag.ms (" +
                                  std::to_string(o.log.max_compaction_lag_ms) + ")"});
  }
  o.cleaner_enable = c.get_bool("log.cleaner.enable");
  o.cleaner_backoff_ms = c.get_int("log.cleaner.backoff.ms");
  o.cleaner_dedupe_buffer_bytes = c.get_int("log.cleaner.dedupe.buffer.size");
  if (auto m = c.get_string("metrics.listen"); !m.empty()) {
    o.metrics_listen = core::parse_host_port(m, "config 'metrics.listen'");
  }
  o.log.producer_id_expiration_ms = c.get_int("producer.id.expiration.ms");
  o.groups.min_session_timeout_ms = static_cast<int32_t>(c.get_int("group.min.session.timeout.ms"));
  o.groups.max_session_timeout_ms = static_cast<int32_t>(c.get_int("group.max.session.timeout.ms"));
  if (o.groups.min_session_timeout_ms > o.groups.max_session_timeout_ms) {
    throw core::config_exception({"invalid value '" + std::to_string(o.groups.min_session_timeout_ms) +
                                  "' for config 'group.min.session.timeout.ms': larger than "
                                  "group.max.session.timeout.ms (" +
                                  std::to_string(o.groups.max_session_timeout_ms) + ")"});
  }
  o.groups.initial_rebalance_delay_ms = static_cast<int32_t>(c.get_int("group.initial.rebalance.delay.ms"));
  o.groups.offsets_topic_partitions = static_cast<int32_t>(c.get_int("offsets.topic.num.partitions"));
  o.groups.offsets_topic_segment_bytes = c.get_int("offsets.topic.segment.bytes");
  o.transactions.max_timeout_ms = static_cast<int32_t>(c.get_int("transaction.max.timeout.ms"));
  o.transactions.state_topic_partitions =
      static_cast<int32_t>(c.get_int("transaction.state.log.num.partitions"));
  o.transactions.state_topic_segment_bytes = c.get_int("transaction.state.log.segment.bytes");
  o.transactions.abort_check_interval_ms =
      static_cast<int32_t>(c.get_int("transaction.abort.timed.out.transaction.cleanup.interval.ms"));
  o.groups.offset_metadata_max_bytes = static_cast<int32_t>(c.get_int("offset.metadata.max.bytes"));
  return o;
}

core::properties to_properties(const broker_options& o) {
  core::properties p;
  auto listener = [](const std::string& host, int port) {
    bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
  };
  p["listeners"] = listener(o.host, o.port);
  p["advertised.listeners"] =
      o.advertised_host.empty() && o.advertised_port == 0
          ? std::string()
          : listener(o.advertised_host.empty() ? o.host : o.advertised_host,
                     o.advertised_port != 0 ? o.advertised_port : o.port);
  p["log.dirs"] = o.data_dir.string();
  p["node.id"] = std::to_string(o.node_id);
  p["cluster.id"] = o.cluster_id;
  p["num.partitions"] = std::to_string(o.num_partitions);
  p["auto.create.topics.enable"] = o.auto_create_topics ? "true" : "false";
  for (const auto& k : storage::topic_keys()) {
    if (k.broker_name.empty()) continue;  // no broker synonym (remote.storage.enable, …)
    p[std::string(k.broker_name)] = storage::topic_config_value(o.log, k.name);
  }
  p["log.retention.check.interval.ms"] = std::to_string(o.retention_check_interval_ms);
  p["log.cleaner.enable"] = o.cleaner_enable ? "true" : "false";
  p["log.cleaner.backoff.ms"] = std::to_string(o.cleaner_backoff_ms);
  p["log.cleaner.dedupe.buffer.size"] = std::to_string(o.cleaner_dedupe_buffer_bytes);
  p["socket.request.max.bytes"] = std::to_string(o.max_request_bytes);
  p["max.connections"] = std::to_string(o.max_connections);
  p["connections.max.idle.ms"] = std::to_string(o.connections_max_idle_ms);
  p["fetch.max.bytes"] = std::to_string(o.fetch_max_bytes);
  p["num.network.threads"] = std::to_string(o.network_threads);
  p["metrics.listen"] = o.metrics_listen ? core::to_string(*o.metrics_listen) : "";
  p["producer.id.expiration.ms"] = std::to_string(o.log.producer_id_expiration_ms);
  p["group.min.session.timeout.ms"] = std::to_string(o.groups.min_session_timeout_ms);
  p["group.max.session.timeout.ms"] = std::to_string(o.groups.max_session_timeout_ms);
  p["group.initial.rebalance.delay.ms"] = std::to_string(o.groups.initial_rebalance_delay_ms);
  p["offsets.topic.num.partitions"] = std::to_string(o.groups.offsets_topic_partitions);
  p["offsets.topic.segment.bytes"] = std::to_string(o.groups.offsets_topic_segment_bytes);
  p["offset.metadata.max.bytes"] = std::to_string(o.groups.offset_metadata_max_bytes);
  p["transaction.max.timeout.ms"] = std::to_string(o.transactions.max_timeout_ms);
  p["transaction.state.log.num.partitions"] = std::to_string(o.transactions.state_topic_partitions);
  p["transaction.state.log.segment.bytes"] = std::to_string(o.transactions.state_topic_segment_bytes);
  p["transaction.abort.timed.out.transaction.cleanup.interval.ms"] =
      std::to_string(o.transactions.abort_check_interval_ms);
  p["log.level"] = std::string(core::to_string(core::get_log_level()));
  return p;
}

}  // namespace sluice::broker
