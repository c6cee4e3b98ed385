#include "core/murmur2.h"
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

struct harness {
  explicit harness(streams_builder& b, driver_config cfg = {})
      : driver(b.build(), std::move(cfg)),
        in(driver.create_input_topic<std::string, std::string>("in")) {}
  test_output_topic<std::string, std::string> out(const std::string& topic = "out") {
    return driver.create_output_topic<std::string, std::string>(topic, serdes::string{},
                                                                serdes::string{});
  }
  topology_test_driver driver;
  test_input_topic<std::string, std::string> in;
};

kstream<std::string, std::string> source(streams_builder& b) {
  return b.stream<std::string, std::string>("in");
}

TEST(stateless, filter_and_filter_not) {
  streams_builder b;
  auto s = source(b);
  s.filter([](const std::string&, const std::string& v) { return v.size() > 1; }).to("long");
  s.filter_not([](const std::string&, const std::string& v) { return v.size() > 1; }).to("short");
  harness h(b);
  auto long_out = h.out("long");
  auto short_out = h.out("short");
  h.in.pipe("a", "x", from_epoch_ms(1));
  h.in.pipe("b", "yy", from_epoch_ms(2));
  EXPECT_EQ(long_out.read_key_values(), (str_kvs{{"b", "yy"}}));
  EXPECT_EQ(short_out.read_key_values(), (str_kvs{{"a", "x"}}));
}

TEST(stateless, map_values_with_and_without_key_keeps_timestamp_and_headers) {
  streams_builder b;
  source(b)
      .map_values([](const std::string& v) { return static_cast<int64_t>(v.size()); })
      .map_values(
          [](const std::string& k, const int64_t& n) { return k + ":" + std::to_string(n); })
      .to("out");
  harness h(b);
  auto out = h.out();
  h.in.pipe("k", "hello", from_epoch_ms(42), core::headers{{"h", to_bytes("v")}});
  auto r = out.read_record();
  EXPECT_EQ(r.key, "k");
  EXPECT_EQ(r.value, "k:5");
  EXPECT_EQ(r.ts, from_epoch_ms(42));
  ASSERT_NE(r.hdrs.last("h"), nullptr);
  EXPECT_EQ(r.hdrs.last("h")->value, to_bytes("v"));
}

TEST(stateless, map_changes_key_and_value_types) {
  streams_builder b;
  source(b)
      .map([](const std::string& k, const std::string& v) {
        return std::pair{v, static_cast<int64_t>(k.size())};
      })
      .to("out", {.value_serde = serdes::int64{}});
  harness h(b);
  auto out =
      h.driver.create_output_topic<std::string, int64_t>("out");
  h.in.pipe("abc", "x", from_epoch_ms(1));
  EXPECT_EQ(out.read_key_value(), (std::pair<std::string, int64_t>{"x", 3}));
}

TEST(stateless, flat_map_and_flat_map_values) {
  streams_builder b;
  auto s = source(b);
  s.flat_map([](const std::string& k, const std::string& v) {
     std::vector<std::pair<std::string, std::string>> out;
     for (char c : v) out.emplace_back(k + c, std::string(1, c));
     return out;
   }).to("fm");
  s.flat_map_values([](const std::string& v) {
     return std::vector<std::string>{v, v + v};
   }).to("fmv");
  harness h(b);
  auto fm = h.out("fm");
  auto fmv = h.out("fmv");
  h.in.pipe("k", "ab", from_epoch_ms(1));
  h.in.pipe("z", "", from_epoch_ms(2));
  EXPECT_EQ(fm.read_key_values(), (str_kvs{{"ka", "a"}, {"kb", "b"}}));
  EXPECT_EQ(fmv.read_key_values(), (str_kvs{{"k", "ab"}, {"k", "abab"}, {"z", ""}, {"z", ""}}));
}

TEST(stateless, select_key_peek_and_foreach) {
  streams_builder b;
  std::vector<str_kv> peeked;
  std::vector<str_kv> seen;
  auto s = source(b)
               .select_key([](const std::string&, const std::string& v) { return v.substr(0, 1); })
               .peek([&peeked](const std::string& k, const std::string& v) {
                 peeked.emplace_back(k, v);
               });
  s.to("out");
  s.foreach ([&seen](const std::string& k, const std::string& v) { seen.emplace_back(k, v); });
  harness h(b);
  auto out = h.out();
  h.in.pipe("1", "apple", from_epoch_ms(1));
  h.in.pipe("2", "banana", from_epoch_ms(2));
  const str_kvs expected{{"a", "apple"}, {"b", "banana"}};
  EXPECT_EQ(out.read_key_values(), expected);
  EXPECT_EQ(peeked, expected);
  EXPECT_EQ(seen, expected);
}

