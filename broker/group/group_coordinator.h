#pragma once
/// `group_coordinator`: consumer groups and committed offsets for the whole broker — the
/// classic rebalance protocol (JoinGroup / SyncGroup / Heartbeat / LeaveGroup, static
/// membership, session and rebalance timeouts) and OffsetCommit / OffsetFetch / OffsetDelete,
/// DeleteGroups, DescribeGroups, ListGroups. Kafka-free types: handlers translate the wire
/// structs to the requests below and map `errc` to Kafka error codes.
///
/// Persistence: every committed offset and every group-metadata change is appended to the
/// compacted internal topic `__consumer_offsets` (format: log_format.h; a group's records all
/// go to partition `murmur2(group) % partitions`) before the request is answered, and fsynced
/// first when that partition's flush policy says so. `open` creates the topic if needed and
/// rebuilds every group by replaying it, so offsets and group membership survive restarts and
/// kill -9.
///
/// Answers: operations that may have to wait (a JoinGroup held until the join phase ends, a
/// follower's SyncGroup waiting for the leader, anything that writes) take a completion
/// callback, which is called exactly once, from any thread, never while a coordinator lock is
/// held. Reads answer synchronously.
///
/// Threads: every method may be called from any thread. Each group has its own mutex; one
/// coordinator mutex guards the group map only.
/// Lifecycle: `open` → use → `shutdown` (drops held answers and stops timers acting) →
/// destroy. REQUIRES: the scheduler runs no callback of this coordinator after it is destroyed
/// (the broker stops its network threads first).

#include "broker/group/coordinator_config.h"
#include "broker/group/errc.h"
#include "broker/group/group.h"
#include "broker/group/scheduler.h"
#include "broker/storage/log_manager.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace sluice::broker::group {

/// The internal topic's name.
inline constexpr std::string_view offsets_topic = "__consumer_offsets";


// ---- JoinGroup -----------------------------------------------------------------------------

struct join_request {
  std::string group_id;
  std::string member_id;  ///< "" = a new member
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<protocol_metadata> protocols;
  /// JoinGroup v4+: a new dynamic member first gets MEMBER_ID_REQUIRED with its id.
  bool require_known_member_id = true;
};

struct join_member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  core::bytes metadata;
  bool operator==(const join_member&) const = default;
};

struct join_result {
  errc error = errc::ok;
  int32_t generation = -1;
  std::string protocol_name;  ///< never empty on success
  std::string leader;
  std::string member_id;      ///< also set with member_id_required
  std::vector<join_member> members;  ///< only for the leader
};

// ---- SyncGroup / Heartbeat / LeaveGroup ------------------------------------------------------

struct sync_request {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<std::pair<std::string, core::bytes>> assignments;  ///< leader only
};

struct sync_result {
  errc error = errc::ok;
  core::bytes assignment;
};

struct heartbeat_request {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

struct member_identity {
  std::string member_id;  ///< may be "" for a static member named by instance id
  std::optional<std::string> group_instance_id;
};

struct leave_result {
  errc error = errc::ok;       ///< group-level
  std::vector<errc> members;  ///< one per identity, in request order
};

// ---- Offsets ---------------------------------------------------------------------------------

struct offset_commit_entry {
  core::topic_partition tp;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
};

/// The producer of a transactional offset commit (TxnOffsetCommit).
struct txn_producer {
  core::producer_id id{-1};
  core::producer_epoch epoch{-1};
};

struct offset_commit_request {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<offset_commit_entry> offsets;
  /// Set for TxnOffsetCommit: the offsets are written as a transactional batch of this producer
  /// and stay pending until its transaction's marker (see complete_transactional_offsets).
  std::optional<txn_producer> transaction;
};

/// One error per entry of the request, in order.
using offset_commit_result = std::vector<errc>;

struct offset_fetch_request {
  std::string group_id;
  std::optional<std::vector<core::topic_partition>> partitions;  ///< nullopt = all committed
  bool require_stable = false;
};

struct fetched_offset {
  core::topic_partition tp;
  int64_t offset = -1;  ///< -1 = nothing committed
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  errc error = errc::ok;
};

struct offset_fetch_result {
  errc error = errc::ok;
  std::vector<fetched_offset> offsets;  ///< request order, or sorted when all were asked
};

struct offset_delete_result {
  errc error = errc::ok;                  ///< group-level
  std::vector<errc> partitions;           ///< one per requested partition, in order
};

// ---- Admin -----------------------------------------------------------------------------------

struct described_member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  core::bytes metadata;    ///< the selected protocol's subscription (Stable only)
  core::bytes assignment;  ///< (Stable only)
};

