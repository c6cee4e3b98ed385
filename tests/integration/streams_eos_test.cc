// processing.guarantee=exactly_once_v2 end to end on an in-process sluice-broker through
// librdkafka: transactional output read with read_committed, tasks moving between instances,
// a failed transaction whose changelog records must never be restored, the state-directory
// lock. The worker-process kill tests are in streams_examples_test.cc; the long chaos test is
// tests/integration/slow/.

#include "tests/integration/streams_fixture.h"

#include "core/serde.h"
#include "dsl/streams.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
namespace serdes = core::serdes;

const core::properties eos{{"processing.guarantee", "exactly_once_v2"}};

core::properties with(core::properties base, const core::properties& more) {
  for (const auto& [k, v] : more) base[k] = v;
  return base;
}

/// Counts records per key (a key-value store, change-logged), every new count to `out`. A value
/// "boom" throws while `*failures` > 0 (decremented each time) — after the records before it
/// in the same transaction have updated the store and sent their changelog records.
topology counting(const std::string& in, const std::string& out,
                  std::shared_ptr<std::atomic<int>> failures = std::make_shared<std::atomic<int>>(0)) {
  streams_builder b;
  b.stream<std::string, std::string>(in)
      .map_values([failures](const std::string& v) {
        if (v == "boom" && failures->fetch_sub(1) > 0) throw std::runtime_error("boom in user code");
        return v;
      })
      .group_by_key()
      .count(materialized<std::string, int64_t>::as("counts"))
      .to_stream()
      .to(out, {.value_serde = serdes::int64{}});
  return b.build();
}

/// The exactly-once verdict on a count topic, in the style of Kafka's EosTestDriver: per key,
/// the counts emitted (in offset order) must rise strictly — a record processed twice, or a
/// store restored to an older state, would repeat or lower a count — and the last one must be
/// the reference count computed from the input.
struct count_verdict {
  std::map<std::string, int64_t> last;
  std::vector<std::string> problems;
};

count_verdict verify_counts(std::vector<consumed> records, const std::map<std::string, int64_t>& expected) {
  std::stable_sort(records.begin(), records.end(), [](const auto& a, const auto& b) {
    return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
  });
  count_verdict v;
  for (const auto& r : records) {
    if (!r.key || !r.value) {
      v.problems.push_back("a record without key or value");
      continue;
    }
    const int64_t n = as_int64(r.value);
    auto it = v.last.find(*r.key);
    if (it != v.last.end() && n <= it->second) {
      v.problems.push_back("key " + *r.key + ": count " + std::to_string(n) + " after " +
                           std::to_string(it->second));
    }
    v.last[*r.key] = n;
  }
  for (const auto& [k, n] : expected) {
    auto it = v.last.find(k);
    if (it == v.last.end()) {
      v.problems.push_back("key " + k + ": no count (expected " + std::to_string(n) + ")");
    } else if (it->second != n) {
      v.problems.push_back("key " + k + ": count " + std::to_string(it->second) + ", expected " +
                           std::to_string(n));
    }
  }
  for (const auto& [k, n] : v.last) {
    if (!expected.contains(k)) v.problems.push_back("unexpected key " + k);
  }
  return v;
}

std::string describe(const count_verdict& v) {
  std::string s;
  for (std::size_t i = 0; i < v.problems.size() && i < 20; ++i) s += v.problems[i] + "\n";
  return s;
}

class streams_eos_test : public streams_test {
 protected:
  /// `n` records over `keys` keys; adds them to `expected`.
  std::vector<keyed> records(int n, int keys, int64_t ts, std::map<std::string, int64_t>& expected,
                             const std::string& value = "v") {
    std::vector<keyed> out;
    for (int i = 0; i < n; ++i) {
      const std::string k = "k" + std::to_string(i % keys);
      out.push_back({k, value, ts + i});
      ++expected[k];
    }
    return out;
  }

  /// Waits until the committed output matches `expected` and then checks it once more after
  /// the application had time to write anything it should not.
  count_verdict settle(const std::string& out, const std::map<std::string, int64_t>& expected) {
    count_verdict v;
    eventually([&] {
      v = verify_counts(read_all(out, 1u << 30, 2s), expected);
      return v.problems.empty();
    }, 90s);
    std::this_thread::sleep_for(1s);
    return verify_counts(read_all(out, 1u << 30, 3s), expected);
  }
};