TEST(stateless, split_routes_to_first_matching_named_branch_and_default) {
  streams_builder b;
  auto branches =
      source(b)
          .split(named::as("fruit-"))
          .branch([](const std::string&, const std::string& v) { return v.starts_with("a"); },
                  branched::as("a"))
          .branch([](const std::string&, const std::string& v) { return v.size() > 3; })
          .default_branch(branched::as("other"));
  ASSERT_EQ(branches.size(), 3u);
  ASSERT_TRUE(branches.contains("fruit-a"));
  ASSERT_TRUE(branches.contains("fruit-2"));
  ASSERT_TRUE(branches.contains("fruit-other"));
  branches.at("fruit-a").to("a");
  branches.at("fruit-2").to("long");
  branches.at("fruit-other").to("other");
  harness h(b);
  auto a = h.out("a");
  auto lng = h.out("long");
  auto other = h.out("other");
  h.in.pipe("1", "apple", from_epoch_ms(1));   // first branch, although long too
  h.in.pipe("2", "banana", from_epoch_ms(2));  // second
  h.in.pipe("3", "fig", from_epoch_ms(3));     // default
  EXPECT_EQ(a.read_key_values(), (str_kvs{{"1", "apple"}}));
  EXPECT_EQ(lng.read_key_values(), (str_kvs{{"2", "banana"}}));
  EXPECT_EQ(other.read_key_values(), (str_kvs{{"3", "fig"}}));
}

TEST(stateless, split_without_default_drops_unmatched) {
  streams_builder b;
  auto branches = source(b)
                      .split()
                      .branch([](const std::string&, const std::string& v) { return v == "keep"; })
                      .no_default_branch();
  ASSERT_EQ(branches.size(), 1u);
  branches.begin()->second.to("out");
  harness h(b);
  auto out = h.out();
  h.in.pipe("1", "drop", from_epoch_ms(1));
  h.in.pipe("2", "keep", from_epoch_ms(2));
  EXPECT_EQ(out.read_key_values(), (str_kvs{{"2", "keep"}}));
}

