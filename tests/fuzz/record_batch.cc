// Fuzz target: record batches as producers send them and as the log stores them — header
// parsing, splitting, record decoding with every codec (bounded decompression: bombs and lying
// lengths), the produce-side validation and rewriting (validate_producer_batch,
// validate_records with recompression, LogAppendTime, compacted topics), the timestamp lookup,
// control records, and re-encoding.
//
// Input: one mode byte, then concatenated batches (seeds: batches in every codec, with keys,
// nulls, headers, producer ids, transactions and markers — tests/fuzz/seeds/).
//
// | mode bit | meaning                                                                      |
// |----------|------------------------------------------------------------------------------|
// | 0        | recompute each batch's CRC first (else the CRC stops most mutations early)   |
// | 1–3      | compression.type: 0 = producer, 1–5 = codec 0–4, 6–7 = producer              |
// | 4        | compacted topic (keys required)                                              |
// | 5        | message.timestamp.type=LogAppendTime                                         |
// | 6        | a 4 KiB decompression limit (else 1 MiB)                                     |
// | 7        | coordinator batch (base_sequence -1 allowed with a producer id)              |
//
// Checked: nothing fails other than cleanly; decompression never returns more than its limit;
// `scan_record_batch` and `record_batch_reader` agree on which batches are well formed and on
// their records; a batch that decodes re-encodes (same codec, producer fields and offset
// deltas) to the same records, or fails with invalid_argument (deltas out of order,
// timestamps too far apart); a batch validate_records accepts is still a valid
// batch (CRC included) holding the same records.

#include "core/protocol/compression.h"
#include "core/protocol/errc.h"
#include "core/protocol/records.h"
#include "broker/storage/log_validator.h"
#include "broker/storage/record_batch.h"
#include "core/assert.h"
#include "core/big_endian.h"
#include "tests/fuzz/fuzz_input.h"

#include <optional>
#include <vector>

namespace sluice::protocol {
namespace {

namespace storage = ::sluice::broker::storage;

constexpr int64_t now_ms = 1'700'000'000'000;
constexpr size_t max_batches = 8;

struct mode {
  bool fix_crc = false;
  std::optional<compression_codec> recompress_to;
  bool compacted = false;
  bool log_append_time = false;
  size_t limit = 1u << 20;
  bool coordinator = false;

