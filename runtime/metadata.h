#pragma once
/// What a `streams` instance reports about itself: its state, and per stream thread the tasks
/// and partitions it owns (`streams::metadata()`); and what it knows of the whole application
/// for interactive queries: where each instance answers (`application.server`) and which
/// instance holds a key of a store (`streams::query_metadata_for_key`, `all_metadata`).
///
/// Thread safety: plain values, snapshots taken under the threads' locks.

#include "core/types.h"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::runtime {

/// The lifecycle of a `streams` instance (Kafka Streams' KafkaStreams.State):
///
///     created ──start()──▶ rebalancing ◀──▶ running
///                               │               │
///                               ├── fatal error ┴──▶ pending_error ──▶ error
///                               └── close() ────────▶ pending_shutdown ──▶ not_running
///
/// `rebalancing`: some thread is joining the group, or has tasks restoring their state.
/// `running`: every live thread processes all of its tasks. `error`: the uncaught-error handler
/// chose to shut the client (or the application) down; `close()` then leads to not_running.
enum class streams_state {
  created,
  rebalancing,
  running,
  pending_shutdown,
  not_running,
  pending_error,
  error,
};

std::string_view to_string(streams_state s) noexcept;

/// One task owned by a stream thread of this instance.
struct task_metadata {
  /// `<sub-topology>_<partition>`, as the task directories are named.
  std::string task_id;
  /// The input partitions it reads.
  std::vector<core::topic_partition> partitions;
  /// "created" (waiting for its state directory), "restoring" or "running".
  std::string state;

  bool operator==(const task_metadata&) const = default;
};

struct thread_metadata {
  std::string thread_name;
  /// "starting", "partitions_revoked", "partitions_assigned", "running", "pending_shutdown",
  /// "dead".
  std::string state;
  std::vector<task_metadata> active_tasks;
};

/// An instance's interactive-query endpoint: its `application.server`.
struct host_info {
  std::string host;
  uint16_t port = 0;
  bool operator==(const host_info&) const = default;
  auto operator<=>(const host_info&) const = default;
};

/// Where one key of a store lives (Kafka Streams' KeyQueryMetadata).
struct key_query_metadata {
  /// The instance whose active task holds the key; nullopt while that is not known (before the
  /// first assignment, or the owner has no `application.server`).
  std::optional<host_info> active;
  /// Instances keeping a standby replica of that task.
  std::vector<host_info> standbys;
  /// The key's partition: murmur2 of the serialized key over the store's task count, as
  /// producers (Java's and librdkafka's murmur2_random) place keys.
  partition_id partition{-1};
};

/// One instance of the application as the group's last assignment describes it (Kafka Streams'
/// StreamsMetadata). Only instances with an `application.server` are listed.
struct instance_metadata {
  host_info host;
  /// The stores of its active tasks.
  std::set<std::string> stores;
  std::vector<core::topic_partition> active_partitions;
  std::vector<core::topic_partition> standby_partitions;
};

}  // namespace sluice::runtime

namespace sluice {
using runtime::host_info;
using runtime::instance_metadata;
using runtime::key_query_metadata;
using runtime::streams_state;
using runtime::task_metadata;
using runtime::thread_metadata;
}  // namespace sluice