struct group_description {
  errc error = errc::ok;
  std::string group_id;
  group_state state = group_state::dead;
  std::string protocol_type;
  std::string protocol_name;  ///< "" unless Stable
  std::vector<described_member> members;
};

struct group_listing {
  std::string group_id;
  std::string protocol_type;
  group_state state = group_state::empty;
};

/// One group as the metrics endpoint sees it (lag = log end offset − committed).
struct group_snapshot {
  std::string group_id;
  group_state state = group_state::empty;
  size_t members = 0;
  std::vector<std::pair<core::topic_partition, int64_t>> committed;
};

/// Counters for tests and the metrics endpoint.
struct coordinator_stats {
  size_t groups = 0;
  size_t members = 0;
  uint64_t rebalances = 0;  ///< completed join phases
};

class group_coordinator {
 public:
  /// Creates `__consumer_offsets` if missing and replays it. Fails with the storage error, or
  /// `errc::corrupt_log` naming the offending record in the log.
  static result<std::unique_ptr<group_coordinator>> open(storage::log_manager& logs,
                                                         scheduler& sched,
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

  /// One error per group, in order.
  void delete_groups(std::vector<std::string> group_ids,
                     std::function<void(std::vector<errc>)> done);
  std::vector<group_description> describe_groups(const std::vector<std::string>& group_ids);
  /// Every live group, optionally only those in `states` (empty = all).
  std::vector<group_listing> list_groups(const std::vector<group_state>& states = {});

  // ---- transactional offsets ---------------------------------------------------------------
  // TxnOffsetCommit (commit_offsets with `transaction` set) appends the offsets to the group's
  // __consumer_offsets partition as a transactional batch of the producer and keeps them
  // pending: OffsetFetch does not show them, and with require_stable answers
  // UNSTABLE_OFFSET_COMMIT for those partitions. The transaction coordinator writes the commit
  // or abort marker into that partition and then calls complete_transactional_offsets; a
  // replay after a restart applies the markers it finds the same way, so the outcome survives
  // kill -9 at any point.

  /// Exposes (commit) or drops the pending offsets of `producer` in the group. In memory only:
  /// the caller has made the outcome durable with a marker.
  void complete_transactional_offsets(const std::string& group_id, core::producer_id producer,
                                      bool commit);

  /// Partition of __consumer_offsets that holds `group_id`'s records.
  int32_t partition_for(std::string_view group_id) const noexcept;
  coordinator_stats stats();
  /// Every live group with its member count and committed offsets (sorted by group id).
  std::vector<group_snapshot> snapshot();
  /// Drops every held JoinGroup/SyncGroup answer without calling it and makes timers inert.
  void shutdown();

 private:
  struct outbox;
  group_coordinator(storage::log_manager& logs, scheduler& sched, coordinator_config config);

  result<void> load();
  result<void> replay_partition(const std::shared_ptr<storage::partition_log>& plog);

  std::shared_ptr<group> find_group(const std::string& id);
  std::shared_ptr<group> get_or_create_group(const std::string& id);
  void forget_group(const std::shared_ptr<group>& g);

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
  errc validate_member(group& g, const std::string& member_id,
                       const std::optional<std::string>& instance_id) const;

  // Timers.
  void touch_session(group& g, member& m);
  void arm_session_timer(group& g, member& m);
  void on_session_timer(const std::weak_ptr<group>& wg, const std::string& member_id,
                        uint64_t incarnation, uint64_t seq);
  void arm_pending_timer(group& g, const std::string& member_id, uint64_t incarnation,
                         int64_t delay_ms);
  void on_pending_timer(const std::weak_ptr<group>& wg, const std::string& member_id,
                        uint64_t incarnation);
  void arm_join_timer(group& g);
  void on_join_timer(const std::weak_ptr<group>& wg, uint64_t seq);

  // Persistence (REQUIRES the group's mutex: log order = state order per group).
  errc write_group_metadata(group& g, outbox& out);
  /// Appends `records` to the group's partition; as a transactional batch of `txn` when set.
  errc append(const group& g, std::vector<core::record> records, outbox& out,
              const std::optional<txn_producer>& txn = std::nullopt);
  void deliver(outbox&& out);

  std::string new_member_id(std::string_view client_id);

  storage::log_manager& _logs;
  scheduler& _sched;
  coordinator_config _config;
  int32_t _partitions = 1;
  std::vector<std::shared_ptr<storage::partition_log>> _partition_logs;

  std::mutex _mutex;
  std::unordered_map<std::string, std::shared_ptr<group>> _groups;
  std::atomic<uint64_t> _incarnations{0};
  std::atomic<uint64_t> _rebalances{0};
  std::atomic<bool> _stopped{false};
};

}  // namespace sluice::broker::group
