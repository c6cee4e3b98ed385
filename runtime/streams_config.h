#pragma once
/// `streams_config`: the configuration of a `streams` application, with Kafka Streams' key
/// names, parsed and validated once at construction.
///
///     core::properties p{{"application.id", "page-views"},
///                        {"bootstrap.servers", "127.0.0.1:9092"},
///                        {"num.stream.threads", "2"},
///                        {"consumer.session.timeout.ms", "10000"}};   // pass-through
///     auto cfg = runtime::streams_config::parse(p);   // throws core::config_exception
///
/// Every key, its default and bounds are in `definition()` (and in runtime/README.md). Keys
/// under `consumer.`, `producer.` and `admin.` are handed to librdkafka unchanged for the
/// stream threads' consumers (main and restore), producers and the admin client; librdkafka
/// itself rejects unknown ones when the clients are created (start() then fails naming the
/// key). A few librdkafka settings are owned by the runtime because correctness depends on
/// them (group.id, enable.auto.commit, isolation.level, partitioner, ...): setting them through
/// a prefix is a config error naming the key.
///
/// Serdes are not configuration in Sluice: keys and values are typed in the DSL and their
/// serdes chosen at compile time (`sluice::default_serde<T>`, or `consumed`/`produced`/
/// `materialized`), so `default.key.serde` / `default.value.serde` are rejected with that
/// explanation rather than silently ignored.
///
/// Thread safety: a value; const access from any thread.

#include "core/config.h"
#include "core/time.h"

#include <cstdint>
#include <filesystem>
#include <string>

namespace sluice::runtime {

enum class processing_guarantee { at_least_once, exactly_once_v2 };

/// What a stream thread does with a record whose key or value cannot be deserialized.
enum class deserialization_handler {
  log_and_continue,  ///< log it, count it (`sluice_streams_skipped_records_total`), skip it
  log_and_fail,      ///< the thread fails (the uncaught-error handler decides what next)
  dead_letter,       ///< produce it unchanged, with the error in headers, to a dead-letter topic
};

struct streams_config {
  std::string application_id;
  std::string bootstrap_servers;
  int32_t num_stream_threads = 1;
  std::filesystem::path state_dir;
  processing_guarantee guarantee = processing_guarantee::at_least_once;
  core::millis commit_interval{30000};
  /// How often committed repartition records are deleted (`repartition.purge.interval.ms`).
  core::millis repartition_purge_interval{30000};
  /// Record cache for all stream threads together (each gets an equal share); 0 disables
  /// caching.
  int64_t cache_max_bytes = 10 * 1024 * 1024;
  deserialization_handler on_deserialization_error = deserialization_handler::log_and_fail;
  /// The dead-letter topic (`errors.dead.letter.queue.topic.name`); set iff the handler is
  /// dead_letter.
  std::string dead_letter_topic;
  /// Replication factor of internal topics; -1 = the broker's default.
  int32_t replication_factor = -1;
  core::millis poll_interval{100};
  /// Bytes of buffered input records of all stream threads together above which a thread
  /// pauses fetching (back-pressure; each thread gets an equal share).
  int64_t input_buffer_max_bytes = 512 * 1024 * 1024;
  /// A partition's buffered records above which its fetching is paused; 0 = no such limit.
  int32_t buffered_records_per_partition = 0;
  /// How long a task with data on some but not all of its input partitions waits for the rest
  /// before it processes what it has (0: never waits).
  core::millis max_task_idle{0};
  /// Static membership: each stream thread's consumer gets `<id>-<thread index>`. Empty: off.
  std::string group_instance_id;
  std::string client_id;
  /// `application.server`: host:port of this instance's interactive-query endpoint, or empty.
  std::string application_server;
  /// The one RocksDB memory budget (block cache + memtables) of all stores of this instance.
  int64_t rocksdb_memory_bytes = 256 * 1024 * 1024;
  /// librdkafka pass-through (prefix removed).
  core::properties consumer;
  core::properties producer;
  core::properties admin;

  /// Parses and validates `values`. Throws core::config_exception naming every bad key.
  static streams_config parse(const core::properties& values);
  /// The key definitions (for documentation and tooling).
  static const core::config_def& definition();
};

std::string_view to_string(processing_guarantee g) noexcept;

}  // namespace sluice::runtime
