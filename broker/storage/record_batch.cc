#include "broker/storage/record_batch.h"
#include "core/big_endian.h"

#include "broker/storage/errc.h"

namespace sluice::broker::storage {

result<batch_header> validate_producer_batch(bytes_view batch, bool require_sequence) {
  auto checked = protocol::validate_batch(batch);
  if (!checked) return errc::corrupt_batch;
  const auto& h = checked.value();
  if (h.record_count <= 0 || h.last_offset_delta != h.record_count - 1) return errc::invalid_batch;
  if (h.is_control()) return errc::invalid_batch;
  if (require_sequence && h.producer_id.value() >= 0 && h.base_sequence < 0) {
    return errc::invalid_batch;
  }
  if (h.is_transactional() && h.producer_id.value() < 0) return errc::invalid_batch;
  return h;
}

void assign_batch_offset(std::span<std::byte> batch, int64_t base_offset,
                         int32_t leader_epoch) noexcept {
  // Works on a 17-byte header prefix too (the append path rewrites a copy of just that).
  core::store_be<int64_t>(batch.data(), base_offset);
  core::store_be<int32_t>(batch.data() + 12, leader_epoch);
}

result<timestamp_offset> first_record_at_or_after(bytes_view batch, int64_t ts, int64_t min_offset) {
  auto reader = protocol::record_batch_reader::open(batch);
  if (!reader) return errc::corrupt_batch;
  const auto& h = reader.value().header();
  for (;;) {
    auto next = reader.value().next();
    if (!next) return errc::corrupt_batch;
    if (!next.value()) return timestamp_offset{};
    const auto& r = *next.value();
    int64_t offset = 0;
    // A stored header is only as sane as the file it came from.
    if (__builtin_add_overflow(h.base_offset.value(), r.offset_delta, &offset)) return errc::corrupt_batch;
    int64_t record_ts = core::to_epoch_ms(r.record.ts);
    if (offset >= min_offset && record_ts >= ts) return timestamp_offset{core::offset{offset}, record_ts};
  }
}

}  // namespace sluice::broker::storage
