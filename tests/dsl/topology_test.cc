#include "dsl/streams.h"
#include "dsl/testing/topology_test_driver.h"
#include "tests/dsl/dsl_test_names.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

namespace sluice::dsl {
namespace {

/// A topology with every kind of node: a key change, a repartitioned windowed count, a
/// stream-table join and sinks.
void build_sample(streams_builder& b, bool with_extra_branch) {
  auto views = b.stream<std::string, std::string>("views");
  auto users = b.table<std::string, std::string>("users");
  if (with_extra_branch) {
    b.stream<std::string, std::string>("audit")
        .filter([](const std::string&, const std::string&) { return true; })
        .to("audit-out");
    views.peek([](const std::string&, const std::string&) {}).to("views-copy");
  }
  views.join(users, [](const std::string& v, const std::string& u) { return v + u; })
      .to("enriched");
  views.select_key([](const std::string&, const std::string& v) { return v; })
      .group_by_key()
      .windowed_by(time_windows::of(1min))
      .count()
      .to_stream()
      .map([](const windowed<std::string>& w, const int64_t& c) {
        return std::pair{w.key, c};
      })
      .to("counts", {.value_serde = serdes::int64{}});
}

std::vector<std::string> store_names(const topology& t) {
  std::vector<std::string> out;
  for (const auto& s : t.stores()) out.push_back(s.name);
  return out;
}

std::vector<std::string> repartition_names(const topology& t) {
  std::vector<std::string> out;
  for (const auto& r : t.repartition_topics()) out.push_back(r.name);
  return out;
}

TEST(topology, sub_topologies_split_at_repartition_topics_and_list_sources_sinks_stores) {
  streams_builder b;
  build_sample(b, false);
  topology t = b.build();
  ASSERT_EQ(t.subtopologies().size(), 2u);
  const auto& s0 = t.subtopologies()[0];
  const auto& s1 = t.subtopologies()[1];
  ASSERT_EQ(t.repartition_topics().size(), 1u);
  const topic_ref rp{t.repartition_topics()[0].name, true};
  EXPECT_EQ(s0.sources, (std::vector<topic_ref>{{"views", false}, {"users", false}}));
  EXPECT_NE(std::find(s0.sinks.begin(), s0.sinks.end(), rp), s0.sinks.end());
  EXPECT_NE(std::find(s0.sinks.begin(), s0.sinks.end(), topic_ref{"enriched", false}),
            s0.sinks.end());
  EXPECT_EQ(s1.sources, (std::vector<topic_ref>{rp}));
  EXPECT_EQ(s1.sinks, (std::vector<topic_ref>{{"counts", false}}));
  ASSERT_EQ(t.stores().size(), 2u);
  for (const auto& s : t.stores()) {
    EXPECT_TRUE(s.logged);
    EXPECT_EQ(s.changelog_topic("app"), "app-" + s.name + "-changelog");
    EXPECT_EQ(s.subtopology, s.kind == store_kind::window ? 1 : 0);
  }
  EXPECT_EQ(rp.resolve("app"), "app-" + rp.name + "-repartition");
  // views and users are joined: one co-partitioning group.
  ASSERT_EQ(t.copartition_groups().size(), 1u);
  EXPECT_EQ(t.copartition_groups()[0],
            (std::vector<topic_ref>{{"users", false}, {"views", false}}));
  EXPECT_EQ(t.source_topics().size(), 2u);
}

TEST(topology, resolve_partitions_follows_upstream_and_checks_copartitioning) {
  streams_builder b;
  build_sample(b, false);
  topology t = b.build();
  const auto counts = t.resolve_partitions([](std::string_view topic) -> std::optional<int32_t> {
    if (topic == "views" || topic == "users") return 4;
    return std::nullopt;
  });
  EXPECT_EQ(counts.at(topic_ref{t.repartition_topics()[0].name, true}), 4);
  EXPECT_EQ(t.task_count(0, counts), 4);
  EXPECT_EQ(t.task_count(1, counts), 4);
  EXPECT_THROW(t.resolve_partitions([](std::string_view topic) -> std::optional<int32_t> {
    return topic == "views" ? 4 : 3;
  }),
               topology_error);
  EXPECT_THROW(t.resolve_partitions([](std::string_view topic) -> std::optional<int32_t> {
    if (topic == "views") return 1;
    return std::nullopt;
  }),
               topology_error);
}

TEST(topology, describe_prints_kafka_streams_style_text) {
  streams_builder b;
  b.stream<std::string, std::string>("in", {.name = "src"})
      .filter([](const std::string&, const std::string&) { return true; }, named::as("keep"))
      .to("out", {.name = "sink"});
  topology t = b.build();
  EXPECT_EQ(t.describe(),
            "Topologies:\n"
            "   Sub-topology: 0\n"
            "    Source: src (topics: [in])\n"
            "      --> keep\n"
            "    Processor: keep (filter, stores: [])\n"
            "      --> sink\n"
            "      <-- src\n"
            "    Sink: sink (topic: out)\n"
            "      <-- keep\n"
            "\n");
}

TEST(topology, dot_has_clusters_topics_and_stores) {
  streams_builder b;
  build_sample(b, false);
  topology t = b.build();
  const std::string dot = t.to_dot();
  EXPECT_TRUE(dot.starts_with("digraph topology {"));
  EXPECT_NE(dot.find("subgraph cluster_0"), std::string::npos);
  EXPECT_NE(dot.find("subgraph cluster_1"), std::string::npos);
  EXPECT_NE(dot.find("\"topic:views\" [shape=ellipse"), std::string::npos);
  EXPECT_NE(dot.find("\"topic:views\" -> \"KSTREAM-SOURCE-"), std::string::npos);
  EXPECT_NE(dot.find("shape=cylinder"), std::string::npos);
  EXPECT_NE(dot.find("-repartition\" [shape=ellipse, style=\"dashed"), std::string::npos);
  // Labels are HTML-like: what the node does in bold over its name.
  EXPECT_NE(dot.find("label=<<b>count tumbling(60000ms, grace 0ms)</b><br/>"), std::string::npos);
  EXPECT_NE(dot.find("<b>enriched</b>"), std::string::npos);
  EXPECT_TRUE(dot.ends_with("}\n"));
  // Every quoted string is closed and braces balance (what `dot` would reject first).
  EXPECT_EQ(std::count(dot.begin(), dot.end(), '{'), std::count(dot.begin(), dot.end(), '}'));
}

TEST(topology, dot_escapes_quotes_and_html_in_names) {
  streams_builder b;
  b.stream<std::string, std::string>("in \"quoted\"", {.name = "src<&>"})
      .to("out", {.name = "sink \"x\""});
  const std::string dot = b.build().to_dot();
  EXPECT_NE(dot.find("\"src<&>\" ["), std::string::npos) << dot;
  EXPECT_NE(dot.find("src&lt;&amp;&gt;"), std::string::npos) << dot;
  EXPECT_NE(dot.find("\"sink \\\"x\\\"\" ["), std::string::npos) << dot;
  EXPECT_NE(dot.find("in &quot;quoted&quot;"), std::string::npos) << dot;
}

TEST(names, unchanged_topology_keeps_every_name) {
  streams_builder b1;
  build_sample(b1, false);
  streams_builder b2;
  build_sample(b2, false);
  topology t1 = b1.build();
  topology t2 = b2.build();
  EXPECT_EQ(t1.describe(), t2.describe());
  EXPECT_EQ(store_names(t1), store_names(t2));
  EXPECT_EQ(repartition_names(t1), repartition_names(t2));
}

TEST(names, adding_unrelated_operators_does_not_rename_stores_or_topics) {
  streams_builder b1;
  build_sample(b1, false);
  streams_builder b2;
  build_sample(b2, true);  // a new source and a new branch, added *before* the stateful parts
  topology t1 = b1.build();
  topology t2 = b2.build();
  EXPECT_EQ(store_names(t1), store_names(t2));
  EXPECT_EQ(repartition_names(t1), repartition_names(t2));
  // Node names of the unchanged part are the same too.
  for (const auto& n : t1.subtopologies()[1].nodes) {
    bool found = false;
    for (const auto& s : t2.subtopologies())
      found = found || std::find(s.nodes.begin(), s.nodes.end(), n) != s.nodes.end();
    EXPECT_TRUE(found) << n;
  }
}

TEST(names, generated_names_have_operator_prefix_and_hash) {
  streams_builder b;
  build_sample(b, false);
  topology t = b.build();
  for (const auto& s : t.stores()) {
    EXPECT_TRUE(s.name.starts_with("KSTREAM-AGGREGATE-STATE-STORE-") ||
                s.name.starts_with("KTABLE-SOURCE-STATE-STORE-"))
        << s.name;
  }
  EXPECT_TRUE(t.repartition_topics()[0].name.starts_with("KSTREAM-REPARTITION-"));
}

TEST(names, identical_siblings_get_suffixes) {
  streams_builder b;
  auto s = b.stream<std::string, std::string>("in");
  s.filter([](const std::string&, const std::string&) { return true; }).to("a");
  s.filter([](const std::string&, const std::string&) { return false; }).to("b");
  topology t = b.build();
  const auto& nodes = t.subtopologies()[0].nodes;
  const auto filters = std::count_if(nodes.begin(), nodes.end(), [](const std::string& n) {
    return n.starts_with("KSTREAM-FILTER-");
  });
  EXPECT_EQ(filters, 2);
  EXPECT_EQ(std::count_if(nodes.begin(), nodes.end(),
                          [](const std::string& n) { return n.ends_with("-2"); }),
            1);
}

TEST(names, user_names_are_used_for_stores_topics_and_nodes) {
  streams_builder b;
  b.stream<std::string, std::string>("in")
      .select_key([](const std::string&, const std::string& v) { return v; }, named::as("rekey"))
      .group_by_key(grouped<std::string, std::string>::as("by-value"))
      .count(materialized<std::string, int64_t>::as("value-counts"))
      .to_stream()
      .to("out", {.value_serde = serdes::int64{}});
  topology t = b.build();
  EXPECT_EQ(store_names(t), (std::vector<std::string>{"value-counts"}));
  EXPECT_EQ(repartition_names(t), (std::vector<std::string>{"by-value"}));
  EXPECT_EQ(t.subtopologies()[0].nodes[1], "rekey");
}

struct opaque {
  int x = 0;
};

TEST(topology_errors, missing_serde_names_the_operator) {
  streams_builder b;
  try {
    b.stream<std::string, opaque>("in");
    FAIL() << "expected topology_error";
  } catch (const topology_error& e) {
    EXPECT_TRUE(e.operator_name().starts_with("KSTREAM-SOURCE-")) << e.what();
    EXPECT_NE(std::string(e.what()).find("no value serde"), std::string::npos) << e.what();
  }
  streams_builder b2;
  auto s = b2.stream<std::string, std::string>("in").map_values(
      [](const std::string&) { return opaque{}; });
  try {
    s.to("out", {.name = "the-sink"});
    FAIL() << "expected topology_error";
  } catch (const topology_error& e) {
    EXPECT_EQ(e.operator_name(), "the-sink");
  }
}

TEST(topology_errors, store_not_added_or_not_connected) {
  struct noop final : processor<std::string, std::string, std::string, std::string> {
    void process(const record<std::string, std::string>&) override {}
  };
  streams_builder b;
  b.stream<std::string, std::string>("in").process([] { return std::make_unique<noop>(); },
                                                   {"missing"}, named::as("proc"));
  try {
    b.build();
    FAIL() << "expected topology_error";
  } catch (const topology_error& e) {
    EXPECT_EQ(e.operator_name(), "proc");
  }
  streams_builder b2;
  b2.add_state_store(stores::key_value<std::string, int64_t>("orphan"));
  b2.stream<std::string, std::string>("in").to("out");
  try {
    b2.build();
    FAIL() << "expected topology_error";
  } catch (const topology_error& e) {
    EXPECT_EQ(e.operator_name(), "orphan");
  }
}

TEST(topology_errors, duplicate_names) {
  streams_builder b;
  auto s = b.stream<std::string, std::string>("in");
  s.filter([](const std::string&, const std::string&) { return true; }, named::as("f"));
  EXPECT_THROW(
      s.filter([](const std::string&, const std::string&) { return true; }, named::as("f")),
      topology_error);
  s.group_by_key().count(materialized<std::string, int64_t>::as("store"));
  EXPECT_THROW(s.group_by_key().reduce([](const std::string& a, const std::string&) { return a; },
                                       materialized<std::string, std::string>::as("store")),
               topology_error);
  auto named_source = [&b] { return b.stream<std::string, std::string>("other", {.name = "f"}); };
  EXPECT_THROW(named_source(), topology_error);  // a node is already named "f"
}

TEST(topology_errors, topic_read_twice) {
  streams_builder b;
  b.stream<std::string, std::string>("in").to("a");
  b.stream<std::string, std::string>("in", {.name = "again"}).to("b");
  EXPECT_THROW(b.build(), topology_error);
}

TEST(topology_errors, join_inputs_that_cannot_be_co_partitioned) {
  streams_builder b;
  auto l = b.stream<std::string, std::string>("l").repartition({.name = "l2", .partitions = 2});
  auto r = b.stream<std::string, std::string>("r").repartition({.name = "r3", .partitions = 3});
  l.join(
       r, [](const std::string& a, const std::string& c) { return a + c; }, join_windows::of(1s),
       stream_joined<std::string, std::string, std::string>::as("bad-join"))
      .to("out");
  try {
    b.build();
    FAIL() << "expected topology_error";
  } catch (const topology_error& e) {
    EXPECT_EQ(e.operator_name(), "bad-join");
    EXPECT_NE(std::string(e.what()).find("co-partitioned"), std::string::npos) << e.what();
  }
}

TEST(topology_errors, bad_window_parameters_throw) {
  EXPECT_THROW(time_windows::of(0ms), std::invalid_argument);
  EXPECT_THROW(time_windows::of(1s).advance_by(2s), std::invalid_argument);
  EXPECT_THROW(time_windows::of(1s).grace(-1ms), std::invalid_argument);
  EXPECT_THROW(join_windows::of(-1ms), std::invalid_argument);
}

TEST(windows, windows_for_tumbling_and_hopping) {
  const auto t = core::from_epoch_ms(12000);
  const auto tumbling = time_windows::of(10s).windows_for(t);
  ASSERT_EQ(tumbling.size(), 1u);
  EXPECT_EQ(tumbling[0].start, core::from_epoch_ms(10000));
  EXPECT_EQ(tumbling[0].end, core::from_epoch_ms(20000));
  const auto hopping = time_windows::of(10s).advance_by(3s).windows_for(t);
  std::vector<int64_t> starts;
  for (const auto& w : hopping) starts.push_back(core::to_epoch_ms(w.start));
  EXPECT_EQ(starts, (std::vector<int64_t>{3000, 6000, 9000, 12000}));
  EXPECT_EQ(time_windows::of(10s).advance_by(3s).windows_for(core::from_epoch_ms(1000)).size(),
            1u);  // no negative starts
}

}  // namespace
}  // namespace sluice::dsl
