// One cleaning pass over one partition: `clean_log` (log_cleaner.h describes the algorithm and
// the swap protocol). The key map is cleaner_key_map.h, the checkpoint cleaner_checkpoint.h,
// the swap files cleaner_swap.h; the background thread is log_cleaner.cc.

#include "core/protocol/reader.h"
#include "broker/storage/cleaner_checkpoint.h"
#include "broker/storage/cleaner_key_map.h"
#include "broker/storage/cleaner_swap.h"
#include "broker/storage/errc.h"
#include "broker/storage/file.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/logger.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace sluice::broker::storage {
namespace {

constexpr size_t write_chunk = 1u << 20;

std::error_code interrupted() { return std::make_error_code(std::errc::interrupted); }

struct string_hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using key_set = std::unordered_set<std::string, string_hash, std::equal_to<>>;

/// What the cleaner needs of a record: borrowed from the batch (or its decompressed records).
struct record_ref {
  int32_t offset_delta = 0;
  std::optional<std::string_view> key;
  bool has_value = false;
};

/// Calls `fn(record_ref)` for every record of a data batch without copying keys or values —
/// the cheap path for building the key map and for batches that survive whole. Checks the CRC
/// (rewriting a corrupt batch under a fresh CRC would hide the damage) and the record framing.
/// `scratch` holds the decompressed records of a compressed batch.
template <class Fn>
result<void> scan_records(bytes_view batch, const batch_header& h, bytes& scratch, Fn&& fn) {
  if (protocol::compute_batch_crc(batch) != h.crc) return errc::corrupt_batch;
  auto codec = h.codec();
  if (!codec) return errc::corrupt_batch;
  bytes_view records = batch.subspan(batch_header_size);
  if (*codec != protocol::compression_codec::none) {
    SLUICE_TRY(auto plain, protocol::decompress(*codec, records, 64u << 20));
    scratch = std::move(plain);
    records = scratch;
  }
  protocol::reader r(records);
  for (int32_t i = 0; i < h.record_count; ++i) {
    const int32_t length = r.read_varint();
    if (!r.ok() || length < 0 || static_cast<size_t>(length) > r.remaining()) return errc::corrupt_batch;
    protocol::reader rec(r.read_raw(static_cast<size_t>(length)));
    (void)rec.read_int8();     // attributes
    (void)rec.read_varlong();  // timestamp delta
    record_ref ref;
    ref.offset_delta = rec.read_varint();
    const int32_t key_length = rec.read_varint();
    if (key_length >= 0) {
      if (static_cast<size_t>(key_length) > rec.remaining()) return errc::corrupt_batch;
      ref.key = core::as_string_view(rec.read_raw(static_cast<size_t>(key_length)));
    }
    const int32_t value_length = rec.read_varint();
    ref.has_value = value_length >= 0;
    if (!rec.ok() || key_length < -1 || value_length < -1) return errc::corrupt_batch;
    fn(ref);
  }
  if (!r.ok() || r.remaining() != 0) return errc::corrupt_batch;
  return core::success();
}

/// Buffered sequential writer of the `.cleaned` file.
class cleaned_writer {
 public:
  static result<cleaned_writer> open(const std::filesystem::path& path) {
    SLUICE_TRY(auto f, file::open(path));
    SLUICE_TRY(f.truncate(0));
    cleaned_writer w;
    w._file = std::move(f);
    return w;
  }
  result<void> write(bytes_view data) {
    _buffer.insert(_buffer.end(), data.begin(), data.end());
    if (_buffer.size() >= write_chunk) return flush_buffer();
    return core::success();
  }
  result<void> finish() {
    SLUICE_TRY(flush_buffer());
    return _file.sync();
  }
  uint64_t size() const noexcept { return _written + _buffer.size(); }

