// Recovery of a partition log at start-up: `partition_log::open` (segment scan, torn-tail
// truncation after a crash, empty trailing segments) and `load_producer_state` (newest usable
// producer snapshot, then replay of the batches after it, rebuilding aborted-transaction
// indexes that were not written). The rest of the class is in partition_log.cc.

#include "broker/storage/cleaner_swap.h"
#include "broker/storage/errc.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/producer_snapshots.h"
#include "broker/storage/logger.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <random>
#include <vector>

namespace sluice::broker::storage {
result<std::unique_ptr<partition_log>> partition_log::open(std::filesystem::path dir,
                                                           core::topic_partition tp,
                                                           log_config config,
                                                           bool clean_shutdown,
                                                           core::offset recovery_point_at,
                                                           core::offset log_start_at) {
  const int64_t recovery_point = recovery_point_at.value();
  const int64_t log_start_offset = log_start_at.value();
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
    // Stray .tmp files, and segments removed before the restart whose file.delete.delay.ms
    // had not run out (Kafka deletes `.deleted` files at start-up too).
    if (path.extension() == ".tmp" || path.extension() == ".deleted") {
      std::filesystem::remove(path, ec);
      continue;
    }
    if (path.extension() != ".log") continue;
    // 20 digits that are no int64 (above INT64_MAX) name no segment Sluice writes: skipped.
    if (auto base = parse_stem_offset(path.stem().string())) bases.push_back(*base);
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
  std::random_device random;
  p->_active_max_index_bytes = config.segment_index_bytes;
  p->_active_roll_jitter_ms =
      roll_jitter_ms(config, (static_cast<uint64_t>(random()) << 32) | random());
  int64_t start = std::max(log_start_offset, p->_segments.begin()->second->base_offset());
  p->_log_start.store(std::min(start, end));
  p->_recovery_point.store(end);
  if (truncated_total > 0 || !clean_shutdown) SLUICE_TRY(p->flush());
  SLUICE_TRY(p->load_producer_state());
  return p;
}

result<void> partition_log::load_producer_state() {
  const int64_t end = _log_end.load();
  // Replay must start at or before the first segment whose aborted-transaction index is not
  // known (recovered after a crash, or never written: the active segment after kill -9).
  int64_t rebuild_from = end;
  for (auto& [base, s] : _segments) {
    if (!s->txn_index_known()) {
      rebuild_from = base;
      break;
    }
  }
  const int64_t first_base = _segments.begin()->first;
  int64_t from = first_base;
  if (auto snapshot = producer_snapshots(_dir).load_newest(rebuild_from, end, _tp)) {
    _producers = std::move(snapshot->second);
    from = std::max(snapshot->first, first_base);
  }
  // Replay from `from` to the end: batch headers, and the whole batch of every marker.
  int64_t replayed = 0;
  for (auto& [base, s] : _segments) {
    if (s->next_offset() <= from || s->empty()) continue;
    auto seg = s;
    SLUICE_TRY(seg->scan(std::max(from, base), [&](bytes_view batch, const batch_header& h) -> result<void> {
      if (h.last_offset().value() < from) return core::success();
      ++replayed;
      auto aborted = _producers.replay(h, batch, storage::next_offset(h));
      if (!aborted) {
        // A marker whose record does not decode: it ends nothing (as for a client that reads it).
        log().warn("{}: skipping undecodable control batch at offset {} in producer-state replay",
                   fmt::streamed(_tp), h.base_offset.value());
      } else if (aborted.value()) {
        seg->add_aborted(*aborted.value());
      }
      return core::success();
    }));
  }
  for (auto& [base, s] : _segments) {
    if (s->txn_index_known()) continue;
    s->set_aborted(std::vector<aborted_txn_entry>(s->aborted()));
    SLUICE_TRY(s->write_indexes());  // nothing appends yet, not even to the active segment
  }
  publish_first_unstable();
  if (replayed > 0) {
    log().info("{}: producer state rebuilt from offset {} ({} batch(es) replayed, {} producer(s))",
               fmt::streamed(_tp), from, replayed, _producers.producers().size());
  }
  clean_snapshots(end);
  return core::success();
}

}  // namespace sluice::broker::storage
