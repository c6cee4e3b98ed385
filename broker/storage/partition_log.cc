#include "broker/storage/partition_log.h"

#include "broker/storage/log_validator.h"
#include "broker/storage/errc.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/producer_snapshots.h"
#include "broker/storage/retention.h"
#include "broker/storage/logger.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <array>
#include <limits>
#include <random>
#include <vector>

namespace sluice::broker::storage {
namespace {

int64_t wall_clock_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// A uniform 64-bit random number for segment.jitter.ms (per thread: rolls happen on any).
uint64_t jitter_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  return engine();
}

std::chrono::steady_clock::duration ms(int64_t n) {
  // Durations beyond the clock's range (INT64_MAX ms) saturate instead of overflowing.
  using rep = std::chrono::steady_clock::duration;
  constexpr int64_t max_ms = std::chrono::duration_cast<std::chrono::milliseconds>(rep::max()).count();
  return std::chrono::milliseconds(std::clamp<int64_t>(n, 0, max_ms));
}

}  // namespace

int64_t max_segment_ms(const log_config& c) noexcept {
  if (c.cleanup_compact && c.max_compaction_lag_ms > 0) {
    return std::min(c.max_compaction_lag_ms, c.segment_ms);
  }
  return c.segment_ms;
}

int64_t roll_jitter_ms(const log_config& c, uint64_t random) noexcept {
  if (c.segment_jitter_ms <= 0 || c.segment_ms <= 0) return 0;
  const auto bound = static_cast<uint64_t>(std::min(c.segment_jitter_ms, c.segment_ms));
  return static_cast<int64_t>(random % bound);
}

std::optional<int32_t> compression_level(const log_config& c) noexcept {
  if (!c.compression) return std::nullopt;
  switch (*c.compression) {
    case protocol::compression_codec::gzip: return c.compression_gzip_level;
    case protocol::compression_codec::lz4: return c.compression_lz4_level;
    case protocol::compression_codec::zstd: return c.compression_zstd_level;
    case protocol::compression_codec::none:
    case protocol::compression_codec::snappy: return std::nullopt;
  }
  return std::nullopt;
}

void partition_log::publish_first_unstable() noexcept {
  _first_unstable.store(_producers.first_unstable_offset().value_or(-1), std::memory_order_release);
}

void partition_log::clean_snapshots(int64_t end) const {
  producer_snapshots(_dir).clean(end, _log_start.load(std::memory_order_relaxed));
}

core::offset partition_log::last_stable_offset() const noexcept {
  // _log_end first: see _first_unstable.
  const int64_t end = _log_end.load(std::memory_order_acquire);
  const int64_t unstable = _first_unstable.load(std::memory_order_acquire);
  if (unstable < 0) return core::offset{end};
  // An open transaction whose first records retention or DeleteRecords removed holds nothing
  // back below the log start (as in Kafka).
  return core::offset{std::min(std::max(unstable, _log_start.load(std::memory_order_acquire)), end)};
}

producer_state partition_log::producers() const {
  std::lock_guard lock(_mutex);
  return _producers;
}

std::vector<active_producer> partition_log::active_producers() const {
  std::lock_guard lock(_mutex);
  std::vector<active_producer> out;
  out.reserve(_producers.producers().size());
  for (const auto& [id, e] : _producers.producers()) {
    active_producer p;
    p.producer_id = core::producer_id{id};
    p.producer_epoch = core::producer_epoch{e.epoch};
    p.last_sequence = e.batches.empty() ? -1 : e.batches.back().last_sequence;
    p.last_timestamp = e.last_timestamp;
    p.coordinator_epoch = e.coordinator_epoch;
    p.current_txn_start_offset = core::offset{e.txn_first_offset};
    out.push_back(p);
  }
  return out;
}

std::vector<aborted_txn_entry> partition_log::aborted_transactions() const {
  std::lock_guard lock(_mutex);
  std::vector<aborted_txn_entry> out;
  for (auto& [base, s] : _segments) out.insert(out.end(), s->aborted().begin(), s->aborted().end());
  return out;
}

partition_log::~partition_log() = default;

