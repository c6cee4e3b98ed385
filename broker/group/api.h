#pragma once
/// The group coordinator's requests and results: Kafka-free types that the handlers build from
/// the wire structs (and map back, `errc` to Kafka error codes). Shared by `group_coordinator`
/// and its parts (membership, offset_manager).

#include "broker/group/errc.h"
#include "broker/group/group.h"
#include "core/bytes.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::broker::group {

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
  /// JoinGroup v9+ (KIP-814): the client understands `join_result::skip_assignment`, so a
  /// static leader that rejoins without a rebalance may be told that it leads.
  bool supports_skip_assignment = false;
  /// JoinGroup v8+ (KIP-800): why the client (re)joins; logged, nothing else.
  std::optional<std::string> reason;
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
  std::string protocol_type;  ///< the group's; never empty on success, empty on errors
  std::string protocol_name;  ///< never empty on success
  std::string leader;
  std::string member_id;      ///< also set with member_id_required
  std::vector<join_member> members;  ///< only for the leader
  /// The leader must not assign: it keeps the stored assignment (see supports_skip_assignment).
  bool skip_assignment = false;
};

// ---- SyncGroup / Heartbeat / LeaveGroup ------------------------------------------------------

struct sync_request {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<std::pair<std::string, core::bytes>> assignments;  ///< leader only
  /// SyncGroup v5+ (KIP-559): when given, they must be the group's protocol type and selected
  /// protocol, else inconsistent_group_protocol.
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
};

struct sync_result {
  errc error = errc::ok;
  std::string protocol_type;  ///< the group's, on success (empty on errors)
  std::string protocol_name;  ///< the group's selected protocol, on success
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
  std::optional<std::string> reason;  ///< LeaveGroup v5+ (KIP-800): logged, nothing else
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
  /// OffsetCommit v9+: a commit with a generation (>= 0) to a group that does not exist gets
  /// GROUP_ID_NOT_FOUND; older versions get ILLEGAL_GENERATION (Apache Kafka's split, kept
  /// for the clients of those versions).
  bool unknown_group_is_not_found = false;
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

}  // namespace sluice::broker::group
