#pragma once
/// Logging: one line per event, through spdlog, to stderr.
///
///     const core::logger log("broker.storage");
///     log.info("rolled segment {} at offset {}", name, base_offset);
///
/// prints
///
///     2024-05-01T12:00:00.123Z INFO  [broker.storage] rolled segment ... at offset 42
///
/// (UTC timestamp with milliseconds, level, component, message). The format string is checked
/// at compile time (fmt). A message below the process-wide threshold (`set_log_level`, default
/// info) costs one relaxed atomic load and no formatting. spdlog stays out of this header.
///
/// Tests (or an embedding application) can redirect every line to a callback with
/// `set_log_sink`; passing nullptr restores stderr.
///
/// Thread safety: loggers are immutable and may be shared by threads; every function here may
/// be called from any thread. Lines from different threads never interleave.

#include "core/error.h"

#include <fmt/format.h>

#include <atomic>
#include <functional>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::core {

enum class log_level { trace, debug, info, warn, error, off };

/// Parses "trace", "debug", "info", "warn", "error" or "off" (any case); anything else is
/// errc::invalid_argument.
result<log_level> parse_log_level(std::string_view text);
std::string_view to_string(log_level level) noexcept;

/// Sets the process-wide threshold: messages below it are dropped; `off` drops everything.
void set_log_level(log_level level) noexcept;
log_level get_log_level() noexcept;

/// Receives every line that passes the threshold, instead of stderr.
using log_sink =
    std::function<void(log_level level, std::string_view component, std::string_view message)>;

/// Routes all output to `sink` (called under a lock, one call per line, from the logging
/// thread), or back to stderr if `sink` is empty.
void set_log_sink(log_sink sink);

namespace detail {
extern std::atomic<log_level> log_threshold;
}  // namespace detail

/// A named source of log lines; the name (component) appears on each line. Cheap to construct;
/// usually a member or a function-local static.
class logger {
 public:
  explicit logger(std::string component) : _component(std::move(component)) {}

  const std::string& component() const noexcept { return _component; }

  /// Whether a message at `level` would be written now.
  static bool enabled(log_level level) noexcept {
    return level != log_level::off &&
           level >= detail::log_threshold.load(std::memory_order_relaxed);
  }

  template <class... Args>
  void log(log_level level, fmt::format_string<Args...> format, Args&&... args) const {
    if (!enabled(level)) return;
    write(level, fmt::format(format, std::forward<Args>(args)...));
  }

  template <class... Args>
  void trace(fmt::format_string<Args...> format, Args&&... args) const {
    log(log_level::trace, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void debug(fmt::format_string<Args...> format, Args&&... args) const {
    log(log_level::debug, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void info(fmt::format_string<Args...> format, Args&&... args) const {
    log(log_level::info, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void warn(fmt::format_string<Args...> format, Args&&... args) const {
    log(log_level::warn, format, std::forward<Args>(args)...);
  }
  template <class... Args>
  void error(fmt::format_string<Args...> format, Args&&... args) const {
    log(log_level::error, format, std::forward<Args>(args)...);
  }

 private:
  /// Writes one already-formatted line; never throws.
  void write(log_level level, std::string_view message) const noexcept;

  std::string _component;
};

}  // namespace sluice::core
