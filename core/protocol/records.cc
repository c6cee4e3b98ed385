#include "core/protocol/records.h"

#include "core/protocol/errc.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/assert.h"
#include "core/big_endian.h"
#include "core/crc32c.h"

#include <algorithm>
#include <limits>
#include <type_traits>

namespace sluice::protocol {
namespace {

/// Smallest possible record: length, attributes, timestamp delta, offset delta, key length,
/// value length, header count — one byte each.
constexpr size_t min_record_size = 7;

/// Record-format nullable bytes: zigzag varint length, -1 = null.
void write_varbytes(writer& w, const std::optional<core::bytes>& b) {
  if (!b) {
    w.write_varint(-1);
    return;
  }
  SLUICE_ASSERT(b->size() <= INT32_MAX, "record field longer than INT32_MAX");
  w.write_varint(static_cast<int32_t>(b->size()));
  w.write_raw(*b);
}

std::optional<core::bytes> to_owned(const std::optional<core::bytes_view>& v) {
  if (!v) return std::nullopt;
  return core::bytes(v->begin(), v->end());
}

/// One record's fields as they lie in the records section, borrowed from it.
struct record_frame {
  int64_t timestamp_delta = 0;
  int32_t offset_delta = 0;
  std::optional<core::bytes_view> key;
  std::optional<core::bytes_view> value;
  int32_t header_count = 0;
  core::bytes_view headers;  ///< header_count (key, value) pairs, framing already checked
};

/// Inline zigzag varint decoding over raw bytes for the record walk, which runs for every
/// record the broker appends (protocol::reader's out-of-line, byte-at-a-time calls cost ~4x
/// here). `T` is int32_t (varint, at most 5 bytes) or int64_t (varlong, at most 10). Returns
/// false on a truncated or over-long varint.
template <class T>
bool take_zigzag(const std::byte*& p, const std::byte* end, T& out) noexcept {
  using U = std::make_unsigned_t<T>;
  constexpr int max_bytes = sizeof(T) == 4 ? 5 : 10;
  // The last byte may only carry the bits left over: 4 for 32-bit values, 1 for 64-bit ones.
  constexpr auto last_byte_mask = static_cast<uint8_t>(sizeof(T) == 4 ? 0xf0 : 0xfe);
  U raw = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (p == end) return false;
    const auto b = static_cast<uint8_t>(*p++);
    if (i == max_bytes - 1 && (b & last_byte_mask) != 0) return false;
    raw |= static_cast<U>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      out = static_cast<T>((raw >> 1) ^ (~(raw & 1) + 1));
      return true;
    }
  }
  return false;
}

bool take_varint(const std::byte*& p, const std::byte* end, int32_t& out) noexcept {
  return take_zigzag(p, end, out);
}
bool take_varlong(const std::byte*& p, const std::byte* end, int64_t& out) noexcept {
  return take_zigzag(p, end, out);
}

/// Record-format nullable bytes (varint length, -1 = null), borrowed.
bool take_varbytes(const std::byte*& p, const std::byte* end, std::optional<core::bytes_view>& out) noexcept {
  int32_t n = 0;
  if (!take_varint(p, end, n)) return false;
  if (n == -1) {
    out.reset();
    return true;
  }
  if (n < 0 || n > end - p) return false;
  out = core::bytes_view(p, static_cast<size_t>(n));
  p += n;
  return true;
}

