// The streams runtime when things go wrong: start-up refusals with clear messages, the three
// deserialization-error handlers, and the uncaught-error handler's three answers.

#include "tests/integration/streams_fixture.h"

#include "core/serde.h"
#include "dsl/streams.h"

#include <atomic>
#include <mutex>
#include <set>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
namespace serdes = core::serdes;

/// The message of the streams_error that start() throws, or "started".
std::string start_error(streams& app) {
  try {
    app.start();
  } catch (const streams_error& e) {
    return e.what();
  }
  return "started";
}

TEST_F(streams_test, start_names_a_missing_source_topic) {
  streams app(count_per_key(topic("missing"), topic("out")), app_config());
  const std::string e = start_error(app);
  EXPECT_NE(e.find("source topic does not exist"), std::string::npos) << e;
  EXPECT_NE(e.find(topic("missing")), std::string::npos) << e;
  EXPECT_EQ(app.state(), streams_state::created);
  EXPECT_TRUE(app.close(5s));
  EXPECT_EQ(app.state(), streams_state::not_running);
}

TEST_F(streams_test, start_refuses_group_timeouts_that_cannot_work_and_names_them) {
  const std::string in = topic("in");
  ASSERT_EQ(create_topic(in, 1), RdKafka::ERR_NO_ERROR);
  streams app(count_per_key(in, topic("out")),
              app_config("a", {{"consumer.session.timeout.ms", "6000"}, {"consumer.heartbeat.interval.ms", "6000"}}));
  const std::string e = start_error(app);
  EXPECT_NE(e.find("heartbeat.interval.ms"), std::string::npos) << e;
  EXPECT_TRUE(app.close(5s));
}

TEST_F(streams_test, start_refuses_joined_topics_that_are_not_co_partitioned) {
  const std::string left = topic("left"), right = topic("right");
  ASSERT_EQ(create_topic(left, 2), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(right, 3), RdKafka::ERR_NO_ERROR);
  streams_builder b;
  auto l = b.stream<std::string, std::string>(left);
  auto r = b.stream<std::string, std::string>(right);
  l.join(r, [](const std::string& a, const std::string& c) { return a + c; },
         join_windows::of(1min))
      .to(topic("out"));
  streams app(b.build(), app_config());
  const std::string e = start_error(app);
  EXPECT_NE(e.find("not co-partitioned"), std::string::npos) << e;
  EXPECT_NE(e.find(left), std::string::npos) << e;
  EXPECT_NE(e.find(right), std::string::npos) << e;
}

TEST_F(streams_test, start_refuses_a_stateful_subtopology_whose_topics_differ_in_partition_count) {
  const std::string a = topic("a"), c = topic("c");
  ASSERT_EQ(create_topic(a, 2), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(c, 4), RdKafka::ERR_NO_ERROR);
  streams_builder b;
  b.stream<std::string, std::string>(a)
      .merge(b.stream<std::string, std::string>(c))
      .group_by_key()
      .count()
      .to_stream()
      .to(topic("out"), {.value_serde = serdes::int64{}});
  streams app(b.build(), app_config());
  const std::string e = start_error(app);
  EXPECT_NE(e.find("different partition counts"), std::string::npos) << e;
}

TEST_F(streams_test, start_refuses_an_existing_changelog_with_the_wrong_partition_count) {
  const std::string in = topic("in");
  ASSERT_EQ(create_topic(in, 2), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(application_id() + "-counts-changelog", 5, {{"cleanup.policy", "compact"}}),
            RdKafka::ERR_NO_ERROR);
  streams app(count_per_key(in, topic("out")), app_config());
  const std::string e = start_error(app);
  EXPECT_NE(e.find("changelog topic of store 'counts'"), std::string::npos) << e;
  EXPECT_NE(e.find("has 5 partitions but the topology needs 2"), std::string::npos) << e;
}

TEST_F(streams_test, start_reports_the_brokers_answer_when_it_refuses_an_internal_topic) {
  const std::string in = topic("in");
  ASSERT_EQ(create_topic(in, 1), RdKafka::ERR_NO_ERROR);
  // A single broker cannot hold three replicas: the changelog cannot be created.
  streams app(count_per_key(in, topic("out")), app_config("a", {{"replication.factor", "3"}}));
  const std::string e = start_error(app);
  EXPECT_NE(e.find("cannot create changelog topic of store 'counts'"), std::string::npos) << e;
  EXPECT_NE(e.find("cleanup.policy=compact"), std::string::npos) << e;
  EXPECT_NE(e.find("INVALID_REPLICATION_FACTOR"), std::string::npos) << e;
}

