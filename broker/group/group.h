#pragma once
/// `group`: the in-memory state of one consumer group as the classic rebalance protocol sees
/// it — state, generation, selected protocol, leader, members (with the JoinGroup / SyncGroup
/// responses they are waiting for), static-member mapping, pending member ids, and the
/// committed offsets. Pure data plus the protocol rules that need nothing but this data
/// (protocol selection, "have all members rejoined?"); timers and persistence belong to
/// `group_coordinator`, which owns every group.
///
/// Threads: a group is guarded by its `mutex`; the coordinator holds it for every read and
/// write of the fields below.

#include "core/bytes.h"
#include "core/types.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::broker::group {

enum class group_state { empty, preparing_rebalance, completing_rebalance, stable, dead };

/// "Empty", "PreparingRebalance", "CompletingRebalance", "Stable", "Dead": the exact strings of
/// DescribeGroups and ListGroups.
std::string_view to_string(group_state s) noexcept;
/// The state for one of those strings, compared case-insensitively; nullopt otherwise.
std::optional<group_state> parse_group_state(std::string_view s) noexcept;

/// One entry of a member's JoinGroup protocol list: an assignor name and the subscription
/// bytes for it (opaque to the coordinator).
struct protocol_metadata {
  std::string name;
  core::bytes metadata;
  bool operator==(const protocol_metadata&) const = default;
};

/// A committed offset as OffsetCommit stored it.
struct committed_offset {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  int64_t commit_timestamp_ms = 0;
  bool operator==(const committed_offset&) const = default;
};

struct join_member;
struct join_result;
struct sync_result;

/// One member of a group.
struct member {
  std::string id;
  std::optional<std::string> instance_id;  ///< group.instance.id (static membership)
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<protocol_metadata> protocols;  ///< in the member's order of preference
  core::bytes assignment;                    ///< from the leader's SyncGroup
  /// Replayed from `__consumer_offsets`, whose format (Kafka's) keeps only the selected
  /// protocol and its metadata: `protocols` holds that one entry until the member joins again.
  bool only_selected_protocol = false;

  /// The held JoinGroup / SyncGroup responses (empty = not waiting).
  std::function<void(join_result)> awaiting_join;
  std::function<void(sync_result)> awaiting_sync;

  /// Session expiry: `session_deadline_ms` moves with every heartbeat; at most one live timer
  /// (`session_timer_seq`) waits for `session_timer_due_ms`, older ones wake up and do nothing.
  int64_t session_deadline_ms = 0;
  int64_t session_timer_due_ms = 0;
  uint64_t session_timer_seq = 0;
  bool session_timer_armed = false;
  /// Distinguishes this member object from an earlier one with the same id (timers check it).
  uint64_t incarnation = 0;
  /// Joined but not yet through a completed join phase.
  bool is_new = false;

  bool is_static() const noexcept { return instance_id.has_value(); }
  /// The metadata this member sent for `protocol`; empty if it does not support it.
  const core::bytes* metadata_for(std::string_view protocol) const noexcept;
  /// Whether a rejoin with `other` changes nothing. For a replayed member
  /// (`only_selected_protocol`) that means `other` still offers the selected protocol with the
  /// same metadata: the rest of its list was never stored, so it cannot be compared.
  bool same_protocols(const std::vector<protocol_metadata>& other) const noexcept;
};

/// A member id handed out with MEMBER_ID_REQUIRED that has not joined yet.
struct pending_member {
  int64_t deadline_ms = 0;
  uint64_t incarnation = 0;
};

class group : public std::enable_shared_from_this<group> {
 public:
  explicit group(std::string id) : _id(std::move(id)) {}
  group(const group&) = delete;
  group& operator=(const group&) = delete;

  const std::string& id() const noexcept { return _id; }

  std::mutex mutex;

  group_state state = group_state::empty;
  std::string protocol_type;                 ///< "" until a member joins
  std::optional<std::string> protocol_name;  ///< the selected protocol of this generation
  int32_t generation = 0;
  std::optional<std::string> leader;
  std::map<std::string, member> members;             ///< by member id
  std::map<std::string, std::string> static_members;  ///< group.instance.id -> member id
  std::map<std::string, pending_member> pending;      ///< member ids awaiting their first join

  std::map<core::topic_partition, committed_offset> offsets;
  /// Offsets sent in open transactions (TxnOffsetCommit), per producer id; invisible to
  /// OffsetFetch until the transaction commits. Filled only through the coordinator's
  /// transactional hooks.
  std::map<core::producer_id, std::map<core::topic_partition, committed_offset>> pending_txn_offsets;

  /// The join phase (PreparingRebalance): when it ends at the latest, and whether we are still
  /// in the initial delay of a group that was Empty (group.initial.rebalance.delay.ms).
  int64_t join_deadline_ms = 0;
  int64_t join_hard_deadline_ms = 0;
  bool initial_delay = false;
  /// Only the timer armed last acts; earlier ones see a stale sequence number.
  uint64_t join_timer_seq = 0;
  /// A group.metadata record exists in the log (written or replayed) for this group.
  bool persisted = false;

  bool has(std::string_view member_id) const { return members.find(std::string(member_id)) != members.end(); }
  member* find(std::string_view member_id);
  bool is_leader(std::string_view member_id) const noexcept { return leader && *leader == member_id; }

  /// Protocol names every member supports (all of them when the group has no members).
  std::set<std::string> candidate_protocols() const;
  /// Whether a member with this type and these protocols may join: an empty group accepts any
  /// non-empty type with at least one protocol; otherwise the type must match and at least
  /// one protocol must be supported by everybody (`exclude`, a member being replaced or
  /// updated, is left out of "everybody").
  bool supports(std::string_view type, const std::vector<protocol_metadata>& protocols,
                std::string_view exclude = {}) const;
  /// The protocol of the next generation: every member votes for the first of its protocols
  /// that all members support; the most votes win, ties go to the smallest name.
  /// REQUIRES: members is not empty and candidate_protocols() is not empty.
  std::string select_protocol() const;

  /// Every member has a JoinGroup waiting and no MEMBER_ID_REQUIRED id is outstanding.
  bool all_members_joined() const;
  size_t members_awaiting_join() const;
  /// The longest rebalance timeout among members (the join phase's limit).
  int32_t max_rebalance_timeout_ms() const;
  /// True when any member's consumer-protocol subscription names `topic` (OffsetDelete
  /// refuses to delete offsets of such topics while the group is active).
  bool subscribed_to(std::string_view topic) const;
  /// True when a transactional offset for `tp` awaits its transaction's outcome.
  bool has_pending_txn_offset(const core::topic_partition& tp) const;

 private:
  std::string _id;
};

/// The topics of a consumer-protocol subscription (core/protocol/consumer_protocol.h), or
/// nullopt when the bytes are not one.
std::optional<std::vector<std::string>> subscription_topics(core::bytes_view metadata);

}  // namespace sluice::broker::group
