#pragma once
/// `streams_membership`: an application instance's one member of the consumer group
/// `application.id` (runtime/README.md, "Design: high availability"). It runs on a thread of
/// its own (`sluice-group`) and owns a `group_member`:
///
///     join (subscription: every source topic, owned partitions, subscription_info with the
///       │   process id, thread count, running tasks)
///       ├─ leader: decode every member's subscription ─▶ assign_tasks (sticky, balanced by
///       │          threads) ─▶ withhold_until_revoked (KIP-429) ─▶ per member: partitions of
///       │          its active tasks + assignment_info
///       └─ every member: decode its assignment ─▶ assign_to_threads (sticky) ─▶ post each
///          stream thread its tasks (`task_inbox`)
///     rejoin when the coordinator asks (heartbeat), when the membership was lost, and after a
///     revocation once the threads have applied it (the follow-up rebalance of KIP-429).
///
/// The stream threads' librdkafka consumers never join the group: they take the partitions of
/// their tasks with manual assignment. Their commits are fenced by this membership: offsets
/// under at-least-once go through `commit_offsets` (OffsetCommit with the generation and member
/// id); under exactly-once each thread's producer sends them into its transaction with
/// `metadata()`.
///
/// Failures: a join that fails is retried with a growing backoff (up to 10 s); being fenced by
/// another instance with the same `group.instance.id` is fatal and reported through `failed()`.
/// An undecodable subscription (an instance of an incompatible version) gets no tasks; an
/// undecodable assignment gives this instance none and it rejoins after the backoff.
///
/// Thread safety: `start`, `stop` from the owning `streams`; `threads_changed`, `metadata`,
/// `commit_offsets`, `failed` from any thread. The inbox of a thread: `post` here, `take` and
/// `applied` on its stream thread.

#include "dsl/task_metadata.h"
#include "dsl/topology.h"
#include "runtime/detail/group_member.h"
#include "runtime/detail/kafka_record_collector.h"
#include "runtime/detail/streams_protocol.h"
#include "runtime/detail/topic_manager.h"
#include "runtime/streams_config.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace sluice::runtime::detail {

/// The tasks one stream thread runs, as the membership last decided (versioned).
struct thread_task_set {
  uint64_t version = 0;
  std::set<dsl::task_id> active;
};

/// A stream thread's mailbox: the membership posts the thread's tasks, the thread takes them
/// in its loop and says when it has applied them.
class task_inbox {
 public:
  /// Posts `active` as the thread's tasks (replacing one not yet taken). Returns the version.
  uint64_t post(std::set<dsl::task_id> active);
  /// The newest posted set, if the thread has not taken it yet.
  std::optional<thread_task_set> take();
  /// The thread has finished applying `version` (its revoked tasks are committed and closed).
  void applied(uint64_t version);
  /// Whether the thread has applied everything posted.
  bool settled() const;
  /// The last posted tasks (what the thread runs once settled).
  std::set<dsl::task_id> posted() const;

 private:
  mutable std::mutex _mutex;
  std::atomic<uint64_t> _posted_version{0};  // written under the mutex
  uint64_t _taken_version = 0;               // the thread's alone
  uint64_t _applied_version = 0;
  std::set<dsl::task_id> _posted;
};

/// The source partitions of a task: partition `id.partition` of every source topic of its
/// sub-topology that has that many partitions.
std::vector<core::topic_partition> task_partitions(const dsl::topology& topology, const topic_layout& layout,
                                                   std::string_view application_id, const dsl::task_id& id);

class streams_membership {
 public:
  /// A live stream thread as the membership sees it: its index (stable while it lives) and its
  /// inbox.
  struct thread_slot {
    int index = 0;
    std::shared_ptr<task_inbox> inbox;
  };
  /// The instance's live stream threads, at the moment of the call.
  using thread_list = std::function<std::vector<thread_slot>()>;

  /// Throws core::config_exception for bad group settings (they come from the consumer's
  /// `session.timeout.ms`, `heartbeat.interval.ms`, `max.poll.interval.ms`).
  streams_membership(const dsl::topology& topology, const streams_config& config, const topic_layout& layout,
                     std::string process_id, thread_list threads, std::function<void()> on_change);
  /// `stop()`.
  ~streams_membership();
  streams_membership(const streams_membership&) = delete;
  streams_membership& operator=(const streams_membership&) = delete;

  void start();
  /// Leaves the group (a static member does not; see group_member.h) and ends the thread.
  /// Call after the stream threads have committed and closed their tasks.
  void stop();
  /// The set of live threads changed (one was replaced): spread the instance's tasks again.
  void threads_changed();

  /// The membership commits are fenced by (for send_offsets_to_transaction).
  group_metadata metadata() const;
  /// OffsetCommit under this membership. False (and logged) when the coordinator refused any
  /// partition or did not answer.
  bool commit_offsets(const std::vector<std::pair<core::topic_partition, int64_t>>& offsets,
                      std::string_view owner);

  /// Every instance with an `application.server` and the partitions of its tasks (sorted), as
  /// the last assignment said (empty before the first one).
  std::vector<host_partitions> hosts() const;

  /// Why the membership cannot go on (fenced), or empty.
  std::string failed() const;

 private:
  void run();
  bool join();
  std::map<std::string, core::bytes> assign(const std::vector<group_member_metadata>& members);
  void distribute();
  std::vector<group_protocol> protocols();
  bool threads_settled();

  const dsl::topology& _topology;
  const streams_config& _config;
  const topic_layout& _layout;
  const std::string _process_id;
  thread_list _threads;
  std::function<void()> _on_change;
  /// Every task of the topology, and the stateful ones.
  std::set<dsl::task_id> _all_tasks;
  std::set<dsl::task_id> _stateful;
  group_member _member;

  mutable std::mutex _mutex;  // guards the fields below
  std::condition_variable _wake;
  bool _stop = false;
  bool _redistribute = false;
  std::string _failed;
  /// The instance's active tasks in the last assignment, and how they were spread.
  std::set<dsl::task_id> _active;
  std::map<int, std::set<dsl::task_id>> _by_thread;
  /// The last assignment asked for a follow-up rebalance once the threads have applied it.
  bool _followup = false;
  std::vector<host_partitions> _hosts;
  std::thread _thread;
};

}  // namespace sluice::runtime::detail
