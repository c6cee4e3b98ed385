// Chaos (label slow): both examples run under exactly_once_v2 as three worker processes each
// against an in-process sluice-broker, while a random worker is killed with SIGKILL every few
// seconds and restarted on its state directory, for minutes. At the end every page-view count
// and every join must be exactly what the input implies: strictly rising counts per (window,
// page) ending at the reference, every paid order joined once, nothing else.

#include "tests/integration/page_view_check.h"
#include "tests/integration/streams_fixture.h"

#include "core/serde.h"
#include "examples/page_views/page_views.h"

#include <signal.h>

#include <deque>
#include <map>
#include <random>
#include <regex>
#include <thread>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

using counts = page_view_counts;

constexpr int64_t minute = 1700000040;
/// Rounds of (more input, kill one worker, restart it); about 5 s each.
constexpr int rounds = 36;

class streams_chaos_test : public streams_test {
 protected:
  struct worker {
    std::string binary;
    std::string name;
    child_process process;
  };

  void TearDown() override {
    for (auto& w : _workers) kill_worker(w);
    streams_test::TearDown();
  }

  void start(worker& w) {
    const auto dir = data_dir() / w.name;
    std::filesystem::create_directories(dir);
    w.process = spawn({w.binary, "--bootstrap", bootstrap(), "--state-dir", (dir / "state").string(),
                       "--threads", "1", "--http", "127.0.0.1:0",
                       "--set", "processing.guarantee=exactly_once_v2",
                       "--set", "poll.ms=50", "--set", "rocksdb.memory.bytes=33554432",
                       "--set", "consumer.session.timeout.ms=6000",
                       "--set", "consumer.heartbeat.interval.ms=500",
                       "--set", "consumer.fetch.wait.max.ms=100",
                       "--shutdown-timeout-ms", "20000"},
                      dir / "worker.log");
  }

  static void kill_worker(worker& w) {
    if (w.process.pid <= 0) return;
    ::kill(w.process.pid, SIGKILL);
    wait_exit(w.process.pid, 10s);
    w.process.pid = -1;
  }

  std::vector<std::string> verify_page_views(const counts& expected) {
    return page_view_problems(read_all(page_views::output_topic, 1u << 30, 5s), expected);
  }

  std::deque<worker> _workers;
};

TEST_F(streams_chaos_test, exactly_once_survives_repeated_sigkills) {
  for (int i = 0; i < 3; ++i) {
    _workers.push_back({SLUICE_PAGE_VIEWS_WORKER, "pv" + std::to_string(i), {}});
    _workers.push_back({SLUICE_ORDER_PAYMENT_WORKER, "join" + std::to_string(i), {}});
  }
  for (auto& w : _workers) start(w);

  // The join's input: one generator run, fed in while the kills go on.
  constexpr int orders = 20000;
  child_process join_gen = spawn({SLUICE_ORDER_PAYMENT_GENERATOR, "--bootstrap", bootstrap(),
                                  "--count", std::to_string(orders)},
                                 data_dir() / "join-generator.log");

  std::mt19937 rng(20261124);
  counts expected;
  for (int round = 0; round < rounds; ++round) {
    // More page views (all within the grace period: every one must count).
    auto [status, out] = run_tool({SLUICE_PAGE_VIEWS_GENERATOR, "--bootstrap", bootstrap(),
                                   "--count", "300", "--start", std::to_string(minute),
                                   "--span-seconds", "120", "--seed", std::to_string(100 + round),
                                   "--print-expected"});
    ASSERT_EQ(status, 0);
    for (const auto& [k, n] : parse_page_view_tsv(out)) expected[k] += n;
    worker& victim = _workers[std::uniform_int_distribution<std::size_t>(0, _workers.size() - 1)(rng)];
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(500, 3000)(rng)));
    kill_worker(victim);
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(200, 2000)(rng)));
    start(victim);
  }
  EXPECT_EQ(wait_exit(join_gen.pid, 120s), 0) << read_file(join_gen.log);

  std::vector<std::string> problems;
  EXPECT_TRUE(eventually([&] {
    problems = verify_page_views(expected);
    return problems.empty();
  }, 180s));
  for (std::size_t i = 0; i < problems.size() && i < 20; ++i) ADD_FAILURE() << problems[i];

  std::pair<int, std::string> verdict;
  EXPECT_TRUE(eventually([&] {
    verdict = run_tool({SLUICE_ORDER_PAYMENT_VERIFIER, "--bootstrap", bootstrap(), "--count",
                        std::to_string(orders), "--idle-ms", "3000", "--timeout-ms", "60000"});
    return verdict.first == 0;
  }, 180s)) << verdict.second;
  EXPECT_NE(verdict.second.find("(0 duplicates)"), std::string::npos) << verdict.second;

  // Every worker is still alive and stops cleanly.
  for (auto& w : _workers) {
    ::kill(w.process.pid, SIGTERM);
    EXPECT_EQ(wait_exit(w.process.pid, 30s), 0) << read_file(w.process.log);
    w.process.pid = -1;
  }
}

}  // namespace
}  // namespace sluice::testing
