// Tables beyond the basics: materialized filter/map_values, windowed tables in joins (and
// suppressed after the join), and names of stateful operators.

#include "dsl/streams.h"
#include "dsl/testing/topology_test_driver.h"
#include "tests/dsl/dsl_test_names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sluice::dsl {
namespace {

std::vector<std::string> store_names(const topology& t) {
  std::vector<std::string> out;
  for (const auto& s : t.stores()) out.push_back(s.name);
  return out;
}

const store_spec& store(const topology& t, const std::string& name) {
  const store_spec* s = t.find_store(name);
  EXPECT_NE(s, nullptr) << name;
  return *s;
}

// ---- materialized filter / map_values ----------------------------------------------------------

TEST(ktable_materialized, filter_result_is_stored_queryable_and_logged) {
  streams_builder b;
  b.table<std::string, std::string>("users")
      .filter([](const std::string&, const std::string& v) { return v.size() > 1; },
              materialized<std::string, std::string>::as("long-names"))
      .to_stream()
      .to("out");
  topology t = b.build();
  EXPECT_EQ(store(t, "long-names").kind, store_kind::key_value);
  EXPECT_TRUE(store(t, "long-names").logged);
  EXPECT_EQ(store(t, "long-names").changelog_topic("app"), "app-long-names-changelog");
  topology_test_driver d(std::move(t));
  auto in = d.create_input_topic<std::string, std::string>("users");
  auto out = d.create_output_topic<std::string, std::string>("out");
  in.pipe("a", "alice", from_epoch_ms(1));
  in.pipe("b", "b", from_epoch_ms(2));  // fails the predicate: a tombstone, not stored
  in.pipe("c", "carol", from_epoch_ms(3));
  in.pipe("a", "a", from_epoch_ms(4));  // a no longer passes: removed from the store
  in.pipe_tombstone("c", from_epoch_ms(5));
  auto rows = d.get_key_value_store<std::string, std::string>("long-names");
  EXPECT_EQ(rows.all(), (str_kvs{}));
  in.pipe("d", "dave", from_epoch_ms(6));
  EXPECT_EQ(rows.all(), (str_kvs{{"d", "dave"}}));
  EXPECT_EQ(rows.get("a"), std::nullopt);
  std::vector<std::string> seen;
  for (auto& r : out.read_records()) seen.push_back(*r.key + "=" + r.value.value_or("TOMBSTONE"));
  EXPECT_EQ(seen,
            (strings{"a=alice", "b=TOMBSTONE", "c=carol", "a=TOMBSTONE", "c=TOMBSTONE", "d=dave"}));
}

TEST(ktable_materialized, map_values_result_has_its_own_serde_and_store) {
  streams_builder b;
  b.table<std::string, std::string>("users")
      .map_values([](const std::string& v) { return static_cast<int64_t>(v.size()); },
                  materialized<std::string, int64_t>::as("name-lengths").with_logging_disabled(),
                  named::as("lengths"))
      .to_stream()
      .to("out", {.value_serde = serdes::int64{}});
  topology t = b.build();
  EXPECT_FALSE(store(t, "name-lengths").logged);
  // The operator carries the user's node name; its store the materialized name.
  EXPECT_NE(
      std::find(t.subtopologies()[0].nodes.begin(), t.subtopologies()[0].nodes.end(), "lengths"),
      t.subtopologies()[0].nodes.end());
  topology_test_driver d(std::move(t));
  auto in = d.create_input_topic<std::string, std::string>("users");
  auto out = d.create_output_topic<std::string, int64_t>("out");
  in.pipe("a", "alice", from_epoch_ms(1));
  in.pipe("b", "bob", from_epoch_ms(2));
  in.pipe_tombstone("a", from_epoch_ms(3));
  using lengths = std::vector<std::pair<std::string, int64_t>>;
  auto stored = d.get_key_value_store<std::string, int64_t>("name-lengths");
  EXPECT_EQ(stored.all(), (lengths{{"b", 3}}));
  auto r = out.read_records();
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].value, 5);
  EXPECT_EQ(r[1].value, 3);
  EXPECT_EQ(r[2].value, std::nullopt);  // the tombstone passes through
}

TEST(ktable_materialized, joins_read_the_materialized_result) {
  // A Processor-API-free way to see which store a join reads: the joined table is the
  // materialized filter's, so a stream-table join finds exactly its rows.
  streams_builder b;
  auto vip = b.table<std::string, std::string>("users").filter_not(
      [](const std::string&, const std::string& v) { return v.starts_with("guest"); },
      named::as("members"), materialized<std::string, std::string>::as("member-store"));
  b.stream<std::string, std::string>("clicks")
      .join(vip, [](const std::string& c, const std::string& u) { return u + ":" + c; })
      .to("out");
  topology t = b.build();
  // The join node is connected to the materialized store, not to the source table's.
  bool join_uses_member_store = false;
  const std::string text = t.describe();
  join_uses_member_store = text.find("join(table), stores: [member-store]") != std::string::npos;
  EXPECT_TRUE(join_uses_member_store) << text;
  topology_test_driver d(std::move(t));
  auto users = d.create_input_topic<std::string, std::string>("users");
  auto clicks = d.create_input_topic<std::string, std::string>("clicks");
  auto out = d.create_output_topic<std::string, std::string>("out");
  users.pipe("a", "alice", from_epoch_ms(1));
  users.pipe("g", "guest-7", from_epoch_ms(2));
  clicks.pipe("a", "/home", from_epoch_ms(3));
  clicks.pipe("g", "/home", from_epoch_ms(4));  // filtered out of the table: no join
  users.pipe("a", "guest-alice", from_epoch_ms(5));
  clicks.pipe("a", "/about", from_epoch_ms(6));  // a is no longer a member
  EXPECT_EQ(out.read_key_values(), (str_kvs{{"a", "alice:/home"}}));
}

