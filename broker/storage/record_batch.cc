#include "broker/storage/record_batch.h"

#include "broker/storage/errc.h"

namespace sluice::broker::storage {

int64_t load_be64(const std::byte* p) noexcept {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return static_cast<int64_t>(v);
}
int32_t load_be32(const std::byte* p) noexcept {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return static_cast<int32_t>(v);
}
void store_be64(std::byte* p, int64_t v) noexcept {
  auto u = static_cast<uint64_t>(v);
  for (int i = 7; i >= 0; --i, u >>= 8) p[i] = static_cast<std::byte>(u & 0xff);
}
void store_be32(std::byte* p, int32_t v) noexcept {
  auto u = static_cast<uint32_t>(v);
  for (int i = 3; i >= 0; --i, u >>= 8) p[i] = static_cast<std::byte>(u & 0xff);
}

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
  store_be64(batch.data(), base_offset);
  store_be32(batch.data() + 12, leader_epoch);
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
    int64_t offset = h.base_offset.value() + r.offset_delta;
    int64_t record_ts = core::to_epoch_ms(r.record.ts);
    if (offset >= min_offset && record_ts >= ts) return timestamp_offset{offset, record_ts};
  }
}

}  // namespace sluice::broker::storage