TEST_F(streams_test, a_bad_pass_through_setting_fails_start_naming_it) {
  const std::string in = topic("in");
  ASSERT_EQ(create_topic(in, 1), RdKafka::ERR_NO_ERROR);
  streams app(count_per_key(in, topic("out")), app_config("a", {{"admin.no.such.setting", "1"}}));
  const std::string e = start_error(app);
  EXPECT_NE(e.find("'no.such.setting'"), std::string::npos) << e;
}

// ---- deserialization errors ------------------------------------------------------------------

/// int64 values in, doubled, out.
topology doubling(const std::string& in, const std::string& out) {
  streams_builder b;
  b.stream<std::string, int64_t>(in, {.value_serde = serdes::int64{}})
      .map_values([](const int64_t& v) { return v * 2; })
      .to(out, {.value_serde = serdes::int64{}});
  return b.build();
}

std::string int64_text(int64_t v) {
  auto b = serdes::int64{}.serialize(v).value();
  return std::string(core::as_string_view(b));
}

class streams_deserialization_test : public streams_test {
 protected:
  void SetUp() override {
    streams_test::SetUp();
    in = topic("in");
    out = topic("out");
    ASSERT_EQ(create_topic(in, 1), RdKafka::ERR_NO_ERROR);
    ASSERT_EQ(create_topic(out, 1), RdKafka::ERR_NO_ERROR);
    // 1, 2, "bad" (not 8 bytes), 3: the bad record is offset 2 of partition 0.
    produce_all(in, {{"k", int64_text(1), 10}, {"k", int64_text(2), 11}, {"k", "bad", 12},
                     {"k", int64_text(3), 13}});
  }
  std::string in, out;
};

TEST_F(streams_deserialization_test, log_and_continue_skips_and_counts_the_bad_record) {
  streams app(doubling(in, out),
              app_config("a", {{"default.deserialization.exception.handler", "log-and-continue"}}));
  app.start();
  auto got = read_all(out, 3);
  ASSERT_EQ(got.size(), 3u);
  std::vector<int64_t> values;
  for (const auto& r : got) values.push_back(serdes::int64{}.deserialize(core::as_bytes(*r.value)).value());
  EXPECT_EQ(values, (std::vector<int64_t>{2, 4, 6}));
  EXPECT_TRUE(eventually([&] {
    return app.metrics().render_prometheus().find(
               "sluice_streams_skipped_records_total{thread=\"stream-thread-0\"} 1") != std::string::npos;
  }));
  EXPECT_EQ(app.state(), streams_state::running);
  EXPECT_TRUE(app.close(30s));
}

TEST_F(streams_deserialization_test, log_and_fail_fails_the_thread_and_the_default_handler_stops_the_instance) {
  streams app(doubling(in, out), app_config());  // log-and-fail is the default
  std::mutex m;
  std::vector<streams_state> states;
  app.set_state_listener([&](streams_state now, streams_state) {
    std::lock_guard lock(m);
    states.push_back(now);
  });
  app.start();
  ASSERT_TRUE(wait_for_state(app, streams_state::error));
  {
    std::lock_guard lock(m);
    ASSERT_GE(states.size(), 2u);
    EXPECT_EQ(states[states.size() - 2], streams_state::pending_error);
    EXPECT_EQ(states.back(), streams_state::error);
  }
  // The records before the bad one were processed (and are committed at most up to it).
  auto got = read_all(out, 2, 10s);
  EXPECT_EQ(got.size(), 2u);
  EXPECT_TRUE(app.close(30s));
  EXPECT_EQ(app.state(), streams_state::not_running);
}

