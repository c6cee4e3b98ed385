// Interactive queries in process: key-value views of a store across an instance's tasks, read
// on the owning stream threads (runtime/streams.h, key_value_view), under both guarantees and
// with the tasks split over two instances.

#include "tests/integration/streams_fixture.h"

#include "core/serde.h"
#include "dsl/streams.h"

#include <map>
#include <set>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

/// Produces `n` records over `keys` keys ("k0".."k<keys-1>", round robin) and returns the
/// count each key ends with.
std::map<std::string, int64_t> expected_counts(int n, int keys) {
  std::map<std::string, int64_t> out;
  for (int i = 0; i < n; ++i) ++out["k" + std::to_string(i % keys)];
  return out;
}

std::vector<keyed> records(int n, int keys) {
  std::vector<keyed> out;
  for (int i = 0; i < n; ++i) out.push_back({"k" + std::to_string(i % keys), std::to_string(i), i});
  return out;
}

using count_view = key_value_view<std::string, int64_t>;

/// The "counts" store of `app` (a helper: the template's comma does not survive gtest's macros).
count_view counts_of(const streams& app) { return app.key_value_store<std::string, int64_t>("counts"); }

class streams_queries_test : public streams_test {
 protected:
  /// Waits until the output holds the final count of every key (the last record per key).
  void wait_counted(const std::string& out, const std::map<std::string, int64_t>& want) {
    ASSERT_TRUE(eventually([&] {
      std::map<std::string, int64_t> last;
      for (const auto& r : read_all(out, 1u << 20, 1s)) last[*r.key] = as_int64(r.value);
      return last == want;
    })) << "the counts did not reach the output";
  }
};

void expect_counts_readable(const streams& app, const std::map<std::string, int64_t>& want) {
  auto view = app.key_value_store<std::string, int64_t>("counts");
  for (const auto& [k, n] : want) EXPECT_EQ(view.get(k), std::optional<int64_t>(n)) << k;
  EXPECT_EQ(view.get("never-seen"), std::nullopt);
  std::map<std::string, int64_t> all;
  for (const auto& [k, n] : view.all()) EXPECT_TRUE(all.emplace(k, n).second) << k << " twice";
  EXPECT_EQ(all, want);
  // A range: by serialized key (strings: byte order), across the tasks.
  std::map<std::string, int64_t> ranged;
  for (const auto& [k, n] : view.range("k1", "k3")) ranged.emplace(k, n);
  std::map<std::string, int64_t> want_ranged;
  for (const auto& [k, n] : want) {
    if (k >= "k1" && k <= "k3") want_ranged.emplace(k, n);
  }
  EXPECT_EQ(ranged, want_ranged);
}

TEST_F(streams_queries_test, a_key_value_store_answers_get_range_and_all_under_at_least_once) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 3), RdKafka::ERR_NO_ERROR);
  streams app(count_per_key(in, out), app_config("a", {{"num.stream.threads", "2"}}));
  EXPECT_THROW(
      {
        try {
          (void)counts_of(app).get("k0");
        } catch (const invalid_state_store& e) {
          EXPECT_TRUE(e.retriable()) << e.what();
          throw;
        }
      },
      invalid_state_store)
      << "not started: retry";
  app.start();
  ASSERT_TRUE(wait_for_state(app, streams_state::running));
  const auto want = expected_counts(300, 10);
  produce_all(in, records(300, 10));
  wait_counted(out, want);
  expect_counts_readable(app, want);
  // No such store, or other types.
  try {
    (void)app.key_value_store<std::string, int64_t>("no-such-store");
    ADD_FAILURE() << "an unknown store";
  } catch (const invalid_state_store& e) {
    EXPECT_EQ(e.why(), invalid_state_store::reason::unknown_store);
    EXPECT_FALSE(e.retriable());
  }
  try {
    (void)app.key_value_store<std::string, std::string>("counts");
    ADD_FAILURE() << "the wrong value type";
  } catch (const invalid_state_store& e) {
    EXPECT_EQ(e.why(), invalid_state_store::reason::wrong_kind);
  }
  EXPECT_TRUE(app.close(30s));
  try {
    (void)app.key_value_store<std::string, int64_t>("counts").get("k0");
    ADD_FAILURE() << "a closed instance answered";
  } catch (const invalid_state_store& e) {
    EXPECT_TRUE(e.retriable());
  }
}

