#include "core/murmur2.h"
#include "dsl/streams.h"
#include "dsl/testing/topology_test_driver.h"
#include "tests/dsl/dsl_test_names.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace sluice::dsl {
namespace {

/// "key@start" for windowed results, so expectations read well.
std::string label(const windowed<std::string>& w) {
  return w.key + "@" + std::to_string(core::to_epoch_ms(w.win.start));
}

struct agg_harness {
  explicit agg_harness(streams_builder& b, driver_config cfg = {})
      : driver(b.build(), std::move(cfg)),
        in(driver.create_input_topic<std::string, std::string>("in")),
        out(driver.create_output_topic<std::string, int64_t>("out")) {}
  topology_test_driver driver;
  test_input_topic<std::string, std::string> in;
  test_output_topic<std::string, int64_t> out;
};

void windowed_count_to_out(ktable<windowed<std::string>, int64_t> t) {
  t.to_stream()
      .map([](const windowed<std::string>& w, const int64_t& c) {
        return std::pair{label(w), c};
      })
      .to("out", {.value_serde = serdes::int64{}});
}

TEST(aggregate, count_per_key) {
  streams_builder b;
  b.stream<std::string, std::string>("in")
      .group_by_key()
      .count(materialized<std::string, int64_t>::as("counts"))
      .to_stream()
      .to("out", {.value_serde = serdes::int64{}});
  agg_harness h(b);
  h.in.pipe("a", "x", from_epoch_ms(1));
  h.in.pipe("b", "x", from_epoch_ms(2));
  h.in.pipe("a", "y", from_epoch_ms(3));
  EXPECT_EQ(h.out.read_key_values(), (count_kvs{{"a", 1}, {"b", 1}, {"a", 2}}));
  auto store = h.driver.get_key_value_store<std::string, int64_t>("counts");
  EXPECT_EQ(store.get("a"), 2);
  EXPECT_EQ(store.get("z"), std::nullopt);
  EXPECT_EQ(store.all(), (count_kvs{{"a", 2}, {"b", 1}}));
}

TEST(aggregate, reduce_and_aggregate) {
  streams_builder b;
  auto grouped = b.stream<std::string, int64_t>("nums").group_by_key();
  grouped.reduce([](const int64_t& a, const int64_t& v) { return a + v; }).to_stream().to("sum");
  grouped
      .aggregate([] { return std::string("<"); },
                 [](const std::string&, const int64_t& v, const std::string& agg) {
                   return agg + std::to_string(v);
                 },
                 materialized<std::string, std::string>::as("concat"))
      .to_stream()
      .to("concat");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<std::string, int64_t>("nums");
  auto sum = d.create_output_topic<std::string, int64_t>("sum");
  auto concat = d.create_output_topic<std::string, std::string>("concat");
  in.pipe("k", 1, from_epoch_ms(1));
  in.pipe("k", 2, from_epoch_ms(2));
  in.pipe("j", 5, from_epoch_ms(3));
  EXPECT_EQ(sum.read_key_values(), (count_kvs{{"k", 1}, {"k", 3}, {"j", 5}}));
  using str_kvs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(concat.read_key_values(), (str_kvs{{"k", "<1"}, {"k", "<12"}, {"j", "<5"}}));
  auto concat_store = d.get_key_value_store<std::string, std::string>("concat");
  EXPECT_EQ(concat_store.get("k"), "<12");
}

TEST(aggregate, null_keys_and_values_are_dropped_and_counted) {
  streams_builder b;
  b.stream<std::string, std::string>("in").group_by_key().count().to_stream().to(
      "out", {.value_serde = serdes::int64{}});
  agg_harness h(b);
  h.in.pipe_value("v", from_epoch_ms(1));
  h.in.pipe_tombstone("k", from_epoch_ms(2));
  h.in.pipe("k", "v", from_epoch_ms(3));
  EXPECT_EQ(h.out.read_key_values(), (count_kvs{{"k", 1}}));
  EXPECT_EQ(h.driver.metrics().dropped_total(drop_reason::null_key_or_value), 2);
}

TEST(aggregate, group_by_repartitions_then_counts) {
  streams_builder b;
  b.stream<std::string, std::string>("in")
      .group_by([](const std::string&, const std::string& v) { return v; },
                grouped<std::string, std::string>::as("by-value"))
      .count()
      .to_stream()
      .to("out", {.value_serde = serdes::int64{}});
  agg_harness h(b, {.partitions = {{"in", 2}}});
  const auto& t = h.driver.topology_ref();
  ASSERT_EQ(t.subtopologies().size(), 2u);
  EXPECT_EQ(t.repartition_topics()[0].name, "by-value");
  // The repartition topic follows the partition count of its upstream source.
  EXPECT_EQ(h.driver.partitions("test-app-by-value-repartition"), 2);
  h.in.pipe("1", "x", from_epoch_ms(1));
  h.in.pipe("2", "x", from_epoch_ms(2));
  h.in.pipe("3", "y", from_epoch_ms(3));
  EXPECT_EQ(h.out.read_key_values(), (count_kvs{{"x", 1}, {"x", 2}, {"y", 1}}));
}

TEST(aggregate, group_by_key_after_key_change_repartitions_automatically) {
  streams_builder b;
  b.stream<std::string, std::string>("in")
      .select_key([](const std::string&, const std::string& v) { return v; })
      .group_by_key()
      .count()
      .to_stream()
      .to("out", {.value_serde = serdes::int64{}});
  agg_harness h(b);
  EXPECT_EQ(h.driver.topology_ref().repartition_topics().size(), 1u);
  h.in.pipe("1", "x", from_epoch_ms(1));
  h.in.pipe("2", "x", from_epoch_ms(2));
  EXPECT_EQ(h.out.read_key_values(), (count_kvs{{"x", 1}, {"x", 2}}));
}

TEST(windowed, tumbling_count_emits_every_update) {
  streams_builder b;
  // Kept a minute, so that closed windows can still be read from the store (the default
  // retention, size + grace, expires a window as soon as it closes).
  windowed_count_to_out(b.stream<std::string, std::string>("in")
                            .group_by_key()
                            .windowed_by(time_windows::of(10s))
                            .count({.name = "wc", .retention = 60s}));
  agg_harness h(b);
  h.in.pipe("a", "1", from_epoch_ms(1000));
  h.in.pipe("a", "2", from_epoch_ms(9999));
  h.in.pipe("a", "3", from_epoch_ms(10000));  // the next window: [10000, 20000)
  h.in.pipe("b", "4", from_epoch_ms(10001));
  EXPECT_EQ(h.out.read_key_values(),
            (count_kvs{{"a@0", 1}, {"a@0", 2}, {"a@10000", 1}, {"b@10000", 1}}));
  auto store = h.driver.get_window_store<std::string, int64_t>("wc");
  EXPECT_EQ(store.fetch("a", from_epoch_ms(0)), 2);
  EXPECT_EQ(store.fetch("a", from_epoch_ms(0), from_epoch_ms(20000)),
            (std::vector<std::pair<timestamp, int64_t>>{{from_epoch_ms(0), 2},
                                                        {from_epoch_ms(10000), 1}}));
}

TEST(windowed, hopping_windows_update_every_window_containing_the_record) {
  streams_builder b;
  windowed_count_to_out(b.stream<std::string, std::string>("in")
                            .group_by_key()
                            .windowed_by(time_windows::of(10s).advance_by(5s))
                            .count());
  agg_harness h(b);
  h.in.pipe("a", "1", from_epoch_ms(7000));  // windows [0,10000) and [5000,15000)
  h.in.pipe("a", "2", from_epoch_ms(3000));  // only [0,10000)
  EXPECT_EQ(h.out.read_key_values(), (count_kvs{{"a@0", 1}, {"a@5000", 1}, {"a@0", 2}}));
}

TEST(windowed, out_of_order_within_grace_updates_and_late_records_are_dropped_and_counted) {
  streams_builder b;
  windowed_count_to_out(b.stream<std::string, std::string>("in")
                            .group_by_key()
                            .windowed_by(time_windows::of(10s).grace(5s))
                            .count());
  agg_harness h(b);
  h.in.pipe("a", "1", from_epoch_ms(1000));
  h.in.pipe("a", "2", from_epoch_ms(12000));  // stream time 12000: [0,10000) closes at 15000
  h.in.pipe("a", "3", from_epoch_ms(2000));   // out of order, within grace: updates [0,10000)
  h.in.pipe("b", "4", from_epoch_ms(15000));  // stream time 15000: [0,10000) is closed now
  h.in.pipe("a", "5", from_epoch_ms(3000));   // late: dropped
  EXPECT_EQ(h.out.read_key_values(),
            (count_kvs{{"a@0", 1}, {"a@10000", 1}, {"a@0", 2}, {"b@10000", 1}}));
  EXPECT_EQ(h.driver.metrics().dropped_total(drop_reason::late), 1);
}

TEST(windowed, without_grace_a_window_closes_at_its_end) {
  streams_builder b;
  windowed_count_to_out(b.stream<std::string, std::string>("in")
                            .group_by_key()
                            .windowed_by(time_windows::of(10s))
                            .count());
  agg_harness h(b);
  h.in.pipe("a", "1", from_epoch_ms(9000));
  h.in.pipe("a", "2",
            from_epoch_ms(5000));  // out of order, window still open (stream time 9000 < 10000)
  h.in.pipe("a", "3", from_epoch_ms(10000));  // stream time reaches the end
  h.in.pipe("a", "4", from_epoch_ms(9999));   // late
  EXPECT_EQ(h.out.read_key_values(), (count_kvs{{"a@0", 1}, {"a@0", 2}, {"a@10000", 1}}));
  EXPECT_EQ(h.driver.metrics().dropped_total(drop_reason::late), 1);
}

TEST(windowed, reduce_and_aggregate_per_window) {
  streams_builder b;
  auto w = b.stream<std::string, int64_t>("nums").group_by_key().windowed_by(time_windows::of(10s));
  w.reduce([](const int64_t& a, const int64_t& v) { return std::max(a, v); })
      .to_stream()
      .map([](const windowed<std::string>& k, const int64_t& v) {
        return std::pair{label(k), v};
      })
      .to("max");
  w.aggregate([] { return int64_t{100}; },
              [](const std::string&, const int64_t& v, const int64_t& a) { return a - v; })
      .to_stream()
      .map([](const windowed<std::string>& k, const int64_t& v) {
        return std::pair{label(k), v};
      })
      .to("agg");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<std::string, int64_t>("nums");
  auto max = d.create_output_topic<std::string, int64_t>("max");
  auto agg = d.create_output_topic<std::string, int64_t>("agg");
  in.pipe("k", 3, from_epoch_ms(1));
  in.pipe("k", 7, from_epoch_ms(2));
  in.pipe("k", 5, from_epoch_ms(10001));
  EXPECT_EQ(max.read_key_values(), (count_kvs{{"k@0", 3}, {"k@0", 7}, {"k@10000", 5}}));
  EXPECT_EQ(agg.read_key_values(), (count_kvs{{"k@0", 97}, {"k@0", 90}, {"k@10000", 95}}));
}

TEST(windowed, windowed_keys_round_trip_through_the_time_windowed_serde) {
  streams_builder b;
  b.stream<std::string, std::string>("in")
      .group_by_key()
      .windowed_by(time_windows::of(1min))
      .count()
      .to_stream()
      .to("out", {.key_serde = time_windowed_serde<std::string>(serdes::string{}, 1min),
                  .value_serde = serdes::int64{}});
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<std::string, std::string>("in");
  auto out = d.create_output_topic<windowed<std::string>, int64_t>(
      "out", time_windowed_serde<std::string>(serdes::string{}, 1min), serdes::int64{});
  in.pipe("page", "x", from_epoch_ms(61000));
  auto [key, count] = out.read_key_value();
  EXPECT_EQ(key.key, "page");
  EXPECT_EQ(key.win.start, from_epoch_ms(60000));
  EXPECT_EQ(key.win.end, from_epoch_ms(120000));
  EXPECT_EQ(count, 1);
}

TEST(suppress, emits_one_final_result_per_window_when_it_closes) {
  streams_builder b;
  windowed_count_to_out(b.stream<std::string, std::string>("in")
                            .group_by_key()
                            .windowed_by(time_windows::of(10s).grace(2s))
                            .count()
                            .suppress(suppressed::until_window_closes()));
  agg_harness h(b);
  h.in.pipe("a", "1", from_epoch_ms(1000));
  h.in.pipe("a", "2", from_epoch_ms(5000));
  h.in.pipe("b", "3", from_epoch_ms(9000));
  h.in.pipe("a", "4", from_epoch_ms(11000));  // stream time 11000 < 10000 + 2000: nothing final yet
  EXPECT_TRUE(h.out.is_empty());
  h.in.pipe("a", "5",
            from_epoch_ms(3000));  // out of order within grace: counted in the final result
  EXPECT_TRUE(h.out.is_empty());
  h.in.pipe("c", "6", from_epoch_ms(12000));  // stream time 12000: [0,10000) closes
  EXPECT_EQ(h.out.read_key_values(), (count_kvs{{"a@0", 3}, {"b@0", 1}}));
  h.in.pipe("a", "7", from_epoch_ms(4000));  // late: dropped upstream, nothing emitted
  EXPECT_TRUE(h.out.is_empty());
  h.in.pipe("a", "8", from_epoch_ms(22000));
  EXPECT_EQ(h.out.read_key_values(), (count_kvs{{"a@10000", 1}, {"c@10000", 1}}));
  EXPECT_EQ(h.driver.metrics().dropped_total(drop_reason::late), 1);
}

TEST(windowed, rocksdb_backend_gives_the_same_results) {
  for (auto backend : {store_backend::in_memory, store_backend::rocksdb}) {
    streams_builder b;
    windowed_count_to_out(b.stream<std::string, std::string>("in")
                              .group_by_key()
                              .windowed_by(time_windows::of(10s).grace(1s))
                              .count(materialized<std::string, int64_t>::as("wc")));
    agg_harness h(b, {.stores = backend});
    h.in.pipe("a", "1", from_epoch_ms(1000));
    h.in.pipe("a", "2", from_epoch_ms(10500));
    h.in.pipe("a", "3", from_epoch_ms(9000));  // within grace
    h.in.pipe("a", "4", from_epoch_ms(11000));
    h.in.pipe("a", "5", from_epoch_ms(2000));  // late
    EXPECT_EQ(h.out.read_key_values(),
              (count_kvs{{"a@0", 1}, {"a@10000", 1}, {"a@0", 2}, {"a@10000", 2}}));
    using rows = std::vector<std::tuple<std::string, timestamp, int64_t>>;
    auto store = h.driver.get_window_store<std::string, int64_t>("wc");
    // Default retention (size + grace = 11 s): the store observed window start 10000, so the
    // window at 0 is still retained (0 > 10000 - 11000).
    EXPECT_EQ(store.all(), (rows{{"a", from_epoch_ms(0), 2}, {"a", from_epoch_ms(10000), 2}}));
  }
}

TEST(windowed, each_task_has_its_own_stream_time) {
  // Two keys on different partitions: advancing one partition's stream time does not close
  // the other's windows.
  std::string k1 = "a";
  std::string k2;
  const int32_t p1 = core::partition_for_key(core::as_bytes(k1), 2);
  for (char c = 'b'; c <= 'z'; ++c) {
    if (core::partition_for_key(core::as_bytes(std::string(1, c)), 2) != p1) {
      k2 = std::string(1, c);
      break;
    }
  }
  ASSERT_FALSE(k2.empty());
  streams_builder b;
  windowed_count_to_out(b.stream<std::string, std::string>("in")
                            .group_by_key()
                            .windowed_by(time_windows::of(10s))
                            .count());
  agg_harness h(b, {.partitions = {{"in", 2}}});
  h.in.pipe(k1, "x", from_epoch_ms(50000));  // task of k1 is far ahead
  h.in.pipe(k2, "x", from_epoch_ms(1000));   // k2's task is at 1000: window [0,10000) open
  h.in.pipe(k1, "x", from_epoch_ms(1000));   // late on k1's task
  EXPECT_EQ(h.out.read_key_values(), (count_kvs{{k1 + "@50000", 1}, {k2 + "@0", 1}}));
  EXPECT_EQ(h.driver.metrics().dropped_total(drop_reason::late), 1);
  EXPECT_EQ(h.driver.stream_time(task_id{0, partition_id{p1}}), from_epoch_ms(50000));
  EXPECT_EQ(h.driver.stream_time(task_id{0, partition_id{1 - p1}}), from_epoch_ms(1000));
}

/// The output of a session-windowed count as "key[start,end]=count" ("=null" for tombstones).
std::vector<std::string> read_sessions(test_output_topic<windowed<std::string>, int64_t>& out) {
  std::vector<std::string> v;
  for (auto& r : out.read_records()) {
    v.push_back(r.key->key + "[" + std::to_string(core::to_epoch_ms(r.key->win.start)) + "," +
                std::to_string(core::to_epoch_ms(r.key->win.end)) +
                "]=" + (r.value ? std::to_string(*r.value) : std::string("null")));
  }
  return v;
}

struct session_harness {
  session_harness(const session_windows& w, bool suppressed,
                  store_backend backend = store_backend::in_memory)
      : driver(make(w, suppressed), {.stores = backend}),
        in(driver.create_input_topic<std::string, std::string>("in")),
        out(driver.create_output_topic<windowed<std::string>, int64_t>(
            "out", session_windowed_serde<std::string>(serdes::string{}), serdes::int64{})) {}
  static topology make(const session_windows& w, bool suppressed) {
    streams_builder b;
    auto t = b.stream<std::string, std::string>("in").group_by_key().windowed_by(w).count();
    if (suppressed) t = t.suppress();
    t.to_stream().to("out", {.key_serde = session_windowed_serde<std::string>(serdes::string{}),
                             .value_serde = serdes::int64{}});
    return b.build();
  }
  topology_test_driver driver;
  test_input_topic<std::string, std::string> in;
  test_output_topic<windowed<std::string>, int64_t> out;
};


TEST(session_windows, sessions_grow_merge_and_late_records_are_dropped) {
  for (auto backend : {store_backend::in_memory, store_backend::rocksdb}) {
    session_harness h(session_windows::with_inactivity_gap(5s).grace(10s), false, backend);
    h.in.pipe("a", "1", from_epoch_ms(1000));
    h.in.pipe("a", "2", from_epoch_ms(3000));   // within the gap: the session grows
    h.in.pipe("a", "3", from_epoch_ms(20000));  // a new session
    h.in.pipe("a", "4", from_epoch_ms(10000));  // its own session (out of order, within grace)
    h.in.pipe("a", "5", from_epoch_ms(15000));  // bridges [10000] and [20000]: they merge
    h.in.pipe("b", "6", from_epoch_ms(2000));   // 2000 + 10000 grace < 20000: late
    EXPECT_EQ(read_sessions(h.out),
              (strings{"a[1000,1000]=1", "a[1000,1000]=null", "a[1000,3000]=2", "a[20000,20000]=1",
                       "a[10000,10000]=1", "a[10000,10000]=null", "a[20000,20000]=null",
                       "a[10000,20000]=3"}));
    EXPECT_EQ(h.driver.metrics().dropped_total(drop_reason::late), 1);
  }
}

TEST(session_windows, suppress_emits_each_session_once_when_final) {
  session_harness h(session_windows::with_inactivity_gap(5s), true);
  h.in.pipe("a", "1", from_epoch_ms(1000));
  h.in.pipe("a", "2", from_epoch_ms(3000));
  h.in.pipe("b", "3", from_epoch_ms(4000));
  h.in.pipe("c", "4", from_epoch_ms(8000));  // a's session [1000,3000] can still grow until 8000
  EXPECT_TRUE(h.out.is_empty());
  h.in.pipe("c", "5", from_epoch_ms(8001));
  EXPECT_EQ(read_sessions(h.out), (strings{"a[1000,3000]=2"}));
  h.in.pipe("c", "6", from_epoch_ms(20000));
  EXPECT_EQ(read_sessions(h.out), (strings{"b[4000,4000]=1", "c[8000,8001]=2"}));
}

TEST(session_windows, reduce_and_aggregate_merge_sessions) {
  streams_builder b;
  auto w = b.stream<std::string, int64_t>("nums").group_by_key().windowed_by(
      session_windows::with_inactivity_gap(1s).grace(2s));
  w.reduce([](const int64_t& a, const int64_t& v) { return a + v; })
      .to_stream()
      .filter([](const windowed<std::string>&, const int64_t& v) { return v != 0; })
      .map([](const windowed<std::string>& k, const int64_t& v) {
        return std::pair{k.key + "@" + std::to_string(core::to_epoch_ms(k.win.start)), v};
      })
      .to("sum");
  w.aggregate(
       [] { return std::string(); },
       [](const std::string&, const int64_t& v, const std::string& agg) {
         return agg + std::to_string(v);
       },
       [](const std::string&, const std::string& a, const std::string& c) { return a + "|" + c; })
      .to_stream()
      .filter([](const windowed<std::string>&, const std::string& v) { return !v.empty(); })
      .map([](const windowed<std::string>& k, const std::string& v) {
        return std::pair{k.key + "@" + std::to_string(core::to_epoch_ms(k.win.start)), v};
      })
      .to("agg");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<std::string, int64_t>("nums");
  auto sum = d.create_output_topic<std::string, int64_t>("sum");
  auto agg = d.create_output_topic<std::string, std::string>("agg");
  in.pipe("k", 1, from_epoch_ms(1000));
  in.pipe("k", 2, from_epoch_ms(3000));
  in.pipe("k", 3, from_epoch_ms(2000));  // out of order within grace; bridges both sessions
  in.pipe("k", 4, from_epoch_ms(500));   // 500 + 2000 < 3000: late
  EXPECT_EQ(sum.read_key_values(), (count_kvs{{"k@1000", 1}, {"k@3000", 2}, {"k@1000", 6}}));
  EXPECT_EQ(d.metrics().dropped_total(drop_reason::late), 2);  // counted by both aggregations
  using str_kvs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(agg.read_key_values(),
            (str_kvs{{"k@1000", "1"}, {"k@3000", "2"}, {"k@1000", "|1|23"}}));
}

}  // namespace
}  // namespace sluice::dsl