/// Reads the record at `pos` of a records section and moves `pos` past it. The whole framing
/// is checked (length prefix, every field and header within the record, nothing left over);
/// false when it is malformed. Nothing is copied.
bool read_record_frame(core::bytes_view data, size_t& pos, record_frame& f) noexcept {
  const std::byte* p = data.data() + pos;
  const std::byte* const data_end = data.data() + data.size();
  int32_t length = 0;
  if (!take_varint(p, data_end, length) || length < 0 || length > data_end - p) return false;
  const std::byte* const end = p + length;
  if (p == end) return false;
  ++p;  // attributes: unused
  if (!take_varlong(p, end, f.timestamp_delta) || !take_varint(p, end, f.offset_delta) ||
      !take_varbytes(p, end, f.key) || !take_varbytes(p, end, f.value) ||
      !take_varint(p, end, f.header_count)) {
    return false;
  }
  // Each header takes at least 2 bytes (key length, value length).
  if (f.header_count < 0 || f.header_count > (end - p) / 2) return false;
  const std::byte* const headers = p;
  std::optional<core::bytes_view> skipped;
  for (int32_t i = 0; i < f.header_count; ++i) {
    int32_t key_length = 0;
    if (!take_varint(p, end, key_length) || key_length < 0 || key_length > end - p) return false;
    p += key_length;
    if (!take_varbytes(p, end, skipped)) return false;
  }
  if (p != end) return false;
  f.headers = core::bytes_view(headers, static_cast<size_t>(end - headers));
  pos = static_cast<size_t>(end - data.data());
  return true;
}

/// Appends one record (length-prefixed) to `out`, using `scratch` for the body.
void write_record(writer& out, core::bytes& scratch, const core::raw_record& rec,
                  int64_t timestamp_delta, int32_t offset_delta) {
  scratch.clear();
  writer w(scratch);
  w.write_int8(0);  // attributes: unused
  w.write_varlong(timestamp_delta);
  w.write_varint(offset_delta);
  write_varbytes(w, rec.key);
  write_varbytes(w, rec.value);
  SLUICE_ASSERT(rec.hdrs.size() <= INT32_MAX, "too many record headers");
  w.write_varint(static_cast<int32_t>(rec.hdrs.size()));
  for (const core::header& h : rec.hdrs) {
    SLUICE_ASSERT(h.key.size() <= INT32_MAX, "header key longer than INT32_MAX");
    w.write_varint(static_cast<int32_t>(h.key.size()));
    w.write_raw(core::as_bytes(h.key));
    write_varbytes(w, h.value);
  }
  SLUICE_ASSERT(scratch.size() <= INT32_MAX, "record longer than INT32_MAX");
  out.write_varint(static_cast<int32_t>(scratch.size()));
  out.write_raw(scratch);
}

}  // namespace

// ---- header -------------------------------------------------------------------------------

result<record_batch_header> decode_batch_header(core::bytes_view data) {
  if (data.size() < batch_header_size) return errc::corrupt_batch;
  reader r(data.first(batch_header_size));
  record_batch_header h;
  h.base_offset = core::offset{r.read_int64()};
  h.batch_length = r.read_int32();
  h.partition_leader_epoch = r.read_int32();
  h.magic = r.read_int8();
  h.crc = r.read_uint32();
  h.attributes = r.read_int16();
  h.last_offset_delta = r.read_int32();
  h.base_timestamp = r.read_int64();
  h.max_timestamp = r.read_int64();
  h.producer_id = core::producer_id{r.read_int64()};
  h.producer_epoch = core::producer_epoch{r.read_int16()};
  h.base_sequence = r.read_int32();
  h.record_count = r.read_int32();
  if (!r.ok() || h.magic != batch_magic_v2) return errc::corrupt_batch;
  if (h.batch_length < static_cast<int32_t>(batch_header_size - batch_length_prefix_size)) {
    return errc::corrupt_batch;
  }
  return h;
}

uint32_t compute_batch_crc(core::bytes_view batch) noexcept {
  return core::crc32c(batch.subspan(batch_crc_start));
}

result<record_batch_header> validate_batch(core::bytes_view batch) {
  SLUICE_TRY(auto h, decode_batch_header(batch));
  if (h.size_bytes() != batch.size()) return errc::corrupt_batch;
  if (compute_batch_crc(batch) != h.crc) return errc::corrupt_batch;
  return h;
}

void set_base_offset(std::span<std::byte> batch, core::offset base) noexcept {
  SLUICE_ASSERT(batch.size() >= batch_header_size, "not a record batch");
  core::store_be<int64_t>(batch.data(), base.value());
}

