#pragma once
/// Error codes of the broker's storage layer (category "sluice.broker.storage").

#include <system_error>

namespace sluice::broker::storage {

enum class errc {
  ok = 0,
  io_error = 1,          ///< a read, write, fsync or rename failed (errno is logged)
  corrupt_batch,         ///< a record batch failed its size, magic or CRC check
  invalid_batch,         ///< a well-formed batch that breaks a produce rule (count, control bit)
  message_too_large,     ///< a batch over message.max.bytes
  offset_out_of_range,   ///< a read below the log start offset or past the log end
  unknown_partition,     ///< topic or partition does not exist
  topic_exists,          ///< CreateTopics on an existing name
  invalid_topic,         ///< a name Kafka would reject
  invalid_partitions,    ///< a partition count that is not positive or does not grow
  invalid_record,        ///< a record the topic's config forbids (no key in a compacted topic)
  invalid_producer_epoch,  ///< a producer batch with an epoch older than the partition knows
  out_of_order_sequence,   ///< a producer batch whose sequence does not follow the last one
  invalid_timestamp,  ///< a record timestamp outside the topic's bounds, or a LogAppendTime batch from a producer
};

const std::error_category& storage_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), storage_category()};
}

}  // namespace sluice::broker::storage

template <>
struct std::is_error_code_enum<sluice::broker::storage::errc> : std::true_type {};