TEST(ktable_materialized, unnamed_stores_get_stable_generated_names) {
  auto build = [] {
    streams_builder b;
    b.table<std::string, std::string>("users")
        .filter([](const std::string&, const std::string&) { return true; },
                materialized<std::string, std::string>{})
        .map_values([](const std::string& v) { return v + "!"; },
                    materialized<std::string, std::string>{})
        .to_stream()
        .to("out");
    return b.build();
  };
  const auto names = store_names(build());
  ASSERT_EQ(names.size(), 3u);
  EXPECT_TRUE(names[1].starts_with("KTABLE-FILTER-STATE-STORE-")) << names[1];
  EXPECT_TRUE(names[2].starts_with("KTABLE-MAPVALUES-STATE-STORE-")) << names[2];
  EXPECT_EQ(store_names(build()), names);
}

TEST(ktable_materialized, missing_value_serde_is_a_topology_error_naming_the_operator) {
  struct opaque {
    int x = 0;
  };
  streams_builder b;
  auto t = b.table<std::string, std::string>("users");
  try {
    t.map_values([](const std::string&) { return opaque{}; }, materialized<std::string, opaque>{},
                 named::as("to-opaque"));
    FAIL() << "expected topology_error";
  } catch (const topology_error& e) {
    EXPECT_EQ(e.operator_name(), "to-opaque");
  }
}

// ---- windowed tables in joins ------------------------------------------------------------------

/// "key@start=value" for windowed string results.
std::string label(const windowed<std::string>& w, const std::string& v) {
  return w.key + "@" + std::to_string(core::to_epoch_ms(w.win.start)) + "=" + v;
}

/// Per key and 10 s window: the count of records joined with the concatenation of their values.
void count_join_concat(streams_builder& b, bool suppress) {
  auto grouped = b.stream<std::string, std::string>("in").group_by_key();
  const auto windows = time_windows::of(10s).grace(2s);
  auto counts =
      grouped.windowed_by(windows).count(materialized<std::string, int64_t>::as("counts"));
  auto concat = grouped.windowed_by(windows).reduce(
      [](const std::string& a, const std::string& v) { return a + v; },
      materialized<std::string, std::string>::as("concat"));
  auto joined = counts.join(
      concat, [](const int64_t& c, const std::string& s) { return std::to_string(c) + ":" + s; },
      named::as("count-and-concat"));
  if (suppress) joined = joined.suppress(suppressed::until_window_closes("final"));
  joined.to_stream()
      .map([](const windowed<std::string>& w, const std::string& v) {
        return std::pair{label(w, v), std::string()};
      })
      .to("out");
}

struct windowed_join_harness {
  explicit windowed_join_harness(bool suppress)
      : driver(build(suppress)),
        in(driver.create_input_topic<std::string, std::string>("in")),
        out(driver.create_output_topic<std::string, std::string>("out")) {}
  static topology build(bool suppress) {
    streams_builder b;
    count_join_concat(b, suppress);
    return b.build();
  }
  strings read() {
    strings v;
    for (auto& [k, unused] : out.read_key_values()) v.push_back(k);
    return v;
  }
  topology_test_driver driver;
  test_input_topic<std::string, std::string> in;
  test_output_topic<std::string, std::string> out;
};

TEST(windowed_table_join, joins_two_windowed_aggregations_per_key_and_window) {
  windowed_join_harness h(false);
  // Each record updates `counts` first (the join finds the old concat, if any), then `concat`
  // (the join finds the new count).
  h.in.pipe("k", "a", from_epoch_ms(1000));
  EXPECT_EQ(h.read(), (strings{"k@0=1:a"}));
  h.in.pipe("k", "b", from_epoch_ms(2000));
  EXPECT_EQ(h.read(), (strings{"k@0=2:a", "k@0=2:ab"}));
  h.in.pipe("k", "c", from_epoch_ms(11000));  // the next window: joins only within it
  EXPECT_EQ(h.read(), (strings{"k@10000=1:c"}));
  h.in.pipe("j", "x", from_epoch_ms(3000));  // out of order, within grace
  EXPECT_EQ(h.read(), (strings{"j@0=1:x"}));
  h.in.pipe("k", "d", from_epoch_ms(4000));  // k's first window is still open (12 s > 11 s)
  EXPECT_EQ(h.read(), (strings{"k@0=3:ab", "k@0=3:abd"}));
  h.in.pipe("k", "e", from_epoch_ms(12500));  // stream time 12.5 s: the first window closed
  h.read();
  h.in.pipe("k", "late", from_epoch_ms(5000));
  EXPECT_EQ(h.read(), strings{});
  EXPECT_EQ(h.driver.metrics().dropped_total(drop_reason::late), 2);  // count and reduce
  auto concat = h.driver.get_window_store<std::string, std::string>("concat");
  EXPECT_EQ(concat.fetch("k", from_epoch_ms(0)), "abd");
}