 private:
  result<void> flush_buffer() {
    if (_buffer.empty()) return core::success();
    SLUICE_TRY(_file.pwrite(_written, _buffer));
    _written += _buffer.size();
    _buffer.clear();
    return core::success();
  }
  file _file;
  bytes _buffer;
  uint64_t _written = 0;
};

// ---- one pass -----------------------------------------------------------------------------

struct pass {
  partition_log& log;
  const std::filesystem::path& dir;
  const log_config& config;
  const cleaner_options& options;
  const std::atomic<bool>* cancel;
  int64_t now_ms;
  int64_t log_start;
  clean_stats& stats;
  key_offset_map map;
  /// Keys of transactional records kept so far (in offset order): a later tombstone of such a
  /// key must stay, or the transactional value would come back.
  key_set txn_keys;
  int64_t tombstone_deadline = -1;
  /// Aborted transactions by producer id: [first offset, marker offset] of each.
  std::map<int64_t, std::vector<std::pair<int64_t, int64_t>>> aborted;
  /// Offsets of the ABORT markers this pass removed (their index entries go with them).
  std::set<int64_t> removed_markers;

  /// Whether a transactional batch of `producer` at `offset` belongs to an aborted transaction.
  bool is_aborted(int64_t producer, int64_t offset) const {
    auto it = aborted.find(producer);
    if (it == aborted.end()) return false;
    for (const auto& [first, marker] : it->second) {
      if (first <= offset && offset < marker) return true;
    }
    return false;
  }

  /// Keeps the latest time a retained entry (tombstone or marker) written at `written` expires.
  void note_retained(int64_t written) {
    if (written < 0) return;
    const int64_t due = written + config.delete_retention_ms + 1;
    tombstone_deadline = tombstone_deadline < 0 ? due : std::min(tombstone_deadline, due);
  }
  bytes scratch;           ///< decompressed records of the batch being scanned
  std::vector<bool> keep;  ///< per record of the batch being cleaned

  bool cancelled() const noexcept { return cancel != nullptr && cancel->load(); }
  bool fail(clean_stage stage) const { return options.failpoint && options.failpoint(stage); }

  /// Adds the dirty records of `seg` (offsets >= first_dirty) to the key map.
  result<void> map_segment(const segment& seg, int64_t first_dirty) {
    return seg.scan(seg.base_offset(), [&](bytes_view batch, const batch_header& h) -> result<void> {
      if (cancelled()) return interrupted();
      stats.bytes_read += batch.size();
      if (h.is_control() || h.is_transactional() || h.last_offset().value() < first_dirty) {
        return core::success();
      }
      return scan_records(batch, h, scratch, [&](const record_ref& r) {
        const int64_t offset = h.base_offset.value() + r.offset_delta;
        if (offset < first_dirty || !r.key) return;
        map.put(*r.key, offset);
      });
    });
  }

