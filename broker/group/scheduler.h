#pragma once
/// `scheduler`: the time and thread services the group coordinator needs, behind an interface
/// so that unit tests can drive the state machine with a manual clock. The broker implements
/// it on top of `broker_services` (Asio timers on the network threads, the blocking-work pool
/// for fsync) and the steady clock.
///
/// Thread safety: implementations must allow every method to be called from any thread,
/// including from inside a callback they run.

#include <chrono>
#include <cstdint>
#include <functional>

namespace sluice::broker::group {

class scheduler {
 public:
  virtual ~scheduler() = default;
  /// A monotonic clock in milliseconds (session and rebalance deadlines).
  virtual int64_t now_ms() = 0;
  /// Runs `fn` once, `delay` from now, on some thread. Not cancellable: callers check on
  /// wake-up whether the deadline they armed for still stands.
  virtual void run_after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  /// Runs `fn` where blocking (fsync) is allowed, never on a network thread.
  virtual void run_blocking(std::function<void()> fn) = 0;
};

}  // namespace sluice::broker::group