TEST_F(streams_eos_test, counting_topology_commits_exactly_the_expected_counts) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 3), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(out, 3), RdKafka::ERR_NO_ERROR);
  std::map<std::string, int64_t> expected;
  produce_all(in, records(1500, 37, 1000, expected));

  streams app(counting(in, out), app_config("a", with(eos, {{"num.stream.threads", "2"},
                                                            {"commit.interval.ms", "100"}})));
  app.start();
  ASSERT_TRUE(wait_for_state(app, streams_state::running));
  produce_all(in, records(1500, 37, 5000, expected));
  const count_verdict v = settle(out, expected);
  EXPECT_TRUE(v.problems.empty()) << describe(v);

  // Output and offsets were committed by transactions: a read_uncommitted reader sees the
  // same records, and the group's committed offsets are the ends of the input partitions.
  EXPECT_EQ(read_all(out, 1u << 30, 2s).size(),
            consume(out, {0, 1, 2}, 1u << 30, 3s, {{"isolation.level", "read_uncommitted"}}).size());
  EXPECT_TRUE(app.close(30s));
  auto conf = std::unique_ptr<RdKafka::Conf>(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  conf->set("bootstrap.servers", bootstrap(), err);
  conf->set("group.id", application_id(), err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  ASSERT_TRUE(c) << err;
  std::vector<RdKafka::TopicPartition*> tps;
  for (int p = 0; p < 3; ++p) tps.push_back(RdKafka::TopicPartition::create(in, p));
  ASSERT_EQ(c->committed(tps, 10000), RdKafka::ERR_NO_ERROR);
  int64_t committed = 0;
  for (auto* tp : tps) committed += tp->offset();
  RdKafka::TopicPartition::destroy(tps);
  c->close();
  EXPECT_EQ(committed, 3000);
}

TEST_F(streams_eos_test, tasks_move_between_instances_with_their_committed_state) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 4), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(out, 4), RdKafka::ERR_NO_ERROR);
  std::map<std::string, int64_t> expected;
  auto a = std::make_unique<streams>(counting(in, out), app_config("a", eos));
  a->start();
  ASSERT_TRUE(wait_for_state(*a, streams_state::running));
  produce_all(in, records(800, 23, 1000, expected));

  // b joins while records flow: half of the tasks move to it and restore their stores.
  streams b(counting(in, out), app_config("b", eos));
  b.start();
  produce_all(in, records(800, 23, 5000, expected));
  auto owns_tasks = [](const streams& s) {
    auto md = s.metadata();
    return s.state() == streams_state::running && !md.empty() && !md[0].active_tasks.empty();
  };
  ASSERT_TRUE(eventually([&] { return owns_tasks(*a) && owns_tasks(b); }));
  produce_all(in, records(800, 23, 9000, expected));

  // a leaves: every task ends up on b, with the state a committed.
  EXPECT_TRUE(a->close(30s));
  a.reset();
  produce_all(in, records(800, 23, 13000, expected));
  const count_verdict v = settle(out, expected);
  EXPECT_TRUE(v.problems.empty()) << describe(v);
  EXPECT_TRUE(b.close(30s));
}