void set_partition_leader_epoch(std::span<std::byte> batch, int32_t epoch) noexcept {
  SLUICE_ASSERT(batch.size() >= batch_header_size, "not a record batch");
  core::store_be<int32_t>(batch.data() + 12, epoch);
}

void set_max_timestamp(std::span<std::byte> batch, timestamp_type type, int64_t max_timestamp) noexcept {
  SLUICE_ASSERT(batch.size() >= batch_header_size, "not a record batch");
  constexpr size_t attributes_at = 21;
  constexpr size_t max_timestamp_at = 35;
  constexpr size_t crc_at = 17;
  auto attributes = static_cast<uint16_t>(core::load_be<int16_t>(batch.data() + attributes_at));
  attributes = type == timestamp_type::log_append_time
                   ? static_cast<uint16_t>(attributes | batch_attribute::log_append_time)
                   : static_cast<uint16_t>(attributes & ~batch_attribute::log_append_time);
  core::store_be<uint16_t>(batch.data() + attributes_at, attributes);
  core::store_be<int64_t>(batch.data() + max_timestamp_at, max_timestamp);
  core::store_be<uint32_t>(batch.data() + crc_at, compute_batch_crc(batch));
}

// ---- splitting ----------------------------------------------------------------------------

result<std::optional<core::bytes_view>> batch_iterator::next() {
  const size_t left = _data.size() - _pos;
  if (left == 0) return std::optional<core::bytes_view>{};
  if (left < batch_length_prefix_size) {
    _partial = true;
    return std::optional<core::bytes_view>{};
  }
  reader r(_data.subspan(_pos + 8, 4));
  const int32_t length = r.read_int32();
  if (length < static_cast<int32_t>(batch_header_size - batch_length_prefix_size)) {
    return errc::corrupt_batch;
  }
  const size_t total = batch_length_prefix_size + static_cast<size_t>(length);
  if (total > left) {
    _partial = true;
    return std::optional<core::bytes_view>{};
  }
  const core::bytes_view batch = _data.subspan(_pos, total);
  _pos += total;
  return std::optional<core::bytes_view>{batch};
}

// ---- encoding -----------------------------------------------------------------------------

record_batch_options same_batch_options(const record_batch_header& h, compression_codec codec,
                                        std::span<const int32_t> offset_deltas) noexcept {
  record_batch_options o;
  o.codec = codec;
  o.ts_type = h.ts_type();
  o.transactional = h.is_transactional();
  o.base_offset = h.base_offset;
  o.partition_leader_epoch = h.partition_leader_epoch;
  o.producer_id = h.producer_id;
  o.producer_epoch = h.producer_epoch;
  o.base_sequence = h.base_sequence;
  o.offset_deltas = offset_deltas;
  o.last_offset_delta = h.last_offset_delta;
  return o;
}

