#pragma once
/// `segment`: one slice of a partition's log — a `.log` file of record batches exactly as they
/// travel on the wire, a sparse offset index and a sparse time index, all named by the
/// segment's base offset as 20 zero-padded digits (`00000000000000000042.log`).
///
/// The index files and their byte tables: segment_indexes.h (`offset_index` → `.index`,
/// `time_index` → `.timeindex`, `txn_index` → `.txnindex`).
///
/// Both offset indexes are caches: `recover()` rebuilds them from the log, which is the only
/// truth. The aborted-transaction index needs producer state to rebuild, so `partition_log`
/// rebuilds it by replaying batches when the file is missing or the segment was recovered;
/// `txn_index_known()` tells which.
///
/// Ownership and threads: owned by its `partition_log` through `shared_ptr` because an
/// in-flight fetch may still read a segment that retention has just deleted (the open file
/// descriptor keeps the data readable). Appends, flushes and truncation are serialized by the
/// partition's lock; the read-side lookups (`locate`) are also taken under that lock, and the
/// `pread` that follows runs outside it.

#include "broker/storage/file.h"
#include "broker/storage/producer_state.h"
#include "broker/storage/record_batch.h"
#include "broker/storage/segment_indexes.h"
#include "core/bytes.h"
#include "core/error.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace sluice::broker::storage {

/// The 20-digit file stem for a base offset.
std::string segment_file_stem(int64_t base_offset);

class segment {
 public:
  /// A byte range of the `.log` file holding whole batches.
  struct range {
    uint64_t position = 0;
    uint64_t size = 0;
  };

  /// Creates a new, empty segment (truncating stale files with the same base offset).
  static result<std::shared_ptr<segment>> create(const std::filesystem::path& dir,
                                                 int64_t base_offset,
                                                 uint32_t index_interval_bytes);
  /// Opens an existing segment. With `trust_indexes` the index files are loaded as they are (after
  /// a sanity check that falls back to a rebuild); otherwise call `recover()`.
  static result<std::shared_ptr<segment>> open(const std::filesystem::path& dir,
                                               int64_t base_offset,
                                               uint32_t index_interval_bytes, bool trust_indexes);

  int64_t base_offset() const noexcept { return _base_offset; }
  /// One past the last offset stored (== base offset when empty).
  int64_t next_offset() const noexcept { return _next_offset; }
  uint64_t size() const noexcept { return _size; }
  bool empty() const noexcept { return _size == 0; }
  /// Largest batch max_timestamp in the segment, or -1 when empty.
  int64_t max_timestamp() const noexcept { return _max_timestamp; }
  /// The segment's newest time as Kafka's retention measures it: max_timestamp(), or, when no
  /// record carries a timestamp (all -1), the .log file's modification time (-1 if unreadable).
  int64_t newest_time_ms() const;
  /// The `.log` file's modification time (-1 if unreadable).
  int64_t last_modified_ms() const;
  /// When the first batch was appended (for segment.ms rolling); steady clock.
  std::chrono::steady_clock::time_point created() const noexcept { return _created; }

  /// Appends one batch whose base offset is already assigned.
  /// REQUIRES: h.base_offset >= next_offset(); batch.size() == h.size_bytes().
  result<void> append(bytes_view batch, const batch_header& h);
  /// The same, for a batch given as a rewritten header prefix `head` followed by `tail`.
  result<void> append(bytes_view head, bytes_view tail, const batch_header& h);

  /// From the batch that contains `offset` to the current end of the log (a snapshot: call it
  /// under the partition lock so that the end is a batch boundary).
  result<range> locate(int64_t offset) const;

  /// `locate(offset)` plus what `slice_batches` needs to find the end of a read without
  /// reading the batches: the log end offset at that moment and, from the offset index, the
  /// start of the last indexed batch in the range that starts at or before
  /// `range.position + max_bytes` and below `max_offset` (batches before it fit; headers are
  /// read from there on). Call it under the partition lock, like `locate`.
  struct located {
    range r;
    uint64_t walk_from = 0;  ///< a batch start in [r.position, r.position + r.size]
    int64_t end_offset = 0;  ///< next_offset() when `r` was taken: every batch in `r` is below it
  };
  result<located> locate_for_slice(int64_t offset, uint64_t max_bytes, int64_t max_offset) const;

  /// Whole batches as a byte range of the `.log` file, and an offset at or past the end of the
  /// last of them (exact, or the base offset of the batch that follows) — enough to bound the
  /// aborted transactions they may hold.
  struct batch_range {
    range r;
    int64_t end_offset_bound = 0;
  };
  /// The whole batches at the start of `l.r` that fit in `max_bytes` (the first batch always
  /// goes out whole) and start before `max_offset` — found by reading only batch headers from
  /// `l.walk_from` (none when all of `l.r` qualifies), so the records themselves can be sent
  /// from the file. Safe without the partition lock.
  result<batch_range> slice_batches(const located& l, uint64_t max_bytes, int64_t max_offset) const;

  /// The `.log` file's descriptor (sendfile); valid as long as this segment is alive, even
  /// after `remove_files()`.
  int log_fd() const noexcept { return _log.native_handle(); }

