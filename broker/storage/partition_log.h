#pragma once
/// `partition_log`: the durable log of one topic partition — an ordered set of segments in the
/// directory `<data-dir>/<topic>-<partition>/`, the log start offset, the log end offset and the
/// flush bookkeeping.
///
/// Threads: every method may be called from any thread. Appends, flushes, retention and
/// truncation serialize on an internal mutex; reads take the mutex only to locate their byte
/// range and then read the file outside it, so a slow fetch never holds up producers.
/// Lifecycle: `open` (recovering if the previous shutdown was not clean), use, `close`.
///
/// Idempotence and transactions: the log owns the partition's `producer_state`
/// (producer_state.h). A producer batch is checked against it and appended under the same
/// lock, so a retry racing its original is either appended once or answered as a duplicate.
/// The state is snapshotted to `<offset>.snapshot` when a segment rolls (written by the next
/// flush, off the network threads, once the data below it is durable) and at `close`; `open`
/// loads the newest valid snapshot at or below the point to rebuild from and replays batch
/// headers from there to the log end (after torn-tail truncation), rebuilding the
/// aborted-transaction index of segments that were recovered or lack one.
///
/// Files: partition_log.cc (appends, reads, flushes, retention, compaction swaps),
/// log_recovery.cc (`open` and the producer-state rebuild), producer_snapshots.h (the snapshot
/// files), retention.h (which segments retention deletes).

#include "broker/storage/log_validator.h"
#include "broker/storage/producer_state.h"
#include "broker/storage/record_batch.h"
#include "broker/storage/segment.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <vector>

namespace sluice::core {
class counter;
}

