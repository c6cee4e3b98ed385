// The streams runtime end to end on an in-process sluice-broker: stateless and stateful
// topologies, internal topics, restoration from changelogs, several threads and instances,
// lifecycle, error handling.

#include "tests/integration/streams_fixture.h"

#include "core/serde.h"
#include "dsl/streams.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
namespace serdes = core::serdes;

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

/// in (string, string) -> upper-cased values -> out.
topology uppercase(const std::string& in, const std::string& out) {
  streams_builder b;
  b.stream<std::string, std::string>(in)
      .map_values([](const std::string& v) { return upper(v); })
      .to(out);
  return b.build();
}


/// The last value per key, in partition order.
std::map<std::string, int64_t> latest(const std::vector<consumed>& records) {
  std::map<std::string, int64_t> out;
  std::vector<consumed> sorted = records;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
  });
  for (const auto& r : sorted) out[*r.key] = as_int64(r.value);
  return out;
}

/// The low watermark (log start offset) of each of `partitions` partitions of `topic`.
std::vector<int64_t> log_starts(const std::string& bootstrap, const std::string& topic, int partitions) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  std::vector<int64_t> out;
  for (int i = 0; i < partitions; ++i) {
    int64_t low = -1, high = -1;
    if (p->query_watermark_offsets(topic, i, &low, &high, 10000) != RdKafka::ERR_NO_ERROR) low = -1;
    out.push_back(low);
  }
  return out;
}

class repartition_purge_test : public streams_test {
 protected:
  /// Counts words through a repartition topic under `guarantee`; once every count is out, the
  /// 400 repartition records have been committed past and must be deleted.
  void expect_committed_repartition_records_purged(const std::string& guarantee);
};

void repartition_purge_test::expect_committed_repartition_records_purged(const std::string& guarantee) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 2), RdKafka::ERR_NO_ERROR);
  std::vector<keyed> records;
  for (int i = 0; i < 400; ++i) records.push_back({"k" + std::to_string(i), "w" + std::to_string(i % 8), 1000 + i});
  produce_all(in, records);
  // Words (values) counted through the repartition topic `<app>-by-word-repartition`.
  streams_builder b;
  b.stream<std::string, std::string>(in)
      .group_by([](const std::string&, const std::string& v) { return v; },
                grouped<std::string, std::string>::as("by-word"))
      .count(materialized<std::string, int64_t>::as("word-counts"))
      .to_stream()
      .to(out, {.value_serde = serdes::int64{}});
  streams app(b.build(), app_config("a", {{"processing.guarantee", guarantee},
                                          {"commit.interval.ms", "100"},
                                          {"repartition.purge.interval.ms", "100"}}));
  app.start();
  // Every word reaches 50; then the repartition records before the committed offsets go.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::map<std::string, int64_t> totals;
  while (std::chrono::steady_clock::now() < deadline) {
    totals = latest(read_all(out, 1000000, std::chrono::seconds(3)));
    if (totals.size() == 8 && std::all_of(totals.begin(), totals.end(), [](const auto& e) { return e.second == 50; })) break;
  }
  ASSERT_EQ(totals.size(), 8u);
  for (const auto& [word, n] : totals) EXPECT_EQ(n, 50) << word;
  const std::string repartition = application_id() + "-by-word-repartition";
  // The log starts move up to the committed offsets: past 400 records (and, under exactly-once,
  // the transaction markers between them).
  int64_t purged = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    purged = 0;
    for (int64_t low : log_starts(bootstrap(), repartition, 2)) purged += std::max<int64_t>(0, low);
    if (purged >= 400) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_GE(purged, 400);
  // Each of the 400 repartition records was counted and committed, so none is left to read.
  EXPECT_TRUE(read_all(repartition, 1, std::chrono::seconds(2)).empty());
  EXPECT_TRUE(app.close(30s));
}

TEST_F(repartition_purge_test, committed_repartition_records_are_purged_under_at_least_once) {
  expect_committed_repartition_records_purged("at_least_once");
}

TEST_F(repartition_purge_test, committed_repartition_records_are_purged_under_exactly_once) {
  expect_committed_repartition_records_purged("exactly_once_v2");
}

