// The runtime-facing contract: a topology driven task by task, as the runtime will, with a
// hand-made store provider and record collector (no test driver).

#include "dsl/errc.h"
#include "dsl/streams.h"
#include "state/changelogging_window_store.h"
#include "state/stores.h"
#include "tests/dsl/dsl_test_names.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sluice::dsl {
namespace {

struct collecting final : record_collector {
  void send(sink_record&& r) override {
    sent.push_back({std::string(r.topic), r.partition, r.key ? core::to_string(*r.key) : "null",
                    r.value ? *r.value : bytes{}, r.ts});
  }
  std::optional<int32_t> partition_count(std::string_view) override { return 4; }
  struct out {
    std::string topic;
    std::optional<partition_id> partition;
    std::string key;
    bytes value;
    timestamp ts;
  };
  std::vector<out> sent;
};

/// Remembers the timestamp of every changelog write.
struct timestamp_sink final : state::changelog_sink {
  void on_change(bytes_view, std::optional<bytes_view>, timestamp ts) override {
    stamps.push_back(core::to_epoch_ms(ts));
  }
  std::vector<int64_t> stamps;
};

struct memory_stores final : store_provider {
  state::state_store& store(const store_spec& spec) override {
    auto& s = stores[spec.name];
    if (!s) {
      ++created;
      if (spec.kind == store_kind::window) {
        std::unique_ptr<state::window_store> w = state::make_in_memory_window_store(
            spec.name, {.retention = spec.retention, .segment_interval = 1min});
        if (changelog != nullptr) {
          w = std::make_unique<state::changelogging_window_store>(std::move(w), *changelog);
        }
        s = std::move(w);
      } else {
        s = state::make_in_memory_key_value_store(spec.name);
      }
    }
    return *s;
  }
  std::map<std::string, std::unique_ptr<state::state_store>> stores;
  int created = 0;
  /// If set, window stores are change-logged to it.
  state::changelog_sink* changelog = nullptr;
};

core::raw_record rec(const std::string& k, const std::string& v, int64_t ts) {
  return core::raw_record{core::to_bytes(k), core::to_bytes(v), from_epoch_ms(ts), {}};
}

TEST(task, runtime_drives_a_repartitioned_windowed_count_task_by_task) {
  streams_builder b;
  b.stream<std::string, std::string>("views", {.offset_reset = offset_reset::earliest})
      .select_key([](const std::string&, const std::string& v) { return v; })
      .group_by_key(grouped<std::string, std::string>::as("by-page"))
      .windowed_by(time_windows::of(1min))
      .count(materialized<std::string, int64_t>::as("counts"))
      .to_stream()
      .map([](const windowed<std::string>& w, const int64_t& c) {
        return std::pair{w.key, c};
      })
      .to("counts-out", {.value_serde = serdes::int64{}});
  const topology t = b.build();

  // What the runtime creates up front.
  EXPECT_EQ(t.source_topics().at("views"), offset_reset::earliest);
  ASSERT_EQ(t.stores().size(), 1u);
  EXPECT_EQ(t.stores()[0].changelog_topic("app"), "app-counts-changelog");
  EXPECT_EQ(t.stores()[0].kind, store_kind::window);
  EXPECT_EQ(t.stores()[0].retention, 1min);
  EXPECT_EQ(t.repartition_topics()[0].name, "by-page");
  EXPECT_EQ(topic_ref({"by-page", true}).resolve("app"), "app-by-page-repartition");

  // Sub-topology 0: views -> repartition topic.
  collecting out0;
  memory_stores stores0;
  auto t0 = t.create_task({0, partition_id{2}}, {.application_id = "app"}, stores0, out0);
  t0->init();
  EXPECT_EQ(t0->source_topics(), std::vector<std::string>{"views"});
  auto p = t0->prepare("views", partition_id{2}, offset{7}, rec("u1", "/home", 5000));
  ASSERT_TRUE(p);
  ASSERT_TRUE(t0->process(std::move(p).value()));
  ASSERT_EQ(out0.sent.size(), 1u);
  EXPECT_EQ(out0.sent[0].topic, "app-by-page-repartition");
  EXPECT_EQ(out0.sent[0].partition, std::nullopt);  // the collector partitions by key
  EXPECT_EQ(out0.sent[0].key, "/home");
  EXPECT_EQ(stores0.created, 0);

  // A record for a topic the task does not read.
  auto bad = t0->prepare("nope", partition_id{0}, offset{0}, rec("k", "v", 1));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(), make_error_code(errc::unknown_topic));

