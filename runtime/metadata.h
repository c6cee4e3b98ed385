#pragma once
/// What a `streams` instance reports about itself: its state, and per stream thread the tasks
/// and partitions it owns (`streams::metadata()`).
///
/// Thread safety: plain values, snapshots taken under the threads' locks.

#include "core/types.h"

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

}  // namespace sluice::runtime

namespace sluice {
using runtime::streams_state;
using runtime::task_metadata;
using runtime::thread_metadata;
}  // namespace sluice
