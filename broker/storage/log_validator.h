#pragma once
/// `validate_records`: what the append path checks and rewrites in a batch's records before it
/// is stored — Kafka's log validator for magic-2 batches. It is the one place on the append path
/// that looks inside the records:
///
/// - Every record's framing (lengths, varints, key, value, headers) is walked (a compressed
///   batch is decompressed to do so), and the batch must hold exactly `record_count` records;
///   otherwise `errc::corrupt_batch` (Produce answers CORRUPT_MESSAGE). Offset deltas are not
///   checked (as Kafka, which takes them as sent), except where the batch is re-encoded.
/// - The batch's max_timestamp is recomputed from its records, and the header (with its CRC)
///   rewritten when the producer's value differs: Sarama, for one, sends -1, which would leave
///   ListOffsets by time and time retention without the segment's newest timestamp.
/// - `message.timestamp.type=CreateTime` (the default): each record timestamp other than -1
///   must lie within [now - message.timestamp.before.max.ms, now +
///   message.timestamp.after.max.ms], else `errc::invalid_timestamp` (INVALID_TIMESTAMP) for
///   the whole batch. `LogAppendTime`: the appender stamps the batch with the broker's clock
///   (timestamp type bit set, max_timestamp = now; consumers read every record's timestamp as
///   that), and the Produce answer carries that time. No batch may arrive already marked LogAppendTime.
/// - `cleanup.policy` containing `compact`: every record needs a key (`errc::invalid_record`).
/// - `compression.type` other than `producer`: a batch in another codec is decompressed and
///   recompressed with the topic's codec at its `compression.<codec>.level` (offset deltas,
///   timestamps, producer id, epoch, sequence and the transactional flag kept), as Kafka does. With `producer` (the default)
///   the records are stored as sent.
///
/// Thread safety: pure functions.

#include "broker/storage/record_batch.h"
#include "core/bytes.h"
#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::broker::storage {

/// What the topic's configuration asks of incoming batches.
struct append_policy {
  bool compacted = false;  ///< cleanup.policy contains compact: keys required
  /// compression.type: nullopt = producer (keep the codec).
  std::optional<protocol::compression_codec> recompress_to;
  /// compression.<codec>.level for `recompress_to` (nullopt = the codec's default).
  std::optional<int32_t> compression_level;
  protocol::timestamp_type timestamp_type = protocol::timestamp_type::create_time;
  int64_t timestamp_before_max_ms = INT64_MAX;
  int64_t timestamp_after_max_ms = 3600000;
};

/// A batch ready to append.
struct validated_batch {
  bytes_view bytes;     ///< the batch as given, or the rewritten one (in the caller's scratch)
  batch_header header;  ///< of `bytes`
  /// LogAppendTime topic: `bytes` is a copy in the caller's scratch, and the appender stamps
  /// it (protocol::set_max_timestamp with its clock) under its lock, so that append times
  /// follow offsets, as Kafka stamps them.
  bool stamp_append_time = false;
};

/// Checks and, where needed, rewrites one producer batch that passed validate_producer_batch
/// (`h` is its header); `now_ms` is the broker's clock, for the timestamp bounds. `scratch` holds
/// any rewritten batch and must outlive the result's `bytes`.
result<validated_batch> validate_records(bytes_view batch, const batch_header& h,
                                         const append_policy& policy, int64_t now_ms,
                                         bytes& scratch);

/// One record validate_records refused a batch for: its index in the batch and why.
struct rejected_record {
  int32_t index = 0;
  std::string reason;
};

/// Why validate_records refused `batch` with invalid_record or invalid_timestamp: the records
/// at fault, in batch order (Kafka's per-record errors, Produce v8+). Walks the batch again, so
/// only for the refusal path. Empty when no single record is at fault (a LogAppendTime batch).
std::vector<rejected_record> rejected_records(bytes_view batch, const append_policy& policy,
                                              int64_t now_ms);

}  // namespace sluice::broker::storage
