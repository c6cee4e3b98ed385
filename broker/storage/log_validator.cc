#include "broker/storage/append_rules.h"

#include "broker/storage/errc.h"

#include <vector>

namespace sluice::broker::storage {

bool append_rules_apply(const batch_header& h, bool compacted,
                        std::optional<protocol::compression_codec> target) noexcept {
  return compacted || (target && h.codec() != target);
}

result<bytes_view> apply_append_rules(bytes_view batch, const batch_header& h, bool compacted,
                                      std::optional<protocol::compression_codec> target,
                                      bytes& scratch) {
  if (!append_rules_apply(h, compacted, target)) return batch;
  // The CRC was checked by validate_producer_batch.
  protocol::batch_read_options read_options;
  read_options.verify_crc = false;
  auto decoded = protocol::decode_record_batch(batch, read_options);
  if (!decoded) return errc::corrupt_batch;
  if (compacted) {
    for (const auto& r : decoded.value()) {
      if (!r.record.key) return errc::invalid_record;
    }
  }
  if (!target || h.codec() == target) return batch;

  std::vector<core::raw_record> records;
  std::vector<int32_t> deltas;
  records.reserve(decoded.value().size());
  deltas.reserve(decoded.value().size());
  for (auto& r : decoded.value()) {
    deltas.push_back(r.offset_delta);
    records.push_back(std::move(r.record));
  }
  auto encoded = protocol::encode_record_batch(records, protocol::same_batch_options(h, *target, deltas));
  if (!encoded) return errc::corrupt_batch;
  scratch = std::move(encoded).value();
  return bytes_view(scratch);
}

}  // namespace sluice::broker::storage
