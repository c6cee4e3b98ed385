// Stream-thread behaviour end to end: back-pressure, lowest-timestamp choice with
// max.task.idle.ms, wall-clock punctuation, static membership.

#include "tests/integration/streams_fixture.h"

#include "core/serde.h"
#include "dsl/processor.h"
#include "dsl/streams.h"

#include <mutex>
#include <set>
#include <thread>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

topology passthrough(const std::string& in, const std::string& out) {
  streams_builder b;
  b.stream<std::string, std::string>(in).map_values([](const std::string& v) { return v; }).to(out);
  return b.build();
}

class back_pressure_test : public streams_test {
 protected:
  /// 2000 records through a pass-through app under `limits`: every record once, in order per key.
  void expect_all_records_once_in_order(const core::properties& limits);
};

void back_pressure_test::expect_all_records_once_in_order(const core::properties& limits) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 2), RdKafka::ERR_NO_ERROR);
  std::vector<keyed> records;
  for (int i = 0; i < 2000; ++i) records.push_back({"k" + std::to_string(i % 7), std::to_string(i), i});
  produce_all(in, records);
  streams app(passthrough(in, out), app_config("a", limits));
  app.start();
  auto got = read_all(out, 2000);
  ASSERT_EQ(got.size(), 2000u);
  std::set<std::string> values;
  for (const auto& r : got) values.insert(*r.value);
  EXPECT_EQ(values.size(), 2000u);
  // Per key (= per partition) the order is kept.
  std::map<std::string, int> last;
  for (const auto& r : got) {
    const int v = std::stoi(*r.value);
    auto [it, fresh] = last.try_emplace(*r.key, v);
    if (!fresh) {
      EXPECT_LT(it->second, v) << *r.key;
      it->second = v;
    }
  }
  EXPECT_TRUE(app.close(30s));
}

TEST_F(back_pressure_test, pausing_partitions_at_a_record_limit_loses_and_repeats_nothing) {
  // Ten records per partition at most: fetching pauses and resumes hundreds of times.
  expect_all_records_once_in_order({{"buffered.records.per.partition", "10"}});
}

TEST_F(back_pressure_test, pausing_at_the_input_buffer_bytes_loses_and_repeats_nothing) {
  // One byte: every poll leaves the thread over its share, so every partition with buffered
  // records is paused until its queue is empty.
  expect_all_records_once_in_order({{"input.buffer.max.bytes", "1"}});
}

TEST_F(streams_test, a_task_waits_up_to_max_task_idle_for_all_its_partitions_then_takes_the_lowest_timestamp) {
  const std::string a = topic("a"), b = topic("b"), out = topic("out");
  ASSERT_EQ(create_topic(a, 1), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(b, 1), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(out, 1), RdKafka::ERR_NO_ERROR);
  streams_builder builder;
  builder.stream<std::string, std::string>(a)
      .merge(builder.stream<std::string, std::string>(b))
      .to(out);
  produce_all(a, {{"k", "a-100", 100}, {"k", "a-300", 300}});
  streams app(builder.build(), app_config("a", {{"max.task.idle.ms", "3000"}}));
  app.start();
  ASSERT_TRUE(wait_for_state(app, streams_state::running));
  std::this_thread::sleep_for(1000ms);
  EXPECT_TRUE(read_all(out, 1, 500ms).empty()) << "the task must wait for partition b";
  produce_all(b, {{"k", "b-200", 200}});
  // a-300 waits again for b (up to 3 s), then goes alone.
  auto got = read_all(out, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(*got[0].value, "a-100");
  EXPECT_EQ(*got[1].value, "b-200");
  EXPECT_EQ(*got[2].value, "a-300");
  EXPECT_TRUE(app.close(30s));
}

/// Emits "tick" every 100 ms of wall-clock time.
class ticker final : public processor<std::string, std::string, std::string, std::string> {
 public:
  void init(processor_context<std::string, std::string>& ctx) override {
    ctx.schedule(100ms, punctuation_type::wall_clock_time, [&ctx](timestamp now) {
      ctx.forward(record<std::string, std::string>{"clock", "tick", now, {}});
    });
  }
  void process(const record<std::string, std::string>&) override {}
};

TEST_F(streams_test, wall_clock_punctuators_run_without_input) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 1), RdKafka::ERR_NO_ERROR);
  streams_builder b;
  b.stream<std::string, std::string>(in)
      .process([] { return std::make_unique<ticker>(); })
      .to(out);
  streams app(b.build(), app_config());
  app.start();
  auto got = read_all(out, 5, 20s);
  ASSERT_EQ(got.size(), 5u);
  for (const auto& r : got) EXPECT_EQ(r.value, "tick");
  EXPECT_LT(got[0].timestamp, got[4].timestamp);
  EXPECT_TRUE(app.close(30s));
}

TEST_F(streams_test, a_static_member_restarting_within_the_session_timeout_gets_its_tasks_back_without_a_rebalance) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 2), RdKafka::ERR_NO_ERROR);
  auto a = std::make_unique<streams>(passthrough(in, out), app_config("a", {{"group.instance.id", "a"}}));
  streams b(passthrough(in, out), app_config("b", {{"group.instance.id", "b"}}));
  std::mutex m;
  std::vector<streams_state> b_states;
  b.set_state_listener([&](streams_state now, streams_state) {
    std::lock_guard lock(m);
    b_states.push_back(now);
  });
  a->start();
  b.start();
  ASSERT_TRUE(eventually([&] {
    return a->state() == streams_state::running && b.state() == streams_state::running &&
           tasks_of(*a).size() == 1 && tasks_of(b).size() == 1;
  }));
  const auto a_tasks = tasks_of(*a);
  const auto b_tasks = tasks_of(b);
  {
    std::lock_guard lock(m);
    b_states.clear();
  }
  ASSERT_TRUE(a->close(30s));  // a static member does not leave the group
  a.reset();
  a = std::make_unique<streams>(passthrough(in, out), app_config("a", {{"group.instance.id", "a"}}));
  a->start();
  ASSERT_TRUE(eventually([&] { return a->state() == streams_state::running && tasks_of(*a) == a_tasks; }));
  EXPECT_EQ(tasks_of(b), b_tasks);
  {
    std::lock_guard lock(m);
    EXPECT_TRUE(b_states.empty()) << "b was rebalanced";
  }
  // Both keep working.
  produce_all(in, {{"x", "1", 1}, {"y", "2", 2}, {"z", "3", 3}, {"w", "4", 4}});
  EXPECT_EQ(read_all(out, 4).size(), 4u);
  EXPECT_TRUE(a->close(30s));
  EXPECT_TRUE(b.close(30s));
}

}  // namespace
}  // namespace sluice::testing
