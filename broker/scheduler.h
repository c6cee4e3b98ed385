#pragma once
/// `scheduler`: the time and thread services the coordinators and handlers need — a monotonic
/// clock, one-shot timers and a pool where blocking work (fsync) may run. One interface for the
/// whole broker: the network layer implements it (`net::server::scheduler()`: Asio timers on
/// the network threads, a separate blocking pool), unit tests implement it with a manual clock.
///
/// Thread safety: implementations must allow every method to be called from any thread,
/// including from inside a callback they run.

#include <chrono>
#include <cstdint>
#include <functional>

namespace sluice::broker {

class scheduler {
 public:
  virtual ~scheduler() = default;
  /// A monotonic clock in milliseconds (session, rebalance and transaction deadlines).
  virtual int64_t now_ms() = 0;
  /// Runs `fn` once, `delay` from now, on some thread (a network thread in the broker). Not
  /// cancellable: callers check on wake-up whether the deadline they armed for still stands.
  virtual void run_after(std::chrono::milliseconds delay, std::function<void()> fn) = 0;
  /// Runs `fn` where blocking (fsync) is allowed, never on a network thread.
  virtual void run_blocking(std::function<void()> fn) = 0;
};

}  // namespace sluice::broker
