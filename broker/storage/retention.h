#pragma once
/// `segments_past_retention`: Kafka's delete-retention rule as a pure function of the segments'
/// sizes and newest timestamps — how many of the oldest segments `retention.ms` and
/// `retention.bytes` remove. The partition log applies the answer (deleting files, moving the
/// log start offset); `cleanup.policy=compact` alone never deletes (that is the cleaner's job).
///
/// Rules (as Kafka's): the active (last) segment is never deleted. Time: delete from the oldest
/// while its newest time is more than `retention.ms` old — its newest record timestamp, or the
/// file's modification time when no record has one (segment::newest_time_ms); -1, unknown,
/// stops the scan. Size: then delete from the oldest while what remains still holds at
/// least `retention.bytes`. A negative limit is "unlimited".

#include "broker/storage/partition_log.h"

#include <cstdint>
#include <span>

namespace sluice::broker::storage {

/// What retention needs to know about one segment, oldest first.
struct segment_facts {
  int64_t max_timestamp = -1;  ///< segment::newest_time_ms(); -1 = unknown
  uint64_t size = 0;           ///< bytes
};

/// The number of leading segments retention deletes now.
size_t segments_past_retention(std::span<const segment_facts> segments, const log_config& config,
                               int64_t now_ms) noexcept;

}  // namespace sluice::broker::storage
