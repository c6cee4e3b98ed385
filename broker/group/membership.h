#pragma once
/// `membership`: the classic rebalance protocol of every group — JoinGroup (with KIP-394's
/// MEMBER_ID_REQUIRED, static membership and the initial rebalance delay), SyncGroup,
/// Heartbeat, LeaveGroup — and the timers that drive it (session expiry, pending member ids,
/// the join phase's deadline). Group-metadata changes go to the `group_log` before anyone is
/// answered.
///
/// Answers: operations that may wait (a JoinGroup held until the join phase ends, a follower's
/// SyncGroup waiting for the leader) call their callback exactly once, from any thread, never
/// while a group's mutex is held.
///
/// Threads: every method may be called from any thread. Methods marked "REQUIRES: the group's
/// mutex" are for the group coordinator's other parts (the offset manager validates a
/// committing member and refreshes its session).
///
/// Files: membership.cc (the protocol), membership_timers.cc (timers and start-up).

#include "broker/group/api.h"
#include "broker/group/coordinator_config.h"
#include "broker/group/group.h"
#include "broker/group/group_log.h"
#include "broker/group/group_registry.h"
#include "broker/scheduler.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::broker::group {

class membership {
 public:
  /// `stopped` is the coordinator's shutdown flag: once set, requests are refused and timers
  /// do nothing.
  membership(group_registry& groups, group_log& log, scheduler& sched,
             const coordinator_config& config, const std::atomic<bool>& stopped);
  membership(const membership&) = delete;
  membership& operator=(const membership&) = delete;

  void join(join_request req, std::function<void(join_result)> done);
  void sync(sync_request req, std::function<void(sync_result)> done);
  errc heartbeat(const heartbeat_request& req);
  void leave(std::string group_id, std::vector<member_identity> members,
             std::function<void(leave_result)> done);

  /// After the group log's replay: drops groups that left nothing behind, brings groups with
  /// members back Stable (as Kafka does) and restarts their sessions, so consumers that
  /// reconnect within their session timeout carry on without a rebalance. Returns the number
  /// of members.
  size_t resume_loaded_groups();

  /// UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID checks. REQUIRES: the group's mutex.
  errc validate_member(group& g, const std::string& member_id,
                       const std::optional<std::string>& instance_id) const;
  /// A sign of life from `m` (a heartbeat, a commit). REQUIRES: the group's mutex.
  void touch_session(group& g, member& m);
  /// Completed join phases.
  uint64_t rebalances() const noexcept { return _rebalances.load(); }

 private:
  // State machine steps; each REQUIRES the group's mutex.
  void join_new_member(group& g, join_request& req, std::function<void(join_result)>& done, outbox& out);
  void join_known_member(group& g, join_request& req, std::function<void(join_result)>& done, outbox& out);
  void replace_static_member(group& g, const std::string& old_id, join_request& req,
                             std::function<void(join_result)>& done, outbox& out);
  member& add_member(group& g, const join_request& req, std::string id,
                     std::function<void(join_result)> done);
  static void update_member(member& m, const join_request& req);
  void rebalance_after_join(group& g, outbox& out);
  void prepare_rebalance(group& g, outbox& out);
  void maybe_complete_join(group& g, outbox& out, bool deadline_passed);
  void complete_join(group& g, outbox& out);
  void remove_member(group& g, const std::string& member_id, errc reason, outbox& out);
  void fail_pending_syncs(group& g, errc e, outbox& out);
  join_result current_join_result(const group& g, const member& m) const;

  // Timers (membership_timers.cc).
  void arm_session_timer(group& g, member& m);
  void on_session_timer(const std::weak_ptr<group>& wg, const std::string& member_id,
                        uint64_t incarnation, uint64_t seq);
  void arm_pending_timer(group& g, const std::string& member_id, uint64_t incarnation,
                         int64_t delay_ms);
  void on_pending_timer(const std::weak_ptr<group>& wg, const std::string& member_id,
                        uint64_t incarnation);
  void arm_join_timer(group& g);
  void on_join_timer(const std::weak_ptr<group>& wg, uint64_t seq);

  static std::string new_member_id(std::string_view client_id);

  group_registry& _groups;
  group_log& _log;
  scheduler& _sched;
  const coordinator_config& _config;
  const std::atomic<bool>& _stopped;
  std::atomic<uint64_t> _incarnations{0};
  std::atomic<uint64_t> _rebalances{0};
};

}  // namespace sluice::broker::group
