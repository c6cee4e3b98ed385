#pragma once
/// `offset_manager`: committed offsets of every group — OffsetCommit (simple commits outside
/// group management, and members' commits checked against generation and member id),
/// OffsetFetch (with KIP-447's require_stable), OffsetDelete, and the transactional offsets of
/// TxnOffsetCommit.
///
/// Transactional offsets: TxnOffsetCommit appends the offsets to the group's
/// `__consumer_offsets` partition as a transactional batch of the producer and keeps them
/// pending: OffsetFetch does not show them, and with require_stable answers
/// UNSTABLE_OFFSET_COMMIT for those partitions. The transaction coordinator writes the commit
/// or abort marker into that partition and then calls `complete_transactional_offsets`; the
/// group log's replay applies the markers it finds the same way, so the outcome survives
/// kill -9 at any point.
///
/// Threads: every method may be called from any thread; answers as in membership.h.

#include "broker/group/api.h"
#include "broker/group/coordinator_config.h"
#include "broker/group/group_log.h"
#include "broker/group/group_registry.h"
#include "broker/group/membership.h"
#include "broker/storage/log_manager.h"

#include <atomic>
#include <functional>
#include <string>
#include <vector>

namespace sluice::broker::group {

class offset_manager {
 public:
  offset_manager(group_registry& groups, group_log& log, membership& members,
                 storage::log_manager& logs, const coordinator_config& config,
                 const std::atomic<bool>& stopped)
      : _groups(groups), _log(log), _members(members), _logs(logs), _config(config),
        _stopped(stopped) {}
  offset_manager(const offset_manager&) = delete;
  offset_manager& operator=(const offset_manager&) = delete;

  void commit_offsets(offset_commit_request req, std::function<void(offset_commit_result)> done);
  offset_fetch_result fetch_offsets(const offset_fetch_request& req);
  void delete_offsets(std::string group_id, std::vector<core::topic_partition> partitions,
                      std::function<void(offset_delete_result)> done);
  /// The topic `topic` was deleted: every group forgets its committed and pending offsets of
  /// it, and tombstones for the committed ones go to `__consumer_offsets` (Kafka's
  /// onPartitionsDeleted), so a topic created again under the name starts without them.
  /// Asynchronous like Kafka's: the caller does not wait for the tombstones to be durable; a
  /// failed append is logged.
  void remove_topic_offsets(const std::string& topic);
  /// Exposes (commit) or drops the pending offsets of `producer` in every group of partition
  /// `offsets_partition` of `__consumer_offsets` — what the marker written there decides. In
  /// memory only: the caller has made the outcome durable with that marker.
  void complete_transactional_offsets(int32_t offsets_partition, core::producer_id producer,
                                      bool commit);

 private:
  group_registry& _groups;
  group_log& _log;
  membership& _members;
  storage::log_manager& _logs;
  const coordinator_config& _config;
  const std::atomic<bool>& _stopped;
};

}  // namespace sluice::broker::group
