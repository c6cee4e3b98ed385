#pragma once
/// `partition_log`: the durable log of one topic partition — an ordered set of segments in the
/// directory `<data-dir>/<topic>-<partition>/`, the log start offset, the log end offset and the
/// flush bookkeeping.
///
/// Threads: every method may be called from any thread. Appends, flushes, retention and
/// truncation serialize on an internal mutex; reads take the mutex only to locate their byte
/// range and then read the file outside it, so a slow fetch never holds up producers.
/// Lifecycle: `open` (recovering if the previous shutdown was not clean), use, `close`.

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
};

/// What an append did.
struct append_result {
  int64_t base_offset = -1;
  int64_t last_offset = -1;
  int64_t log_append_time = -1;
  /// The flush policy wants the log durable before the producer is acknowledged.
  bool flush_required = false;
};

/// What a read found.
struct read_result {
  bytes records;  ///< whole batches, as stored
  int64_t high_watermark = 0;
  int64_t log_start_offset = 0;
};

class partition_log {
 public:
  /// Opens (creating if needed) the log in `dir`. When `clean_shutdown` is false, segments
  /// holding offsets at or after `recovery_point` are scanned and torn tails truncated.
  static result<std::unique_ptr<partition_log>> open(std::filesystem::path dir,
                                                     core::topic_partition tp, log_config config,
                                                     bool clean_shutdown, int64_t recovery_point,
                                                     int64_t log_start_offset);
  ~partition_log();

  const core::topic_partition& tp() const noexcept { return _tp; }
  const std::filesystem::path& dir() const noexcept { return _dir; }

  /// Validates a producer batch, assigns its offsets and appends it. `batch` must be exactly
  /// one batch; it is not modified (the rewritten header prefix is written from a copy).
  result<append_result> append(bytes_view batch);

  /// Reads whole batches starting with the batch that contains `offset`, up to `max_bytes`
  /// (at least one batch), never past `max_offset` (the high watermark or LSO).
  /// Fails with offset_out_of_range when offset < log start or > log end.
  result<read_result> read(int64_t offset, uint64_t max_bytes, int64_t max_offset) const;

  /// The first record (at or after the log start) whose timestamp >= ts.
  result<timestamp_offset> offset_for_timestamp(int64_t ts) const;

  int64_t log_start_offset() const noexcept { return _log_start.load(std::memory_order_acquire); }
  int64_t log_end_offset() const noexcept { return _log_end.load(std::memory_order_acquire); }
  int64_t high_watermark() const noexcept { return log_end_offset(); }
  /// Offsets below this are known to be on disk.
  int64_t recovery_point() const noexcept { return _recovery_point.load(std::memory_order_acquire); }
  uint64_t size_bytes() const;
  size_t segment_count() const;

  /// fsyncs everything appended so far and advances the recovery point.
  result<void> flush();
  /// True when flush.interval.ms has elapsed with unflushed data, or a rolled segment has not
  /// been flushed yet.
  bool flush_due(std::chrono::steady_clock::time_point now) const;

  /// Advances the log start offset (DeleteRecords). `offset` = -1 means the high watermark.
  /// Returns the new log start offset.
  result<int64_t> delete_records_before(int64_t offset);

  /// Deletes whole segments past retention.ms / retention.bytes. Returns segments deleted.
  result<size_t> enforce_retention(int64_t now_ms);

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
  /// Rolls the active segment if it holds data and is older than segment.ms, so that the last
  /// records of an idle compacted log become cleanable. Returns whether it rolled.
  result<bool> roll_if_idle(std::chrono::steady_clock::time_point now);
  /// Replaces `old` — consecutive closed segments — by the segment `swap` installs. Under the
  /// log's lock, checks that `old` is still current, then calls `swap(next_base)` (next_base =
  /// base offset of the segment after `old`), which runs the cleaner's file protocol and
  /// returns the new segment, or nullptr when nothing was left of `old` (if `old` began the
  /// log, the log start offset moves to `next_base`). Returns false without calling `swap`
  /// when `old` is no longer current (retention, DeleteRecords or topic deletion got there
  /// first).
  result<bool> replace_segments(
      std::span<const std::shared_ptr<segment>> old,
      const std::function<result<std::shared_ptr<segment>>(int64_t next_base)>& swap);

  /// Writes index files and syncs; the log stays usable. Called on clean shutdown.
  result<void> close();

  /// Deletes all files of this partition (topic deletion). The object must not be used after.
  result<void> remove_all();

 private:
  partition_log(std::filesystem::path dir, core::topic_partition tp, log_config config)
      : _dir(std::move(dir)), _tp(std::move(tp)), _config(config) {}

  result<void> roll_locked(int64_t next_offset);
  result<void> delete_segments_below_locked(int64_t offset);
  result<void> flush_locked();
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
  // The append rules of the config (append_rules.h), readable without the lock.
  std::atomic<bool> _requires_keys{false};  ///< cleanup.policy contains compact
  std::atomic<int8_t> _recompress_to{-1};   ///< compression.type codec; -1 = producer
  std::atomic<int32_t> _min_insync{1};
  /// max.message.bytes: checked before the lock; AlterConfigs may change it at any time.
  std::atomic<int32_t> _max_message_bytes{1024 * 1024 + 12};
};

}  // namespace sluice::broker::storage
