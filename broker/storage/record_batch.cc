#include "broker/storage/record_batch.h"

#include "broker/storage/errc.h"
#include "core/crc32c.h"

#include <bit>

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
int16_t load_be16(const std::byte* p) noexcept {
  return static_cast<int16_t>((static_cast<uint16_t>(p[0]) << 8) | static_cast<uint16_t>(p[1]));
}
void store_be64(std::byte* p, int64_t v) noexcept {
  auto u = static_cast<uint64_t>(v);
  for (int i = 7; i >= 0; --i, u >>= 8) p[i] = static_cast<std::byte>(u & 0xff);
}
void store_be32(std::byte* p, int32_t v) noexcept {
  auto u = static_cast<uint32_t>(v);
  for (int i = 3; i >= 0; --i, u >>= 8) p[i] = static_cast<std::byte>(u & 0xff);
}

void peek_batch_extent(bytes_view data, int64_t& base_offset, int32_t& batch_length) noexcept {
  base_offset = load_be64(data.data());
  batch_length = load_be32(data.data() + 8);
}

result<batch_header> parse_batch_header(bytes_view data) {
  if (data.size() < batch_header_size) return errc::corrupt_batch;
  const std::byte* p = data.data();
  batch_header h;
  h.base_offset = load_be64(p);
  h.batch_length = load_be32(p + 8);
  h.partition_leader_epoch = load_be32(p + 12);
  h.magic = static_cast<int8_t>(p[16]);
  h.crc = static_cast<uint32_t>(load_be32(p + 17));
  h.attributes = load_be16(p + 21);
  h.last_offset_delta = load_be32(p + 23);
  h.base_timestamp = load_be64(p + 27);
  h.max_timestamp = load_be64(p + 35);
  h.producer_id = load_be64(p + 43);
  h.producer_epoch = load_be16(p + 51);
  h.base_sequence = load_be32(p + 53);
  h.record_count = load_be32(p + 57);
  if (h.magic != 2) return errc::corrupt_batch;
  if (h.batch_length < static_cast<int32_t>(batch_header_size - batch_length_prefix)) {
    return errc::corrupt_batch;
  }
  return h;
}

bool batch_crc_ok(bytes_view batch) noexcept {
  if (batch.size() < batch_header_size) return false;
  auto stored = static_cast<uint32_t>(load_be32(batch.data() + 17));
  return core::crc32c(batch.subspan(21)) == stored;
}

result<batch_header> validate_producer_batch(bytes_view batch) {
  SLUICE_TRY(auto h, parse_batch_header(batch));
  if (h.total_size() != batch.size()) return errc::corrupt_batch;
  if (!batch_crc_ok(batch)) return errc::corrupt_batch;
  if (h.record_count <= 0 || h.last_offset_delta != h.record_count - 1) return errc::invalid_batch;
  if (h.is_control()) return errc::invalid_batch;
  if (h.producer_id >= 0 && h.base_sequence < 0) return errc::invalid_batch;
  if (h.is_transactional() && h.producer_id < 0) return errc::invalid_batch;
  return h;
}

void assign_batch_offset(std::span<std::byte> batch, int64_t base_offset,
                         int32_t leader_epoch) noexcept {
  store_be64(batch.data(), base_offset);
  store_be32(batch.data() + 12, leader_epoch);
}

}  // namespace sluice::broker::storage
