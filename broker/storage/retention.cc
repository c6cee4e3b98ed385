#include "broker/storage/retention.h"

namespace sluice::broker::storage {

size_t segments_past_retention(std::span<const segment_facts> segments, const log_config& config,
                               int64_t now_ms) noexcept {
  if (!config.cleanup_delete || segments.size() <= 1) return 0;
  const size_t deletable = segments.size() - 1;  // never the active segment
  size_t n = 0;
  if (config.retention_ms >= 0) {
    while (n < deletable) {
      const auto ts = segments[n].max_timestamp;
      if (ts < 0 || now_ms - ts <= config.retention_ms) break;
      ++n;
    }
  }
  if (config.retention_bytes >= 0) {
    const auto limit = static_cast<uint64_t>(config.retention_bytes);
    uint64_t total = 0;
    for (size_t i = n; i < segments.size(); ++i) total += segments[i].size;
    // Delete the oldest segments as long as what remains still holds at least `limit` bytes.
    while (n < deletable && total > limit) {
      if (total - segments[n].size < limit) break;
      total -= segments[n].size;
      ++n;
    }
  }
  return n;
}

}  // namespace sluice::broker::storage
