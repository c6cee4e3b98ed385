#pragma once
/// Errors of the group coordinator (`sluice.broker.group`). They never travel on the wire as
/// such: each group handler turns them into a Kafka `error_code` in its one `map_error()`.
///
/// Thread safety: stateless, usable from any thread.

#include <system_error>

namespace sluice::broker::group {

enum class errc {
  ok = 0,
  invalid_group_id = 1,         ///< empty group id where one is required
  unknown_member_id,            ///< member id not in the group (or the group does not exist)
  illegal_generation,           ///< the request names another generation than the group's
  rebalance_in_progress,        ///< the group is rebalancing: rejoin
  fenced_instance_id,           ///< a newer member took over this group.instance.id
  member_id_required,           ///< first JoinGroup (v4+) of a dynamic member: rejoin with the id
  inconsistent_group_protocol,  ///< protocol type or no protocol in common with the group
  invalid_session_timeout,      ///< outside group.min/max.session.timeout.ms
  coordinator_not_available,    ///< the group was deleted concurrently, or the coordinator stopped
  group_id_not_found,           ///< DeleteGroups / OffsetDelete on an unknown group; OffsetCommit
                                ///< v9+ with a generation to one
  non_empty_group,              ///< DeleteGroups on a group with members
  unknown_topic_or_partition,   ///< offsets for a topic-partition that does not exist
  offset_metadata_too_large,    ///< commit metadata over offset.metadata.max.bytes
  unstable_offset_commit,       ///< OffsetFetch require_stable with a pending transactional offset
  group_subscribed_to_topic,    ///< OffsetDelete of a topic the active group consumes
  record_too_large,             ///< the coordinator's record exceeds __consumer_offsets' limit
  storage_error,                ///< appending to or flushing __consumer_offsets failed
  corrupt_log,                  ///< __consumer_offsets holds a record this broker cannot read
};

const std::error_category& group_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), group_category()};
}

}  // namespace sluice::broker::group

template <>
struct std::is_error_code_enum<sluice::broker::group::errc> : std::true_type {};