TEST_F(streams_queries_test, under_exactly_once_a_query_sees_the_committed_counts) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 2), RdKafka::ERR_NO_ERROR);
  streams app(count_per_key(in, out), app_config("a", {{"processing.guarantee", "exactly_once_v2"}}));
  app.start();
  ASSERT_TRUE(wait_for_state(app, streams_state::running));
  const auto want = expected_counts(200, 7);
  produce_all(in, records(200, 7));
  wait_counted(out, want);  // read_committed: the counts are committed
  expect_counts_readable(app, want);
  EXPECT_TRUE(app.close(30s));
}

TEST_F(streams_queries_test, each_instance_answers_for_its_own_keys_and_says_not_local_for_the_others) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 4), RdKafka::ERR_NO_ERROR);
  streams a(count_per_key(in, out), app_config("a", {{"application.server", "127.0.0.1:7101"}}));
  streams b(count_per_key(in, out), app_config("b", {{"application.server", "127.0.0.1:7102"}}));
  a.start();
  b.start();
  auto two_each = [](const streams& s) { return s.state() == streams_state::running && tasks_of(s).size() == 2; };
  ASSERT_TRUE(eventually([&] { return two_each(a) && two_each(b) && a.all_metadata().size() == 2; }));
  const auto want = expected_counts(400, 16);
  produce_all(in, records(400, 16));
  wait_counted(out, want);
  const core::serde<std::string> keys{core::serdes::string{}};
  std::map<std::string, int64_t> from_a, from_b;
  for (const auto& [k, n] : want) {
    const auto where = a.query_metadata_for_key("counts", k, keys);
    ASSERT_TRUE(where && where->active) << k;
    const bool on_a = where->active->port == 7101;
    const streams& owner = on_a ? a : b;
    const streams& other = on_a ? b : a;
    EXPECT_EQ(counts_of(owner).get(k), std::optional<int64_t>(n)) << k;
    try {
      (void)counts_of(other).get(k);
      ADD_FAILURE() << k << ": answered by the instance that does not hold it";
    } catch (const invalid_state_store& e) {
      EXPECT_EQ(e.why(), invalid_state_store::reason::not_local) << e.what();
    }
  }
  // all() of each instance: its own keys; together every key once.
  for (const auto& [k, n] : a.key_value_store<std::string, int64_t>("counts").all()) from_a.emplace(k, n);
  for (const auto& [k, n] : b.key_value_store<std::string, int64_t>("counts").all()) from_b.emplace(k, n);
  std::map<std::string, int64_t> together = from_a;
  for (const auto& [k, n] : from_b) EXPECT_TRUE(together.emplace(k, n).second) << k << " on both";
  EXPECT_EQ(together, want);
  EXPECT_TRUE(a.close(30s));
  EXPECT_TRUE(b.close(30s));
}