result<core::bytes> encode_record_batch(std::span<const core::raw_record> records,
                                        const record_batch_options& options) {
  if (records.empty() || records.size() > static_cast<size_t>(INT32_MAX)) {
    return errc::invalid_argument;
  }
  const int64_t base_ts = core::to_epoch_ms(records.front().ts);
  int64_t max_ts = base_ts;
  core::bytes body;
  core::bytes scratch;
  writer bw(body);
  const auto& deltas = options.offset_deltas;
  SLUICE_ASSERT(deltas.empty() || deltas.size() == records.size(),
                "encode_record_batch: one offset delta per record");
  for (size_t i = 0; i < records.size(); ++i) {
    const int64_t ts = core::to_epoch_ms(records[i].ts);
    max_ts = std::max(max_ts, ts);
    const int32_t delta = deltas.empty() ? static_cast<int32_t>(i) : deltas[i];
    // Deltas come from stored batches, whose records' deltas producers chose freely.
    if (i > 0 && !deltas.empty() && delta <= deltas[i - 1]) return errc::invalid_argument;
    // A delta beyond int64 could not be written (and the reader refuses a sum that overflows).
    int64_t ts_delta = 0;
    if (__builtin_sub_overflow(ts, base_ts, &ts_delta)) return errc::invalid_argument;
    write_record(bw, scratch, records[i], ts_delta, delta);
  }
  const int32_t last_delta = deltas.empty() ? static_cast<int32_t>(records.size() - 1) : deltas.back();
  if (options.last_offset_delta && *options.last_offset_delta < last_delta) return errc::invalid_argument;

  core::bytes compressed;
  core::bytes_view payload = body;
  if (options.codec != compression_codec::none) {
    auto c = compress(options.codec, body, options.compression_level);
    if (!c) return errc::compression_failed;
    compressed = std::move(c).value();
    payload = compressed;
  }

  int16_t attributes = static_cast<int16_t>(options.codec);
  if (options.ts_type == timestamp_type::log_append_time) {
    attributes |= batch_attribute::log_append_time;
  }
  if (options.transactional) attributes |= batch_attribute::transactional;
  if (options.control) attributes |= batch_attribute::control;

  core::bytes out;
  out.reserve(batch_header_size + payload.size());
  writer w(out);
  w.write_int64(options.base_offset.value());
  const size_t length_at = w.reserve_int32();
  w.write_int32(options.partition_leader_epoch);
  w.write_int8(batch_magic_v2);
  const size_t crc_at = w.reserve_int32();
  w.write_int16(attributes);
  w.write_int32(options.last_offset_delta.value_or(last_delta));
  w.write_int64(base_ts);
  w.write_int64(max_ts);
  w.write_int64(options.producer_id.value());
  w.write_int16(options.producer_epoch.value());
  w.write_int32(options.base_sequence);
  w.write_int32(static_cast<int32_t>(records.size()));
  w.write_raw(payload);
  w.fill_size_since(length_at);
  w.fill_int32(crc_at, static_cast<int32_t>(compute_batch_crc(out)));
  return out;
}

// ---- decoding -----------------------------------------------------------------------------

result<record_batch_reader> record_batch_reader::open(core::bytes_view batch,
                                                      const batch_read_options& options) {
  SLUICE_TRY(auto h, decode_batch_header(batch));
  if (h.size_bytes() > batch.size() || h.record_count < 0) return errc::corrupt_batch;
  batch = batch.first(h.size_bytes());
  if (options.verify_crc && compute_batch_crc(batch) != h.crc) return errc::corrupt_batch;
  const auto codec = h.codec();
  if (!codec) return errc::unsupported_compression;

  record_batch_reader rb;
  rb._header = h;
  rb._batch = batch;
  if (*codec != compression_codec::none) {
    SLUICE_TRY(auto plain, decompress(*codec, batch.subspan(batch_header_size),
                                      options.max_decompressed_size));
    rb._decompressed = std::move(plain);
    rb._compressed = true;
  }
  return rb;
}

core::bytes_view record_batch_reader::records_section() const noexcept {
  return _compressed ? core::bytes_view(_decompressed) : _batch.subspan(batch_header_size);
}

result<std::optional<decoded_record>> record_batch_reader::next() {
  if (_failed) return errc::corrupt_batch;
  const core::bytes_view data = records_section();
  auto corrupt = [this]() -> result<std::optional<decoded_record>> {
    _failed = true;
    return errc::corrupt_batch;
  };
  if (_read == _header.record_count) {
    if (_pos != data.size()) return corrupt();  // bytes beyond record_count records
    return std::optional<decoded_record>{};
  }

  record_frame f;
  if (!read_record_frame(data, _pos, f)) return corrupt();
  decoded_record d;
  d.timestamp_delta = f.timestamp_delta;
  d.offset_delta = f.offset_delta;
  d.record.key = to_owned(f.key);
  d.record.value = to_owned(f.value);
  // The headers' framing was checked by read_record_frame.
  const std::byte* p = f.headers.data();
  const std::byte* const end = p + f.headers.size();
  std::optional<core::bytes_view> value;
  for (int32_t i = 0; i < f.header_count; ++i) {
    int32_t key_length = 0;
    take_varint(p, end, key_length);
    std::string key(core::as_string_view(core::bytes_view(p, static_cast<size_t>(key_length))));
    p += key_length;
    take_varbytes(p, end, value);
    d.record.hdrs.add(std::move(key), to_owned(value));
  }

  int64_t ts = _header.max_timestamp;
  if (_header.ts_type() != timestamp_type::log_append_time &&
      __builtin_add_overflow(_header.base_timestamp, d.timestamp_delta, &ts)) {
    return corrupt();
  }
  d.record.ts = core::from_epoch_ms(ts);
  ++_read;
  return std::optional<decoded_record>{std::move(d)};
}

