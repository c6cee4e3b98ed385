#pragma once
/// `partition_group`: a task's input queues, one per input partition, and the choice of the
/// next record to process — the record with the lowest timestamp among the queue heads, so a
/// task that joins or merges several partitions processes them in (approximate) event-time
/// order, however the consumer happened to fetch them.
///
/// Waiting for data (`max.task.idle.ms`): when some queues are empty, a record picked now might
/// be later in event time than one still on its way. With `max_idle` > 0 the group holds back
/// until every queue has data or `max_idle` has passed since it first found one empty; with 0
/// it processes whatever it has.
///
/// Records are `dsl::pending_record`s: already through `processor_task::prepare`, so their
/// timestamps are known.
///
/// Thread safety: owned by its task, used by the task's stream thread only.

#include "dsl/detail/task.h"

#include <chrono>
#include <cstddef>
#include <deque>
#include <optional>
#include <vector>

namespace sluice::runtime::detail {

class partition_group {
 public:
  using clock = std::chrono::steady_clock;

  explicit partition_group(std::size_t partitions) : _queues(partitions) {}

  std::size_t partitions() const noexcept { return _queues.size(); }
  void push(std::size_t index, dsl::pending_record&& r) {
    _bytes += footprint(r);
    _queues[index].push_back(std::move(r));
    ++_total;
  }
  std::size_t size(std::size_t index) const noexcept { return _queues[index].size(); }
  std::size_t total() const noexcept { return _total; }
  /// The buffered records' approximate memory: their bytes plus a fixed overhead each.
  std::size_t bytes() const noexcept { return _bytes; }
  /// What one buffered record counts for in bytes().
  static std::size_t footprint(const dsl::pending_record& r) noexcept;
  bool empty() const noexcept { return _total == 0; }

  /// The queue to take the next record from, or nullopt if the task should not process now
  /// (nothing buffered, or waiting for empty partitions; see the class comment).
  std::optional<std::size_t> next(clock::time_point now, std::chrono::milliseconds max_idle);
  /// Removes and returns the head of queue `index`. REQUIRES: size(index) > 0.
  dsl::pending_record pop(std::size_t index);
  /// Drops every buffered record (the task was suspended; they will be fetched again).
  void clear();

 private:
  std::vector<std::deque<dsl::pending_record>> _queues;
  std::size_t _total = 0;
  std::size_t _bytes = 0;
  std::optional<clock::time_point> _waiting_since;
};

}  // namespace sluice::runtime::detail
