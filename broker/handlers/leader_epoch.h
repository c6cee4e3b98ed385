#pragma once
/// The leader epoch as a single-node broker has it (module-private to the handlers).
///
/// One node leads every partition and is never re-elected, so each partition has exactly one
/// leader epoch, 0: every appended batch is stamped with it (storage::assign_batch_offset) and
/// Metadata reports it. Kafka's epoch cache for such a log holds one entry, epoch 0 from the
/// start of the log, as soon as anything was appended. The functions below answer what Kafka's
/// fencing (KIP-320) and its epoch cache answer for that log.

#include "core/protocol/error_code.h"
#include "core/types.h"

#include <cstdint>

namespace sluice::broker {

inline constexpr int32_t partition_leader_epoch = 0;
/// Kafka's "no epoch" (-1): skips the check, or an unknown epoch in an answer.
inline constexpr int32_t undefined_epoch = -1;

/// The check of a request's `current_leader_epoch`: none for -1, UNKNOWN_LEADER_EPOCH for a
/// newer epoch than ours (the client knows of an election we have not seen), FENCED_LEADER_EPOCH
/// for an older one (the client's metadata is stale).
inline protocol::error_code check_current_leader_epoch(int32_t requested) noexcept {
  if (requested == undefined_epoch || requested == partition_leader_epoch) {
    return protocol::error_code::none;
  }
  return requested > partition_leader_epoch ? protocol::error_code::unknown_leader_epoch
                                            : protocol::error_code::fenced_leader_epoch;
}

/// The largest epoch <= `requested` and the offset where it ended (Kafka's
/// LeaderEpochFileCache.endOffsetFor): the log end for our epoch, undefined (-1, -1) for an
/// epoch after it, for -1 and for a log never appended to; an older epoch than ours ended where
/// ours began (the log start, as retention moved it).
struct epoch_end_offset {
  int32_t epoch = undefined_epoch;
  core::offset end_offset{-1};
};
inline epoch_end_offset end_offset_for_epoch(int32_t requested, core::offset log_start,
                                             core::offset log_end) noexcept {
  if (requested == undefined_epoch || log_end.value() == 0) return {};
  if (requested == partition_leader_epoch) return {partition_leader_epoch, log_end};
  if (requested > partition_leader_epoch) return {};
  return {requested, log_start};
}

}  // namespace sluice::broker