result<batch_scan> scan_record_batch(core::bytes_view batch, size_t max_decompressed_size) {
  batch_read_options options;
  options.verify_crc = false;
  options.max_decompressed_size = max_decompressed_size;
  SLUICE_TRY(auto reader, record_batch_reader::open(batch, options));
  const auto& h = reader.header();
  const core::bytes_view data = reader.records_section();
  batch_scan scan;
  size_t pos = 0;
  int32_t last_delta = -1;
  record_frame f;
  while (pos < data.size()) {
    if (scan.record_count == h.record_count || !read_record_frame(data, pos, f)) {
      return errc::corrupt_batch;
    }
    ++scan.record_count;
    int64_t ts = 0;
    if (__builtin_add_overflow(h.base_timestamp, f.timestamp_delta, &ts)) return errc::corrupt_batch;
    // Offset deltas as a producer writes them: increasing, within the batch's range.
    scan.offsets_in_order = scan.offsets_in_order && f.offset_delta > last_delta &&
                            f.offset_delta <= h.last_offset_delta;
    last_delta = f.offset_delta;
    scan.max_timestamp = std::max(scan.max_timestamp, ts);
    if (ts != no_timestamp) scan.min_timestamp = std::min(scan.min_timestamp, ts);
    scan.every_record_keyed = scan.every_record_keyed && f.key.has_value();
  }
  if (scan.record_count != h.record_count) return errc::corrupt_batch;
  return scan;
}

result<std::vector<decoded_record>> decode_record_batch(core::bytes_view batch,
                                                        const batch_read_options& options) {
  SLUICE_TRY(auto rb, record_batch_reader::open(batch, options));
  std::vector<decoded_record> out;
  // record_count is only a claim: reserve no more than the batch bytes could hold.
  out.reserve(std::min(static_cast<size_t>(rb.header().record_count),
                       rb.header().size_bytes() / min_record_size));
  for (;;) {
    SLUICE_TRY(auto next, rb.next());
    if (!next) break;
    out.push_back(std::move(*next));
  }
  return out;
}

// ---- control batches ----------------------------------------------------------------------

result<core::bytes> encode_control_batch(control_record_type type, core::producer_id producer,
                                         core::producer_epoch epoch, int32_t coordinator_epoch,
                                         core::timestamp ts, core::offset base_offset) {
  core::raw_record marker;
  marker.key = core::bytes(4);
  core::store_be<int32_t>(marker.key->data(), static_cast<int16_t>(type));  // version 0 + type
  marker.value = core::bytes(6);
  core::store_be<int32_t>(marker.value->data() + 2, coordinator_epoch);  // version 0 + epoch
  marker.ts = ts;
  record_batch_options options;
  options.transactional = true;
  options.control = true;
  options.base_offset = base_offset;
  options.producer_id = producer;
  options.producer_epoch = epoch;
  options.base_sequence = -1;
  return encode_record_batch(std::span<const core::raw_record>(&marker, 1), options);
}

result<control_record_type> decode_control_record_key(core::bytes_view key) {
  if (key.size() != 4) return errc::corrupt_batch;
  reader r(key);
  const int16_t version = r.read_int16();
  const int16_t type = r.read_int16();
  if (version != 0) return errc::corrupt_batch;
  if (type != static_cast<int16_t>(control_record_type::abort) &&
      type != static_cast<int16_t>(control_record_type::commit)) {
    return errc::corrupt_batch;
  }
  return static_cast<control_record_type>(type);
}

}  // namespace sluice::protocol