  /// Writes the cleaned form of `group` to `out`. Returns whether anything changed.
  result<bool> clean_group(std::span<const std::shared_ptr<segment>> group, cleaned_writer& out) {
    bool changed = false;
    for (const auto& seg : group) {
      const int64_t written = mtime_ms(segment_path(dir, seg->base_offset(), ".log"));
      const bool expired = written >= 0 && now_ms - written > config.delete_retention_ms;
      SLUICE_TRY(seg->scan(seg->base_offset(), [&](bytes_view batch, const batch_header& h) -> result<void> {
        if (cancelled()) return interrupted();
        stats.bytes_read += batch.size();
        // A batch outside its segment's offsets (only a damaged segment trusted after a clean
        // shutdown holds one) must not be carried into the cleaned segment, where it would
        // overlap the next segment: the pass fails and the log stays as it is.
        if (h.base_offset.value() < seg->base_offset() || h.last_offset().value() >= seg->next_offset()) {
          return errc::corrupt_batch;
        }
        if (h.last_offset().value() < log_start) {  // below the log start: already deleted
          changed = true;
          return core::success();
        }
        if (h.is_control()) {
          // An ABORT marker goes once delete.retention.ms has passed: by then the aborted
          // records before it are gone (removed by this pass or an earlier one, which always
          // rewrite from the log start), and consumers had that long to read past it. COMMIT
          // markers stay with the committed records, which are kept.
          SLUICE_TRY(auto reader, protocol::record_batch_reader::open(batch));
          SLUICE_TRY(auto first, reader.next());
          bool abort = false;
          if (first && first->record.key) {
            auto type = protocol::decode_control_record_key(*first->record.key);
            abort = type && type.value() == protocol::control_record_type::abort;
          }
          if (abort && expired) {
            removed_markers.insert(h.base_offset.value());
            ++stats.markers_removed;
            changed = true;
            return core::success();
          }
          if (abort) note_retained(written);
          return out.write(batch);
        }
        if (h.is_transactional() && is_aborted(h.producer_id.value(), h.base_offset.value())) {
          // Records of an aborted transaction: no reader may ever see them.
          stats.records_removed += h.record_count;
          stats.aborted_records_removed += h.record_count;
          changed = true;
          return core::success();
        }
        if (h.is_transactional()) {
          SLUICE_TRY(scan_records(batch, h, scratch, [&](const record_ref& r) {
            if (r.key) txn_keys.emplace(*r.key);
          }));
          return out.write(batch);
        }
        // Decide per record on borrowed keys; decode only batches that must be rewritten.
        keep.clear();
        SLUICE_TRY(scan_records(batch, h, scratch, [&](const record_ref& r) {
          ++stats.records_read;
          const int64_t offset = h.base_offset.value() + r.offset_delta;
          bool kept = true;
          if (r.key) {
            if (offset < map.find(*r.key)) {
              kept = false;  // a later record of the key exists
            } else if (!r.has_value) {
              if (expired && !txn_keys.contains(*r.key)) {
                kept = false;
                ++stats.tombstones_removed;
              } else if (!expired) {
                note_retained(written);
              }
            }
          }
          if (!kept) ++stats.records_removed;
          keep.push_back(kept);
        }));
        const auto survivors = static_cast<size_t>(std::count(keep.begin(), keep.end(), true));
        if (survivors == keep.size()) return out.write(batch);
        changed = true;
        if (survivors == 0) return core::success();
        SLUICE_TRY(auto records, protocol::decode_record_batch(batch));
        if (records.size() != keep.size()) return errc::corrupt_batch;
        std::vector<core::raw_record> kept;
        std::vector<int32_t> deltas;
        kept.reserve(survivors);
        deltas.reserve(survivors);
        for (size_t i = 0; i < records.size(); ++i) {
          if (!keep[i]) continue;
          deltas.push_back(records[i].offset_delta);
          kept.push_back(std::move(records[i].record));
        }
        // Only non-transactional batches are rewritten here (transactional ones stay whole).
        SLUICE_TRY(auto encoded, protocol::encode_record_batch(
                                     kept, protocol::same_batch_options(
                                               h, h.codec().value_or(protocol::compression_codec::none), deltas)));
        return out.write(encoded);
      }));
    }
    return changed;
  }

