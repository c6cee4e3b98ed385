#pragma once
/// The storage layer's view of record batches. The batch layout, header decoding, CRC check and
/// record decoding live in `core/protocol/records.h`; this adds what only the log needs: the
/// produce-side rules a batch must pass before it is appended, the offset/epoch rewrite done on
/// append, and the record-level timestamp lookup.

#include "core/protocol/records.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <span>

namespace sluice::broker::storage {

using protocol::batch_header_size;
using batch_header = protocol::record_batch_header;

/// Decodes the 61-byte header at the start of `data` (no CRC check, whole batch not required).
inline result<batch_header> parse_batch_header(bytes_view data) {
  return protocol::decode_batch_header(data);
}

/// One past the last offset of a batch.
inline int64_t next_offset(const batch_header& h) noexcept { return h.last_offset().value() + 1; }

/// Checks a batch received from a producer: exactly one whole batch with a good CRC
/// (protocol::validate_batch), record_count > 0 and == last_offset_delta + 1, no control bit,
/// and sequence/transactional fields consistent. `invalid_batch` or `corrupt_batch` otherwise.
/// `require_sequence` false accepts a producer id with base_sequence -1 (the broker's own
/// coordinators write such batches).
result<batch_header> validate_producer_batch(bytes_view batch, bool require_sequence = true);

/// Rewrites base_offset and partition_leader_epoch in place; both lie outside the CRC.
/// REQUIRES: batch.size() >= 17.
void assign_batch_offset(std::span<std::byte> batch, int64_t base_offset,
                         int32_t leader_epoch) noexcept;

/// The answer to "which offset has timestamp >= t": offset and timestamp of that record,
/// both -1 when no record is that new.
struct timestamp_offset {
  core::offset offset{-1};
  int64_t timestamp = -1;
};

/// Decodes one whole batch (decompressing if needed) and finds its first record with
/// offset >= min_offset and timestamp >= ts. `corrupt_batch` if the batch does not decode or
/// a record's offset (base offset + delta) passes INT64_MAX.
result<timestamp_offset> first_record_at_or_after(bytes_view batch, int64_t ts, int64_t min_offset);

}  // namespace sluice::broker::storage
