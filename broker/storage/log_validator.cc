#include "broker/storage/log_validator.h"

#include "broker/storage/errc.h"

#include <fmt/format.h>

#include <vector>

namespace sluice::broker::storage {
namespace {

using protocol::timestamp_type;

/// Decodes and re-encodes the batch with `codec` (same offsets, timestamps and producer
/// fields) into `scratch`.
result<bytes_view> recompress(bytes_view batch, const batch_header& h,
                              protocol::compression_codec codec, std::optional<int32_t> level,
                              bytes& scratch) {
  // The CRC was checked by validate_producer_batch.
  protocol::batch_read_options read_options;
  read_options.verify_crc = false;
  auto decoded = protocol::decode_record_batch(batch, read_options);
  if (!decoded) return errc::corrupt_batch;
  std::vector<core::raw_record> records;
  std::vector<int32_t> deltas;
  records.reserve(decoded.value().size());
  deltas.reserve(decoded.value().size());
  for (auto& r : decoded.value()) {
    deltas.push_back(r.offset_delta);
    records.push_back(std::move(r.record));
  }
  auto options = protocol::same_batch_options(h, codec, deltas);
  options.compression_level = level;
  auto encoded = protocol::encode_record_batch(records, options);
  if (!encoded) return errc::corrupt_batch;
  scratch = std::move(encoded).value();
  return bytes_view(scratch);
}

/// Whether the timestamps from `oldest` to `newest` lie within the policy's bounds around
/// `now_ms`.
bool timestamps_within_bounds(int64_t oldest, int64_t newest, const append_policy& policy,
                              int64_t now_ms) noexcept {
  // A difference that overflows int64 exceeds every bound.
  int64_t behind = 0;
  int64_t ahead = 0;
  if (__builtin_sub_overflow(now_ms, oldest, &behind)) return false;
  if (__builtin_sub_overflow(newest, now_ms, &ahead)) return false;
  return behind <= policy.timestamp_before_max_ms && ahead <= policy.timestamp_after_max_ms;
}

/// Whether every timestamp the scan saw lies within the policy's bounds around `now_ms`.
bool timestamps_within_bounds(const protocol::batch_scan& scan, const append_policy& policy,
                              int64_t now_ms) noexcept {
  if (scan.min_timestamp == INT64_MAX) return true;  // only -1 timestamps: not checked
  return timestamps_within_bounds(scan.min_timestamp, scan.max_timestamp, policy, now_ms);
}

}  // namespace

result<validated_batch> validate_records(bytes_view batch, const batch_header& h,
                                         const append_policy& policy, int64_t now_ms,
                                         bytes& scratch) {
  // Only the broker stamps LogAppendTime.
  if (h.ts_type() == timestamp_type::log_append_time) return errc::invalid_timestamp;
  auto scanned = protocol::scan_record_batch(batch);
  if (!scanned) return errc::corrupt_batch;
  const auto& scan = scanned.value();
  if (policy.compacted && !scan.every_record_keyed) return errc::invalid_record;
  const bool log_append = policy.timestamp_type == timestamp_type::log_append_time;
  if (!log_append && !timestamps_within_bounds(scan, policy, now_ms)) return errc::invalid_timestamp;

  validated_batch out{batch, h, log_append};
  bool in_scratch = false;
  if (policy.recompress_to && h.codec() != policy.recompress_to) {
    // Re-encoding keeps each record's offset delta, so they must be in order.
    if (!scan.offsets_in_order) return errc::corrupt_batch;
    SLUICE_TRY(out.bytes, recompress(batch, h, *policy.recompress_to, policy.compression_level,
                                     scratch));
    in_scratch = true;
  }
  if (log_append) {
    // The appender stamps the append time; it needs the batch in memory it may write.
    if (!in_scratch) scratch.assign(batch.begin(), batch.end());
    out.bytes = scratch;
    in_scratch = true;
  } else if (scan.max_timestamp != h.max_timestamp) {
    // The header's max_timestamp as Kafka keeps it: the records' largest.
    if (!in_scratch) scratch.assign(batch.begin(), batch.end());
    protocol::set_max_timestamp(scratch, protocol::timestamp_type::create_time, scan.max_timestamp);
    out.bytes = scratch;
    in_scratch = true;
  }
  if (in_scratch) {
    auto header = protocol::decode_batch_header(out.bytes);
    if (!header) return errc::corrupt_batch;
    out.header = header.value();
  }
  return out;
}

std::vector<rejected_record> rejected_records(bytes_view batch, const append_policy& policy,
                                              int64_t now_ms) {
  std::vector<rejected_record> out;
  protocol::batch_read_options options;
  options.verify_crc = false;
  auto reader = protocol::record_batch_reader::open(batch, options);
  if (!reader) return out;
  const bool check_time = policy.timestamp_type == timestamp_type::create_time;
  for (int32_t index = 0;; ++index) {
    auto next = reader.value().next();
    if (!next || !next.value()) break;
    const auto& r = *next.value();
    if (policy.compacted && !r.record.key) {
      out.push_back({index, "compacted topic cannot accept a record without a key"});
    } else if (const int64_t ts = core::to_epoch_ms(r.record.ts); check_time && ts != protocol::no_timestamp &&
                                                       !timestamps_within_bounds(ts, ts, policy, now_ms)) {
      out.push_back({index, fmt::format("timestamp {} is out of range: now is {}, "
                                        "message.timestamp.before.max.ms {}, "
                                        "message.timestamp.after.max.ms {}",
                                        ts, now_ms, policy.timestamp_before_max_ms,
                                        policy.timestamp_after_max_ms)});
    }
  }
  return out;
}

}  // namespace sluice::broker::storage
