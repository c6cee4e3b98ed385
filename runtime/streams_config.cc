#include "runtime/streams_config.h"

#include "core/host_port.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <limits>
#include <vector>

namespace sluice::runtime {
namespace {

constexpr int64_t i32max = std::numeric_limits<int32_t>::max();
constexpr int64_t i64max = std::numeric_limits<int64_t>::max();

bool valid_topic_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

/// application.id names topics (`<id>-<store>-changelog`) and directories, so it follows
/// Kafka's topic-name rules.
std::optional<std::string> application_id_problem(std::string_view v) {
  if (v.empty() || v.size() > 200 || !std::all_of(v.begin(), v.end(), valid_topic_char)) {
    return "1 to 200 characters of [A-Za-z0-9._-]";
  }
  return std::nullopt;
}

std::optional<std::string> topic_name_problem(std::string_view v) {
  if (v.empty()) return std::nullopt;  // checked together with the handler
  if (v.size() > 249 || !std::all_of(v.begin(), v.end(), valid_topic_char)) {
    return "a topic name: 1 to 249 characters of [A-Za-z0-9._-]";
  }
  return std::nullopt;
}

std::optional<std::string> non_empty(std::string_view v) {
  if (v.empty()) return "a non-empty value";
  return std::nullopt;
}

core::config_def make_def() {
  using core::config_type;
  core::config_def d;
  d.define({.name = "application.id",
            .type = config_type::string,
            .doc = "The application's name: the consumer group id, the prefix of internal "
                   "topics and the state directory under state.dir. Required.",
            .validator = application_id_problem});
  d.define({.name = "bootstrap.servers",
            .type = config_type::string,
            .doc = "host:port[,host:port...] of the Kafka cluster. Required.",
            .validator = non_empty});
  d.define({.name = "num.stream.threads",
            .type = config_type::integer,
            .default_value = "1",
            .doc = "Stream threads of this instance; each owns a consumer, a producer and "
                   "its tasks.",
            .int_bounds = core::int_range{1, 256}});
  d.define({.name = "state.dir",
            .type = config_type::string,
            .default_value = "/tmp/sluice-streams",
            .doc = "Directory of local state: <state.dir>/<application.id>/<task-id>/.",
            .validator = non_empty});
  d.define({.name = "processing.guarantee",
            .type = config_type::enumeration,
            .default_value = "at_least_once",
            .doc = "at_least_once or exactly_once_v2.",
            .accepted = {"at_least_once", "exactly_once_v2"}});
  d.define({.name = "commit.interval.ms",
            .type = config_type::integer,
            .default_value = "30000",
            .doc = "How often tasks commit (flush stores, flush the producer, commit offsets, "
                   "write checkpoints). Default 30000, or 100 with exactly_once_v2.",
            .int_bounds = core::int_range{1, i64max}});
  d.define({.name = "repartition.purge.interval.ms",
            .type = config_type::integer,
            .default_value = "30000",
            .doc = "How often a stream thread deletes the records of repartition topics that its "
                   "commits have moved past (DeleteRecords).",
            .int_bounds = core::int_range{0, i64max}});
  d.define({.name = "cache.max.bytes",
            .type = config_type::integer,
            .default_value = "10485760",
            .doc = "Record cache of all threads together (split equally); folds repeated "
                   "updates of a key before they reach the store and its changelog. 0 = off.",
            .int_bounds = core::int_range{0, i64max}});
  d.define({.name = "default.deserialization.exception.handler",
            .type = config_type::enumeration,
            .default_value = "log-and-fail",
            .doc = "What to do with a record that cannot be deserialized: log-and-continue "
                   "(skip and count it), log-and-fail (fail the thread), dead-letter (produce "
                   "it to errors.dead.letter.queue.topic.name with the error in headers).",
            .accepted = {"log-and-continue", "log-and-fail", "dead-letter"}});
  d.define({.name = "errors.dead.letter.queue.topic.name",
            .type = config_type::string,
            .default_value = "",
            .doc = "The dead-letter topic; required with the dead-letter handler. Created "
                   "(1 partition) if missing.",
            .validator = topic_name_problem});
  d.define({.name = "replication.factor",
            .type = config_type::integer,
            .default_value = "-1",
            .doc = "Replication factor of internal topics; -1 = the broker's default.",
            .int_bounds = core::int_range{-1, 32767},
            .validator = [](std::string_view v) -> std::optional<std::string> {
              if (v == "0") return "-1 or a positive number";
              return std::nullopt;
            }});
  d.define({.name = "poll.ms",
            .type = config_type::integer,
            .default_value = "100",
            .doc = "How long a stream thread with nothing to do blocks polling for records.",
            .int_bounds = core::int_range{1, 60000}});
  d.define({.name = "input.buffer.max.bytes",
            .type = config_type::integer,
            .default_value = "536870912",
            .doc = "Bytes of consumed records buffered in tasks' input queues, for all stream "
                   "threads together (each gets an equal share). Above its share a thread "
                   "pauses fetching from every partition with buffered records.",
            .int_bounds = core::int_range{0, i64max}});
  d.define({.name = "buffered.records.per.partition",
            .type = config_type::integer,
            .default_value = "0",
            .doc = "Records buffered per input partition before fetching from it pauses; 0 = "
                   "no per-partition limit (input.buffer.max.bytes alone bounds the buffers).",
            .int_bounds = core::int_range{0, i32max}});
  d.define({.name = "max.task.idle.ms",
            .type = config_type::integer,
            .default_value = "0",
            .doc = "How long a task whose input partitions are not all buffered waits for "
                   "them before processing what it has, so that records are picked by lowest "
                   "timestamp across partitions. 0 = never wait.",
            .int_bounds = core::int_range{0, i64max}});
  d.define({.name = "group.instance.id",
            .type = config_type::string,
            .default_value = "",
            .doc = "Static membership: the instance's group member joins as <group.instance.id>, "
                   "so a restart within session.timeout.ms causes no rebalance. Empty = dynamic "
                   "membership.",
            .validator = [](std::string_view v) -> std::optional<std::string> {
              if (!v.empty() && !std::all_of(v.begin(), v.end(), valid_topic_char)) {
                return "characters of [A-Za-z0-9._-]";
              }
              return std::nullopt;
            }});
  d.define({.name = "application.server",
            .type = config_type::string,
            .default_value = "",
            .doc = "host:port where this instance answers interactive queries (the worker's "
                   "HTTP endpoint). Shared with the other instances through the group, so that "
                   "any of them can say where a key lives. Empty = not listed.",
            .validator = [](std::string_view v) -> std::optional<std::string> {
              if (v.empty()) return std::nullopt;
              try {
                if (core::parse_host_port(v, "application.server").port == 0) return "a port from 1 to 65535";
              } catch (const core::config_exception&) {
                return "host:port";
              }
              return std::nullopt;
            }});
  d.define({.name = "client.id",
            .type = config_type::string,
            .default_value = "",
            .doc = "Prefix of the librdkafka client ids; empty = application.id."});
  d.define({.name = "rocksdb.memory.bytes",
            .type = config_type::integer,
            .default_value = "268435456",
            .doc = "The one memory budget (block cache and memtables) shared by every RocksDB "
                   "store of this instance.",
            .int_bounds = core::int_range{8 * 1024 * 1024, i64max}});
  d.allow_prefix("consumer.");
  d.allow_prefix("producer.");
  d.allow_prefix("admin.");
  return d;
}

/// librdkafka settings the runtime sets itself; a pass-through override would break it.
constexpr std::array<std::string_view, 11> owned_client_keys{
    "bootstrap.servers",        "group.id",
    "group.instance.id",        "enable.auto.commit",
    "enable.auto.offset.store", "isolation.level",
    "partition.assignment.strategy", "partitioner",
    "transactional.id",         "enable.partition.eof",
    "client.id"};

const char* owned_key_reason(std::string_view key) {
  if (key == "bootstrap.servers") return "set bootstrap.servers instead";
  if (key == "client.id") return "set client.id instead";
  if (key == "group.instance.id") return "set group.instance.id instead";
  if (key == "partition.assignment.strategy") {
    return "the runtime uses range assignment, which keeps co-partitioned tasks together";
  }
  if (key == "partitioner") return "the runtime uses murmur2_random (Java-compatible)";
  return "the runtime sets it (offsets are committed by the runtime, read_committed, ...)";
}

}  // namespace

const core::config_def& streams_config::definition() {
  static const core::config_def def = make_def();
  return def;
}

streams_config streams_config::parse(const core::properties& values) {
  std::vector<std::string> problems;
  for (std::string_view serde_key : {"default.key.serde", "default.value.serde"}) {
    if (values.contains(std::string(serde_key))) {
      problems.push_back(fmt::format(
          "config '{}' is not used by Sluice: serdes are chosen per type at compile time "
          "(sluice::default_serde<T>, or consumed/produced/materialized in the DSL)",
          serde_key));
    }
  }
  for (const auto& [key, value] : values) {
    for (std::string_view prefix : {"consumer.", "producer.", "admin."}) {
      if (!key.starts_with(prefix)) continue;
      const std::string_view client_key = std::string_view(key).substr(prefix.size());
      if (std::find(owned_client_keys.begin(), owned_client_keys.end(), client_key) !=
          owned_client_keys.end()) {
        problems.push_back(fmt::format("config '{}' cannot be overridden: {}", key,
                                       owned_key_reason(client_key)));
      }
    }
  }
  core::properties rest = values;
  rest.erase("default.key.serde");
  rest.erase("default.value.serde");
  core::config c;
  try {
    c = definition().parse(rest);
  } catch (const core::config_exception& e) {
    problems.insert(problems.end(), e.problems().begin(), e.problems().end());
  }
  if (!problems.empty()) throw core::config_exception(std::move(problems));

  streams_config out;
  out.application_id = c.get_string("application.id");
  out.bootstrap_servers = c.get_string("bootstrap.servers");
  out.num_stream_threads = static_cast<int32_t>(c.get_int("num.stream.threads"));
  out.state_dir = c.get_string("state.dir");
  out.guarantee = c.get_string("processing.guarantee") == "exactly_once_v2"
                      ? processing_guarantee::exactly_once_v2
                      : processing_guarantee::at_least_once;
  out.commit_interval = c.get_ms("commit.interval.ms");
  if (c.is_default("commit.interval.ms") &&
      out.guarantee == processing_guarantee::exactly_once_v2) {
    out.commit_interval = core::millis{100};
  }
  out.repartition_purge_interval = c.get_ms("repartition.purge.interval.ms");
  out.cache_max_bytes = c.get_int("cache.max.bytes");
  const std::string& handler = c.get_string("default.deserialization.exception.handler");
  out.on_deserialization_error = handler == "log-and-continue" ? deserialization_handler::log_and_continue
                                 : handler == "dead-letter"    ? deserialization_handler::dead_letter
                                                               : deserialization_handler::log_and_fail;
  out.dead_letter_topic = c.get_string("errors.dead.letter.queue.topic.name");
  if (out.on_deserialization_error == deserialization_handler::dead_letter &&
      out.dead_letter_topic.empty()) {
    throw core::config_exception({"missing config 'errors.dead.letter.queue.topic.name': "
                                  "required when default.deserialization.exception.handler is "
                                  "dead-letter"});
  }
  if (out.on_deserialization_error != deserialization_handler::dead_letter &&
      !out.dead_letter_topic.empty()) {
    throw core::config_exception(
        {"config 'errors.dead.letter.queue.topic.name' is set but "
         "default.deserialization.exception.handler is '" + handler +
         "': it is only used by the dead-letter handler"});
  }
  out.replication_factor = static_cast<int32_t>(c.get_int("replication.factor"));
  out.poll_interval = c.get_ms("poll.ms");
  out.input_buffer_max_bytes = c.get_int("input.buffer.max.bytes");
  out.buffered_records_per_partition =
      static_cast<int32_t>(c.get_int("buffered.records.per.partition"));
  out.max_task_idle = c.get_ms("max.task.idle.ms");
  out.group_instance_id = c.get_string("group.instance.id");
  out.client_id = c.get_string("client.id");
  out.application_server = c.get_string("application.server");
  if (out.client_id.empty()) out.client_id = out.application_id;
  out.rocksdb_memory_bytes = c.get_int("rocksdb.memory.bytes");
  out.consumer = c.with_prefix("consumer.");
  out.producer = c.with_prefix("producer.");
  out.admin = c.with_prefix("admin.");
  return out;
}

std::string_view to_string(processing_guarantee g) noexcept {
  return g == processing_guarantee::exactly_once_v2 ? "exactly_once_v2" : "at_least_once";
}

}  // namespace sluice::runtime
