#include "dsl/streams.h"
#include "dsl/testing/topology_test_driver.h"
#include "tests/dsl/dsl_test_names.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sluice::dsl {
namespace {

std::string opt(const std::string* s) {
  return s != nullptr ? *s : "null";
}

/// left ⋈ right on string streams, written to "out" as "l+r" (missing sides as "null").
struct join_harness {
  join_harness(streams_builder& b, driver_config cfg = {})
      : driver(b.build(), std::move(cfg)),
        left(driver.create_input_topic<std::string, std::string>("left")),
        right(driver.create_input_topic<std::string, std::string>("right")),
        out(driver.create_output_topic<std::string, std::string>("out")) {}
  /// The output as "key=value@ts".
  std::vector<std::string> read() {
    std::vector<std::string> v;
    for (auto& r : out.read_records()) {
      v.push_back(r.key.value_or("null") + "=" + r.value.value_or("null") + "@" +
                  std::to_string(core::to_epoch_ms(r.ts)));
    }
    return v;
  }
  topology_test_driver driver;
  test_input_topic<std::string, std::string> left;
  test_input_topic<std::string, std::string> right;
  test_output_topic<std::string, std::string> out;
};


kstream<std::string, std::string> side(streams_builder& b, const char* topic) {
  return b.stream<std::string, std::string>(topic);
}

TEST(stream_stream_join, inner_joins_records_inside_the_window_only) {
  streams_builder b;
  side(b, "left")
      .join(
          side(b, "right"), [](const std::string& l, const std::string& r) { return l + "+" + r; },
          join_windows::of(10s))
      .to("out");
  join_harness h(b);
  h.left.pipe("k", "a", from_epoch_ms(100000));
  h.right.pipe("k", "x", from_epoch_ms(105000));  // 5 s after: inside
  h.right.pipe("k", "y", from_epoch_ms(111000));  // 11 s after: outside for a
  h.right.pipe("j", "z", from_epoch_ms(105000));  // other key
  h.left.pipe("k", "b", from_epoch_ms(112000));   // joins y (1 s) and x (7 s)
  EXPECT_EQ(h.read(), (strings{"k=a+x@105000", "k=b+x@112000", "k=b+y@112000"}));
}

TEST(stream_stream_join, before_and_after_are_asymmetric) {
  streams_builder b;
  side(b, "left")
      .join(
          side(b, "right"), [](const std::string& l, const std::string& r) { return l + "+" + r; },
          join_windows::of(0ms).before(2s).after(5s))
      .to("out");
  join_harness h(b);
  h.left.pipe("k", "a", from_epoch_ms(10000));
  h.right.pipe("k", "x", from_epoch_ms(15000));  // after by 5 s: joins
  h.right.pipe("k", "y", from_epoch_ms(15001));  // after by 5.001 s: no
  h.left.pipe("k", "b", from_epoch_ms(17000));  // x is 2 s before b: joins; y 1.999 s before: joins
  EXPECT_EQ(h.read(), (strings{"k=a+x@15000", "k=b+x@17000", "k=b+y@17000"}));
}

TEST(stream_stream_join, out_of_order_within_grace_joins_and_late_records_are_dropped) {
  streams_builder b;
  side(b, "left")
      .join(
          side(b, "right"), [](const std::string& l, const std::string& r) { return l + "+" + r; },
          join_windows::of(5s).grace(3s))
      .to("out");
  join_harness h(b);
  h.left.pipe("k", "a", from_epoch_ms(10000));
  h.right.pipe("q", "advance", from_epoch_ms(30000));  // stream time 30000, other key
  // A right record at 22000: its window closes at 22000 + 5000 + 3000 = 30000, not before: kept.
  h.right.pipe("k", "x", from_epoch_ms(22000));
  // A left record at 21000: window closes at 21000 + 5000 + 3000 = 29000 < 30000: late.
  h.left.pipe("k", "b", from_epoch_ms(21000));
  // A left record at 26000 joins x (4 s apart) although out of order.
  h.left.pipe("k", "c", from_epoch_ms(26000));
  EXPECT_EQ(h.read(), (strings{"k=c+x@26000"}));
  EXPECT_EQ(h.driver.metrics().dropped_total(drop_reason::late), 1);
}

TEST(stream_stream_join, left_join_emits_unmatched_only_after_the_window_closes) {
  streams_builder b;
  side(b, "left")
      .left_join(
          side(b, "right"),
          [](const std::string& l, const std::string* r) { return l + "+" + opt(r); },
          join_windows::of(5s).grace(1s))
      .to("out");
  join_harness h(b);
  h.left.pipe(
      "k", "a",
      from_epoch_ms(10000));  // final without partner once stream time > 10000+5000+5000+1000
  h.left.pipe("j", "b", from_epoch_ms(10000));
  h.right.pipe("j", "x", from_epoch_ms(12000));  // b finds x: no "b+null" ever
  EXPECT_EQ(h.read(), (strings{"j=b+x@12000"}));
  h.right.pipe("z", "w", from_epoch_ms(21000));  // stream time 21000 = 10000 + 11000: not yet
  EXPECT_EQ(h.read(), strings{});
  h.right.pipe("z", "w", from_epoch_ms(21001));  // now a's window is closed
  EXPECT_EQ(h.read(), (strings{"k=a+null@10000"}));
  // Right records without partner never appear alone in a left join.
  h.left.pipe("z", "c", from_epoch_ms(50000));
  EXPECT_EQ(h.read(), strings{});
}

TEST(stream_stream_join, left_join_record_matched_later_is_not_emitted_alone) {
  streams_builder b;
  side(b, "left")
      .left_join(
          side(b, "right"),
          [](const std::string& l, const std::string* r) { return l + "+" + opt(r); },
          join_windows::of(5s))
      .to("out");
  join_harness h(b);
  h.left.pipe("k", "a", from_epoch_ms(10000));
  h.right.pipe("k", "x", from_epoch_ms(14000));   // matches a
  h.right.pipe("q", "y", from_epoch_ms(100000));  // closes every window
  EXPECT_EQ(h.read(), (strings{"k=a+x@14000"}));
}

TEST(stream_stream_join, outer_join_emits_unmatched_records_of_both_sides) {
  streams_builder b;
  side(b, "left")
      .outer_join(
          side(b, "right"),
          [](const std::string* l, const std::string* r) { return opt(l) + "+" + opt(r); },
          join_windows::of(2s))
      .to("out");
  join_harness h(b);
  h.left.pipe("k", "a", from_epoch_ms(1000));
  h.right.pipe("j", "x", from_epoch_ms(2000));
  h.right.pipe("k", "y", from_epoch_ms(2500));  // joins a
  EXPECT_EQ(h.read(), (strings{"k=a+y@2500"}));
  h.left.pipe("m", "c", from_epoch_ms(6001));  // 2000 + 4000 < 6001: x is final
  EXPECT_EQ(h.read(), (strings{"j=null+x@2000"}));
  h.left.pipe("m", "d", from_epoch_ms(20000));  // c is final
  EXPECT_EQ(h.read(), (strings{"m=c+null@6001"}));
}

TEST(stream_stream_join, key_changed_sides_are_repartitioned_and_co_partitioned) {
  streams_builder b;
  auto l = side(b, "left").select_key(
      [](const std::string&, const std::string& v) { return v.substr(0, 1); });
  l.join(
       side(b, "right"), [](const std::string& a, const std::string& r) { return a + "+" + r; },
       join_windows::of(1s), stream_joined<std::string, std::string, std::string>::as("j"))
      .to("out");
  join_harness h(b, {.partitions = {{"left", 2}, {"right", 3}}});
  const auto& t = h.driver.topology_ref();
  ASSERT_EQ(t.repartition_topics().size(), 1u);
  EXPECT_EQ(t.repartition_topics()[0].name, "j-left");
  // The repartition topic is aligned with the other join input.
  EXPECT_EQ(h.driver.partitions("test-app-j-left-repartition"), 3);
  ASSERT_EQ(t.copartition_groups().size(), 1u);
  EXPECT_EQ(t.copartition_groups()[0],
            (std::vector<topic_ref>{{"j-left", true}, {"right", false}}));
  h.left.pipe("1", "kiwi", from_epoch_ms(1000));
  h.right.pipe("k", "x", from_epoch_ms(1500));
  EXPECT_EQ(h.read(), (strings{"k=kiwi+x@1500"}));
}

TEST(stream_stream_join, inputs_with_different_partition_counts_are_rejected) {
  streams_builder b;
  side(b, "left")
      .join(
          side(b, "right"), [](const std::string& a, const std::string& r) { return a + r; },
          join_windows::of(1s))
      .to("out");
  EXPECT_THROW(join_harness(b, {.partitions = {{"left", 2}, {"right", 3}}}), topology_error);
}

TEST(stream_table_join, inner_and_left_join_read_the_table_as_of_arrival) {
  streams_builder b;
  auto table = b.table<std::string, std::string>(
      "right", materialized<std::string, std::string>::as("users"));
  auto s = side(b, "left");
  s.join(table, [](const std::string& v, const std::string& t) { return v + "+" + t; }).to("out");
  s.left_join(table, [](const std::string& v, const std::string* t) {
     return v + "+" + opt(t);
   }).to("left-out");
  join_harness h(b);
  auto left_out = h.driver.create_output_topic<std::string, std::string>("left-out");
  h.left.pipe("k", "a", from_epoch_ms(1));   // no row yet: inner drops, left emits null
  h.right.pipe("k", "x", from_epoch_ms(2));  // table updates do not trigger output
  h.left.pipe("k", "b", from_epoch_ms(3));
  h.right.pipe_tombstone("k", from_epoch_ms(4));
  h.left.pipe("k", "c", from_epoch_ms(5));
  EXPECT_EQ(h.read(), (strings{"k=b+x@3"}));
  EXPECT_EQ(left_out.read_key_values(), (str_kvs{{"k", "a+null"}, {"k", "b+x"}, {"k", "c+null"}}));
  auto users = h.driver.get_key_value_store<std::string, std::string>("users");
  EXPECT_EQ(users.get("k"), std::nullopt);
}

TEST(stream_table_join, joins_through_filtered_and_mapped_table) {
  streams_builder b;
  auto table = b.table<std::string, std::string>("right")
                   .filter([](const std::string&, const std::string& v) { return v != "hidden"; })
                   .map_values([](const std::string& v) { return "<" + v + ">"; });
  side(b, "left")
      .join(table, [](const std::string& v, const std::string& t) { return v + "+" + t; })
      .to("out");
  join_harness h(b);
  h.right.pipe("k", "x", from_epoch_ms(1));
  h.right.pipe("h", "hidden", from_epoch_ms(2));
  h.left.pipe("k", "a", from_epoch_ms(3));
  h.left.pipe("h", "b", from_epoch_ms(4));
  EXPECT_EQ(h.read(), (strings{"k=a+<x>@3"}));
}

struct table_harness {
  explicit table_harness(streams_builder& b)
      : driver(b.build()),
        left(driver.create_input_topic<std::string, std::string>("left")),
        out(driver.create_output_topic<std::string, std::string>("out")) {}
  test_input_topic<std::string, std::string> right_topic() {
    return driver.create_input_topic<std::string, std::string>("right");
  }
  std::vector<std::string> read() {
    std::vector<std::string> v;
    for (auto& r : out.read_records())
      v.push_back(r.key.value_or("null") + "=" + r.value.value_or("TOMBSTONE"));
    return v;
  }
  topology_test_driver driver;
  test_input_topic<std::string, std::string> left;
  test_output_topic<std::string, std::string> out;
};

TEST(table_table_join, inner_join_updates_and_tombstones) {
  streams_builder b;
  b.table<std::string, std::string>("left")
      .join(b.table<std::string, std::string>("right"),
            [](const std::string& l, const std::string& r) { return l + "+" + r; })
      .to_stream()
      .to("out");
  table_harness h(b);
  auto right = h.right_topic();
  h.left.pipe("k", "a", from_epoch_ms(1));       // right missing: nothing
  right.pipe("k", "x", from_epoch_ms(2));        // a+x
  h.left.pipe("k", "b", from_epoch_ms(3));       // b+x
  right.pipe("k", "y", from_epoch_ms(4));        // b+y
  right.pipe_tombstone("k", from_epoch_ms(5));   // tombstone
  h.left.pipe("k", "c", from_epoch_ms(6));       // right missing: nothing
  h.left.pipe_tombstone("k", from_epoch_ms(7));  // right missing: nothing to delete
  right.pipe("k", "z", from_epoch_ms(8));        // left missing: nothing
  EXPECT_EQ(h.read(), (strings{"k=a+x", "k=b+x", "k=b+y", "k=TOMBSTONE"}));
}

TEST(table_table_join, left_join_updates_and_tombstones) {
  streams_builder b;
  b.table<std::string, std::string>("left")
      .left_join(b.table<std::string, std::string>("right"),
                 [](const std::string& l, const std::string* r) { return l + "+" + opt(r); })
      .to_stream()
      .to("out");
  table_harness h(b);
  auto right = h.right_topic();
  right.pipe("k", "x", from_epoch_ms(1));        // left missing: nothing
  h.left.pipe("k", "a", from_epoch_ms(2));       // a+x
  right.pipe_tombstone("k", from_epoch_ms(3));   // a+null
  h.left.pipe("j", "b", from_epoch_ms(4));       // b+null
  h.left.pipe_tombstone("k", from_epoch_ms(5));  // tombstone
  EXPECT_EQ(h.read(), (strings{"k=a+x", "k=a+null", "j=b+null", "k=TOMBSTONE"}));
}

TEST(table_table_join, outer_join_updates_and_tombstones) {
  streams_builder b;
  b.table<std::string, std::string>("left")
      .outer_join(b.table<std::string, std::string>("right"),
                  [](const std::string* l, const std::string* r) { return opt(l) + "+" + opt(r); })
      .to_stream()
      .to("out");
  table_harness h(b);
  auto right = h.right_topic();
  right.pipe("k", "x", from_epoch_ms(1));        // null+x
  h.left.pipe("k", "a", from_epoch_ms(2));       // a+x
  right.pipe_tombstone("k", from_epoch_ms(3));   // a+null
  h.left.pipe_tombstone("k", from_epoch_ms(4));  // both gone: tombstone
  EXPECT_EQ(h.read(), (strings{"k=null+x", "k=a+x", "k=a+null", "k=TOMBSTONE"}));
}

TEST(table_table_join, joined_table_can_be_joined_again) {
  streams_builder b;
  auto ab = b.table<std::string, std::string>("left").join(
      b.table<std::string, std::string>("right"),
      [](const std::string& l, const std::string& r) { return l + r; });
  side(b, "events")
      .join(ab, [](const std::string& e, const std::string& t) { return e + ":" + t; })
      .to("out");
  topology_test_driver d(b.build());
  auto left = d.create_input_topic<std::string, std::string>("left");
  auto right = d.create_input_topic<std::string, std::string>("right");
  auto events = d.create_input_topic<std::string, std::string>("events");
  auto out = d.create_output_topic<std::string, std::string>("out");
  left.pipe("k", "a", from_epoch_ms(1));
  right.pipe("k", "b", from_epoch_ms(2));
  events.pipe("k", "e", from_epoch_ms(3));
  events.pipe("j", "f", from_epoch_ms(4));
  EXPECT_EQ(out.read_key_values(), (str_kvs{{"k", "e:ab"}}));
  ASSERT_EQ(d.topology_ref().copartition_groups().size(), 1u);
  EXPECT_EQ(d.topology_ref().copartition_groups()[0].size(), 3u);
}

TEST(ktable, filter_map_values_and_to_stream_carry_tombstones) {
  streams_builder b;
  b.table<std::string, std::string>("left")
      .filter([](const std::string&, const std::string& v) { return v.size() > 1; })
      .map_values([](const std::string& v) { return v + "!"; })
      .to_stream()
      .to("out");
  table_harness h(b);
  h.left.pipe("k", "aa", from_epoch_ms(1));
  h.left.pipe("k", "b", from_epoch_ms(2));  // filtered out: becomes a tombstone
  h.left.pipe("j", "cc", from_epoch_ms(3));
  h.left.pipe_tombstone("j", from_epoch_ms(4));
  EXPECT_EQ(h.read(), (strings{"k=aa!", "k=TOMBSTONE", "j=cc!", "j=TOMBSTONE"}));
}

}  // namespace
}  // namespace sluice::dsl
