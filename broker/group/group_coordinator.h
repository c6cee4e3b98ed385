#pragma once
/// `group_coordinator`: consumer groups and committed offsets for the whole broker — the
/// classic rebalance protocol (JoinGroup / SyncGroup / Heartbeat / LeaveGroup, static
/// membership, session and rebalance timeouts) and OffsetCommit / OffsetFetch / OffsetDelete,
/// DeleteGroups, DescribeGroups, ListGroups. Kafka-free types: handlers translate the wire
/// structs to the requests below and map `errc` to Kafka error codes.
///
/// Parts (one owner per concern): `group_registry` (the groups by id), `group_log` (load,
/// replay and append of `__consumer_offsets`, through the broker's durable-append path),
/// `membership` (join/sync/heartbeat/leave and their timers), `offset_manager` (commit, fetch,
/// delete and transactional offsets). This class builds them, forwards to them, and does the
/// admin operations that span them (DeleteGroups, DescribeGroups, ListGroups, snapshots).
///
/// Persistence: every committed offset and every group-metadata change is appended to the
/// compacted internal topic `__consumer_offsets` before the request is answered, and fsynced
/// first when that partition's flush policy says so (group_log.h), so offsets and group
/// membership survive restarts and kill -9.
///
/// Answers: operations that may have to wait (a JoinGroup held until the join phase ends, a
/// follower's SyncGroup waiting for the leader, anything that writes) take a completion
/// callback, which is called exactly once, from any thread, never while a coordinator lock is
/// held. Reads answer synchronously.
///
/// Threads: every method may be called from any thread. Each group has its own mutex; the
/// registry's mutex guards the group map only.
/// Lifecycle: `open` → use → `shutdown` (drops held answers and stops timers acting) →
/// destroy. REQUIRES: the scheduler runs no callback of this coordinator after it is destroyed
/// (the broker stops its network threads first).

#include "broker/durable_appender.h"
#include "broker/group/api.h"
#include "broker/group/coordinator_config.h"
#include "broker/group/errc.h"
#include "broker/group/group.h"
#include "broker/group/group_log.h"
#include "broker/group/group_registry.h"
#include "broker/group/membership.h"
#include "broker/group/offset_manager.h"
#include "broker/storage/log_manager.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::broker::group {

class group_coordinator {
 public:
  /// Creates `__consumer_offsets` if missing and replays it. Fails with the storage error, or
  /// `errc::corrupt_log` naming the offending record in the log.
  static result<std::unique_ptr<group_coordinator>> open(storage::log_manager& logs,
                                                         durable_appender& appends,
                                                         coordinator_config config);
  ~group_coordinator();
  group_coordinator(const group_coordinator&) = delete;
  group_coordinator& operator=(const group_coordinator&) = delete;

  void join(join_request req, std::function<void(join_result)> done);
  void sync(sync_request req, std::function<void(sync_result)> done);
  errc heartbeat(const heartbeat_request& req);
  void leave(std::string group_id, std::vector<member_identity> members,
             std::function<void(leave_result)> done);

  void commit_offsets(offset_commit_request req, std::function<void(offset_commit_result)> done);
  offset_fetch_result fetch_offsets(const offset_fetch_request& req);
  void delete_offsets(std::string group_id, std::vector<core::topic_partition> partitions,
                      std::function<void(offset_delete_result)> done);
  /// DeleteTopics deleted `topic`: groups drop their offsets of it (offset_manager.h).
  void on_topic_deleted(const std::string& topic);

  /// One error per group, in order.
  void delete_groups(std::vector<std::string> group_ids,
                     std::function<void(std::vector<errc>)> done);
  std::vector<group_description> describe_groups(const std::vector<std::string>& group_ids);
  /// Every live group, optionally only those in `states` (empty = all).
  std::vector<group_listing> list_groups(const std::vector<group_state>& states = {});

  // Transactional offsets: see offset_manager.h.
  /// Exposes (commit) or drops the pending offsets of `producer` in every group whose records
  /// are in partition `offsets_partition` of `__consumer_offsets`: what the marker the caller
  /// wrote there decides (a producer has one transaction at a time, so they are all that
  /// transaction's — as in Kafka, where the transaction names partitions, not groups). In
  /// memory only: the caller has made the outcome durable with that marker.
  void complete_transactional_offsets(int32_t offsets_partition, core::producer_id producer,
                                      bool commit);

  /// Partition of __consumer_offsets that holds `group_id`'s records.
  int32_t partition_for(std::string_view group_id) const noexcept;
  coordinator_stats stats();
  /// Every live group with its member count and committed offsets (sorted by group id).
  std::vector<group_snapshot> snapshot();
  /// Drops every held JoinGroup/SyncGroup answer without calling it and makes timers inert.
  void shutdown();

 private:
  explicit group_coordinator(coordinator_config config) : _config(config) {}

  coordinator_config _config;
  std::atomic<bool> _stopped{false};
  group_registry _groups;
  std::unique_ptr<group_log> _log;
  std::unique_ptr<membership> _members;
  std::unique_ptr<offset_manager> _offsets;
};

}  // namespace sluice::broker::group
