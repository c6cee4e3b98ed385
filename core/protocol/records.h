#pragma once
/// Record batches, magic 2 (the only format Sluice speaks): header parsing and CRC-32C
/// checking, building a batch from `core::raw_record`s, reading the records of a batch
/// (decompressing as needed), and transaction control batches.
///
/// Batch layout (offsets from the batch start; all integers big-endian):
///
/// | off | size | field                  | notes                                           |
/// |-----|------|------------------------|-------------------------------------------------|
/// |   0 |    8 | base_offset            | producers write 0; the broker assigns           |
/// |   8 |    4 | batch_length           | bytes after this field                          |
/// |  12 |    4 | partition_leader_epoch | not covered by the CRC                          |
/// |  16 |    1 | magic                  | 2                                               |
/// |  17 |    4 | crc                    | CRC-32C of bytes 21..end                        |
/// |  21 |    2 | attributes             | bits 0–2 codec, 3 timestamp type, 4 transactional, 5 control |
/// |  23 |    4 | last_offset_delta      |                                                 |
/// |  27 |    8 | base_timestamp         |                                                 |
/// |  35 |    8 | max_timestamp          |                                                 |
/// |  43 |    8 | producer_id            | -1 when not idempotent                          |
/// |  51 |    2 | producer_epoch         |                                                 |
/// |  53 |    4 | base_sequence          |                                                 |
/// |  57 |    4 | record_count           | outside the compressed section                  |
/// |  61 |    … | records                | one compressed blob when codec != none          |
///
/// Record (every varint zigzag-encoded): length varint (bytes that follow), attributes int8 (0),
/// timestamp_delta varlong, offset_delta varint, key_length varint (-1 = null) + key,
/// value_length varint (-1 = null) + value, header_count varint, then per header
/// key_length varint + key, value_length varint (-1 = null) + value.
///
/// Control record (transaction marker): key = int16 version 0 + int16 type (0 abort,
/// 1 commit); value = int16 version 0 + int32 coordinator_epoch; in a batch with attributes
/// transactional|control (0x30) and base_sequence -1.
///
/// Thread safety: pure functions and value types; a `record_batch_reader` is used by one
/// thread at a time.

#include "core/protocol/compression.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/record.h"
#include "core/types.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sluice::protocol {

inline constexpr size_t batch_header_size = 61;
/// base_offset + batch_length: what precedes the part counted by batch_length.
inline constexpr size_t batch_length_prefix_size = 12;
/// Where the CRC-covered bytes begin.
inline constexpr size_t batch_crc_start = 21;
inline constexpr int8_t batch_magic_v2 = 2;

/// Record batch attribute bits.
namespace batch_attribute {
inline constexpr int16_t codec_mask = 0x07;
inline constexpr int16_t log_append_time = 0x08;
inline constexpr int16_t transactional = 0x10;
inline constexpr int16_t control = 0x20;
inline constexpr int16_t delete_horizon = 0x40;
}  // namespace batch_attribute

enum class timestamp_type : int8_t { create_time = 0, log_append_time = 1 };

/// The fixed 61-byte header of a batch.
struct record_batch_header {
  core::offset base_offset{0};
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = 0;
  int8_t magic = batch_magic_v2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  core::producer_id producer_id{-1};
  core::producer_epoch producer_epoch{-1};
  int32_t base_sequence = -1;
  int32_t record_count = 0;

  /// nullopt for the unassigned codec values 5–7.
  std::optional<compression_codec> codec() const noexcept {
    return to_compression_codec(attributes & batch_attribute::codec_mask);
  }
  timestamp_type ts_type() const noexcept {
    return (attributes & batch_attribute::log_append_time) ? timestamp_type::log_append_time
                                                           : timestamp_type::create_time;
  }
  bool is_transactional() const noexcept {
    return (attributes & batch_attribute::transactional) != 0;
  }
  bool is_control() const noexcept { return (attributes & batch_attribute::control) != 0; }
  /// Bytes the whole batch occupies.
  size_t size_bytes() const noexcept {
    return batch_length_prefix_size + static_cast<size_t>(batch_length);
  }
  core::offset last_offset() const noexcept {
    return core::offset{base_offset.value() + last_offset_delta};
  }

  bool operator==(const record_batch_header&) const = default;
};

