#pragma once
/// `durable_appender`: the broker's one path from "append these records" to "the writer may be
/// answered". Produce, the group coordinator (`__consumer_offsets`) and the transaction
/// coordinator (`__transaction_state`, markers) all append through it:
///
///   1. `append` / `append_marker` write to the partition log and wake the long-polling
///      Fetches parked on that partition (new records, or a marker that moved the last stable
///      offset); a duplicate of an idempotent producer's batch appends nothing and wakes no one.
///   2. Each append notes in the caller's `flush_set` whether the partition's flush policy
///      (flush.messages; flush.ms is a periodic flush by the housekeeping, as in Kafka) wants it
///      durable before anyone is told.
///   3. `when_durable` runs the owed fsyncs on the blocking pool — never on a network thread —
///      and then calls the continuation, which answers. Nothing owed: the continuation runs at
///      once on the caller's thread (`when_durable`) or from a timer (`when_durable_later`, for
///      callers that hold a lock the continuation takes).
///
/// Read-your-writes: records are visible to read_uncommitted Fetches as soon as they are
/// appended, before their fsync, as in Kafka (the high watermark of a one-replica log is its
/// end). Acknowledgement waits for the fsync when the flush policy asks for it, so anything
/// acknowledged under that policy survives kill -9.
///
/// Threads: every method may be called from any thread.

#include "broker/scheduler.h"
#include "broker/storage/partition_log.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <vector>

namespace sluice::broker {

/// Fetches parked in a long-poll register here per partition; an append wakes every waiter of
/// its partition. A waiter is a callback invoked at most once per registration.
class fetch_waiters {
 public:
  using waiter = std::function<void()>;
  void add(const core::topic_partition& tp, std::shared_ptr<waiter> w);
  void notify(const core::topic_partition& tp);

 private:
  std::mutex _mutex;
  std::unordered_map<core::topic_partition, std::vector<std::weak_ptr<waiter>>> _waiters;
};

/// The logs a request's appends left owing an fsync before it may be answered (each once).
class flush_set {
 public:
  using log_ptr = std::shared_ptr<storage::partition_log>;
  void add(log_ptr log);
  bool empty() const noexcept { return _logs.empty(); }
  /// fsyncs every log now and returns those whose fsync failed (logged). REQUIRES: a thread
  /// where blocking is allowed (start-up, or the blocking pool).
  std::vector<log_ptr> flush_now();

 private:
  std::vector<log_ptr> _logs;
};

class durable_appender {
 public:
  using log_ptr = flush_set::log_ptr;
  /// Called with the logs whose fsync failed (empty: everything owed is durable).
  using continuation = std::function<void(std::vector<log_ptr> failed)>;

  explicit durable_appender(scheduler& sched) : _sched(sched) {}
  durable_appender(const durable_appender&) = delete;
  durable_appender& operator=(const durable_appender&) = delete;

  /// Appends one record batch (partition_log::append) and wakes the partition's waiters.
  result<storage::append_result> append(const log_ptr& log, bytes_view batch,
                                         storage::append_origin origin, flush_set& owed);
  /// Appends a transaction marker (partition_log::append_marker) and wakes the waiters.
  result<storage::append_result> append_marker(const log_ptr& log, core::producer_id producer,
                                                core::producer_epoch epoch, bool commit,
                                                int32_t coordinator_epoch, flush_set& owed);
  /// Calls `then` once everything in `owed` is durable: at once on this thread when nothing is
  /// owed (without wrapping `then`: the common, no-fsync Produce answers allocation-free), else
  /// from the blocking pool after the fsyncs.
  template <class Then>
  void when_durable(flush_set owed, Then&& then) {
    if (owed.empty()) return then(std::vector<log_ptr>{});
    after_fsyncs(std::move(owed), continuation(std::forward<Then>(then)));
  }
  /// As `when_durable`, but never on the caller's stack (a timer runs `then` when nothing is
  /// owed): for callers that hold a lock `then` takes.
  void when_durable_later(flush_set owed, continuation then);

  fetch_waiters& waiters() noexcept { return _waiters; }
  scheduler& sched() noexcept { return _sched; }

 private:
  /// Runs the fsyncs of `owed` on the blocking pool, then `then` with the logs that failed.
  void after_fsyncs(flush_set owed, continuation then);

  scheduler& _sched;
  fetch_waiters _waiters;
};

}  // namespace sluice::broker