result<void> partition_log::roll_locked(int64_t next_offset) {
  // The rolled segment's indexes are written by the next flush (blocking pool or
  // housekeeping), before the recovery point moves past it: never an fsync here, on the
  // appending network thread.
  SLUICE_TRY(auto s, segment::create(_dir, next_offset, _config.index_interval_bytes));
  _segments.emplace(next_offset, std::move(s));
  _active_roll_jitter_ms = roll_jitter_ms(_config, jitter_random());
  _active_max_index_bytes = _config.segment_index_bytes;
  // The producer state as of the roll, so that recovery replays at most the new segment.
  _pending_snapshots.emplace_back(next_offset, _producers.serialize(next_offset));
  return core::success();
}

int64_t partition_log::roll_age_ms_locked() const noexcept {
  return max_segment_ms(_config) - _active_roll_jitter_ms;
}

result<void> partition_log::maybe_roll_locked(int64_t base, size_t size, int32_t last_offset_delta) {
  // The offset space ends at INT64_MAX: a log whose files put its end there takes nothing more.
  if (last_offset_delta < 0 || base > INT64_MAX - 1 - last_offset_delta) return errc::offset_out_of_range;
  auto seg = active();
  // Kafka's LogSegment.shouldRoll: size, age (max_segment_ms less the jitter), a full offset or
  // time index (segment.index.bytes), or relative offsets that would overflow.
  bool too_big = !seg->empty() && seg->size() + size > _config.segment_bytes;
  bool too_old = !seg->empty() &&
                 std::chrono::steady_clock::now() - seg->created() > ms(roll_age_ms_locked());
  bool index_full = !seg->empty() && seg->index_full(_active_max_index_bytes);
  bool offsets_overflow = base + last_offset_delta - seg->base_offset() > INT32_MAX;
  if (too_big || too_old || index_full || offsets_overflow) SLUICE_TRY(roll_locked(base));
  return core::success();
}

result<append_result> partition_log::append_marker(core::producer_id producer, core::producer_epoch epoch,
                                                   bool commit, int32_t coordinator_epoch) {
  const int64_t now = wall_clock_ms();
  std::lock_guard lock(_mutex);
  const int64_t base = _log_end.load(std::memory_order_relaxed);
  SLUICE_TRY(auto batch, protocol::encode_control_batch(
                             commit ? protocol::control_record_type::commit
                                    : protocol::control_record_type::abort,
                             producer, epoch, coordinator_epoch,
                             core::from_epoch_ms(now), core::offset{base}));
  SLUICE_TRY(auto h, parse_batch_header(batch));
  SLUICE_TRY(maybe_roll_locked(base, batch.size(), h.last_offset_delta));
  auto seg = active();
  SLUICE_TRY(seg->append(batch, h));
  auto aborted = _producers.on_marker(producer, epoch.value(), commit, coordinator_epoch, base, now, base + 1);
  if (aborted) seg->add_aborted(*aborted);
  _log_end.store(base + 1, std::memory_order_release);
  publish_first_unstable();  // after the end moved: the LSO never runs ahead of the marker
  _unflushed_messages += 1;
  append_result r;
  r.base_offset = core::offset{base};
  r.last_offset = core::offset{base};
  r.flush_required = _unflushed_messages >= _config.flush_interval_messages;
  return r;
}