  explicit mode(uint8_t m)
      : fix_crc((m & 1) != 0),
        compacted((m & 0x10) != 0),
        log_append_time((m & 0x20) != 0),
        limit((m & 0x40) != 0 ? 4096 : 1u << 20),
        coordinator((m & 0x80) != 0) {
    const int codec = (m >> 1) & 7;
    if (codec >= 1 && codec <= 5) recompress_to = to_compression_codec(codec - 1);
  }
};

/// What a record looks like whatever its batch: offset delta, key, value, headers.
struct record_content {
  int32_t offset_delta;
  std::optional<core::bytes> key;
  std::optional<core::bytes> value;
  core::headers hdrs;
  bool operator==(const record_content&) const = default;
};

std::vector<record_content> contents(const std::vector<decoded_record>& records) {
  std::vector<record_content> out;
  for (const auto& r : records) out.push_back({r.offset_delta, r.record.key, r.record.value, r.record.hdrs});
  return out;
}

/// Reads every record through record_batch_reader; nullopt when the batch is refused anywhere.
std::optional<std::vector<decoded_record>> read_all(bytes_view batch, const batch_read_options& options) {
  auto reader = record_batch_reader::open(batch, options);
  if (!reader) return std::nullopt;
  SLUICE_ASSERT(reader.value().records_section().size() <= std::max(options.max_decompressed_size, batch.size()),
                "a records section beyond the decompression limit");
  std::vector<decoded_record> out;
  for (;;) {
    auto next = reader.value().next();
    if (!next) {
      auto again = reader.value().next();
      SLUICE_ASSERT(!again, "record_batch_reader: a failed reader recovered");
      return std::nullopt;
    }
    if (!next.value()) break;
    out.push_back(std::move(*next.value()));
  }
  SLUICE_ASSERT(static_cast<int32_t>(out.size()) == reader.value().header().record_count,
                "record_batch_reader: record count differs from the header's");
  return out;
}

void check_decompression(compression_codec codec, bytes_view payload, size_t limit) {
  auto plain = decompress(codec, payload, limit);
  if (!plain) {
    const auto e = plain.error();
    SLUICE_ASSERT(e == errc::decompression_failed || e == errc::decompressed_too_large,
                  "decompress: unexpected error");
    return;
  }
  SLUICE_ASSERT(plain.value().size() <= limit, "decompress: output beyond the limit");
  // What decompresses compresses and comes back.
  auto packed = compress(codec, plain.value());
  SLUICE_ASSERT(packed.has_value(), "compress failed");
  auto back = decompress(codec, packed.value(), limit);
  SLUICE_ASSERT(back && core::equal(back.value(), plain.value()), "compress/decompress round trip differs");
}

void check_reencode(const record_batch_header& h, const std::vector<decoded_record>& records, size_t limit) {
  if (records.empty()) return;
  std::vector<core::raw_record> raw;
  std::vector<int32_t> deltas;
  for (const auto& r : records) {
    raw.push_back(r.record);
    deltas.push_back(r.offset_delta);
  }
  const auto codec = h.codec();
  auto encoded = encode_record_batch(raw, same_batch_options(h, *codec, deltas));
  if (!encoded) {
    // Offset deltas out of order or past last_offset_delta, or timestamps too far apart.
    SLUICE_ASSERT(encoded.error() == errc::invalid_argument, "re-encoding failed with an unexpected error");
    return;
  }
  SLUICE_ASSERT(validate_batch(encoded.value()).has_value(), "re-encoded batch is not valid");
  batch_read_options options;
  options.max_decompressed_size = std::max<size_t>(limit, 64u << 20);
  auto again = read_all(encoded.value(), options);
  SLUICE_ASSERT(again.has_value(), "re-encoded batch does not decode");
  SLUICE_ASSERT(contents(*again) == contents(records), "re-encoded batch holds other records");
}

/// The append path's checks, which decompress up to 64 MiB whatever the mode's limit.
void check_producer_path(bytes_view batch, const mode& m) {
  auto h = storage::validate_producer_batch(batch, !m.coordinator);
  if (!h) return;
  storage::append_policy policy;
  policy.compacted = m.compacted;
  policy.recompress_to = m.recompress_to;
  policy.timestamp_type = m.log_append_time ? timestamp_type::log_append_time : timestamp_type::create_time;
  core::bytes scratch;
  auto v = storage::validate_records(batch, h.value(), policy, now_ms, scratch);
  if (!v) {
    (void)storage::rejected_records(batch, policy, now_ms);
    return;
  }
  batch_read_options options;
  options.max_decompressed_size = 64u << 20;
  const auto records = read_all(batch, options);
  SLUICE_ASSERT(records.has_value(), "validate_records accepted a batch that does not decode");
  core::bytes stored(v.value().bytes.begin(), v.value().bytes.end());
  if (v.value().stamp_append_time) set_max_timestamp(stored, timestamp_type::log_append_time, now_ms);
  auto checked = validate_batch(stored);
  SLUICE_ASSERT(checked.has_value(), "validate_records produced an invalid batch");
  SLUICE_ASSERT(v.value().stamp_append_time || checked.value() == v.value().header,
                "validate_records: header differs from its batch");
  if (m.recompress_to) SLUICE_ASSERT(checked.value().codec() == m.recompress_to, "not recompressed");
  auto again = read_all(stored, options);
  SLUICE_ASSERT(again.has_value(), "validate_records produced a batch that does not decode");
  SLUICE_ASSERT(contents(*again) == contents(*records), "validate_records changed the records");
}

void check_batch(bytes_view original, const mode& m) {
  core::bytes batch(original.begin(), original.end());
  if (m.fix_crc && batch.size() >= batch_header_size) {
    core::store_be<uint32_t>(batch.data() + 17, compute_batch_crc(batch));
  }
  auto header = decode_batch_header(batch);
  if (!header) return;
  const auto& h = header.value();
  SLUICE_ASSERT(h.size_bytes() == batch.size(), "batch_iterator returned a batch of another size");

  batch_read_options options;
  options.verify_crc = false;
  options.max_decompressed_size = m.limit;
  const auto records = read_all(batch, options);
  auto decoded = decode_record_batch(batch, options);
  SLUICE_ASSERT(decoded.has_value() == records.has_value(), "decode_record_batch and the reader disagree");
  if (records) SLUICE_ASSERT(decoded.value() == *records, "decode_record_batch and the reader disagree");

  auto scan = scan_record_batch(batch, m.limit);
  if (scan) {
    SLUICE_ASSERT(records && static_cast<int32_t>(records->size()) == scan.value().record_count,
                  "scan_record_batch accepted a batch the reader refuses");
  } else if (records && h.ts_type() == timestamp_type::create_time) {
    SLUICE_ASSERT(false, "scan_record_batch refused a batch the reader accepts");
  }

  if (h.codec()) check_decompression(*h.codec(), bytes_view(batch).subspan(batch_header_size), m.limit);
  if (records) {
    check_reencode(h, *records, m.limit);
    if (h.is_control()) {
      for (const auto& r : *records) {
        if (r.record.key) (void)decode_control_record_key(*r.record.key);
      }
    }
  }
  (void)storage::first_record_at_or_after(batch, now_ms, h.base_offset.value());
  check_producer_path(batch, m);
}

}  // namespace
}  // namespace sluice::protocol

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::protocol;
  sluice::fuzz::quiet();
  sluice::fuzz::fuzz_input in(sluice::fuzz::as_bytes(data, size));
  const mode m(in.u8());
  const sluice::bytes_view batches = in.rest();
  (void)decode_batch_header(batches);
  batch_iterator it(batches);
  for (size_t i = 0; i < max_batches; ++i) {
    auto next = it.next();
    if (!next || !next.value()) break;
    check_batch(*next.value(), m);
  }
  return 0;
}
