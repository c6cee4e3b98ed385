#include "broker/storage/partition_log.h"

#include "broker/storage/append_rules.h"
#include "broker/storage/errc.h"
#include "broker/storage/log_cleaner.h"
#include "core/log.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <array>
#include <vector>

namespace sluice::broker::storage {
namespace {

const core::logger& log() {
  static const core::logger instance("broker.storage");
  return instance;
}

}  // namespace

result<std::unique_ptr<partition_log>> partition_log::open(std::filesystem::path dir,
                                                           core::topic_partition tp,
                                                           log_config config,
                                                           bool clean_shutdown,
                                                           int64_t recovery_point,
                                                           int64_t log_start_offset) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return ec;
  // Finish or undo a compaction that a crash interrupted (see log_cleaner.h) before looking at
  // the segments.
  SLUICE_TRY(recover_interrupted_clean(dir));
  std::unique_ptr<partition_log> p(new partition_log(dir, std::move(tp), config));
  p->set_config(config);

  std::vector<int64_t> bases;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto& path = entry.path();
    if (path.extension() == ".tmp") {
      std::filesystem::remove(path, ec);
      continue;
    }
    if (path.extension() != ".log") continue;
    const auto stem = path.stem().string();
    if (stem.size() != 20 || !std::all_of(stem.begin(), stem.end(), ::isdigit)) continue;
    bases.push_back(std::stoll(stem));
  }
  if (ec) return ec;
  std::sort(bases.begin(), bases.end());

  uint64_t truncated_total = 0;
  bool cut = false;
  for (size_t i = 0; i < bases.size(); ++i) {
    int64_t base = bases[i];
    if (cut) {
      // A segment after a truncated one cannot be trusted to be contiguous: drop it.
      SLUICE_TRY(auto s, segment::open(dir, base, config.index_interval_bytes, true));
      SLUICE_TRY(s->remove_files());
      continue;
    }
    bool next_starts_before_recovery = i + 1 < bases.size() && bases[i + 1] <= recovery_point;
    bool trust = clean_shutdown || next_starts_before_recovery;
    SLUICE_TRY(auto s, segment::open(dir, base, config.index_interval_bytes, trust));
    if (!trust) {
      SLUICE_TRY(auto truncated, s->recover());
      if (truncated > 0) {
        truncated_total += truncated;
        log().warn("{}: recovered segment {}: truncated {} bytes of torn or corrupt tail",
                   fmt::streamed(p->_tp), segment_file_stem(base), truncated);
        cut = true;
      }
    }
    if (!p->_segments.empty() && p->_segments.rbegin()->second->next_offset() > base) {
      log().warn("{}: segment {} overlaps its predecessor; dropping it", fmt::streamed(p->_tp),
                 segment_file_stem(base));
      SLUICE_TRY(s->remove_files());
      cut = true;
      continue;
    }
    p->_segments.emplace(base, std::move(s));
  }
  if (p->_segments.empty()) {
    int64_t base = std::max<int64_t>(log_start_offset, 0);
    SLUICE_TRY(auto s, segment::create(dir, base, config.index_interval_bytes));
    p->_segments.emplace(base, std::move(s));
  }
  // Drop empty trailing segments beyond the first (a crash right after a roll leaves one).
  while (p->_segments.size() > 1 && p->active()->empty()) {
    auto last = std::prev(p->_segments.end());
    auto prev_end = std::prev(last)->second->next_offset();
    // A legitimately rolled, still-empty active segment. Its base may lie beyond the previous
    // segment's end when compaction removed that segment's last batches: the empty segment is
    // then what remembers the log end offset, and dropping it would reuse offsets.
    if (last->first >= prev_end) break;
    SLUICE_TRY(last->second->remove_files());
    p->_segments.erase(last);
  }
  int64_t end = p->active()->next_offset();
  p->_log_end.store(end);
  int64_t start = std::max(log_start_offset, p->_segments.begin()->second->base_offset());
  p->_log_start.store(std::min(start, end));
  p->_recovery_point.store(end);
  if (truncated_total > 0 || !clean_shutdown) SLUICE_TRY(p->flush());
  return p;
}

