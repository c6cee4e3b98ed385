#pragma once
/// Log compaction for `cleanup.policy=compact` (and `compact,delete`): the cleaner keeps the
/// latest record of every key and removes tombstones once they are old enough.
///
/// A pass over one partition (`clean_log`):
/// 1. An idle log whose active segment is older than segment.ms (or max.compaction.lag.ms when
///    smaller, less the segment's segment.jitter.ms draw) is rolled, so its last records become
///    cleanable. The active segment is never cleaned.
/// 2. Cleanable range (Kafka's LogCleanerManager.cleanableOffsets): the closed segments up to
///    the first uncleanable one — the first that reaches the last stable offset, or the first
///    dirty one whose newest record is younger than min.compaction.lag.ms. Dirty bytes = the
///    cleanable segments at or after the cleaner checkpoint (the first offset not cleaned yet).
///    The pass runs when dirty / cleanable bytes >= min.cleanable.dirty.ratio, when a retained
///    tombstone's delete.retention.ms has run out, or — with dirty bytes to clean — when the
///    oldest dirty closed segment's first batch is older than max.compaction.lag.ms (Kafka's
///    maxCompactionDelay).
/// 3. Key map: the dirty segments are read in order, recording each key's latest offset, until
///    the map holds `dedupe_buffer_bytes` (at least one segment per pass; the pass then ends at
///    the last segment that fit).
/// 4. Every closed segment from the log start up to the end of the mapped range is rewritten,
///    in groups of consecutive segments whose combined size fits segment.bytes and whose
///    combined indexes fit segment.index.bytes (merging small segments). A record is kept when no later offset of its key is in the map; a tombstone
///    (null value) is dropped once its segment was last written more than delete.retention.ms
///    ago (file mtime, which the rewrite preserves) — unless a retained transactional record of
///    the same key precedes it. Keyless records (possible only from before the topic became
///    compacted) are kept.
/// 5. Batches whose records all survive are copied byte for byte. Others are re-encoded with
///    the records.h encoder keeping base offset, last_offset_delta (so the batch spans its
///    original offsets and producer sequence range), every record's offset delta and
///    timestamp, codec, timestamp type, producer id, epoch and base sequence. Batches left
///    empty disappear; a group left empty disappears (if it was the first, the log start offset
///    moves to the next segment). Offsets are preserved; gaps are expected and the segment
///    index and Fetch handle them.
/// 6. Transactional batches and markers do not count as newer values. Records of aborted
///    transactions are removed; an ABORT marker is removed once delete.retention.ms has passed
///    (its aborted records are gone by then); COMMIT markers stay with the committed records.
///
/// Files: cleaner_pass.cc (`clean_log`: the pass), cleaner_key_map.h (the key map),
/// cleaner_checkpoint.h (the checkpoint file), cleaner_swap.h (swap files and
/// `recover_interrupted_clean`), log_cleaner.cc (the background thread).
///
/// Swap protocol, per group (B = base offset of the group's first segment, E = base offset of
/// the segment after the group; both 20 digits):
/// | step | files                                                             | a crash here leaves           |
/// |------|-------------------------------------------------------------------|-------------------------------|
/// | 1    | write and fsync `B.cleaned`                                       | `B.cleaned`: deleted at start-up, originals intact |
/// | 2    | rename `B.cleaned` → `B-E.swap`, fsync the directory (commit)     | `B-E.swap`: start-up finishes the swap |
/// | 3    | remove every segment (`.log`, `.index`, `.timeindex`, `.txnindex`) with base in [B, E): deleted, or with file.delete.delay.ms renamed `.deleted` and unlinked later | same    |
/// | 4    | rename `B-E.swap` → `B.log` (an empty swap file is deleted instead), build its indexes (the aborted-transaction entries of the sources whose markers survived), fsync the directory | done (missing indexes are rebuilt; `.txnindex` by producer-state replay) |
///
/// Start-up (`recover_interrupted_clean`, run by partition_log::open before it reads segments)
/// deletes `*.cleaned`, and for each `B-E.swap` deletes the segment files in [B, E) and renames
/// the swap file to `B.log`; partition_log::open then deletes `*.deleted`. Either the old segments or the cleaned one survive a crash at any
/// point: nothing is lost and no offset appears twice. The cleaner checkpoint
/// (`cleaner-offset-checkpoint` in the partition directory) advances only after a whole pass;
/// a stale one only means more work.
///
/// Threads: `clean_log` runs on the cleaner's thread (never a network thread) concurrently with
/// appends, reads, retention and flushes of the same log; it takes the log's lock only to
/// snapshot segments and for the swap (step 2–4). `log_cleaner` is thread-safe.