  /// Appends to `out` the whole batches at the start of `r` that fit in `max_bytes` (the first
  /// batch always goes out whole) and start before `max_offset`. Safe without the partition
  /// lock: it never reads past `r`.
  result<void> read_batches(range r, uint64_t max_bytes, int64_t max_offset, bytes& out) const;

  /// Reads `r` from the log file into `out` (appending).
  result<void> read(range r, bytes& out) const;

  /// Calls `fn(batch, header)` for every whole batch from the one containing `offset` to the
  /// end (`batch` is the batch's bytes, valid during the call), reading about a megabyte at a
  /// time. Call it under the partition lock or on a segment that takes no appends.
  result<void> scan(int64_t offset,
                    const std::function<result<void>(bytes_view, const batch_header&)>& fn) const;

  /// Offset and timestamp of the first record at or after `min_offset` whose timestamp >= ts
  /// ({-1, -1} if none): the time index narrows the scan, batch headers skip whole batches,
  /// and only the one batch that qualifies is decoded.
  result<timestamp_offset> find_record_by_timestamp(int64_t ts, int64_t min_offset) const;

  /// Makes appended data durable (the `.log` file; indexes are written by `write_indexes`).
  /// Safe to call concurrently with appends and with itself.
  result<void> flush();

  /// Scans the whole log: stops at the first short, malformed or CRC-failing batch, or one
  /// whose offsets go backwards (below the previous batch's end, a negative last offset delta),
  /// past INT64_MAX or more than INT32_MAX past the segment's base (its indexes hold 32-bit
  /// relative offsets; appends roll before that); truncates the file there, and rebuilds both
  /// indexes. Returns the number of bytes truncated.
  result<uint64_t> recover();

  /// Drops every batch at or after `offset` (used by recovery and tests).
  result<void> truncate_to(int64_t offset);

  /// Writes the index files out in full, unless they already match memory. Called for a
  /// segment that no longer takes appends (from the flush path, off the network threads) and
  /// for every segment at clean shutdown. Serialized internally.
  /// REQUIRES: no concurrent append to this segment.
  result<void> write_indexes();

  /// Deletes the segment's files. The object stays readable through open descriptors;
  /// write_indexes() does nothing from then on.
  result<void> remove_files();

  /// Renames the segment's files `<name>.deleted` (Kafka's first step of an asynchronous
  /// delete) and returns their new paths, for the owner to unlink once file.delete.delay.ms
  /// has passed. As with remove_files(), the object stays readable through its open descriptor
  /// and write_indexes() does nothing from then on. Start-up deletes stray `.deleted` files.
  result<std::vector<std::filesystem::path>> rename_to_deleted();

  const offset_index& index() const noexcept { return _index; }
  const time_index& times() const noexcept { return _time_index; }
  /// Whether the offset index (8-byte entries) or the time index (12-byte entries) holds as
  /// many entries as `max_index_bytes` (segment.index.bytes) allows: Kafka's
  /// `offsetIndex.isFull || timeIndex.isFull`, which rolls the segment.
  bool index_full(int64_t max_index_bytes) const noexcept;
  /// The max_timestamp of the segment's first batch (Kafka's getFirstBatchTimestamp), or -1
  /// when the segment is empty. One header read.
  result<int64_t> first_batch_timestamp() const;

  /// The aborted transactions whose ABORT marker lies in this segment, in marker order.
  /// Read and changed under the partition's lock.
  const std::vector<aborted_txn_entry>& aborted() const noexcept { return _aborted.entries(); }
  /// Adds an entry (an ABORT marker was appended or replayed); one per marker offset.
  void add_aborted(const aborted_txn_entry& e);
  /// Replaces the entries (the log cleaner's rewrite, a rebuild) and marks them known.
  void set_aborted(std::vector<aborted_txn_entry> entries);
  /// False when the `.txnindex` file was missing at open or the segment was recovered after
  /// an unclean shutdown: its entries must be rebuilt by replay before they are trusted (and
  /// before write_indexes() persists them).
  bool txn_index_known() const noexcept { return _aborted_known; }

 private:
  segment(std::filesystem::path dir, int64_t base_offset, uint32_t index_interval_bytes)
      : _dir(std::move(dir)), _base_offset(base_offset), _next_offset(base_offset),
        _index_interval(index_interval_bytes) {}

  std::filesystem::path path_with(const char* ext) const;
  result<void> load_indexes();
  void load_txn_index();
  /// Position of the batch containing `offset`, found through the index then a header scan.
  result<uint64_t> position_of(int64_t offset) const;
  void note_batch(const batch_header& h, uint64_t position);

  std::filesystem::path _dir;
  int64_t _base_offset;
  int64_t _next_offset;
  uint32_t _index_interval;
  file _log;
  uint64_t _size = 0;
  int64_t _max_timestamp = -1;
  uint64_t _bytes_since_index = 0;
  uint64_t _bytes_since_time_index = 0;
  offset_index _index;
  time_index _time_index;
  std::mutex _index_write_mutex;
  bool _removed = false;  ///< remove_files() ran; guarded by _index_write_mutex
  size_t _index_persisted = 0;
  size_t _time_index_persisted = 0;
  txn_index _aborted;
  bool _aborted_known = true;
  bool _aborted_persisted = false;  ///< the .txnindex file matches `_aborted`
  std::chrono::steady_clock::time_point _created = std::chrono::steady_clock::now();
};

}  // namespace sluice::broker::storage
