#pragma once
/// The transaction coordinator's settings, under their Kafka broker configuration keys. Kept
/// apart from transaction_coordinator.h so `broker_options` can hold them cheaply.

#include <cstdint>

namespace sluice::broker::txn {

struct txn_config {
  int32_t max_timeout_ms = 900000;             ///< transaction.max.timeout.ms
  int32_t state_topic_partitions = 4;          ///< transaction.state.log.num.partitions (at creation)
  int64_t state_topic_segment_bytes = 104857600;  ///< transaction.state.log.segment.bytes
  /// transaction.abort.timed.out.transaction.cleanup.interval.ms: how often open transactions
  /// are checked against their timeout.
  int32_t abort_check_interval_ms = 10000;
};

}  // namespace sluice::broker::txn