#include "broker/storage/partition_log.h"
#include "core/error.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <thread>

namespace sluice::broker::storage {

class log_manager;

/// Points of the swap protocol where a test can simulate a crash.
enum class clean_stage {
  cleaned_written,   ///< after step 1
  swap_committed,    ///< after step 2
  source_deleted,    ///< in step 3, after the first source segment
  sources_deleted,   ///< after step 3
  swapped,           ///< after the rename of step 4, before the indexes
};

struct cleaner_options {
  /// Soft bound on the key map's memory (log.cleaner.dedupe.buffer.size).
  int64_t dedupe_buffer_bytes = 128LL * 1024 * 1024;
  /// How long the cleaner thread sleeps when there was nothing to clean.
  int64_t backoff_ms = 15000;
  /// Tests only: called at each stage; returning true stops the pass right there, leaving the
  /// files exactly as a crash would (the log object must then be abandoned and reopened).
  std::function<bool(clean_stage)> failpoint;
};

/// What one pass did.
struct clean_stats {
  bool cleaned = false;           ///< false: nothing was due
  int64_t first_dirty = 0;        ///< the checkpoint before the pass
  int64_t end_offset = 0;         ///< the checkpoint after it (exclusive end of the mapped range)
  uint64_t bytes_read = 0;        ///< segment bytes read (map + rewrite)
  uint64_t bytes_before = 0;      ///< size of the rewritten segments before
  uint64_t bytes_after = 0;       ///< and after
  int64_t records_read = 0;
  int64_t records_removed = 0;    ///< superseded records and expired tombstones
  int64_t tombstones_removed = 0;
  int64_t aborted_records_removed = 0;  ///< records of aborted transactions
  int64_t markers_removed = 0;          ///< ABORT markers past delete.retention.ms
  size_t segments_before = 0;
  size_t segments_after = 0;
  /// The pass ran although the dirty ratio was below min.cleanable.dirty.ratio, because dirty
  /// data had waited longer than max.compaction.lag.ms.
  bool forced_by_max_lag = false;
};

/// Cleans one partition once (see above). With `force` it ignores min.cleanable.dirty.ratio.
/// Does nothing unless the log's cleanup.policy contains compact. `cancel` (may be null) stops
/// the pass between batches, leaving the log as it was.
result<clean_stats> clean_log(partition_log& log, int64_t now_ms, const cleaner_options& options,
                              bool force = false, const std::atomic<bool>* cancel = nullptr);

/// Finishes or undoes an interrupted cleaning in partition directory `dir` (start-up).
result<void> recover_interrupted_clean(const std::filesystem::path& dir);

/// The background cleaner: one thread that repeatedly cleans every compacted partition of a
/// log manager, sleeping `backoff_ms` when nothing was due. Lifecycle: construct, `start`,
/// `stop` (also run by the destructor; interrupts a pass between batches).
class log_cleaner {
 public:
  log_cleaner(log_manager& logs, cleaner_options options);
  ~log_cleaner();
  log_cleaner(const log_cleaner&) = delete;
  log_cleaner& operator=(const log_cleaner&) = delete;

  void start();
  void stop();
  /// Ends the current sleep early.
  void wake();
  /// One pass over every compacted partition on the calling thread. Returns how many
  /// partitions were cleaned.
  result<size_t> run_once(int64_t now_ms, bool force = false);

  /// Totals since construction.
  uint64_t passes() const noexcept { return _passes.load(); }
  uint64_t bytes_cleaned() const noexcept { return _bytes_cleaned.load(); }

 private:
  void loop();

  log_manager& _logs;
  cleaner_options _options;
  std::thread _thread;
  std::mutex _mutex;
  std::condition_variable _cv;
  bool _woken = false;
  std::atomic<bool> _stopping{false};
  std::atomic<uint64_t> _passes{0};
  std::atomic<uint64_t> _bytes_cleaned{0};
};

}  // namespace sluice::broker::storage