result<append_result> partition_log::append(bytes_view batch, append_origin origin) {
  const auto max_bytes =
      static_cast<size_t>(std::max(_max_message_bytes.load(std::memory_order_relaxed), 0));
  if (batch.size() > max_bytes) return errc::message_too_large;
  const bool from_producer = origin == append_origin::producer;
  SLUICE_TRY(auto checked, validate_producer_batch(batch, from_producer));
  // The records: framing, timestamps, keys, codec (log_validator.h).
  bytes converted;
  SLUICE_TRY(auto validated, validate_records(batch, checked, append_policy_now(), wall_clock_ms(), converted));
  batch = validated.bytes;
  if (batch.size() > max_bytes) return errc::message_too_large;
  auto h = validated.header;
  std::lock_guard lock(_mutex);
  const bool idempotent = h.producer_id.value() >= 0;
  if (idempotent && from_producer) {
    // The check and the append share the lock: a retry racing its original sees it.
    SLUICE_TRY(auto duplicate, _producers.check(h));
    if (duplicate) {
      append_result r;
      r.base_offset = core::offset{duplicate->first_offset};
      r.last_offset = core::offset{duplicate->last_offset};
      r.duplicate = true;
      // The original may not be durable yet (its own flush still running): with a flush
      // policy, the retry's answer waits for it too.
      r.flush_required = _config.flush_interval_messages != INT64_MAX &&
                         _recovery_point.load(std::memory_order_relaxed) <= duplicate->last_offset;
      return r;
    }
  }
  int64_t log_append_time = -1;
  if (validated.stamp_append_time) {
    // Under the lock, as Kafka does, so append times follow offsets. The validator copied the
    // batch into `converted`, which `batch` views.
    log_append_time = wall_clock_ms();
    protocol::set_max_timestamp(converted, protocol::timestamp_type::log_append_time, log_append_time);
    SLUICE_TRY(auto stamped, parse_batch_header(batch));
    h = stamped;
  }
  int64_t base = _log_end.load(std::memory_order_relaxed);
  SLUICE_TRY(maybe_roll_locked(base, batch.size(), h.last_offset_delta));
  auto seg = active();
  // base_offset and partition_leader_epoch lie outside the CRC: rewrite them in a copy of the
  // first 17 bytes and write that prefix and the untouched rest with one vectored write.
  std::array<std::byte, 17> head{};
  std::copy_n(batch.begin(), head.size(), head.begin());
  assign_batch_offset(head, base, 0);
  h.base_offset = core::offset{base};
  SLUICE_TRY(seg->append(head, batch.subspan(head.size()), h));
  if (idempotent) {
    _producers.on_append(h, from_producer);
    // Before the end moves: a new transaction's data must never be below a published LSO.
    publish_first_unstable();
  }
  _log_end.store(storage::next_offset(h), std::memory_order_release);
  _unflushed_messages += h.record_count;
  append_result r;
  r.base_offset = core::offset{base};
  r.last_offset = h.last_offset();
  r.log_append_time = log_append_time;
  r.flush_required = _unflushed_messages >= _config.flush_interval_messages;
  return r;
}

std::vector<rejected_record> partition_log::rejected_records(bytes_view batch) const {
  return storage::rejected_records(batch, append_policy_now(), wall_clock_ms());
}

append_policy partition_log::append_policy_now() const noexcept {
  append_policy p;
  p.compacted = _requires_keys.load(std::memory_order_relaxed);
  const auto codec = _recompress_to.load(std::memory_order_relaxed);
  if (codec >= 0) p.recompress_to = protocol::to_compression_codec(codec);
  p.timestamp_type = _log_append_time.load(std::memory_order_relaxed)
                         ? protocol::timestamp_type::log_append_time
                         : protocol::timestamp_type::create_time;
  p.timestamp_before_max_ms = _timestamp_before_max_ms.load(std::memory_order_relaxed);
  p.timestamp_after_max_ms = _timestamp_after_max_ms.load(std::memory_order_relaxed);
  if (const auto level = _compression_level.load(std::memory_order_relaxed); level != INT32_MIN) {
    p.compression_level = level;
  }
  return p;
}

template <class Located, class Locate>
result<partition_log::read_start<Located>> partition_log::start_read(int64_t offset,
                                                                     int64_t max_offset,
                                                                     bool read_committed,
                                                                     Locate&& locate) const {
  std::lock_guard lock(_mutex);
  read_start<Located> start;
  const int64_t log_start = _log_start.load(std::memory_order_relaxed);
  const int64_t end = _log_end.load(std::memory_order_relaxed);
  start.log_start_offset = core::offset{log_start};
  start.high_watermark = core::offset{end};
  if (offset < log_start || offset > end) return errc::offset_out_of_range;
  if (offset >= max_offset) return start;
  auto it = _segments.upper_bound(offset);
  if (it != _segments.begin()) --it;
  // Skip segments that hold nothing at or after `offset` (e.g. emptied by compaction).
  for (; it != _segments.end(); ++it) {
    if (it->second->next_offset() > offset) break;
  }
  if (it == _segments.end()) return start;
  SLUICE_TRY(start.at, locate(*it->second));
  if (read_committed) {
    // Markers at or after `offset` live in this segment or later ones.
    for (auto s = it; s != _segments.end(); ++s) {
      for (const auto& e : s->second->aborted()) {
        if (e.last_offset >= offset && e.first_offset < max_offset) start.candidates.push_back(e);
      }
    }
  }
  start.seg = it->second;
  return start;
}