/// Reads the header at the start of `data` (which needs only the 61 header bytes). Fails with
/// `corrupt_batch` if fewer bytes are present, the magic is not 2, or batch_length is too
/// small to hold the header. Neither the presence of the whole batch nor the CRC is checked.
result<record_batch_header> decode_batch_header(core::bytes_view data);

/// CRC-32C over bytes 21..end of `batch` (core::crc32c).
/// REQUIRES: batch.size() >= batch_crc_start.
uint32_t compute_batch_crc(core::bytes_view batch) noexcept;

/// Checks that `batch` is exactly one whole batch (size == 12 + batch_length), magic 2, with a
/// matching CRC. Returns its header; `corrupt_batch` otherwise.
result<record_batch_header> validate_batch(core::bytes_view batch);

/// Rewrites fields outside the CRC in place (the broker assigns these on append).
/// REQUIRES: batch.size() >= batch_header_size.
void set_base_offset(std::span<std::byte> batch, core::offset base) noexcept;
void set_partition_leader_epoch(std::span<std::byte> batch, int32_t epoch) noexcept;

/// Splits a concatenation of batches (a Produce `records` field, a Fetch response, a segment
/// read) into whole batches. A trailing partial batch is not returned; `partial_tail()` says
/// whether one was present. Views borrow the input buffer.
class batch_iterator {
 public:
  explicit batch_iterator(core::bytes_view data) noexcept : _data(data) {}

  /// The next whole batch (its exact bytes), nullopt at the end or at a partial tail, or
  /// `corrupt_batch` when a batch_length is impossible (below the header size or negative).
  result<std::optional<core::bytes_view>> next();
  bool partial_tail() const noexcept { return _partial; }
  /// Bytes not returned yet.
  size_t remaining() const noexcept { return _data.size() - _pos; }

 private:
  core::bytes_view _data;
  size_t _pos = 0;
  bool _partial = false;
};

/// How to build a batch. Offsets deltas are 0..n-1, timestamps come from the records.
struct record_batch_options {
  compression_codec codec = compression_codec::none;
  timestamp_type ts_type = timestamp_type::create_time;
  bool transactional = false;
  bool control = false;
  core::offset base_offset{0};
  int32_t partition_leader_epoch = 0;
  core::producer_id producer_id{-1};
  core::producer_epoch producer_epoch{-1};
  int32_t base_sequence = -1;
  /// The offset delta of each record; empty = 0, 1, …, n-1. Log compaction keeps the original
  /// deltas so offsets survive with gaps. REQUIRES: empty, or one per record; deltas that do
  /// not increase fail the encoding (`invalid_argument`).
  std::span<const int32_t> offset_deltas;
  /// The last_offset_delta to write; nullopt = the last record's delta. Compaction keeps the
  /// original batch's, so the batch still spans its original offsets (and its producer's
  /// sequence range). Below the last record's delta, the encoding fails (`invalid_argument`).
  std::optional<int32_t> last_offset_delta;
  /// The codec's level (compression.h); nullopt = its default.
  std::optional<int32_t> compression_level;
};

/// Options that re-encode the batch `h` describes as the same batch — base offset, leader
/// epoch, producer id, epoch and base sequence, timestamp type, transactional flag and
/// last_offset_delta kept — with `codec` for its records and `offset_deltas` (borrowed, one per
/// record kept) so that offsets survive with gaps. Recompression on append and log compaction
/// both rewrite batches this way.
record_batch_options same_batch_options(const record_batch_header& h, compression_codec codec,
                                        std::span<const int32_t> offset_deltas) noexcept;

/// Builds a magic-2 batch holding `records` (compressed per `options.codec`), with the CRC
/// computed. base_timestamp is the first record's timestamp, max_timestamp the largest.
/// Fails with `invalid_argument` for an empty record list, offset deltas that do not increase
/// or pass `last_offset_delta`, or record timestamps more than INT64_MAX apart from the first
/// one's (all of which a stored producer batch may hold: its records are taken as sent);
/// `compression_failed` if the codec fails.
result<core::bytes> encode_record_batch(std::span<const core::raw_record> records,
                                        const record_batch_options& options);