namespace sluice::broker::storage {

/// Counters the broker's metrics hang on a partition (shared by all partitions of a topic and
/// owned by the metrics, which outlive the logs). Updated by the produce and fetch handlers.
struct traffic_counters {
  core::counter* bytes_in = nullptr;
  core::counter* records_in = nullptr;
  core::counter* bytes_out = nullptr;
};

/// The per-partition knobs, resolved from topic and broker configuration.
struct log_config {
  uint64_t segment_bytes = 1024ull * 1024 * 1024;
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;  ///< -1 = unlimited
  int64_t retention_bytes = -1;                   ///< -1 = unlimited
  int64_t flush_interval_messages = INT64_MAX;    ///< 1 = fsync every batch before acking
  int64_t flush_interval_ms = INT64_MAX;
  uint32_t index_interval_bytes = 4096;
  int32_t max_message_bytes = 1024 * 1024 + 12;
  // cleanup.policy: which cleaners run; both may be on ("compact,delete"). Retention by time
  // and size runs only with `cleanup_delete`; the log cleaner only with `cleanup_compact`.
  bool cleanup_delete = true;
  bool cleanup_compact = false;
  int64_t delete_retention_ms = 24LL * 3600 * 1000;  ///< compaction keeps tombstones this long
  double min_cleanable_dirty_ratio = 0.5;            ///< compaction starts at this dirty share
  /// compression.type: nullopt = "producer" (keep each batch's codec); otherwise batches
  /// in another codec are recompressed to this one on append.
  std::optional<protocol::compression_codec> compression;
  int32_t min_insync_replicas = 1;  ///< acks=all fails when > 1 (a single node)
  /// message.timestamp.type: CreateTime keeps the producer's record timestamps (checked against
  /// the two bounds below); LogAppendTime stamps each batch with the broker's clock.
  protocol::timestamp_type timestamp_type = protocol::timestamp_type::create_time;
  /// message.timestamp.before.max.ms / after.max.ms: how far behind / ahead of the broker's
  /// clock a CreateTime record timestamp may be.
  int64_t timestamp_before_max_ms = INT64_MAX;
  int64_t timestamp_after_max_ms = 3600000;
  /// producer.id.expiration.ms (broker-wide): producer state whose batches all lie below the
  /// log start and whose last write is older than this is forgotten by `enforce_retention`.
  int64_t producer_id_expiration_ms = 24LL * 3600 * 1000;
  /// segment.jitter.ms: each new segment draws a random jitter in [0, min(this, segment_ms))
  /// that is subtracted from its time-based roll deadline (`roll_jitter_ms`).
  int64_t segment_jitter_ms = 0;
  /// segment.index.bytes: the most bytes the offset index (8-byte entries) or the time index
  /// (12-byte entries) of a segment may hold; the active segment rolls once either is full
  /// (each segment keeps the value it was created with).
  int32_t segment_index_bytes = 10 * 1024 * 1024;
  /// file.delete.delay.ms: segments removed by retention, DeleteRecords or a compaction swap
  /// are renamed `<file>.deleted` and unlinked this much later (0 = at once).
  int64_t file_delete_delay_ms = 60000;
  /// min.compaction.lag.ms: the cleaner leaves a dirty segment (and every later one) alone
  /// while its newest record is younger than this.
  int64_t min_compaction_lag_ms = 0;
  /// max.compaction.lag.ms: a compacted log whose oldest dirty segment's first batch is older
  /// than this is cleaned whatever its dirty ratio; it also caps the active segment's age.
  int64_t max_compaction_lag_ms = INT64_MAX;
  /// compression.gzip.level / lz4.level / zstd.level: the level recompression uses when
  /// `compression` is that codec (Kafka's ranges and defaults; see protocol/compression.h).
  int32_t compression_gzip_level = -1;
  int32_t compression_lz4_level = 9;
  int32_t compression_zstd_level = 3;
  // Stored and reported, no effect on one broker without tiered storage (topic_config.h).
  bool unclean_leader_election_enable = false;
  bool preallocate = false;
  int64_t local_retention_ms = -2;
  int64_t local_retention_bytes = -2;
};

/// The age past which the active segment rolls, before jitter: segment.ms, or for a compacted
/// log max.compaction.lag.ms when that is smaller (Kafka's LogConfig.maxSegmentMs).
int64_t max_segment_ms(const log_config& c) noexcept;

/// The roll jitter of a new segment drawn from `random` (uniform over uint64): 0 without
/// segment.jitter.ms, else random % min(segment.jitter.ms, segment.ms) (Kafka's
/// LogConfig.randomSegmentJitter). A segment rolls once older than max_segment_ms - jitter.
int64_t roll_jitter_ms(const log_config& c, uint64_t random) noexcept;

/// The compression level for the recompression codec `c.compression` (nullopt for
/// `producer`, `uncompressed` and snappy, which have none).
std::optional<int32_t> compression_level(const log_config& c) noexcept;

/// Who writes a batch: a client's Produce request (idempotence rules apply), or one of the
/// broker's own coordinators (the group coordinator's `__consumer_offsets` records, possibly
/// transactional with base_sequence -1): no sequence checks, but a transactional batch still
/// opens its producer's transaction.
enum class append_origin { producer, coordinator };

/// What an append did.
struct append_result {
  core::offset base_offset{-1};
  core::offset last_offset{-1};
  int64_t log_append_time = -1;
  /// The flush policy wants the log durable before the producer is acknowledged.
  bool flush_required = false;
  /// The batch repeated one of its producer's last five batches: nothing was appended, and the
  /// offsets are those of the original.
  bool duplicate = false;
};

/// An aborted transaction as Fetch reports it.
struct aborted_txn {
  core::producer_id producer_id{-1};
  core::offset first_offset{-1};
  bool operator==(const aborted_txn&) const = default;
};

/// One producer as this partition remembers it: what DescribeProducers reports (Kafka's
/// ProducerStateManager.activeProducers), every producer id of the producer state.
struct active_producer {
  core::producer_id producer_id{-1};
  core::producer_epoch producer_epoch{-1};
  /// The last sequence of its newest batch in the current epoch; -1 when the epoch has none
  /// (it came from a marker, or the producer only wrote coordinator batches).
  int32_t last_sequence = -1;
  /// The largest batch or marker timestamp it wrote, -1 = none. (Kafka reports the last
  /// one's: the two differ only when a producer's timestamps go backwards.)
  int64_t last_timestamp = -1;
  /// The coordinator epoch of its last transaction marker, -1 = none.
  int32_t coordinator_epoch = -1;
  /// First offset of its open transaction in this partition, -1 = none open.
  core::offset current_txn_start_offset{-1};
  bool operator==(const active_producer&) const = default;
};

/// What a read found.
struct read_result {
  bytes records;  ///< whole batches, as stored
  core::offset high_watermark{0};
  core::offset log_start_offset{0};
  /// read_committed only: every aborted transaction whose marker is at or after the fetch
  /// offset and whose first offset lies before the end of `records`, by first offset.
  std::vector<aborted_txn> aborted;
};

/// What `read_slice` found: whole batches as a byte range of one segment's `.log` file, for a
/// caller that sends them from the file (sendfile) instead of reading them into memory.
struct log_slice {
  /// Keeps the file open (even if retention deletes the segment meanwhile) until the range has
  /// been sent. Null when `size` is 0.
  std::shared_ptr<const segment> source;
  uint64_t position = 0;
  uint64_t size = 0;  ///< 0 = no data
  core::offset high_watermark{0};
  core::offset log_start_offset{0};
  /// read_committed only: as `read_result::aborted` (possibly with entries starting between
  /// the last batch's end and the next batch, as Kafka's index-bounded lookup also has).
  std::vector<aborted_txn> aborted;
};

class partition_log {
 public:
  /// Opens (creating if needed) the log in `dir`. When `clean_shutdown` is false, segments
  /// holding offsets at or after `recovery_point` are scanned and torn tails truncated.
  static result<std::unique_ptr<partition_log>> open(std::filesystem::path dir,
                                                     core::topic_partition tp, log_config config,
                                                     bool clean_shutdown, core::offset recovery_point,
                                                     core::offset log_start_offset);
  ~partition_log();