namespace {

/// Kafka's collectAbortedTxns: the candidates whose transaction starts before `upper` (the end
/// of the data returned), by first offset.
std::vector<aborted_txn> aborted_before(std::vector<aborted_txn_entry> candidates, int64_t upper) {
  std::sort(candidates.begin(), candidates.end(),
            [](const auto& a, const auto& b) { return a.first_offset < b.first_offset; });
  std::vector<aborted_txn> out;
  for (const auto& e : candidates) {
    if (e.first_offset < upper) {
      out.push_back({core::producer_id{e.producer_id}, core::offset{e.first_offset}});
    }
  }
  return out;
}

}  // namespace

result<read_result> partition_log::read(core::offset from, uint64_t max_bytes,
                                        core::offset until, bool read_committed) const {
  const int64_t offset = from.value();
  const int64_t max_offset = until.value();
  SLUICE_TRY(auto start, start_read<segment::range>(offset, max_offset, read_committed,
                                                    [&](const segment& s) { return s.locate(offset); }));
  read_result out;
  out.log_start_offset = start.log_start_offset;
  out.high_watermark = start.high_watermark;
  if (start.seg == nullptr) return out;
  if (start.at.size > 0) {
    SLUICE_TRY(start.seg->read_batches(start.at, max_bytes, max_offset, out.records));
  }
  if (!start.candidates.empty() && !out.records.empty()) {
    int64_t upper = offset;
    protocol::batch_iterator batches(out.records);
    for (;;) {
      auto next = batches.next();
      if (!next || !next.value()) break;
      SLUICE_TRY(auto h, parse_batch_header(*next.value()));
      upper = storage::next_offset(h);
    }
    out.aborted = aborted_before(std::move(start.candidates), upper);
  }
  return out;
}

result<log_slice> partition_log::read_slice(core::offset from, uint64_t max_bytes,
                                            core::offset until, bool read_committed) const {
  const int64_t offset = from.value();
  const int64_t max_offset = until.value();
  SLUICE_TRY(auto start, start_read<segment::located>(offset, max_offset, read_committed,
                                                      [&](const segment& s) {
                                                        return s.locate_for_slice(offset, max_bytes,
                                                                                  max_offset);
                                                      }));
  log_slice out;
  out.log_start_offset = start.log_start_offset;
  out.high_watermark = start.high_watermark;
  if (start.seg == nullptr || start.at.r.size == 0) return out;
  SLUICE_TRY(auto batches, start.seg->slice_batches(start.at, max_bytes, max_offset));
  if (batches.r.size == 0) return out;
  out.position = batches.r.position;
  out.size = batches.r.size;
  out.source = std::move(start.seg);
  // Up to the end of the data returned.
  if (!start.candidates.empty()) {
    out.aborted = aborted_before(std::move(start.candidates), batches.end_offset_bound);
  }
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
    if (found.offset.value() >= 0) return found;
  }
  return timestamp_offset{};
}

result<timestamp_offset> partition_log::offset_of_max_timestamp() const {
  std::shared_ptr<segment> newest;
  int64_t start;
  {
    std::lock_guard lock(_mutex);
    start = _log_start.load(std::memory_order_relaxed);
    for (auto& [base, s] : _segments) {
      if (s->next_offset() <= start) continue;
      if (!newest || s->max_timestamp() > newest->max_timestamp()) newest = s;
    }
  }
  if (!newest || newest->max_timestamp() < 0) return timestamp_offset{};
  return newest->find_record_by_timestamp(newest->max_timestamp(), start);
}

