#pragma once
/// How `__consumer_offsets` records written in Sluice's old private format
/// (legacy_log_format.h) become Kafka's (log_format.h); the driver and its crash-safety
/// argument are in broker/internal_topic_migration.h. `group_log::open` is the only user.
///
/// The conversion replays the old records as the old replay did and writes the state it
/// reaches, not the history:
///
/// - Committed offsets: the newest value per (group, topic, partition); a tombstone removes
///   it. Each becomes an OffsetCommitValue v3 with the same offset, leader epoch and commit
///   timestamp; a null metadata becomes "" (Kafka's field is not nullable, and Kafka stores
///   a commit without metadata as "").
/// - Transactional offsets: a marker commits (the offsets become committed) or drops the
///   producer's pending ones, as the replay does. Those still pending (no marker yet) are
///   written again as transactional batches of their producer id and epoch, so the marker
///   still to come resolves them as before.
/// - Group metadata: the newest value per group; a tombstone removes it. Kept: protocol type,
///   generation, protocol, leader, state timestamp, and per member the ids, client id and
///   host, both timeouts and the assignment. Members' protocol lists: Kafka's format keeps
///   only the selected protocol's metadata (`subscription`), so the other protocols a member
///   offered are dropped — as Kafka itself loads members after a coordinator move (see
///   `member::only_selected_protocol` for how a rejoin after a restart treats that).
///
/// Records are written with the conversion's wall-clock time as their timestamp.

#include "broker/internal_topic_migration.h"

namespace sluice::broker::group {

/// The old format of `__consumer_offsets`, for `open_internal_topic_format`.
legacy_format offsets_topic_legacy_format();

}  // namespace sluice::broker::group