partition_log::~partition_log() = default;

result<void> partition_log::roll_locked(int64_t next_offset) {
  // The rolled segment's indexes are written by the next flush (blocking pool or
  // housekeeping), before the recovery point moves past it: never an fsync here, on the
  // appending network thread.
  SLUICE_TRY(auto s, segment::create(_dir, next_offset, _config.index_interval_bytes));
  _segments.emplace(next_offset, std::move(s));
  return core::success();
}

result<append_result> partition_log::append(bytes_view batch) {
  const auto max_bytes =
      static_cast<size_t>(std::max(_max_message_bytes.load(std::memory_order_relaxed), 0));
  if (batch.size() > max_bytes) return errc::message_too_large;
  SLUICE_TRY(auto h, validate_producer_batch(batch));
  // Compacted topics need keys; compression.type may ask for recompression (append_rules.h).
  bytes converted;
  const auto codec = _recompress_to.load(std::memory_order_relaxed);
  const std::optional<protocol::compression_codec> target =
      codec < 0 ? std::nullopt : protocol::to_compression_codec(codec);
  const bool compacted = _requires_keys.load(std::memory_order_relaxed);
  if (append_rules_apply(h, compacted, target)) {
    SLUICE_TRY(auto ruled, apply_append_rules(batch, h, compacted, target, converted));
    batch = ruled;
    if (batch.size() > max_bytes) return errc::message_too_large;
    SLUICE_TRY(auto converted_header, parse_batch_header(batch));
    h = converted_header;
  }
  std::lock_guard lock(_mutex);
  int64_t base = _log_end.load(std::memory_order_relaxed);
  auto seg = active();
  bool too_big = !seg->empty() && seg->size() + batch.size() > _config.segment_bytes;
  bool too_old = !seg->empty() && std::chrono::steady_clock::now() - seg->created() >
                                      std::chrono::milliseconds(_config.segment_ms);
  bool offsets_overflow = base + h.last_offset_delta - seg->base_offset() > INT32_MAX;
  if (too_big || too_old || offsets_overflow) {
    SLUICE_TRY(roll_locked(base));
    seg = active();
  }
  // base_offset and partition_leader_epoch lie outside the CRC: rewrite them in a copy of the
  // first 17 bytes and write that prefix and the untouched rest with one vectored write.
  std::array<std::byte, 17> head{};
  std::copy_n(batch.begin(), head.size(), head.begin());
  assign_batch_offset(head, base, 0);
  h.base_offset = core::offset{base};
  SLUICE_TRY(seg->append(head, batch.subspan(head.size()), h));
  _log_end.store(storage::next_offset(h), std::memory_order_release);
  _unflushed_messages += h.record_count;
  append_result r;
  r.base_offset = base;
  r.last_offset = h.last_offset().value();
  r.flush_required = _unflushed_messages >= _config.flush_interval_messages;
  return r;
}

result<read_result> partition_log::read(int64_t offset, uint64_t max_bytes,
                                        int64_t max_offset) const {
  std::shared_ptr<segment> seg;
  segment::range range;
  read_result out;
  {
    std::lock_guard lock(_mutex);
    out.log_start_offset = _log_start.load(std::memory_order_relaxed);
    out.high_watermark = _log_end.load(std::memory_order_relaxed);
    if (offset < out.log_start_offset || offset > out.high_watermark) {
      return errc::offset_out_of_range;
    }
    if (offset >= max_offset) return out;
    auto it = _segments.upper_bound(offset);
    if (it != _segments.begin()) --it;
    // Skip segments that hold nothing at or after `offset` (e.g. emptied by compaction).
    for (; it != _segments.end(); ++it) {
      if (it->second->next_offset() > offset) break;
    }
    if (it == _segments.end()) return out;
    seg = it->second;
    SLUICE_TRY(auto located, seg->locate(offset));
    range = located;
  }
  if (range.size > 0) SLUICE_TRY(seg->read_batches(range, max_bytes, max_offset, out.records));
  return out;
}