std::vector<int64_t> partition_log::legacy_offsets_before(int64_t ts, int32_t max_num_offsets) const {
  std::vector<std::pair<int64_t, int64_t>> offset_times;  // (offset, time), oldest first
  {
    std::lock_guard lock(_mutex);
    const int64_t start = _log_start.load(std::memory_order_relaxed);
    for (auto& [base, s] : _segments) {
      offset_times.emplace_back(std::max(base, start), s->last_modified_ms());
    }
    if (!_segments.rbegin()->second->empty()) {
      offset_times.emplace_back(_log_end.load(std::memory_order_relaxed), wall_clock_ms());
    }
  }
  int64_t from = -1;  // index of the newest entry to return
  if (ts == -1) {
    from = static_cast<int64_t>(offset_times.size()) - 1;
  } else if (ts == -2) {
    from = 0;
  } else {
    for (from = static_cast<int64_t>(offset_times.size()) - 1; from >= 0; --from) {
      if (offset_times[static_cast<size_t>(from)].second <= ts) break;
    }
  }
  std::vector<int64_t> out;
  for (int64_t i = from; i >= 0 && static_cast<int64_t>(out.size()) < max_num_offsets; --i) {
    out.push_back(offset_times[static_cast<size_t>(i)].first);
  }
  std::sort(out.begin(), out.end(), std::greater<>());
  return out;
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
  std::vector<std::pair<int64_t, bytes>> snapshots;
  int64_t end;
  {
    std::lock_guard lock(_mutex);
    end = _log_end.load(std::memory_order_relaxed);
    if (end <= _recovery_point.load(std::memory_order_relaxed) && _pending_snapshots.empty()) {
      return core::success();
    }
    int64_t rp = _recovery_point.load(std::memory_order_relaxed);
    current = active();
    for (auto& [base, s] : _segments) {
      if (s->next_offset() > rp) dirty.push_back(s);
    }
    _unflushed_messages = 0;
    _last_flush = std::chrono::steady_clock::now();
    snapshots.swap(_pending_snapshots);
  }
  // fsync outside the lock: appends continue meanwhile, and concurrent flushes of the same
  // partition coalesce in the kernel (group commit).
  for (auto& s : dirty) {
    SLUICE_TRY(s->flush());
    // A rolled segment takes no more appends: persist its indexes before the recovery point
    // passes it, so a restart after a crash may trust them.
    if (s != current) SLUICE_TRY(s->write_indexes());
  }
  // Producer snapshots taken at rolls: the data below them is durable now. After the rolled
  // segments' indexes, so a snapshot never points past an aborted-transaction index that was
  // not written.
  for (const auto& [offset, data] : snapshots) {
    SLUICE_TRY(producer_snapshots(_dir).write(offset, data));
  }
  // Nothing is "beyond the end" here: a concurrent flush may just have written a newer one.
  if (!snapshots.empty()) clean_snapshots(std::numeric_limits<int64_t>::max());
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

result<void> partition_log::retire_segment_locked(const std::shared_ptr<segment>& seg) {
  // Kafka's deleteSegmentFiles(asyncDelete = true): rename to .deleted now, unlink after
  // file.delete.delay.ms. Readers holding the segment keep its descriptor either way.
  if (_config.file_delete_delay_ms <= 0) return seg->remove_files();
  SLUICE_TRY(auto files, seg->rename_to_deleted());
  const auto now = std::chrono::steady_clock::now();
  const auto delay = ms(_config.file_delete_delay_ms);
  const auto due = delay < std::chrono::steady_clock::time_point::max() - now
                       ? now + delay
                       : std::chrono::steady_clock::time_point::max();
  _retired.push_back({due, std::move(files)});
  return core::success();
}

result<size_t> partition_log::delete_retired_files(std::chrono::steady_clock::time_point now) {
  std::vector<std::filesystem::path> due;
  {
    std::lock_guard lock(_mutex);
    auto keep = std::partition(_retired.begin(), _retired.end(),
                               [&](const retired_files& r) { return r.due > now; });
    for (auto it = keep; it != _retired.end(); ++it) {
      for (auto& f : it->files) due.push_back(std::move(f));
    }
    _retired.erase(keep, _retired.end());
  }
  // Unlinks outside the lock. A name may meanwhile belong to a later segment retired under
  // the same base offset (a compaction replacement): unlinking it early only frees its space
  // sooner, since readers hold descriptors, not names.
  size_t removed = 0;
  for (const auto& f : due) {
    std::error_code ec;
    if (std::filesystem::remove(f, ec)) ++removed;
    if (ec) return ec;
  }
  return removed;
}

size_t partition_log::retired_segment_count() const {
  std::lock_guard lock(_mutex);
  return _retired.size();
}

result<void> partition_log::delete_segments_below_locked(int64_t offset) {
  // Delete whole segments whose every offset is below `offset`, always keeping the active one.
  while (_segments.size() > 1) {
    auto first = _segments.begin();
    if (first->second->next_offset() > offset) break;
    SLUICE_TRY(retire_segment_locked(first->second));
    _segments.erase(first);
  }
  return core::success();
}

result<core::offset> partition_log::delete_records_before(core::offset before) {
  int64_t offset = before.value();
  std::lock_guard lock(_mutex);
  int64_t end = _log_end.load(std::memory_order_relaxed);
  if (offset == -1) offset = end;
  int64_t start = _log_start.load(std::memory_order_relaxed);
  if (offset < 0 || offset > end) return errc::offset_out_of_range;
  if (offset > start) {
    _log_start.store(offset, std::memory_order_release);
    SLUICE_TRY(delete_segments_below_locked(offset));
  }
  return core::offset{_log_start.load(std::memory_order_relaxed)};
}

result<size_t> partition_log::enforce_retention(int64_t now) {
  std::lock_guard lock(_mutex);
  size_t deleted = 0;
  // Expire first: producers whose data the deletions below remove expire at the next run.
  if (auto n = _producers.expire(_log_start.load(std::memory_order_relaxed), now,
                                 _config.producer_id_expiration_ms);
      n > 0) {
    log().info("{}: expired {} idle producer id(s)", fmt::streamed(_tp), n);
  }
  std::vector<segment_facts> facts;
  facts.reserve(_segments.size());
  for (const auto& [base, seg] : _segments) facts.push_back({seg->newest_time_ms(), seg->size()});
  for (size_t n = segments_past_retention(facts, _config, now); deleted < n; ++deleted) {
    auto first = _segments.begin();
    const int64_t next = first->second->next_offset();
    SLUICE_TRY(retire_segment_locked(first->second));
    _segments.erase(first);
    if (_log_start.load(std::memory_order_relaxed) < next) _log_start.store(next);
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
  _log_append_time.store(c.timestamp_type == protocol::timestamp_type::log_append_time,
                         std::memory_order_relaxed);
  _timestamp_before_max_ms.store(c.timestamp_before_max_ms, std::memory_order_relaxed);
  _timestamp_after_max_ms.store(c.timestamp_after_max_ms, std::memory_order_relaxed);
  _compression_level.store(compression_level(c).value_or(INT32_MIN), std::memory_order_relaxed);
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
  if (seg->empty() || now - seg->created() <= ms(roll_age_ms_locked())) return false;
  SLUICE_TRY(roll_locked(_log_end.load(std::memory_order_relaxed)));
  return true;
}

result<bool> partition_log::replace_segments(
    std::span<const std::shared_ptr<segment>> old,
    const std::function<result<std::shared_ptr<segment>>(int64_t next_base,
                                                         const segment_retirer& retire)>& swap) {
  std::lock_guard lock(_mutex);
  if (old.empty()) return false;
  auto first = _segments.find(old.front()->base_offset());
  auto it = first;
  for (const auto& s : old) {
    if (it == _segments.end() || it->second != s) return false;
    ++it;
  }
  if (it == _segments.end()) return false;  // never the active segment
  const segment_retirer retire = [this](const std::shared_ptr<segment>& s) {
    return retire_segment_locked(s);
  };
  SLUICE_TRY(auto replacement, swap(it->first, retire));
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
  // Nothing reads any more: the files waiting for file.delete.delay.ms go now.
  SLUICE_TRY(delete_retired_files(std::chrono::steady_clock::time_point::max()));
  std::lock_guard lock(_mutex);
  for (auto& [base, s] : _segments) SLUICE_TRY(s->write_indexes());
  // The producer state at the log end: the next open replays nothing.
  const int64_t end = _log_end.load(std::memory_order_relaxed);
  SLUICE_TRY(producer_snapshots(_dir).write(end, _producers.serialize(end)));
  clean_snapshots(end);
  return core::success();
}

result<void> partition_log::remove_all() {
  std::lock_guard lock(_mutex);
  _segments.clear();
  _retired.clear();  // inside the directory removed below
  std::error_code ec;
  std::filesystem::remove_all(_dir, ec);
  if (ec) return ec;
  return core::success();
}

result<void> replay_log(const partition_log& log,
                        const std::function<result<void>(protocol::record_batch_reader& batch,
                                                         int64_t first_offset)>& visit) {
  int64_t next = log.log_start_offset().value();
  const int64_t end = log.log_end_offset().value();
  while (next < end) {
    SLUICE_TRY(auto chunk, log.read(core::offset{next}, 4u << 20, core::offset{end}));
    protocol::batch_iterator batches(chunk.records);
    int64_t progressed = next;
    for (;;) {
      SLUICE_TRY(auto batch, batches.next());
      if (!batch) break;
      SLUICE_TRY(auto reader, protocol::record_batch_reader::open(*batch));
      progressed = std::max(progressed, reader.header().last_offset().value() + 1);
      SLUICE_TRY(visit(reader, next));
    }
    if (progressed <= next) break;  // nothing readable past `next` (cannot happen below the end)
    next = progressed;
  }
  return core::success();
}

}  // namespace sluice::broker::storage
