#pragma once
// Helpers for the group coordinator unit tests: a manual clock/timer scheduler, a temporary
// data directory with a log manager, result capture, and consumer-protocol subscription bytes.

#include "core/temp_dir.h"
#include "broker/durable_appender.h"
#include "broker/group/group_coordinator.h"
#include "broker/scheduler.h"
#include "core/protocol/writer.h"
#include "broker/storage/log_manager.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace sluice::broker::group::test {

using core::temp_dir;

/// Time moves only when the test says so; timers run in deadline order inside `advance`;
/// blocking work runs inline (counted, so tests can see that a flush was waited for).
class manual_scheduler final : public sluice::broker::scheduler {
 public:
  int64_t now_ms() override {
    std::lock_guard lock(_mutex);
    return _now;
  }
  void run_after(std::chrono::milliseconds delay, std::function<void()> fn) override {
    std::lock_guard lock(_mutex);
    _timers.emplace(std::make_pair(_now + delay.count(), _seq++), std::move(fn));
  }
  void run_blocking(std::function<void()> fn) override {
    ++blocking_runs;
    fn();
  }
  /// Moves the clock forward by `ms`, running every timer that falls due on the way.
  void advance(int64_t ms) {
    int64_t target;
    {
      std::lock_guard lock(_mutex);
      target = _now + ms;
    }
    for (;;) {
      std::function<void()> fn;
      {
        std::lock_guard lock(_mutex);
        if (_timers.empty() || _timers.begin()->first.first > target) break;
        auto node = _timers.extract(_timers.begin());
        _now = std::max(_now, node.key().first);
        fn = std::move(node.mapped());
      }
      fn();
    }
    std::lock_guard lock(_mutex);
    _now = target;
  }
  /// Forgets every pending timer (a coordinator that armed them is gone).
  void clear() {
    std::lock_guard lock(_mutex);
    _timers.clear();
  }
  int blocking_runs = 0;

 private:
  std::mutex _mutex;
  int64_t _now = 1000000;
  uint64_t _seq = 0;
  std::map<std::pair<int64_t, uint64_t>, std::function<void()>> _timers;
};
/// Catches the one answer of an asynchronous coordinator call.
template <class T>
struct capture {
  std::optional<T> value;
  std::function<void(T)> fn() {
    return [this](T v) {
      EXPECT_FALSE(value.has_value()) << "answered twice";
      value = std::move(v);
    };
  }
  bool ready() const { return value.has_value(); }
  T& operator*() { return *value; }
  T* operator->() { return &*value; }
};

/// A consumer-protocol subscription (version 0): int16 version, [topics], user_data (null).
inline core::bytes subscription(const std::vector<std::string>& topics) {
  core::bytes out;
  protocol::writer w(out);
  w.write_int16(0);
  w.write_array_length(static_cast<int32_t>(topics.size()));
  for (const auto& t : topics) w.write_string(t);
  w.write_nullable_bytes(std::nullopt);
  return out;
}

inline core::bytes bytes_of(std::string_view s) { return core::to_bytes(s); }

/// What a coordinator test runs on: a data directory and its log manager, a manual scheduler
/// and the durable appender over it. Open the logs before the coordinators and close them after.
struct coordinator_storage {
  void open_logs() {
    auto l = storage::log_manager::open(dir.path() / "data", log_defaults);
    ASSERT_TRUE(l) << l.error().message();
    logs = std::move(l).value();
  }
  void close_logs() {
    sched.clear();
    if (logs) {
      EXPECT_TRUE(logs->shutdown());
    }
    logs.reset();
  }

  temp_dir dir;
  storage::log_config log_defaults;
  manual_scheduler sched;
  durable_appender appends{sched};
  std::unique_ptr<storage::log_manager> logs;
};

}  // namespace sluice::broker::group::test