TEST_F(streams_deserialization_test, dead_letter_sends_the_record_unchanged_with_the_error_in_headers) {
  const std::string dlq = topic("dlq");
  streams app(doubling(in, out),
              app_config("a", {{"default.deserialization.exception.handler", "dead-letter"},
                               {"errors.dead.letter.queue.topic.name", dlq}}));
  app.start();
  auto got = read_all(out, 3);
  EXPECT_EQ(got.size(), 3u);
  auto dead = read_all(dlq, 1);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].key, "k");
  EXPECT_EQ(dead[0].value, "bad");
  EXPECT_EQ(dead[0].timestamp, 12);
  std::map<std::string, std::string> headers;
  for (const auto& [k, v] : dead[0].headers) headers[k] = v.value_or("");
  EXPECT_EQ(headers["__streams.errors.topic"], in);
  EXPECT_EQ(headers["__streams.errors.partition"], "0");
  EXPECT_EQ(headers["__streams.errors.offset"], "2");
  EXPECT_EQ(headers["__streams.errors.exception"], "deserialization_failed");
  EXPECT_FALSE(headers["__streams.errors.message"].empty());
  EXPECT_EQ(app.state(), streams_state::running);
  EXPECT_TRUE(app.close(30s));
}

// ---- the uncaught-error handler -------------------------------------------------------------

/// Upper-cases values; a value "boom" throws the first `failures` times it is processed.
topology fragile(const std::string& in, const std::string& out, std::shared_ptr<std::atomic<int>> failures) {
  streams_builder b;
  b.stream<std::string, std::string>(in)
      .map_values([failures](const std::string& v) {
        if (v == "boom" && failures->fetch_sub(1) > 0) throw std::runtime_error("boom in user code");
        return v + "!";
      })
      .to(out);
  return b.build();
}

TEST_F(streams_test, replace_thread_starts_a_new_thread_that_picks_up_where_the_last_commit_was) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 1), RdKafka::ERR_NO_ERROR);
  auto failures = std::make_shared<std::atomic<int>>(1);
  streams app(fragile(in, out, failures), app_config());
  std::atomic<int> handled{0};
  std::string what;
  app.set_uncaught_error_handler([&](std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      what = ex.what();
    }
    ++handled;
    return uncaught_error_response::replace_thread;
  });
  app.start();
  ASSERT_TRUE(wait_for_state(app, streams_state::running));
  produce_all(in, {{"k", "a", 1}, {"k", "boom", 2}, {"k", "b", 3}});
  // The failed thread committed nothing after "a": the replacement may process it again.
  std::set<std::string> values;
  EXPECT_TRUE(eventually([&] {
    values.clear();
    for (const auto& r : read_all(out, 100, 2s)) values.insert(*r.value);
    return values.contains("boom!") && values.contains("b!");
  }));
  EXPECT_EQ(values, (std::set<std::string>{"a!", "boom!", "b!"}));
  EXPECT_EQ(handled.load(), 1);
  EXPECT_NE(what.find("boom in user code"), std::string::npos) << what;
  ASSERT_TRUE(wait_for_state(app, streams_state::running));
  auto md = app.metadata();
  ASSERT_EQ(md.size(), 1u);
  EXPECT_EQ(md[0].thread_name, "stream-thread-1");  // the replacement
  EXPECT_TRUE(app.close(30s));
}

TEST_F(streams_test, shutdown_application_stops_every_instance_of_the_application) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 2), RdKafka::ERR_NO_ERROR);
  auto failures = std::make_shared<std::atomic<int>>(1000);
  streams a(fragile(in, out, failures), app_config("a"));
  streams b(fragile(in, out, failures), app_config("b"));
  for (auto* app : {&a, &b}) {
    app->set_uncaught_error_handler([](std::exception_ptr) {
      return uncaught_error_response::shutdown_application;
    });
  }
  a.start();
  b.start();
  auto one_task = [](const streams& app) {
    auto md = app.metadata();
    return app.state() == streams_state::running && md.size() == 1 && md[0].active_tasks.size() == 1;
  };
  ASSERT_TRUE(eventually([&] { return one_task(a) && one_task(b); }));
  // Only the instance owning this key's partition fails; the other is told to stop.
  produce_all(in, {{"k", "boom", 1}});
  EXPECT_TRUE(wait_for_state(a, streams_state::error));
  EXPECT_TRUE(wait_for_state(b, streams_state::error));
  EXPECT_TRUE(a.close(30s));
  EXPECT_TRUE(b.close(30s));
}

}  // namespace
}  // namespace sluice::testing
