#pragma once
/// `changelog_reader`: restores the stores of a stream thread's restoring tasks from their
/// changelog partitions, with the thread's restore consumer (assigned partitions, no group
/// membership, read_committed).
///
/// For each change-logged store it reads from the store's position (`task_stores`) to the end
/// of the partition (the end-of-partition event; the task owns the partition, so nothing else
/// writes to it meanwhile), and applies the records in bulk:
/// `state_store::restore_batch` gets up to `batch_records` records (or `batch_bytes`) and the
/// position after them as one atomic write — never a put per record — so an interrupted
/// restore resumes exactly where it stopped. Offsets missing in a compacted changelog are
/// simply skipped. A store whose position lies beyond the end of its changelog (the topic was
/// recreated) fails the thread with a message saying which directory to delete.
///
/// Progress: logged when a store starts and finishes restoring (records, bytes, time, MB/s)
/// and every 10 s in between; exported as `sluice_streams_restore_remaining_records{topic,
/// partition}` while a partition restores, and `sluice_streams_restored_records_total` /
/// `sluice_streams_restored_bytes_total{thread}`.
///
/// Ownership: owns the restore consumer; tasks are borrowed between add() and remove() or
/// completion. Thread safety: the owning stream thread only.

#include "core/metrics.h"
#include "runtime/detail/kafka.h"
#include "runtime/detail/stream_task.h"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sluice::runtime::detail {

class changelog_reader {
 public:
  struct options {
    std::size_t batch_records = 10000;
    std::size_t batch_bytes = std::size_t{8} << 20;
  };

  changelog_reader(core::properties consumer_settings, std::string thread_name,
                   core::metrics_registry& metrics, options opts);
  ~changelog_reader();
  changelog_reader(const changelog_reader&) = delete;
  changelog_reader& operator=(const changelog_reader&) = delete;

  /// Starts restoring every change-logged store of `task` (which must be restoring).
  result<void> add(stream_task& task);
  /// Stops restoring `task` (revoked mid-way); what was applied stays applied.
  void remove(stream_task& task);
  /// Tasks whose stores have all caught up (and are no longer tracked); call after add() and
  /// step().
  std::vector<stream_task*> take_completed();
  /// Waits up to `max_wait` for changelog records, then reads and applies for at most ~50 ms. Fails with the store's error or
  /// errc::kafka_error.
  result<void> step(std::chrono::milliseconds max_wait);
  /// True when no store is restoring.
  bool idle() const noexcept { return _partitions.empty(); }

 private:
  struct partition_state;
  result<void> apply(partition_state& p);
  void finish(partition_state& p);
  void update_remaining(partition_state& p);
  void update_assignment();

  kafka_client _consumer;
  std::string _thread;
  core::metrics_registry& _metrics;
  options _options;
  core::counter& _restored_records;
  core::counter& _restored_bytes;
  std::map<core::topic_partition, std::unique_ptr<partition_state>> _partitions;
  std::map<stream_task*, int> _pending_per_task;
  std::vector<stream_task*> _completed;
};

}  // namespace sluice::runtime::detail
