#include "core/log.h"

#include <gtest/gtest.h>

#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

namespace {

/// Counts how often it is formatted, to prove that suppressed messages are never formatted.
struct counted {
  static inline int formats = 0;
};

}  // namespace

template <>
struct fmt::formatter<counted> : fmt::formatter<std::string_view> {
  auto format(const counted&, fmt::format_context& ctx) const {
    ++counted::formats;
    return fmt::formatter<std::string_view>::format("counted", ctx);
  }
};

namespace sluice::core {
namespace {

struct captured_line {
  log_level level;
  std::string component;
  std::string message;
  bool operator==(const captured_line&) const = default;
};

class log_test : public ::testing::Test {
 protected:
  void SetUp() override {
    set_log_level(log_level::info);
    set_log_sink([this](log_level level, std::string_view component, std::string_view message) {
      std::lock_guard lock(_mutex);
      _lines.push_back({level, std::string(component), std::string(message)});
    });
  }
  void TearDown() override {
    set_log_sink(nullptr);
    set_log_level(log_level::info);
  }
  std::vector<captured_line> lines() {
    std::lock_guard lock(_mutex);
    return _lines;
  }

 private:
  std::mutex _mutex;
  std::vector<captured_line> _lines;
};

TEST(log_level, parses_every_name_case_insensitively) {
  EXPECT_EQ(parse_log_level("trace").value(), log_level::trace);
  EXPECT_EQ(parse_log_level("debug").value(), log_level::debug);
  EXPECT_EQ(parse_log_level("info").value(), log_level::info);
  EXPECT_EQ(parse_log_level("warn").value(), log_level::warn);
  EXPECT_EQ(parse_log_level("error").value(), log_level::error);
  EXPECT_EQ(parse_log_level("off").value(), log_level::off);
  EXPECT_EQ(parse_log_level("WARN").value(), log_level::warn);
  EXPECT_EQ(parse_log_level("Debug").value(), log_level::debug);
  for (auto level : {log_level::trace, log_level::debug, log_level::info, log_level::warn,
                     log_level::error, log_level::off}) {
    EXPECT_EQ(parse_log_level(to_string(level)).value(), level);
  }
}

TEST(log_level, rejects_unknown_names) {
  for (std::string_view bad : {"", "verbose", "warning", "critical", "info ", "inf"}) {
    auto r = parse_log_level(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(), errc::invalid_argument);
  }
}

TEST_F(log_test, messages_reach_the_sink_with_level_and_component) {
  const logger log("broker.storage");
  EXPECT_EQ(log.component(), "broker.storage");
  log.info("rolled segment {} at offset {}", "00000000000000000042.log", 42);
  log.warn("disk {}% full", 91.5);
  log.error("fsync failed: {}", std::string("EIO"));
  EXPECT_EQ(lines(),
            (std::vector<captured_line>{
                {log_level::info, "broker.storage",
                 "rolled segment 00000000000000000042.log at offset 42"},
                {log_level::warn, "broker.storage", "disk 91.5% full"},
                {log_level::error, "broker.storage", "fsync failed: EIO"}}));
}

TEST_F(log_test, threshold_filters_and_skips_formatting) {
  const logger log("runtime.task");
  counted::formats = 0;
  log.debug("hidden {}", counted{});
  log.trace("hidden {}", counted{});
  EXPECT_EQ(counted::formats, 0);
  EXPECT_TRUE(lines().empty());

  set_log_level(log_level::trace);
  EXPECT_EQ(get_log_level(), log_level::trace);
  log.trace("shown {}", counted{});
  log.debug("shown too");
  EXPECT_EQ(counted::formats, 1);
  ASSERT_EQ(lines().size(), 2U);
  EXPECT_EQ(lines()[0], (captured_line{log_level::trace, "runtime.task", "shown counted"}));
  EXPECT_EQ(lines()[1].level, log_level::debug);

  set_log_level(log_level::error);
  log.warn("dropped");
  log.error("kept");
  ASSERT_EQ(lines().size(), 3U);
  EXPECT_EQ(lines()[2].message, "kept");

  set_log_level(log_level::off);
  log.error("dropped as well");
  log.log(log_level::off, "never a real level");
  EXPECT_EQ(lines().size(), 3U);
}

TEST_F(log_test, enabled_reflects_threshold) {
  set_log_level(log_level::warn);
  EXPECT_FALSE(logger::enabled(log_level::info));
  EXPECT_TRUE(logger::enabled(log_level::warn));
  EXPECT_TRUE(logger::enabled(log_level::error));
  EXPECT_FALSE(logger::enabled(log_level::off));
  set_log_level(log_level::trace);
  EXPECT_FALSE(logger::enabled(log_level::off));
}

TEST_F(log_test, concurrent_lines_arrive_whole) {
  constexpr int threads = 4;
  constexpr int per_thread = 500;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([t] {
      const logger log("worker." + std::to_string(t));
      for (int i = 0; i < per_thread; ++i) log.info("thread {} line {}", t, i);
    });
  }
  for (auto& w : workers) w.join();
  const auto all = lines();
  ASSERT_EQ(all.size(), static_cast<std::size_t>(threads * per_thread));
  std::vector<int> next(threads, 0);
  for (const auto& line : all) {
    const int t = line.component.back() - '0';
    EXPECT_EQ(line.message, fmt::format("thread {} line {}", t, next[t]));
    ++next[t];
  }
}

TEST(log_stderr, line_has_utc_timestamp_level_component_and_message) {
  set_log_sink(nullptr);
  set_log_level(log_level::info);
  const logger log("broker.net");
  ::testing::internal::CaptureStderr();
  log.info("accepted connection from {}:{}", "127.0.0.1", 50432);
  log.warn("slow request");
  log.debug("not shown");
  const std::string out = ::testing::internal::GetCapturedStderr();
  const std::regex expected(
      R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO  \[broker\.net\] accepted connection from 127\.0\.0\.1:50432
\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN  \[broker\.net\] slow request
)");
  EXPECT_TRUE(std::regex_match(out, expected)) << out;
}

}  // namespace
}  // namespace sluice::core
