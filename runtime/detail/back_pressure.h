#pragma once
/// `back_pressure`: how much a stream thread buffers before it stops fetching. Records taken
/// from the consumer wait in their tasks' partition queues until processed; this decides when
/// a partition is paused and when it may fetch again.
///
/// - The thread's share of `input.buffer.max.bytes`: when the buffered records of its tasks
///   take more, every partition with buffered records is paused (`limit`).
/// - `buffered.records.per.partition` (off by default): a partition whose queue reaches it is
///   paused on its own (`after_enqueue`), until it drains below half.
/// - `resume_drained`: a partition with an empty queue always fetches again; others once the
///   thread is under half its share and the partition under half its own limit.
///
/// Pausing is the exception, not the rhythm: librdkafka drops a paused partition's prefetched
/// records and fetches them again on resume, so a per-partition limit below one fetch's worth
/// of records would refetch every response.
///
/// Ownership: a value of its stream thread. Thread safety: that thread only.

#include "runtime/detail/task_manager.h"

#include <cstddef>
#include <cstdint>

namespace sluice::runtime::detail {

class back_pressure {
 public:
  /// `thread_limit`: this thread's share of input.buffer.max.bytes; `per_partition`:
  /// buffered.records.per.partition (0 = off).
  back_pressure(std::size_t thread_limit, int32_t per_partition) noexcept
      : _thread_limit(thread_limit), _per_partition(per_partition) {}

  /// After a record was queued for input `index` of `t`: pauses that partition if its queue
  /// reached the per-partition limit.
  void after_enqueue(task_manager& tasks, stream_task& t, std::size_t index) const;
  /// Pauses every partition with buffered records when the thread is over its share.
  void limit(task_manager& tasks) const;
  /// Resumes paused partitions of running tasks that may fetch again.
  void resume_drained(task_manager& tasks) const;

 private:
  std::size_t _thread_limit;
  int32_t _per_partition;
};

}  // namespace sluice::runtime::detail