  const core::topic_partition& tp() const noexcept { return _tp; }
  const std::filesystem::path& dir() const noexcept { return _dir; }

  /// Validates a producer batch, assigns its offsets and appends it. `batch` must be exactly
  /// one batch; it is not modified (the rewritten header prefix is written from a copy).
  /// With origin `producer` and a producer id, the idempotence rules of producer_state.h run
  /// first: `invalid_producer_epoch`, `out_of_order_sequence`, or success with
  /// `duplicate = true` and the original offsets.
  result<append_result> append(bytes_view batch, append_origin origin = append_origin::producer);
  /// After `append` refused `batch` with invalid_record or invalid_timestamp: the records it was
  /// refused for (storage::rejected_records under this log's configuration, now).
  std::vector<rejected_record> rejected_records(bytes_view batch) const;
  /// The topic's compression.type codec; nullopt for `producer` (batches kept as sent).
  std::optional<protocol::compression_codec> compression_type() const noexcept {
    const int8_t codec = _recompress_to.load(std::memory_order_relaxed);
    if (codec < 0) return std::nullopt;
    return static_cast<protocol::compression_codec>(codec);
  }

  /// Appends a transaction marker: a control batch (attributes transactional|control = 0x30,
  /// producer id/epoch, base_sequence -1, one record with key = int16 0 + int16 type (0 ABORT,
  /// 1 COMMIT) and value = int16 0 + int32 coordinator_epoch). Ends `producer`'s open
  /// transaction in this partition (an ABORT adds an aborted-transaction index entry
  /// [producer, first offset, marker offset]); an epoch newer than the stored one becomes the
  /// producer's epoch (fencing older epochs). Always appends, even with no open transaction
  /// or for a producer this partition never saw (which then becomes known with that epoch).
  /// Honours the flush policy like append (flush_required). The caller wakes fetchers.
  result<append_result> append_marker(core::producer_id producer, core::producer_epoch epoch, bool commit,
                                      int32_t coordinator_epoch);