  // Sub-topology 1: the repartition topic -> windowed count.
  collecting out1;
  memory_stores stores1;
  timestamp_sink changelog;
  stores1.changelog = &changelog;
  auto t1 = t.create_task({1, partition_id{0}}, {.application_id = "app"}, stores1, out1);
  t1->init();
  EXPECT_EQ(stores1.created, 1);
  for (int64_t ts : {5000, 20000, 70000}) {
    auto q = t1->prepare("app-by-page-repartition", partition_id{0}, offset{ts},
                         rec("/home", "/home", ts));
    ASSERT_TRUE(q);
    ASSERT_TRUE(t1->process(std::move(q).value()));
  }
  EXPECT_EQ(t1->stream_time(), from_epoch_ms(70000));
  ASSERT_EQ(out1.sent.size(), 3u);
  EXPECT_EQ(out1.sent[1].topic, "counts-out");
  EXPECT_EQ(serdes::int64{}.deserialize(out1.sent[1].value).value(), 2);
  EXPECT_EQ(serdes::int64{}.deserialize(out1.sent[2].value).value(), 1);
  // Late for the first window (closed at 60000).
  auto late = t1->prepare("app-by-page-repartition", partition_id{0}, offset{9},
                          rec("/home", "/home", 1000));
  ASSERT_TRUE(t1->process(std::move(late).value()));
  EXPECT_EQ(out1.sent.size(), 3u);
  EXPECT_EQ(t1->metrics().dropped_total(drop_reason::late), 1);
  // Each window write reached the store with its record's timestamp (the late one wrote none).
  EXPECT_EQ(changelog.stamps, (std::vector<int64_t>{5000, 20000, 70000}));
  t1->close();
  t0->close();
}

TEST(task, deserialization_failures_are_results_for_the_runtime_to_handle) {
  streams_builder b;
  b.stream<std::string, int64_t>("nums").to("out");
  b.stream<std::string, int64_t>(
       "dated", {.timestamp_extractor = [](const std::string&, const int64_t& v,
                                           timestamp) { return from_epoch_ms(v); }})
      .to("out2");
  const topology t = b.build();
  collecting out;
  memory_stores stores;
  auto task = t.create_task({0, partition_id{0}}, {.application_id = "app"}, stores, out);
  task->init();
  // The default extractor needs nothing decoded: prepare succeeds, process reports the error.
  auto p = task->prepare("nums", partition_id{0}, offset{0}, rec("k", "not eight bytes", 1));
  ASSERT_TRUE(p);
  auto done = task->process(std::move(p).value());
  ASSERT_FALSE(done);
  EXPECT_EQ(done.error(), core::make_error_code(core::errc::deserialization_failed));
  // An extractor reading the value fails already in prepare.
  auto task2 = t.create_task({1, partition_id{0}}, {.application_id = "app"}, stores, out);
  task2->init();
  auto q = task2->prepare("dated", partition_id{0}, offset{0}, rec("k", "bad", 1));
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error(), core::make_error_code(core::errc::deserialization_failed));
  auto ok = task2->prepare(
      "dated", partition_id{0}, offset{1},
      core::raw_record{
          core::to_bytes("k"), serdes::int64{}.serialize(1234).value(), from_epoch_ms(1), {}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok.value().rec.ts, from_epoch_ms(1234));
  ASSERT_TRUE(task2->process(std::move(ok).value()));
  EXPECT_EQ(out.sent.back().topic, "out2");
  EXPECT_EQ(out.sent.back().ts, from_epoch_ms(1234));
}

TEST(task, custom_partitioner_asks_the_collector_for_the_partition_count) {
  streams_builder b;
  b.stream<std::string, std::string>("in").to(
      "out", {.partitioner = [](const std::string&, const std::string&, const std::string&,
                                int32_t n) { return std::optional<int32_t>(n - 1); }});
  const topology t = b.build();
  collecting out;
  memory_stores stores;
  auto task = t.create_task({0, partition_id{0}}, {.application_id = "app"}, stores, out);
  task->init();
  ASSERT_TRUE(
      task->process(task->prepare("in", partition_id{0}, offset{0}, rec("k", "v", 1)).value()));
  EXPECT_EQ(out.sent.at(0).partition, partition_id{3});
}

}  // namespace
}  // namespace sluice::dsl