result<timestamp_offset> partition_log::offset_for_timestamp(int64_t ts) const {
  std::vector<std::shared_ptr<segment>> segs;
  int64_t start;
  {
    std::lock_guard lock(_mutex);
    start = _log_start.load(std::memory_order_relaxed);
    for (auto& [base, s] : _segments) segs.push_back(s);
  }
  for (auto& s : segs) {
    if (s->max_timestamp() < ts || s->next_offset() <= start) continue;
    SLUICE_TRY(auto found, s->find_record_by_timestamp(ts, start));
    if (found.offset >= 0) return found;
  }
  return timestamp_offset{};
}

uint64_t partition_log::size_bytes() const {
  std::lock_guard lock(_mutex);
  uint64_t total = 0;
  for (auto& [base, s] : _segments) total += s->size();
  return total;
}

size_t partition_log::segment_count() const {
  std::lock_guard lock(_mutex);
  return _segments.size();
}

result<void> partition_log::flush() {
  std::vector<std::shared_ptr<segment>> dirty;
  std::shared_ptr<segment> current;
  int64_t end;
  {
    std::lock_guard lock(_mutex);
    end = _log_end.load(std::memory_order_relaxed);
    if (end <= _recovery_point.load(std::memory_order_relaxed)) return core::success();
    int64_t rp = _recovery_point.load(std::memory_order_relaxed);
    current = active();
    for (auto& [base, s] : _segments) {
      if (s->next_offset() > rp) dirty.push_back(s);
    }
    _unflushed_messages = 0;
    _last_flush = std::chrono::steady_clock::now();
  }
  // fsync outside the lock: appends continue meanwhile, and concurrent flushes of the same
  // partition coalesce in the kernel (group commit).
  for (auto& s : dirty) {
    SLUICE_TRY(s->flush());
    // A rolled segment takes no more appends: persist its indexes before the recovery point
    // passes it, so a restart after a crash may trust them.
    if (s != current) SLUICE_TRY(s->write_indexes());
  }
  int64_t prev = _recovery_point.load(std::memory_order_relaxed);
  while (prev < end && !_recovery_point.compare_exchange_weak(prev, end)) {
  }
  return core::success();
}

bool partition_log::flush_due(std::chrono::steady_clock::time_point now) const {
  std::lock_guard lock(_mutex);
  if (_log_end.load(std::memory_order_relaxed) <= _recovery_point.load(std::memory_order_relaxed)) {
    return false;
  }
  // A rolled segment is flushed (and its indexes written) soon after the roll, as Kafka does,
  // whatever the flush policy: it will never be appended to again.
  if (_recovery_point.load(std::memory_order_relaxed) < active()->base_offset()) return true;
  if (_config.flush_interval_ms == INT64_MAX) return false;
  return now - _last_flush >= std::chrono::milliseconds(_config.flush_interval_ms);
}

result<void> partition_log::delete_segments_below_locked(int64_t offset) {
  // Delete whole segments whose every offset is below `offset`, always keeping the active one.
  while (_segments.size() > 1) {
    auto first = _segments.begin();
    if (first->second->next_offset() > offset) break;
    SLUICE_TRY(first->second->remove_files());
    _segments.erase(first);
  }
  return core::success();
}

result<int64_t> partition_log::delete_records_before(int64_t offset) {
  std::lock_guard lock(_mutex);
  int64_t end = _log_end.load(std::memory_order_relaxed);
  if (offset == -1) offset = end;
  int64_t start = _log_start.load(std::memory_order_relaxed);
  if (offset < 0 || offset > end) return errc::offset_out_of_range;
  if (offset > start) {
    _log_start.store(offset, std::memory_order_release);
    SLUICE_TRY(delete_segments_below_locked(offset));
  }
  return _log_start.load(std::memory_order_relaxed);
}