  /// First offset of the oldest open transaction (but at least the log start offset), or the
  /// high watermark when none is open.
  core::offset last_stable_offset() const noexcept;

  /// Reads whole batches starting with the batch that contains `offset`, up to `max_bytes`
  /// (at least one batch), never past `max_offset` (the high watermark or LSO). With
  /// `read_committed`, also lists the aborted transactions of the data returned.
  /// Fails with offset_out_of_range when offset < log start or > log end.
  result<read_result> read(core::offset offset, uint64_t max_bytes, core::offset max_offset,
                           bool read_committed = false) const;

  /// `read` without reading: the same batches, located through the offset index and batch
  /// headers only, as a range of one segment's file. Fails like `read`.
  result<log_slice> read_slice(core::offset offset, uint64_t max_bytes, core::offset max_offset,
                               bool read_committed = false) const;

  /// A copy of the producer state (tests, diagnostics).
  producer_state producers() const;
  /// Every producer the producer state holds, by producer id (DescribeProducers). Takes the
  /// log's lock for the copy, so it reflects whole appends and markers only.
  std::vector<active_producer> active_producers() const;
  /// Every aborted-transaction index entry of the log, in marker order (tests, diagnostics).
  std::vector<aborted_txn_entry> aborted_transactions() const;

  /// The first record (at or after the log start) whose timestamp >= ts.
  result<timestamp_offset> offset_for_timestamp(int64_t ts) const;
  /// The first record holding the log's largest timestamp ({-1, -1} when no record carries
  /// one): ListOffsets' MAX_TIMESTAMP (-3, KIP-734).
  result<timestamp_offset> offset_of_max_timestamp() const;
  /// ListOffsets v0's answer (Kafka's legacy "offsets before"): each segment's first offset
  /// (at least the log start) with the segment file's modification time, plus the log end
  /// stamped now when the newest segment holds data; for `ts` -1 (latest) or -2 (earliest) the
  /// last or first of these, else the newest whose time is <= ts — and up to
  /// `max_num_offsets` - 1 older ones, newest first.
  std::vector<int64_t> legacy_offsets_before(int64_t ts, int32_t max_num_offsets) const;

  core::offset log_start_offset() const noexcept {
    return core::offset{_log_start.load(std::memory_order_acquire)};
  }
  core::offset log_end_offset() const noexcept {
    return core::offset{_log_end.load(std::memory_order_acquire)};
  }
  core::offset high_watermark() const noexcept { return log_end_offset(); }
  /// Offsets below this are known to be on disk.
  core::offset recovery_point() const noexcept {
    return core::offset{_recovery_point.load(std::memory_order_acquire)};
  }
  uint64_t size_bytes() const;
  size_t segment_count() const;

  /// fsyncs everything appended so far and advances the recovery point.
  result<void> flush();
  /// True when flush.interval.ms has elapsed with unflushed data, or a rolled segment has not
  /// been flushed yet.
  bool flush_due(std::chrono::steady_clock::time_point now) const;

  /// Advances the log start offset (DeleteRecords). `offset` = -1 means the high watermark.
  /// Returns the new log start offset.
  result<core::offset> delete_records_before(core::offset offset);

  /// Deletes whole segments past retention.ms / retention.bytes (`delete` policy), then forgets
  /// producers idle longer than producer.id.expiration.ms whose data is all below the log start
  /// (any policy). Returns segments deleted.
  result<size_t> enforce_retention(int64_t now_ms);

  /// Unlinks the files of segments removed (by retention, DeleteRecords or a compaction swap)
  /// at least file.delete.delay.ms before `now` — until then they sit renamed `<file>.deleted`
  /// (segment::rename_to_deleted). Returns the number of files unlinked. The housekeeping
  /// thread calls it; `close` unlinks every pending file.
  result<size_t> delete_retired_files(std::chrono::steady_clock::time_point now);
  /// Segments removed but whose files are not unlinked yet (tests, diagnostics).
  size_t retired_segment_count() const;