  /// Steps 2–4 of the swap protocol, under the log's lock (see the header). `retire` removes
  /// a source segment's files (partition_log::segment_retirer: at once, or renamed `.deleted`
  /// for file.delete.delay.ms).
  result<std::shared_ptr<segment>> swap(std::span<const std::shared_ptr<segment>> group,
                                        const std::filesystem::path& cleaned, bool empty,
                                        int64_t next_base,
                                        const partition_log::segment_retirer& retire) {
    const int64_t base = group.front()->base_offset();
    const auto committed = swap_path(dir, base, next_base);
    SLUICE_TRY(rename_file(cleaned, committed));
    SLUICE_TRY(sync_directory(dir));
    if (fail(clean_stage::swap_committed)) return interrupted();
    for (size_t i = 0; i < group.size(); ++i) {
      SLUICE_TRY(retire(group[i]));
      if (i == 0 && fail(clean_stage::source_deleted)) return interrupted();
    }
    if (fail(clean_stage::sources_deleted)) return interrupted();
    if (empty) {
      std::error_code ec;
      std::filesystem::remove(committed, ec);
      if (ec) return ec;
      SLUICE_TRY(sync_directory(dir));
      return std::shared_ptr<segment>();
    }
    SLUICE_TRY(rename_file(committed, segment_path(dir, base, ".log")));
    if (fail(clean_stage::swapped)) return interrupted();
    SLUICE_TRY(auto seg, segment::open(dir, base, config.index_interval_bytes, false));
    SLUICE_TRY(seg->recover());  // checks what was written and builds both indexes
    // The aborted-transaction entries of the sources, but those whose marker was removed. A
    // crash before this is written leaves the index missing; the next open rebuilds it.
    std::vector<aborted_txn_entry> entries;
    for (const auto& s : group) {
      for (const auto& e : s->aborted()) {
        if (!removed_markers.contains(e.last_offset)) entries.push_back(e);
      }
    }
    seg->set_aborted(std::move(entries));
    SLUICE_TRY(seg->write_indexes());
    SLUICE_TRY(sync_directory(dir));
    return seg;
  }
};

/// Consecutive segments [begin, end) of `segments` whose combined size fits segment.bytes,
/// whose combined offset and time indexes fit segment.index.bytes, and whose offsets fit one
/// segment's 32-bit relative index (Kafka's LogCleaner.groupSegmentsBySize).
std::vector<std::pair<size_t, size_t>> group_segments(
    const std::vector<std::shared_ptr<segment>>& segments, size_t count, uint64_t max_bytes,
    int64_t max_index_bytes) {
  auto index_bytes = [](const segment& s) {
    return s.index().entries().size() * offset_index::entry_size;
  };
  auto time_index_bytes = [](const segment& s) {
    return s.times().entries().size() * time_index::entry_size;
  };
  const auto max_index = static_cast<uint64_t>(std::max<int64_t>(max_index_bytes, 0));
  std::vector<std::pair<size_t, size_t>> groups;
  size_t i = 0;
  while (i < count) {
    size_t j = i + 1;
    uint64_t size = segments[i]->size();
    uint64_t index = index_bytes(*segments[i]);
    uint64_t times = time_index_bytes(*segments[i]);
    while (j < count) {
      const uint64_t next = size + segments[j]->size();
      const uint64_t next_index = index + index_bytes(*segments[j]);
      const uint64_t next_times = times + time_index_bytes(*segments[j]);
      const int64_t span = segments[j]->next_offset() - segments[i]->base_offset();
      if (next > max_bytes || next > std::numeric_limits<uint32_t>::max() ||
          next_index > max_index || next_times > max_index ||
          span > std::numeric_limits<int32_t>::max()) {
        break;
      }
      size = next;
      index = next_index;
      times = next_times;
      ++j;
    }
    groups.emplace_back(i, j);
    i = j;
  }
  return groups;
}

/// Kafka's LogCleanerManager.maxCompactionDelay > 0: the earliest first-batch timestamp of the
/// dirty closed segments (those ending after `first_dirty`), ignoring non-positive ones, is
/// older than max.compaction.lag.ms.
result<bool> past_max_compaction_lag(const std::vector<std::shared_ptr<segment>>& closed,
                                     int64_t first_dirty, const log_config& config,
                                     int64_t now_ms) {
  if (config.max_compaction_lag_ms == std::numeric_limits<int64_t>::max()) return false;
  const int64_t clean_until = now_ms - std::max<int64_t>(config.max_compaction_lag_ms, 0);
  int64_t earliest = std::numeric_limits<int64_t>::max();
  for (const auto& s : closed) {
    if (s->next_offset() <= first_dirty) continue;
    SLUICE_TRY(auto ts, s->first_batch_timestamp());
    if (ts > 0) earliest = std::min(earliest, ts);
  }
  return earliest < clean_until;
}

}  // namespace