TEST(windowed_table_join, suppressed_after_the_join_emits_one_final_result_per_window) {
  windowed_join_harness h(true);
  h.in.pipe("k", "a", from_epoch_ms(1000));
  h.in.pipe("k", "b", from_epoch_ms(2000));
  h.in.pipe("j", "x", from_epoch_ms(9000));
  h.in.pipe("k", "c", from_epoch_ms(11000));  // window [0, 10 s) closes at 12 s
  EXPECT_EQ(h.read(), strings{});
  h.in.pipe("k", "d", from_epoch_ms(12000));
  EXPECT_EQ(h.read(), (strings{"j@0=1:x", "k@0=2:ab"}));
  h.in.pipe("k", "e", from_epoch_ms(30000));
  EXPECT_EQ(h.read(), (strings{"k@10000=2:cd"}));
}

TEST(windowed_table_join, windowed_table_joined_with_a_filtered_mapped_windowed_table) {
  streams_builder b;
  auto grouped = b.stream<std::string, std::string>("in").group_by_key();
  auto counts = grouped.windowed_by(time_windows::of(10s)).count();
  auto big = counts.filter([](const windowed<std::string>&, const int64_t& c) { return c >= 2; })
                 .map_values([](const int64_t& c) { return "x" + std::to_string(c); });
  counts
      .left_join(big,
                 [](const int64_t& c, const std::string* b) {
                   return std::to_string(c) + "/" + (b ? *b : std::string("-"));
                 })
      .to_stream()
      .map([](const windowed<std::string>& w, const std::string& v) {
        return std::pair{label(w, v), std::string()};
      })
      .to("out");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<std::string, std::string>("in");
  auto out = d.create_output_topic<std::string, std::string>("out");
  in.pipe("k", "a", from_epoch_ms(1000));
  in.pipe("k", "b", from_epoch_ms(2000));
  in.pipe("k", "c", from_epoch_ms(10000));
  strings got;
  for (auto& [k, unused] : out.read_key_values()) got.push_back(k);
  // Per update: the left side (count) first, then the right side (filtered, mapped count) for
  // a count that passes the filter, or its tombstone (which re-emits the left row).
  EXPECT_EQ(got,
            (strings{"k@0=1/-", "k@0=1/-", "k@0=2/x2", "k@0=2/x2", "k@10000=1/-", "k@10000=1/-"}));
}

// ---- names of stateful operators ---------------------------------------------------------------

TEST(names, aggregations_table_sources_and_their_stores_can_be_named) {
  streams_builder b;
  auto grouped = b.stream<std::string, std::string>("in").group_by_key();
  grouped.count(materialized<std::string, int64_t>::as("count-store"), named::as("count-op"));
  grouped.windowed_by(time_windows::of(1min))
      .reduce([](const std::string& a, const std::string&) { return a; },
              materialized<std::string, std::string>::as("reduce-store"), named::as("reduce-op"));
  grouped.windowed_by(session_windows::with_inactivity_gap(1min))
      .aggregate([] { return int64_t{0}; },
                 [](const std::string&, const std::string&, const int64_t& a) { return a + 1; },
                 [](const std::string&, const int64_t& a, const int64_t& c) { return a + c; },
                 materialized<std::string, int64_t>::as("session-store"), named::as("session-op"));
  b.table<std::string, std::string>("users",
                                    consumed<std::string, std::string>{.name = "users-src"},
                                    materialized<std::string, std::string>::as("users-store"));
  topology t = b.build();
  std::vector<std::string> nodes;
  for (const auto& s : t.subtopologies()) nodes.insert(nodes.end(), s.nodes.begin(), s.nodes.end());
  for (const char* n :
       {"count-op", "reduce-op", "session-op", "users-src", "users-src-table-source"})
    EXPECT_NE(std::find(nodes.begin(), nodes.end(), n), nodes.end()) << n;
  EXPECT_EQ(store_names(t),
            (strings{"count-store", "reduce-store", "session-store", "users-store"}));
  // Naming an operator does not rename its store: an unnamed store keeps its generated name.
  streams_builder b2;
  b2.stream<std::string, std::string>("in").group_by_key().count({}, named::as("x"));
  streams_builder b3;
  b3.stream<std::string, std::string>("in").group_by_key().count();
  EXPECT_EQ(store_names(b2.build()), store_names(b3.build()));
}

}  // namespace
}  // namespace sluice::dsl