  void set_config(const log_config& c);
  log_config config() const;

  /// min.insync.replicas, readable without the lock (Produce checks it for acks=all).
  int32_t min_insync_replicas() const noexcept { return _min_insync.load(std::memory_order_relaxed); }

  /// Metrics: the topic's traffic counters, or nullptr before the broker attached them.
  const traffic_counters* traffic() const noexcept { return _traffic.load(std::memory_order_acquire); }
  void set_traffic(const traffic_counters* t) noexcept { _traffic.store(t, std::memory_order_release); }

  // ---- log compaction (log_cleaner.h) ----------------------------------------------------

  /// Every segment but the active one, oldest first.
  std::vector<std::shared_ptr<segment>> closed_segments() const;
  /// Rolls the active segment if it holds data and is older than its roll age (segment.ms, or
  /// max.compaction.lag.ms when smaller, less the segment's jitter), so that the last records
  /// of an idle compacted log become cleanable. Returns whether it rolled.
  result<bool> roll_if_idle(std::chrono::steady_clock::time_point now);
  /// Removes a source segment of a compaction swap: its files are deleted at once, or with
  /// file.delete.delay.ms renamed `.deleted` and unlinked later.
  using segment_retirer = std::function<result<void>(const std::shared_ptr<segment>&)>;
  /// Replaces `old` — consecutive closed segments — by the segment `swap` installs. Under the
  /// log's lock, checks that `old` is still current, then calls `swap(next_base, retire)`
  /// (next_base = base offset of the segment after `old`; `retire` removes one source segment's
  /// files, honouring file.delete.delay.ms), which runs the cleaner's file protocol and
  /// returns the new segment, or nullptr when nothing was left of `old` (if `old` began the
  /// log, the log start offset moves to `next_base`). Returns false without calling `swap`
  /// when `old` is no longer current (retention, DeleteRecords or topic deletion got there
  /// first).
  result<bool> replace_segments(
      std::span<const std::shared_ptr<segment>> old,
      const std::function<result<std::shared_ptr<segment>>(int64_t next_base,
                                                           const segment_retirer& retire)>& swap);

  /// Writes index files and syncs; the log stays usable. Called on clean shutdown.
  result<void> close();

  /// Deletes all files of this partition (topic deletion). The object must not be used after.
  result<void> remove_all();

 private:
  partition_log(std::filesystem::path dir, core::topic_partition tp, log_config config)
      : _dir(std::move(dir)), _tp(std::move(tp)), _config(config) {}

  /// What read()'s and read_slice()'s start found: the log's bounds, the segment holding the
  /// offset (null when there is nothing to read), where in it (`Located`, from `locate`), and
  /// with read_committed the aborted transactions that may overlap the data.
  template <class Located>
  struct read_start {
    core::offset log_start_offset{0};
    core::offset high_watermark{0};
    std::shared_ptr<segment> seg;
    Located at{};
    std::vector<aborted_txn_entry> candidates;
  };
  /// read()'s and read_slice()'s start, under the lock: checks `offset` against the log's
  /// bounds, finds the segment holding it and calls `locate(segment)` there; with
  /// `read_committed` collects the aborted transactions that may overlap the data from
  /// `offset` on. Defined in the .cc (its only user).
  template <class Located, class Locate>
  result<read_start<Located>> start_read(int64_t offset, int64_t max_offset, bool read_committed,
                                         Locate&& locate) const;