result<clean_stats> clean_log(partition_log& plog, int64_t now_ms, const cleaner_options& options,
                              bool force, const std::atomic<bool>* cancel) {
  clean_stats stats;
  const log_config config = plog.config();
  if (!config.cleanup_compact) return stats;
  SLUICE_TRY(plog.roll_if_idle(std::chrono::steady_clock::now()));
  const auto& dir = plog.dir();
  const auto checkpoint = read_cleaner_checkpoint(dir);
  const int64_t log_start = plog.log_start_offset().value();
  const int64_t first_dirty = std::max(checkpoint.first_dirty, log_start);
  // Kafka's LogCleanerManager.cleanableOffsets: nothing is cleaned at or past the first
  // uncleanable offset — the active segment's base, the last stable offset (undecided
  // transactions), and the first dirty segment whose newest record is younger than
  // min.compaction.lag.ms.
  const auto closed = plog.closed_segments();
  auto segments = closed;
  const int64_t stable = plog.last_stable_offset().value();
  while (!segments.empty() && segments.back()->next_offset() > stable) segments.pop_back();
  if (config.min_compaction_lag_ms > 0) {
    const int64_t young = now_ms - config.min_compaction_lag_ms;
    auto too_young = std::find_if(segments.begin(), segments.end(), [&](const auto& s) {
      return s->next_offset() > first_dirty && s->newest_time_ms() > young;
    });
    segments.erase(too_young, segments.end());
  }
  if (segments.empty()) return stats;

  uint64_t total = 0;
  uint64_t dirty = 0;
  size_t first_dirty_index = segments.size();
  for (size_t i = 0; i < segments.size(); ++i) {
    total += segments[i]->size();
    if (segments[i]->next_offset() > first_dirty) {
      dirty += segments[i]->size();
      first_dirty_index = std::min(first_dirty_index, i);
    }
  }
  const bool tombstones_due =
      checkpoint.tombstone_deadline_ms >= 0 && now_ms >= checkpoint.tombstone_deadline_ms;
  const double ratio = total == 0 ? 0.0 : static_cast<double>(dirty) / static_cast<double>(total);
  if (total == 0) return stats;
  if (!force && !tombstones_due && (dirty == 0 || ratio < config.min_cleanable_dirty_ratio)) {
    // max.compaction.lag.ms: dirt this old is cleaned whatever the ratio (if any is cleanable).
    SLUICE_TRY(auto overdue, past_max_compaction_lag(closed, first_dirty, config, now_ms));
    if (!overdue || dirty == 0) return stats;
    stats.forced_by_max_lag = true;
  }

  pass p{plog, dir, config, options, cancel, now_ms, log_start, stats, {}, {}, -1, {}, {}, {}, {}};
  stats.first_dirty = first_dirty;
  for (const auto& e : plog.aborted_transactions()) {
    p.aborted[e.producer_id].emplace_back(e.first_offset, e.last_offset);
  }

  // The key map over the dirty segments, as many as fit the buffer (at least one).
  size_t end_index = first_dirty_index;
  const auto limit = static_cast<size_t>(std::max<int64_t>(options.dedupe_buffer_bytes, 1));
  for (size_t i = first_dirty_index; i < segments.size(); ++i) {
    if (i > first_dirty_index && p.map.memory() >= limit) break;
    SLUICE_TRY(p.map_segment(*segments[i], first_dirty));
    end_index = i + 1;
  }
  stats.end_offset = end_index == 0 ? first_dirty
                                    : std::max(first_dirty, segments[end_index - 1]->next_offset());

  for (auto [begin, end] :
       group_segments(segments, end_index, config.segment_bytes, config.segment_index_bytes)) {
    std::span<const std::shared_ptr<segment>> group(segments.data() + begin, end - begin);
    const int64_t base = group.front()->base_offset();
    const auto cleaned = segment_path(dir, base, ".cleaned");
    uint64_t before = 0;
    int64_t newest_write = -1;
    for (const auto& s : group) {
      before += s->size();
      newest_write = std::max(newest_write, mtime_ms(segment_path(dir, s->base_offset(), ".log")));
    }
    SLUICE_TRY(auto out, cleaned_writer::open(cleaned));
    auto changed = p.clean_group(group, out);
    if (changed) {
      if (auto finished = out.finish(); !finished) changed = finished.error();
    }
    auto discard = [&] {
      std::error_code ec;
      std::filesystem::remove(cleaned, ec);
    };
    if (!changed) {
      discard();
      return changed.error();
    }
    if (!changed.value() && group.size() == 1) {  // nothing to gain from rewriting it
      discard();
      stats.bytes_before += before;
      stats.bytes_after += before;
      continue;
    }
    const bool empty = out.size() == 0;
    // The cleaned segment keeps its sources' age, which is what tombstone expiry measures.
    if (!empty && newest_write >= 0) SLUICE_TRY(set_mtime_ms(cleaned, newest_write));
    if (p.fail(clean_stage::cleaned_written)) return interrupted();
    SLUICE_TRY(auto replaced, plog.replace_segments(
                                  group, [&](int64_t next_base,
                                             const partition_log::segment_retirer& retire) {
                                    return p.swap(group, cleaned, empty, next_base, retire);
                                  }));
    if (!replaced) {
      // Retention, DeleteRecords or deletion changed the log meanwhile: try again next time.
      discard();
      cleaner_log().debug("{}: segments changed during cleaning; pass abandoned", fmt::streamed(plog.tp()));
      return stats;
    }
    stats.bytes_before += before;
    stats.bytes_after += out.size();
  }

  stats.segments_before = segments.size();
  stats.segments_after = plog.closed_segments().size();
  stats.cleaned = true;
  SLUICE_TRY(write_cleaner_checkpoint(dir, {stats.end_offset, p.tombstone_deadline}));
  return stats;
}

}  // namespace sluice::broker::storage
