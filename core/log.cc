#include "core/log.h"

#include <spdlog/details/log_msg.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <mutex>

namespace sluice::core {

namespace detail {
std::atomic<log_level> log_threshold{log_level::info};
}  // namespace detail

namespace {

constexpr std::array<std::string_view, 6> level_names{"trace", "debug", "info",
                                                      "warn",  "error", "off"};

spdlog::level::level_enum to_spdlog(log_level level) {
  switch (level) {
    case log_level::trace: return spdlog::level::trace;
    case log_level::debug: return spdlog::level::debug;
    case log_level::info: return spdlog::level::info;
    case log_level::warn: return spdlog::level::warn;
    case log_level::error: return spdlog::level::err;
    case log_level::off: return spdlog::level::off;
  }
  return spdlog::level::info;
}

log_level from_spdlog(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace: return log_level::trace;
    case spdlog::level::debug: return log_level::debug;
    case spdlog::level::info: return log_level::info;
    case spdlog::level::warn: return log_level::warn;
    case spdlog::level::err:
    case spdlog::level::critical: return log_level::error;
    default: return log_level::off;
  }
}

/// `%*`: our level name, upper case and padded to five characters ("INFO ", "WARN ").
class level_flag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr std::array<std::string_view, 6> padded{"TRACE", "DEBUG", "INFO ",
                                                            "WARN ", "ERROR", "OFF  "};
    const auto name = padded[static_cast<std::size_t>(from_spdlog(msg.level))];
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<level_flag>();
  }
};

/// Hands each line to a user callback; dist_sink_mt already serializes calls.
class callback_sink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  explicit callback_sink(log_sink fn) : _fn(std::move(fn)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    _fn(from_spdlog(msg.level), std::string_view(msg.logger_name.data(), msg.logger_name.size()),
        std::string_view(msg.payload.data(), msg.payload.size()));
  }
  void flush_() override {}

 private:
  log_sink _fn;
};

std::shared_ptr<spdlog::sinks::sink> make_stderr_sink() {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<level_flag>('*');
  formatter->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%*%$ [%n] %v");
  sink->set_formatter(std::move(formatter));
  return sink;
}

/// The one output every logger writes to: a distributing sink whose single child is either
/// stderr or the user's callback. Built on first use, never destroyed (loggers may run during
/// static destruction).
spdlog::sinks::dist_sink_mt& output() {
  static auto* sink = [] {
    auto* s = new spdlog::sinks::dist_sink_mt();  // NOLINT: intentionally immortal
    s->set_level(spdlog::level::trace);
    s->add_sink(make_stderr_sink());
    return s;
  }();
  return *sink;
}

}  // namespace

result<log_level> parse_log_level(std::string_view text) {
  for (std::size_t i = 0; i < level_names.size(); ++i) {
    const auto name = level_names[i];
    if (text.size() == name.size() &&
        std::equal(text.begin(), text.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == b;
        })) {
      return static_cast<log_level>(i);
    }
  }
  return errc::invalid_argument;
}

std::string_view to_string(log_level level) noexcept {
  const auto i = static_cast<std::size_t>(level);
  return i < level_names.size() ? level_names[i] : "unknown";
}

void set_log_level(log_level level) noexcept {
  detail::log_threshold.store(level, std::memory_order_relaxed);
}

log_level get_log_level() noexcept { return detail::log_threshold.load(std::memory_order_relaxed); }

void set_log_sink(log_sink sink) {
  std::vector<std::shared_ptr<spdlog::sinks::sink>> sinks;
  if (sink) {
    sinks.push_back(std::make_shared<callback_sink>(std::move(sink)));
  } else {
    sinks.push_back(make_stderr_sink());
  }
  output().set_sinks(std::move(sinks));
}

void logger::write(log_level level, std::string_view message) const noexcept {
  try {
    const spdlog::details::log_msg msg(_component, to_spdlog(level), message);
    output().log(msg);
  } catch (...) {
    // Logging must never take the process down; a failed write is dropped.
  }
}

}  // namespace sluice::core