TEST(stateless, merge_interleaves_in_arrival_order) {
  streams_builder b;
  auto s1 = source(b);
  auto s2 = b.stream<std::string, std::string>("in2");
  s1.merge(s2).to("out");
  harness h(b);
  auto in2 = h.driver.create_input_topic<std::string, std::string>("in2");
  auto out = h.out();
  h.in.pipe("a", "1", from_epoch_ms(1));
  in2.pipe("b", "2", from_epoch_ms(2));
  h.in.pipe("c", "3", from_epoch_ms(3));
  EXPECT_EQ(out.read_key_values(), (str_kvs{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
}

TEST(stateless, stream_of_several_topics) {
  streams_builder b;
  b.stream<std::string, std::string>(std::vector<std::string>{"t1", "t2"}).to("out");
  topology_test_driver d(b.build());
  auto t1 = d.create_input_topic<std::string, std::string>("t1");
  auto t2 = d.create_input_topic<std::string, std::string>("t2");
  auto out = d.create_output_topic<std::string, std::string>("out");
  t1.pipe("a", "1", from_epoch_ms(1));
  t2.pipe("b", "2", from_epoch_ms(2));
  EXPECT_EQ(out.read_key_values(), (str_kvs{{"a", "1"}, {"b", "2"}}));
}

TEST(stateless, to_with_custom_partitioner_and_default_partitioner) {
  streams_builder b;
  auto s = source(b);
  s.to("custom",
       {.partitioner = [](const std::string&, const std::string& k, const std::string&, int32_t n) {
         return std::optional<int32_t>(static_cast<int32_t>(k.size()) % n);
       }});
  s.to("default");
  harness h(b, {.partitions = {{"custom", 3}, {"default", 4}}});
  auto custom = h.out("custom");
  auto def = h.out("default");
  h.in.pipe("abcd", "v", from_epoch_ms(1));
  EXPECT_EQ(custom.read_record().partition, partition_id{1});
  EXPECT_EQ(def.read_record().partition,
            partition_id{core::partition_for_key(core::as_bytes("abcd"), 4)});
}

TEST(stateless, to_topic_extractor_picks_topic_per_record) {
  streams_builder b;
  source(b).to([](const std::string&, const std::string& v) { return "out-" + v; });
  harness h(b);
  auto x = h.out("out-x");
  auto y = h.out("out-y");
  h.in.pipe("1", "x", from_epoch_ms(1));
  h.in.pipe("2", "y", from_epoch_ms(2));
  h.in.pipe("3", "x", from_epoch_ms(3));
  EXPECT_EQ(x.read_key_values(), (str_kvs{{"1", "x"}, {"3", "x"}}));
  EXPECT_EQ(y.read_key_values(), (str_kvs{{"2", "y"}}));
}

TEST(stateless, repartition_sends_through_internal_topic_with_partition_count) {
  streams_builder b;
  source(b)
      .select_key([](const std::string&, const std::string& v) { return v; })
      .repartition({.name = "by-value", .partitions = 3})
      .to("out");
  harness h(b);
  const auto& t = h.driver.topology_ref();
  ASSERT_EQ(t.subtopologies().size(), 2u);
  ASSERT_EQ(t.repartition_topics().size(), 1u);
  EXPECT_EQ(t.repartition_topics()[0].name, "by-value");
  EXPECT_EQ(h.driver.partitions("test-app-by-value-repartition"), 3);
  auto out = h.out();
  h.in.pipe("1", "x", from_epoch_ms(5));
  auto r = out.read_record();
  EXPECT_EQ(r.key, "x");
  EXPECT_EQ(r.ts, from_epoch_ms(5));
  // The record really went through partition murmur2("x") % 3 of the repartition topic: the
  // task for that partition has processed it.
  const int32_t p = core::partition_for_key(core::as_bytes("x"), 3);
  EXPECT_EQ(h.driver.stream_time(task_id{1, partition_id{p}}), from_epoch_ms(5));
  EXPECT_EQ(h.driver.stream_time(task_id{1, partition_id{(p + 1) % 3}}), std::nullopt);
}

TEST(stateless, null_keys_and_values_pass_key_preserving_operators_as_null) {
  streams_builder b;
  std::vector<str_kv> seen;
  source(b)
      .peek([&seen](const std::string& k, const std::string& v) { seen.emplace_back(k, v); })
      .filter([](const std::string&, const std::string&) { return true; })
      .to("out");
  harness h(b);
  auto out = h.out();
  h.in.pipe_value("v", from_epoch_ms(1));
  h.in.pipe_tombstone("k", from_epoch_ms(2));
  auto r1 = out.read_record();
  EXPECT_EQ(r1.key, std::nullopt);
  EXPECT_EQ(r1.value, "v");
  auto r2 = out.read_record();
  EXPECT_EQ(r2.key, "k");
  EXPECT_EQ(r2.value, std::nullopt);
  EXPECT_EQ(seen, (str_kvs{{"", "v"}, {"k", ""}}));  // functions see K{} / V{} for nulls
}

struct event {
  std::string name;
  int64_t seconds = 0;
};
struct event_serde {
  result<bytes> serialize(const event& e) const {
    return to_bytes(e.name + "|" + std::to_string(e.seconds));
  }
  result<event> deserialize(bytes_view b) const {
    const std::string s = core::to_string(b);
    const auto bar = s.find('|');
    if (bar == std::string::npos)
      return core::failure(core::make_error_code(core::errc::deserialization_failed));
    return event{s.substr(0, bar), std::stoll(s.substr(bar + 1))};
  }
};

TEST(stateless, timestamp_extractors) {
  streams_builder b;
  b.stream<std::string, event>(
       "events", {.value_serde = event_serde{},
                  .timestamp_extractor = [](const std::string&, const event& e,
                                            timestamp) { return from_epoch_ms(e.seconds * 1000); }})
      .map_values([](const event& e) { return e.name; })
      .to("by-field");
  b.stream<std::string, std::string>(
       "clocked",
       {.timestamp_extractor = timestamp_extractor<std::string, std::string>::wall_clock()})
      .to("by-clock");
  topology_test_driver d(b.build(), {.wall_clock_start = from_epoch_ms(7000)});
  auto events = d.create_input_topic<std::string, event>("events", serdes::string{}, event_serde{});
  auto clocked = d.create_input_topic<std::string, std::string>("clocked");
  auto by_field = d.create_output_topic<std::string, std::string>("by-field");
  auto by_clock = d.create_output_topic<std::string, std::string>("by-clock");
  events.pipe("k", event{"e", 12}, from_epoch_ms(1));
  EXPECT_EQ(by_field.read_record().ts, from_epoch_ms(12000));
  d.advance_wall_clock_time(500ms);
  clocked.pipe("k", "v", from_epoch_ms(1));
  EXPECT_EQ(by_clock.read_record().ts, from_epoch_ms(7500));
}

TEST(stateless, negative_extracted_timestamp_drops_and_counts) {
  streams_builder b;
  b.stream<std::string, std::string>(
       "in",
       {.timestamp_extractor = [](const std::string&, const std::string& v,
                                  timestamp t) { return v == "bad" ? from_epoch_ms(-1) : t; }})
      .to("out");
  harness h(b);
  auto out = h.out();
  h.in.pipe("a", "bad", from_epoch_ms(1));
  h.in.pipe("b", "good", from_epoch_ms(2));
  EXPECT_EQ(out.read_key_values(), (str_kvs{{"b", "good"}}));
  EXPECT_EQ(h.driver.metrics().dropped_total(drop_reason::invalid_timestamp), 1);
}

TEST(stateless, undecodable_input_is_reported_not_processed) {
  streams_builder b;
  b.stream<std::string, int64_t>("in").to("out");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<std::string, int64_t>("in");
  auto out = d.create_output_topic<std::string, int64_t>("out");
  EXPECT_THROW(in.pipe_bytes(to_bytes("k"), to_bytes("abc"), from_epoch_ms(1)), std::runtime_error);
  EXPECT_TRUE(out.is_empty());
}

TEST(stateless, piping_an_unread_topic_throws) {
  streams_builder b;
  source(b).to("out");
  topology_test_driver d(b.build());
  EXPECT_THROW(
      (d.create_input_topic<std::string, std::string>("nope")),
      std::invalid_argument);
}

}  // namespace
}  // namespace sluice::dsl
