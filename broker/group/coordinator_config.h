#pragma once
/// The group coordinator's settings, under their Kafka broker configuration keys. Kept apart
/// from group_coordinator.h so `broker_options` can hold them without pulling in the
/// coordinator.

#include <cstdint>

namespace sluice::broker::group {

struct coordinator_config {
  int32_t min_session_timeout_ms = 6000;            ///< group.min.session.timeout.ms
  int32_t max_session_timeout_ms = 1800000;         ///< group.max.session.timeout.ms
  /// group.initial.rebalance.delay.ms: how long the first join phase of an Empty group waits
  /// for more members (each newcomer extends it, up to the rebalance timeout).
  int32_t initial_rebalance_delay_ms = 3000;
  int32_t offsets_topic_partitions = 4;             ///< offsets.topic.num.partitions (at creation)
  int64_t offsets_topic_segment_bytes = 104857600;  ///< offsets.topic.segment.bytes
  int32_t offset_metadata_max_bytes = 4096;         ///< offset.metadata.max.bytes
};

}  // namespace sluice::broker::group