/// A record read from a batch: its offset delta, timestamp delta and the record itself
/// (timestamp resolved: base_timestamp + delta, or max_timestamp for LogAppendTime batches).
struct decoded_record {
  int32_t offset_delta = 0;
  int64_t timestamp_delta = 0;
  core::raw_record record;

  bool operator==(const decoded_record&) const = default;
};

struct batch_read_options {
  /// Check the CRC before reading (clients and the broker's append path want this).
  bool verify_crc = true;
  /// Upper bound on the decompressed records section; bigger batches fail with
  /// `decompressed_too_large` instead of allocating.
  size_t max_decompressed_size = 64u << 20;
};

/// Iterates the records of one batch.
///
/// Ownership: for an uncompressed batch the reader borrows the batch bytes given to `open`,
/// which must outlive it; for a compressed batch it owns the decompressed records.
class record_batch_reader {
 public:
  /// Parses the header (and CRC, per options) and decompresses the records if needed. Only
  /// the first `12 + batch_length` bytes of `batch` are used.
  static result<record_batch_reader> open(core::bytes_view batch,
                                          const batch_read_options& options = {});

  const record_batch_header& header() const noexcept { return _header; }

  /// The next record; nullopt after the last one. `corrupt_batch` if the record bytes are
  /// malformed or disagree with record_count; the reader then stays failed.
  result<std::optional<decoded_record>> next();

  /// The records section (decompressed if the batch is compressed), owned by the reader.
  core::bytes_view records_section() const noexcept;

 private:
  record_batch_reader() = default;

  record_batch_header _header;
  core::bytes_view _batch;
  core::bytes _decompressed;
  bool _compressed = false;
  size_t _pos = 0;
  int32_t _read = 0;
  bool _failed = false;
};

/// Kafka's "no timestamp" (-1): a record or batch timestamp that is not set.
inline constexpr int64_t no_timestamp = -1;

/// What one pass over a batch's records found, without copying any record.
struct batch_scan {
  int32_t record_count = 0;
  /// The largest record timestamp (base_timestamp + delta); -1 when every record has -1.
  int64_t max_timestamp = no_timestamp;
  /// The smallest record timestamp other than -1; INT64_MAX when there is none.
  int64_t min_timestamp = INT64_MAX;
  bool every_record_keyed = true;
  /// Every record's offset delta is above the previous one and at most last_offset_delta (what
  /// re-encoding the batch with its own deltas requires).
  bool offsets_in_order = true;
};

/// Walks every record of one batch without copying any: checks each record's framing as
/// record_batch_reader::next() does and that the batch holds exactly record_count records, and
/// gathers `batch_scan`. A compressed batch is decompressed (bounded by
/// `max_decompressed_size`), as record_batch_reader::open does. The CRC is not checked. A record
/// timestamp that overflows int64 is corrupt. Fails with `corrupt_batch`,
/// `unsupported_compression` or the decompressor's error.
result<batch_scan> scan_record_batch(core::bytes_view batch,
                                     size_t max_decompressed_size = 64u << 20);

/// Rewrites the timestamp type bit and max_timestamp of a whole batch in place and recomputes
/// its CRC (what the broker's append path does to a producer's batch, as Kafka's does).
/// REQUIRES: `batch` is one whole batch.
void set_max_timestamp(std::span<std::byte> batch, timestamp_type type, int64_t max_timestamp) noexcept;

/// Reads every record of one batch.
result<std::vector<decoded_record>> decode_record_batch(core::bytes_view batch,
                                                        const batch_read_options& options = {});

// ---- control batches ----------------------------------------------------------------------

enum class control_record_type : int16_t { abort = 0, commit = 1 };

/// A transaction marker batch: attributes transactional|control, base_sequence -1, one
/// record with offset_delta 0, timestamp `ts`, the 4-byte key (version 0, type) and the
/// 6-byte value (version 0, coordinator_epoch), no headers.
result<core::bytes> encode_control_batch(control_record_type type, core::producer_id producer,
                                         core::producer_epoch epoch, int32_t coordinator_epoch,
                                         core::timestamp ts, core::offset base_offset = {});

/// The type in a control record key; `corrupt_batch` unless the key is exactly 4 bytes with
/// version 0 and a known type.
result<control_record_type> decode_control_record_key(core::bytes_view key);

}  // namespace sluice::protocol