TEST_F(streams_eos_test, an_aborted_transactions_changelog_records_are_never_restored) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 1), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(out, 1), RdKafka::ERR_NO_ERROR);
  const std::string changelog = application_id() + "-counts-changelog";
  std::map<std::string, int64_t> expected;
  // Every update goes to the changelog at once (no cache); "boom" fails the thread in the
  // middle of a transaction that already carries changelog records for the records before it.
  auto failures = std::make_shared<std::atomic<int>>(1);
  // Nothing commits on its own for a minute (the transaction may stay open that long).
  const core::properties config = app_config(
      "a", with(eos, {{"cache.max.bytes", "0"}, {"commit.interval.ms", "60000"},
                      {"producer.transaction.timeout.ms", "60000"}}));
  const std::vector<keyed> first = records(300, 10, 1000, expected);
  std::vector<keyed> second{{"k0", "boom", 2000}};
  ++expected["k0"];
  for (auto& r : records(100, 10, 3000, expected)) second.push_back(r);
  {
    streams app(counting(in, out, failures), config);
    std::atomic<int> failed{0};
    app.set_uncaught_error_handler([&](std::exception_ptr) {
      ++failed;
      return uncaught_error_response::replace_thread;
    });
    app.start();
    ASSERT_TRUE(wait_for_state(app, streams_state::running));
    produce_all(in, first);
    // Their changelog records reach the log inside the open transaction (no commit for a
    // minute); then "boom" fails it.
    EXPECT_EQ(consume(changelog, {0}, 300, 60s, {{"isolation.level", "read_uncommitted"}}).size(), 300u);
    EXPECT_TRUE(read_all(changelog, 1, 1s).empty());
    produce_all(in, second);
    // The replacement thread restores the store from its last commit (nothing) plus the
    // changelog's committed records (none: the failed transaction was aborted), reprocesses
    // from the committed offsets (none) and counts every record once.
    ASSERT_TRUE(eventually([&] { return failed.load() == 1; }));
    core::counter& processed = app.metrics().register_counter(
        "sluice_streams_records_processed_total", "Records processed by the thread's tasks.",
        {{"thread", "stream-thread-1"}});
    ASSERT_TRUE(eventually([&] { return processed.value() >= 401; })) << processed.value();
    EXPECT_TRUE(app.close(60s));  // the final commit
  }
  const count_verdict v = verify_counts(read_all(out, 1u << 30, 3s), expected);
  EXPECT_TRUE(v.problems.empty()) << describe(v);
  // The aborted transaction left its changelog records in the log, invisible to read_committed.
  const auto committed = read_all(changelog, 1u << 30, 3s);
  const auto everything = consume(changelog, {0}, 1u << 30, 3s, {{"isolation.level", "read_uncommitted"}});
  EXPECT_EQ(committed.size(), 401u);
  EXPECT_GT(everything.size(), committed.size());

  // A new instance without local state restores the store from the whole changelog: if it
  // applied the aborted records, the counts would continue from too high.
  std::filesystem::remove_all(data_dir() / "state-a");
  std::vector<keyed> more = records(10, 10, 9000, expected);
  {
    streams app(counting(in, out), app_config("a", with(eos, {{"cache.max.bytes", "0"}})));
    app.start();
    ASSERT_TRUE(wait_for_state(app, streams_state::running));
    produce_all(in, more);
    const count_verdict after = settle(out, expected);
    EXPECT_TRUE(after.problems.empty()) << describe(after);
    EXPECT_TRUE(app.close(60s));
  }
}

TEST_F(streams_eos_test, a_fenced_producer_is_recreated_and_the_work_since_the_last_commit_redone) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 1), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(out, 1), RdKafka::ERR_NO_ERROR);
  std::map<std::string, int64_t> expected;
  streams app(counting(in, out), app_config("a", eos));
  std::atomic<int> failed{0};
  app.set_uncaught_error_handler([&](std::exception_ptr) {
    ++failed;
    return uncaught_error_response::replace_thread;
  });
  app.start();
  ASSERT_TRUE(wait_for_state(app, streams_state::running));
  produce_all(in, records(200, 7, 1000, expected));
  count_verdict v = settle(out, expected);
  EXPECT_TRUE(v.problems.empty()) << describe(v);

  // Another producer takes the thread's transactional.id: the thread's producer is fenced.
  std::string process_id = read_file(data_dir() / "state-a" / application_id() / "process-id");
  process_id.pop_back();  // the newline
  auto zombie = make_producer({{"transactional.id", application_id() + "-" + process_id + "-0"}});
  std::unique_ptr<RdKafka::Error> init(zombie->init_transactions(30000));
  ASSERT_FALSE(init) << init->str();

  // The thread notices at its next transaction, recreates its producer (fencing this one in
  // turn), redoes the work since its last commit, and counts every record once.
  produce_all(in, records(200, 7, 5000, expected));
  v = settle(out, expected);
  EXPECT_TRUE(v.problems.empty()) << describe(v);
  EXPECT_EQ(failed.load(), 0);
  auto md = app.metadata();
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].thread_name, "stream-thread-0");  // the same thread, not a replacement
  EXPECT_TRUE(app.close(30s));
}

TEST_F(streams_eos_test, a_state_directory_is_used_by_one_instance_at_a_time) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 1), RdKafka::ERR_NO_ERROR);
  streams a(counting(in, out), app_config("a", eos));
  a.start();
  // Same state.dir: it would share a's transactional.ids and fence it.
  streams b(counting(in, out), app_config("a", eos));
  std::string e = "started";
  try {
    b.start();
  } catch (const streams_error& ex) {
    e = ex.what();
  }
  EXPECT_NE(e.find("is in use by another instance"), std::string::npos) << e;
  EXPECT_NE(e.find("state.dir"), std::string::npos) << e;
  EXPECT_TRUE(a.close(30s));
  // Released by close(): the next instance on it reuses the process id.
  const std::string id = read_file(data_dir() / "state-a" / application_id() / "process-id");
  EXPECT_EQ(id.size(), 33u) << id;
  streams c(counting(in, out), app_config("a", eos));
  c.start();
  EXPECT_TRUE(c.close(30s));
  EXPECT_EQ(read_file(data_dir() / "state-a" / application_id() / "process-id"), id);
}

}  // namespace
}  // namespace sluice::testing
