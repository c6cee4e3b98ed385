#pragma once
/// The magic-2 record batch header, as stored in `.log` files and carried on the wire.
///
/// | off | size | field                  | notes                                         |
/// |-----|------|------------------------|-----------------------------------------------|
/// |   0 |    8 | base_offset            | assigned by the broker on append              |
/// |   8 |    4 | batch_length           | bytes after this field                        |
/// |  12 |    4 | partition_leader_epoch | overwritten by the broker; not in the CRC     |
/// |  16 |    1 | magic                  | always 2                                      |
/// |  17 |    4 | crc                    | CRC-32C of bytes 21..end                      |
/// |  21 |    2 | attributes             | codec bits 0-2, timestamp type 3, txn 4, control 5 |
/// |  23 |    4 | last_offset_delta      |                                               |
/// |  27 |    8 | base_timestamp         |                                               |
/// |  35 |    8 | max_timestamp          |                                               |
/// |  43 |    8 | producer_id            | -1 when not idempotent                        |
/// |  51 |    2 | producer_epoch         |                                               |
/// |  53 |    4 | base_sequence          |                                               |
/// |  57 |    4 | record_count           |                                               |
/// |  61 |    … | records                | compressed as one blob when the codec != 0    |
///
/// All integers big-endian. The broker never re-encodes a batch: it validates the header and
/// CRC and rewrites base_offset and partition_leader_epoch (both outside the CRC).

#include "core/bytes.h"
#include "core/error.h"

#include <cstdint>
#include <span>

namespace sluice::broker::storage {

inline constexpr size_t batch_header_size = 61;
/// base_offset + batch_length: what must be read to know a batch's extent.
inline constexpr size_t batch_length_prefix = 12;

namespace batch_attr {
inline constexpr int16_t codec_mask = 0x07;
inline constexpr int16_t log_append_time = 0x08;
inline constexpr int16_t transactional = 0x10;
inline constexpr int16_t control = 0x20;
}  // namespace batch_attr

struct batch_header {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  /// Bytes the whole batch occupies, including base_offset and batch_length.
  size_t total_size() const noexcept { return batch_length_prefix + static_cast<size_t>(batch_length); }
  int64_t last_offset() const noexcept { return base_offset + last_offset_delta; }
  int64_t next_offset() const noexcept { return last_offset() + 1; }
  bool is_transactional() const noexcept { return (attributes & batch_attr::transactional) != 0; }
  bool is_control() const noexcept { return (attributes & batch_attr::control) != 0; }
  int codec() const noexcept { return attributes & batch_attr::codec_mask; }
};

/// Reads the header of the batch at the start of `data`. Fails with `corrupt_batch` if fewer
/// than 61 bytes are present, the magic is not 2, or batch_length is too small for a header.
/// Does not check that the whole batch is present nor its CRC.
result<batch_header> parse_batch_header(bytes_view data);

/// Reads only base_offset and batch_length (the first 12 bytes).
/// REQUIRES: data.size() >= batch_length_prefix.
void peek_batch_extent(bytes_view data, int64_t& base_offset, int32_t& batch_length) noexcept;

/// True if the CRC-32C stored in the batch matches its bytes 21..end.
/// REQUIRES: `batch` holds exactly one whole batch.
bool batch_crc_ok(bytes_view batch) noexcept;

/// Checks a batch received from a producer: one whole batch exactly filling `batch`, magic 2,
/// CRC, record_count > 0 and == last_offset_delta + 1, no control bit, sequence/transactional
/// consistency. Returns its header.
result<batch_header> validate_producer_batch(bytes_view batch);

/// Rewrites base_offset and partition_leader_epoch in place (outside the CRC: no re-checksum).
void assign_batch_offset(std::span<std::byte> batch, int64_t base_offset,
                         int32_t leader_epoch) noexcept;

/// The answer to "which offset has timestamp >= t": offset and timestamp of that record,
/// both -1 when no record is that new.
struct timestamp_offset {
  int64_t offset = -1;
  int64_t timestamp = -1;
};

/// Decodes one whole batch (decompressing if needed) and finds its first record with
/// offset >= min_offset and timestamp >= ts.
result<timestamp_offset> first_record_at_or_after(bytes_view batch, int64_t ts, int64_t min_offset);

/// Big-endian loads and stores used by the on-disk formats.
int64_t load_be64(const std::byte* p) noexcept;
int32_t load_be32(const std::byte* p) noexcept;
int16_t load_be16(const std::byte* p) noexcept;
void store_be64(std::byte* p, int64_t v) noexcept;
void store_be32(std::byte* p, int32_t v) noexcept;

}  // namespace sluice::broker::storage