result<size_t> partition_log::enforce_retention(int64_t now) {
  std::lock_guard lock(_mutex);
  size_t deleted = 0;
  if (!_config.cleanup_delete) return deleted;  // cleanup.policy=compact: the cleaner's job
  auto delete_first = [&]() -> result<void> {
    auto first = _segments.begin();
    int64_t next = first->second->next_offset();
    SLUICE_TRY(first->second->remove_files());
    _segments.erase(first);
    if (_log_start.load(std::memory_order_relaxed) < next) _log_start.store(next);
    ++deleted;
    return core::success();
  };
  if (_config.retention_ms >= 0) {
    while (_segments.size() > 1) {
      auto& s = _segments.begin()->second;
      if (s->max_timestamp() < 0 || now - s->max_timestamp() <= _config.retention_ms) break;
      SLUICE_TRY(delete_first());
    }
  }
  if (_config.retention_bytes >= 0) {
    const auto limit = static_cast<uint64_t>(_config.retention_bytes);
    uint64_t total = 0;
    for (auto& [base, s] : _segments) total += s->size();
    // Delete the oldest segments as long as what remains still holds at least `limit` bytes.
    while (_segments.size() > 1 && total > limit) {
      auto size = _segments.begin()->second->size();
      if (total - size < limit) break;
      total -= size;
      SLUICE_TRY(delete_first());
    }
  }
  if (deleted > 0) {
    log().info("{}: retention deleted {} segment(s); log start offset now {}",
               fmt::streamed(_tp), deleted, _log_start.load());
  }
  return deleted;
}

void partition_log::set_config(const log_config& c) {
  std::lock_guard lock(_mutex);
  _config = c;
  _requires_keys.store(c.cleanup_compact, std::memory_order_relaxed);
  _recompress_to.store(c.compression ? static_cast<int8_t>(*c.compression) : int8_t{-1},
                       std::memory_order_relaxed);
  _min_insync.store(c.min_insync_replicas, std::memory_order_relaxed);
  _max_message_bytes.store(c.max_message_bytes, std::memory_order_relaxed);
}

std::vector<std::shared_ptr<segment>> partition_log::closed_segments() const {
  std::lock_guard lock(_mutex);
  std::vector<std::shared_ptr<segment>> out;
  for (auto it = _segments.begin(); std::next(it) != _segments.end(); ++it) out.push_back(it->second);
  return out;
}

result<bool> partition_log::roll_if_idle(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(_mutex);
  auto seg = active();
  if (seg->empty() ||
      now - seg->created() <= std::chrono::milliseconds(_config.segment_ms)) {
    return false;
  }
  SLUICE_TRY(roll_locked(_log_end.load(std::memory_order_relaxed)));
  return true;
}

result<bool> partition_log::replace_segments(
    std::span<const std::shared_ptr<segment>> old,
    const std::function<result<std::shared_ptr<segment>>(int64_t next_base)>& swap) {
  std::lock_guard lock(_mutex);
  if (old.empty()) return false;
  auto first = _segments.find(old.front()->base_offset());
  auto it = first;
  for (const auto& s : old) {
    if (it == _segments.end() || it->second != s) return false;
    ++it;
  }
  if (it == _segments.end()) return false;  // never the active segment
  SLUICE_TRY(auto replacement, swap(it->first));
  const bool front = first == _segments.begin();
  _segments.erase(first, it);
  if (replacement) {
    auto base = replacement->base_offset();
    _segments.emplace(base, std::move(replacement));
  } else if (front && _log_start.load(std::memory_order_relaxed) < _segments.begin()->first) {
    // Everything before the next segment was compacted away: the log now starts there, as it
    // would after a restart.
    _log_start.store(_segments.begin()->first, std::memory_order_release);
  }
  return true;
}

log_config partition_log::config() const {
  std::lock_guard lock(_mutex);
  return _config;
}

result<void> partition_log::close() {
  SLUICE_TRY(flush());
  std::lock_guard lock(_mutex);
  for (auto& [base, s] : _segments) SLUICE_TRY(s->write_indexes());
  return core::success();
}

result<void> partition_log::remove_all() {
  std::lock_guard lock(_mutex);
  _segments.clear();
  std::error_code ec;
  std::filesystem::remove_all(_dir, ec);
  if (ec) return ec;
  return core::success();
}

}  // namespace sluice::broker::storage