  result<void> roll_locked(int64_t next_offset);
  /// The active segment's time-based roll age: max_segment_ms less its jitter.
  int64_t roll_age_ms_locked() const noexcept;
  /// Removes `seg`'s files: at once without file.delete.delay.ms, else renamed `.deleted` and
  /// queued for delete_retired_files.
  result<void> retire_segment_locked(const std::shared_ptr<segment>& seg);
  result<void> delete_segments_below_locked(int64_t offset);
  result<void> flush_locked();
  /// Rolls when the next batch (of `size` bytes spanning `last_offset_delta`) does not belong
  /// in the active segment. `offset_out_of_range` when its offsets would pass INT64_MAX.
  result<void> maybe_roll_locked(int64_t base, size_t size, int32_t last_offset_delta);
  /// Replays batches from the newest usable snapshot to the log end (see the class comment).
  result<void> load_producer_state();
  /// Publishes the producer state's first unstable offset for lock-free LSO reads.
  void publish_first_unstable() noexcept;
  /// Deletes snapshots beyond `end`, below the log start (but the newest) and all but the
  /// newest `producer_snapshots::kept` (producer_snapshots.h).
  void clean_snapshots(int64_t end) const;
  std::shared_ptr<segment> active() const { return _segments.rbegin()->second; }

  std::filesystem::path _dir;
  core::topic_partition _tp;
  mutable std::mutex _mutex;
  log_config _config;
  std::map<int64_t, std::shared_ptr<segment>> _segments;  ///< by base offset; never empty
  std::atomic<int64_t> _log_start{0};
  std::atomic<int64_t> _log_end{0};
  std::atomic<int64_t> _recovery_point{0};
  int64_t _unflushed_messages = 0;
  std::chrono::steady_clock::time_point _last_flush = std::chrono::steady_clock::now();
  std::atomic<const traffic_counters*> _traffic{nullptr};
  // The config's append policy (log_validator.h), readable without the lock.
  append_policy append_policy_now() const noexcept;
  std::atomic<bool> _requires_keys{false};  ///< cleanup.policy contains compact
  std::atomic<int8_t> _recompress_to{-1};   ///< compression.type codec; -1 = producer
  std::atomic<bool> _log_append_time{false};  ///< message.timestamp.type=LogAppendTime
  std::atomic<int64_t> _timestamp_before_max_ms{INT64_MAX};
  std::atomic<int64_t> _timestamp_after_max_ms{3600000};
  std::atomic<int32_t> _min_insync{1};
  /// max.message.bytes: checked before the lock; AlterConfigs may change it at any time.
  std::atomic<int32_t> _max_message_bytes{1024 * 1024 + 12};
  producer_state _producers;
  /// First offset of the oldest open transaction, -1 = none. Lowered before `_log_end` moves
  /// past a new transaction's first batch and raised only after a marker is appended, so a
  /// reader that loads `_log_end` first never sees an LSO beyond undecided data.
  std::atomic<int64_t> _first_unstable{-1};
  /// Snapshots taken at rolls, written by the next flush once the data below is durable.
  std::vector<std::pair<int64_t, bytes>> _pending_snapshots;
  /// The active segment's roll jitter (segment.jitter.ms), drawn when it was created.
  int64_t _active_roll_jitter_ms = 0;
  /// The active segment's index capacity: segment.index.bytes when it was created (as Kafka
  /// sizes a segment's index files when it opens them).
  int64_t _active_max_index_bytes = 10 * 1024 * 1024;
  /// Files of removed segments, renamed `.deleted`, and when they may be unlinked.
  struct retired_files {
    std::chrono::steady_clock::time_point due;
    std::vector<std::filesystem::path> files;
  };
  std::vector<retired_files> _retired;
  /// compression.<codec>.level of the compression.type codec; INT32_MIN = none.
  std::atomic<int32_t> _compression_level{INT32_MIN};
};

/// Reads `log` from its start to its end as it is at the call, batch by batch in offset order
/// (whole batches, a few MiB per read), and calls `visit` with each batch opened for reading and
/// the first offset not delivered before: records below it belong to a batch the log start cut
/// into and must be skipped. Stops at the first error `visit` returns. For start-up replays of
/// the coordinators' internal topics.
result<void> replay_log(const partition_log& log,
                        const std::function<result<void>(protocol::record_batch_reader& batch,
                                                         int64_t first_offset)>& visit);

}  // namespace sluice::broker::storage