TEST_F(streams_queries_test, a_window_store_answers_fetch_and_fetch_all) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 2), RdKafka::ERR_NO_ERROR);
  streams_builder builder;
  builder.stream<std::string, std::string>(in)
      .group_by_key()
      .windowed_by(time_windows::of(std::chrono::minutes(1)).grace(std::chrono::minutes(10)))
      .count(materialized<std::string, int64_t>::as("per-minute"))
      .to_stream()
      .to(out, {.key_serde = time_windowed_serde<std::string>(core::serdes::string{}, std::chrono::minutes(1)),
                .value_serde = core::serdes::int64{}});
  streams app(builder.build(), app_config());
  app.start();
  ASSERT_TRUE(wait_for_state(app, streams_state::running));
  // Key "a": 3 records in minute 0, 2 in minute 1; key "b": 1 in minute 1.
  const int64_t t0 = 1'700'000'040'000;  // a minute boundary
  produce_all(in, {{"a", "1", t0 + 1'000}, {"a", "2", t0 + 2'000}, {"a", "3", t0 + 59'000},
                   {"a", "4", t0 + 60'000}, {"a", "5", t0 + 61'000}, {"b", "6", t0 + 90'000}});
  ASSERT_EQ(read_all(out, 6).size(), 6u);
  auto view = app.window_store<std::string, int64_t>("per-minute");
  EXPECT_TRUE(eventually([&] {
    auto a = view.fetch("a", core::from_epoch_ms(t0), core::from_epoch_ms(t0 + 60'000));
    return a.size() == 2 && a[0].value == 3 && a[1].value == 2;
  }, 10s));
  auto a = view.fetch("a", core::from_epoch_ms(t0), core::from_epoch_ms(t0 + 60'000));
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].key, "a");
  EXPECT_EQ(a[0].window_start, core::from_epoch_ms(t0));
  EXPECT_EQ(a[0].window_end, core::from_epoch_ms(t0 + 60'000));
  EXPECT_EQ(a[1].window_start, core::from_epoch_ms(t0 + 60'000));
  // Only windows starting within [from, to].
  EXPECT_EQ(view.fetch("a", core::from_epoch_ms(t0 + 1), core::from_epoch_ms(t0 + 60'000)).size(), 1u);
  EXPECT_TRUE(view.fetch("c", core::from_epoch_ms(t0), core::from_epoch_ms(t0 + 60'000)).empty());
  std::map<std::pair<std::string, int64_t>, int64_t> all;
  for (const auto& w : view.fetch_all(core::from_epoch_ms(t0), core::from_epoch_ms(t0 + 60'000))) {
    all[{w.key, core::to_epoch_ms(w.window_start) - t0}] = w.value;
  }
  const std::map<std::pair<std::string, int64_t>, int64_t> want{
      {{"a", 0}, 3}, {{"a", 60'000}, 2}, {{"b", 60'000}, 1}};
  EXPECT_EQ(all, want);
  try {
    (void)app.window_store<std::string, int64_t>("no-such-store");
    ADD_FAILURE() << "an unknown store";
  } catch (const invalid_state_store& e) {
    EXPECT_EQ(e.why(), invalid_state_store::reason::unknown_store);
  }
  EXPECT_TRUE(app.close(30s));
}

TEST_F(streams_queries_test, a_session_store_answers_fetch) {
  const std::string in = topic("in");
  ASSERT_EQ(create_topic(in, 2), RdKafka::ERR_NO_ERROR);
  streams_builder builder;
  builder.stream<std::string, std::string>(in)
      .group_by_key()
      .windowed_by(session_windows::with_inactivity_gap(std::chrono::minutes(5)).grace(std::chrono::hours(1)))
      .count(materialized<std::string, int64_t>::as("sessions"));
  streams app(builder.build(), app_config());
  app.start();
  ASSERT_TRUE(wait_for_state(app, streams_state::running));
  // Key "a": a session of three records (t0 .. t0+2min), then one of one record an hour later.
  const int64_t t0 = 1'700'000'000'000;
  produce_all(in, {{"a", "1", t0}, {"a", "2", t0 + 60'000}, {"a", "3", t0 + 120'000},
                   {"a", "4", t0 + 3'600'000}, {"b", "5", t0}});
  auto view = app.session_store<std::string, int64_t>("sessions");
  std::vector<session_value<std::string, int64_t>> got;
  ASSERT_TRUE(eventually([&] {
    got = view.fetch("a");
    return got.size() == 2 && got[0].value == 3 && got[1].value == 1;
  }, 30s));
  EXPECT_EQ(got[0].key, "a");
  EXPECT_EQ(got[0].start, core::from_epoch_ms(t0));
  EXPECT_EQ(got[0].end, core::from_epoch_ms(t0 + 120'000));
  EXPECT_EQ(got[1].start, core::from_epoch_ms(t0 + 3'600'000));
  EXPECT_TRUE(view.fetch("nobody").empty());
  try {
    (void)app.window_store<std::string, int64_t>("sessions");
    ADD_FAILURE() << "a session store as a window store";
  } catch (const invalid_state_store& e) {
    EXPECT_EQ(e.why(), invalid_state_store::reason::wrong_kind);
  }
  EXPECT_TRUE(app.close(30s));
}

}  // namespace
}  // namespace sluice::testing
