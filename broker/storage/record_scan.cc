#include "broker/storage/record_batch.h"

namespace sluice::broker::storage {

// Interim: answers at batch granularity (the batch's base offset and max timestamp) until the
// record decoder lands in broker/protocol.
result<timestamp_offset> first_record_at_or_after(bytes_view batch, int64_t ts, int64_t min_offset) {
  SLUICE_TRY(auto h, parse_batch_header(batch));
  if (h.max_timestamp < ts || h.last_offset() < min_offset) return timestamp_offset{};
  return timestamp_offset{std::max(h.base_offset, min_offset), h.max_timestamp};
}

}  // namespace sluice::broker::storage
