#pragma once
/// What the runtime's group members tell each other (issue #16; runtime/README.md, "Design:
/// high availability"): the user data inside Kafka's consumer-protocol payloads
/// (core/protocol/consumer_protocol.h). Every instance's subscription carries a
/// `subscription_info`; the leader answers each with an `assignment_info`. Kafka Streams
/// carries the same facts in its SubscriptionInfo / AssignmentInfo; this is Sluice's own
/// layout, big-endian like the Kafka protocol:
///
///     subscription_info                       assignment_info
///     int16   version                         int16   version
///     int16   latest_supported_version        int16   latest_supported_version
///     string  process_id                      int16   error_code
///     string? endpoint  (application.server)  tasks   active
///     int32   threads                         tasks   standby
///     int32   count, then per task:           tasks   warmup
///       int32 subtopology, int32 partition,   int32   count, then per instance:
///       int64 offset_sum                        string endpoint
///                                               partitions active, partitions standby
///                                             int64   next_rebalance_ms
///
///     tasks      = int32 count, then per task int32 subtopology, int32 partition
///     partitions = int32 count, then per topic string topic, int32 count, int32 partition...
///
/// Partitions are written grouped by topic, topics and partitions in increasing order (so they
/// decode sorted).
///
/// Evolution: a later version only appends fields, so a decoder reads the fields it knows of
/// any version ≥ 1 and ignores what follows; `latest_supported_version` says what the sender
/// could also read (a leader answers in the lowest version among its members). Version 0, a
/// version-1 payload with bytes left over, negative counts, fewer than one thread, an unknown
/// error code and truncated payloads fail to decode (`core::errc::invalid_argument`).
///
/// Thread safety: plain values and pure functions.

#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"
#include "dsl/task_metadata.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::runtime::detail {

/// The version this code writes and the newest it reads in full.
inline constexpr int16_t streams_protocol_version = 1;

/// The `offset_sum` of a task the instance runs actively right now: caught up by definition
/// (Kafka Streams' Task.LATEST_OFFSET).
inline constexpr int64_t running_task_offset_sum = -2;

/// A task the instance holds state for, and how far that state goes.
struct task_offset_sum {
  dsl::task_id task;
  /// The sum over the task's change-logged stores of their changelog positions (the offset of
  /// the next changelog record not reflected), or `running_task_offset_sum`.
  int64_t offset_sum = 0;

  bool operator==(const task_offset_sum&) const = default;
};

/// One instance's subscription user data.
struct subscription_info {
  int16_t version = streams_protocol_version;
  int16_t latest_supported_version = streams_protocol_version;
  /// The instance's stable id (kept in its state directory).
  std::string process_id;
  /// `application.server` (host:port) where the instance answers interactive queries.
  std::optional<std::string> endpoint;
  /// Its `num.stream.threads`: the assignor balances tasks per thread.
  int32_t threads = 1;
  /// Every task it holds state for, by increasing task id.
  std::vector<task_offset_sum> task_offset_sums;

  bool operator==(const subscription_info&) const = default;
};

/// Why an assignment carries no tasks.
enum class assignment_error : int16_t {
  none = 0,
  /// The leader could not read a source topic's metadata (missing or not yet created).
  missing_source_topics = 1,
  /// An instance asked the whole application to shut down (`shutdown_application`).
  shutdown_requested = 2,
};

/// Where one instance's tasks are, for interactive-query metadata: the partitions of its active
/// and of its standby tasks.
struct host_partitions {
  std::string endpoint;
  std::vector<core::topic_partition> active;
  std::vector<core::topic_partition> standby;

  bool operator==(const host_partitions&) const = default;
};

/// The leader's answer to one instance.
struct assignment_info {
  int16_t version = streams_protocol_version;
  int16_t latest_supported_version = streams_protocol_version;
  assignment_error error = assignment_error::none;
  std::vector<dsl::task_id> active;
  std::vector<dsl::task_id> standby;
  /// Standby replicas that exist only to catch up before taking the task over (KIP-441).
  std::vector<dsl::task_id> warmup;
  /// Every instance with an endpoint (`application.server`), including this one.
  std::vector<host_partitions> hosts;
  /// Wall-clock time (ms since the epoch) at which the instance rejoins the group: the next
  /// probing rebalance, 0 for a follow-up rebalance at once, -1 for none.
  int64_t next_rebalance_ms = -1;

  bool operator==(const assignment_info&) const = default;
};

core::bytes encode(const subscription_info& info);
core::bytes encode(const assignment_info& info);
result<subscription_info> decode_subscription_info(core::bytes_view data);
result<assignment_info> decode_assignment_info(core::bytes_view data);

}  // namespace sluice::runtime::detail