TEST_F(streams_test, stateless_pipeline_processes_every_record_across_partitions) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 3), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(out, 3), RdKafka::ERR_NO_ERROR);
  std::vector<keyed> records;
  for (int i = 0; i < 300; ++i) records.push_back({"k" + std::to_string(i % 17), "v" + std::to_string(i), 1000 + i});
  produce_all(in, records);

  streams app(uppercase(in, out), app_config("a", {{"num.stream.threads", "2"}}));
  std::vector<std::pair<streams_state, streams_state>> transitions;
  std::mutex m;
  app.set_state_listener([&](streams_state now, streams_state before) {
    std::lock_guard lock(m);
    transitions.emplace_back(now, before);
  });
  app.start();
  ASSERT_TRUE(wait_for_state(app, streams_state::running));
  auto got = read_all(out, 300);
  ASSERT_EQ(got.size(), 300u);
  std::multiset<std::string> values;
  for (const auto& r : got) {
    values.insert(*r.value);
    // Same key, same partition: the output is keyed like the input.
    EXPECT_EQ(r.key->substr(0, 1), "k");
  }
  for (int i = 0; i < 300; ++i) EXPECT_EQ(values.count("V" + std::to_string(i)), 1u) << i;
  // Timestamps are carried through.
  EXPECT_GE(std::min_element(got.begin(), got.end(), [](auto& a, auto& b) { return a.timestamp < b.timestamp; })->timestamp, 1000);

  // Two threads share the three partitions.
  auto md = app.metadata();
  ASSERT_EQ(md.size(), 2u);
  std::set<std::string> tasks;
  for (const auto& t : md) {
    for (const auto& task : t.active_tasks) tasks.insert(task.task_id);
  }
  EXPECT_EQ(tasks, (std::set<std::string>{"0_0", "0_1", "0_2"}));

  EXPECT_TRUE(app.close(30s));
  EXPECT_EQ(app.state(), streams_state::not_running);
  std::lock_guard lock(m);
  ASSERT_GE(transitions.size(), 4u);
  EXPECT_EQ(transitions.front(), std::pair(streams_state::rebalancing, streams_state::created));
  EXPECT_EQ(transitions.back(), std::pair(streams_state::not_running, streams_state::pending_shutdown));
}

TEST_F(streams_test, stateful_counts_survive_losing_the_local_state_by_restoring_the_changelog) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 2), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(out, 2), RdKafka::ERR_NO_ERROR);
  std::vector<keyed> first;
  for (int i = 0; i < 200; ++i) first.push_back({"w" + std::to_string(i % 10), "x", 1000 + i});
  produce_all(in, first);
  {
    streams app(count_per_key(in, out), app_config("a"));
    app.start();
    ASSERT_TRUE(wait_for_state(app, streams_state::running));
    auto got = read_all(out, 200);
    ASSERT_EQ(got.size(), 200u);
    auto totals = latest(got);
    for (int k = 0; k < 10; ++k) EXPECT_EQ(totals["w" + std::to_string(k)], 20);
    EXPECT_TRUE(app.close(30s));
  }
  // The changelog topic exists, compacted, with one partition per task.
  EXPECT_EQ(partitions_of(application_id() + "-counts-changelog"), 2);

  // A new instance on another machine (fresh state directory) restores the counts from the
  // changelog before it processes: counting continues from 20.
  std::vector<keyed> second;
  for (int i = 0; i < 100; ++i) second.push_back({"w" + std::to_string(i % 10), "x", 5000 + i});
  produce_all(in, second);
  streams app(count_per_key(in, out), app_config("b"));
  app.start();
  ASSERT_TRUE(wait_for_state(app, streams_state::running));
  auto got = read_all(out, 300);
  ASSERT_EQ(got.size(), 300u);
  auto totals = latest(got);
  for (int k = 0; k < 10; ++k) EXPECT_EQ(totals["w" + std::to_string(k)], 30) << k;
  const std::string metrics = app.metrics().render_prometheus();
  EXPECT_NE(metrics.find("sluice_streams_restored_records_total"), std::string::npos);
  EXPECT_TRUE(app.close(30s));
}

TEST_F(streams_test, restarting_on_the_same_state_directory_restores_nothing_and_continues) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 2), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(out, 2), RdKafka::ERR_NO_ERROR);
  std::vector<keyed> first;
  for (int i = 0; i < 100; ++i) first.push_back({"w" + std::to_string(i % 5), "x", 1000 + i});
  produce_all(in, first);
  {
    streams app(count_per_key(in, out), app_config("a"));
    app.start();
    ASSERT_EQ(read_all(out, 100).size(), 100u);
    EXPECT_TRUE(app.close(30s));
  }
  // The stores' positions (in RocksDB and in each task's .checkpoint) are at the end of
  // their changelogs: nothing to restore.
  for (int p = 0; p < 2; ++p) {
    EXPECT_TRUE(std::filesystem::exists(data_dir() / "state-a" / application_id() /
                                        ("0_" + std::to_string(p)) / ".checkpoint"));
  }
  produce_all(in, first);
  streams app(count_per_key(in, out), app_config("a"));
  app.start();
  auto got = read_all(out, 200);
  ASSERT_EQ(got.size(), 200u);
  for (const auto& [k, n] : latest(got)) EXPECT_EQ(n, 40) << k;
  const std::string metrics = app.metrics().render_prometheus();
  EXPECT_NE(metrics.find("sluice_streams_restored_records_total{thread=\"stream-thread-0\"} 0"),
            std::string::npos)
      << metrics;
  EXPECT_TRUE(app.close(30s));
}

}  // namespace
}  // namespace sluice::testing
