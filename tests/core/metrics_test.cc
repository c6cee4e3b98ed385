#include "core/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace sluice::core {
namespace {

/// One sample line of the text format, parsed independently of the renderer.
struct sample {
  std::string name;
  std::map<std::string, std::string> labels;
  std::string value;
};

std::vector<sample> parse_samples(const std::string& text) {
  std::vector<sample> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    sample s;
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') s.name += line[i++];
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (line[i] != '}') {
        std::string label;
        while (line[i] != '=') label += line[i++];
        i += 2;  // ="
        std::string value;
        while (line[i] != '"') {
          if (line[i] == '\\') {
            ++i;
            value += line[i] == 'n' ? '\n' : line[i];
          } else {
            value += line[i];
          }
          ++i;
        }
        ++i;  // closing quote
        if (line[i] == ',') ++i;
        s.labels[label] = value;
      }
      ++i;
    }
    EXPECT_EQ(line[i], ' ') << line;
    s.value = line.substr(i + 1);
    out.push_back(std::move(s));
  }
  return out;
}

std::string value_of(const std::string& text, const std::string& name,
                     const std::map<std::string, std::string>& labels = {}) {
  for (const auto& s : parse_samples(text)) {
    if (s.name == name && s.labels == labels) return s.value;
  }
  return "<missing>";
}

TEST(metrics, counter_renders_help_type_and_value) {
  metrics_registry registry;
  auto& c = registry.register_counter("sluice_requests_total", "Requests handled.");
  c.inc();
  c.inc(41);
  EXPECT_EQ(c.value(), 42U);
  EXPECT_EQ(registry.render_prometheus(),
            "# HELP sluice_requests_total Requests handled.\n"
            "# TYPE sluice_requests_total counter\n"
            "sluice_requests_total 42\n");
}

TEST(metrics, labelled_series_share_a_family_and_sort_by_labels) {
  metrics_registry registry;
  auto& p1 = registry.register_counter("bytes_in_total", "Bytes in.",
                                       {{"topic", "t"}, {"partition", "1"}});
  auto& p0 = registry.register_counter("bytes_in_total", "Bytes in.",
                                       {{"partition", "0"}, {"topic", "t"}});
  // Label order given by the caller does not matter: same labels, same series.
  auto& p0_again = registry.register_counter("bytes_in_total", "Bytes in.",
                                             {{"topic", "t"}, {"partition", "0"}});
  EXPECT_EQ(&p0, &p0_again);
  EXPECT_NE(&p0, &p1);
  p0.inc(10);
  p1.inc(20);
  EXPECT_EQ(registry.render_prometheus(),
            "# HELP bytes_in_total Bytes in.\n"
            "# TYPE bytes_in_total counter\n"
            "bytes_in_total{partition=\"0\",topic=\"t\"} 10\n"
            "bytes_in_total{partition=\"1\",topic=\"t\"} 20\n");
}

TEST(metrics, families_sorted_by_name) {
  metrics_registry registry;
  registry.register_gauge("zeta", "z").set(1);
  registry.register_gauge("alpha", "a").set(2);
  registry.register_counter("mid", "m").inc();
  const std::string out = registry.render_prometheus();
  EXPECT_LT(out.find("alpha"), out.find("mid"));
  EXPECT_LT(out.find("mid"), out.find("zeta"));
}

TEST(metrics, gauge_set_add_sub_and_special_values) {
  metrics_registry registry;
  auto& g = registry.register_gauge("queue_depth", "Queued records.", {{"task", "0_1"}});
  g.set(10);
  g.add(2.5);
  g.sub(0.5);
  EXPECT_DOUBLE_EQ(g.value(), 12.0);
  EXPECT_EQ(value_of(registry.render_prometheus(), "queue_depth", {{"task", "0_1"}}), "12");
  g.set(0.1);
  EXPECT_EQ(value_of(registry.render_prometheus(), "queue_depth", {{"task", "0_1"}}), "0.1");
  g.set(-3.25);
  EXPECT_EQ(value_of(registry.render_prometheus(), "queue_depth", {{"task", "0_1"}}), "-3.25");
  g.set(std::numeric_limits<double>::infinity());
  EXPECT_EQ(value_of(registry.render_prometheus(), "queue_depth", {{"task", "0_1"}}), "+Inf");
  g.set(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(value_of(registry.render_prometheus(), "queue_depth", {{"task", "0_1"}}), "-Inf");
  g.set(std::nan(""));
  EXPECT_EQ(value_of(registry.render_prometheus(), "queue_depth", {{"task", "0_1"}}), "NaN");
}

TEST(metrics, histogram_renders_cumulative_buckets_sum_and_count) {
  metrics_registry registry;
  auto& h = registry.register_histogram("request_latency_seconds", "Latency.",
                                        {0.005, 0.01, 0.1, 1}, {{"api", "produce"}});
  for (double v : {0.001, 0.005, 0.007, 0.05, 0.5, 0.5, 3.0}) h.observe(v);
  EXPECT_EQ(registry.render_prometheus(),
            "# HELP request_latency_seconds Latency.\n"
            "# TYPE request_latency_seconds histogram\n"
            "request_latency_seconds_bucket{api=\"produce\",le=\"0.005\"} 2\n"
            "request_latency_seconds_bucket{api=\"produce\",le=\"0.01\"} 3\n"
            "request_latency_seconds_bucket{api=\"produce\",le=\"0.1\"} 4\n"
            "request_latency_seconds_bucket{api=\"produce\",le=\"1\"} 6\n"
            "request_latency_seconds_bucket{api=\"produce\",le=\"+Inf\"} 7\n"
            "request_latency_seconds_sum{api=\"produce\"} 4.063\n"
            "request_latency_seconds_count{api=\"produce\"} 7\n");
}

TEST(metrics, histogram_without_labels_and_edge_values) {
  metrics_registry registry;
  auto& h = registry.register_histogram("sizes", "Sizes.", {-1, 0, 10});
  h.observe(-5);                      // <= -1
  h.observe(0);                       // exactly a bound: counted in le="0"
  h.observe(10);                      // exactly the last bound
  h.observe(11);                      // only +Inf
  h.observe(std::nan(""));            // only +Inf
  const auto snap = h.read();
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{1, 2, 3, 5}));
  EXPECT_EQ(snap.count, 5U);
  EXPECT_TRUE(std::isnan(snap.sum));
  const std::string out = registry.render_prometheus();
  EXPECT_EQ(value_of(out, "sizes_bucket", {{"le", "-1"}}), "1");
  EXPECT_EQ(value_of(out, "sizes_bucket", {{"le", "0"}}), "2");
  EXPECT_EQ(value_of(out, "sizes_bucket", {{"le", "10"}}), "3");
  EXPECT_EQ(value_of(out, "sizes_bucket", {{"le", "+Inf"}}), "5");
  EXPECT_EQ(value_of(out, "sizes_count"), "5");
  EXPECT_EQ(value_of(out, "sizes_sum"), "NaN");
}

TEST(metrics, histogram_with_no_bounds_has_only_inf) {
  metrics_registry registry;
  auto& h = registry.register_histogram("only_inf", "x", {});
  h.observe(1.5);
  h.observe(2.5);
  EXPECT_EQ(registry.render_prometheus(),
            "# HELP only_inf x\n# TYPE only_inf histogram\n"
            "only_inf_bucket{le=\"+Inf\"} 2\nonly_inf_sum 4\nonly_inf_count 2\n");
}

TEST(metrics, label_values_and_help_are_escaped) {
  metrics_registry registry;
  const std::string nasty = "a\"b\\c\nd";
  registry
      .register_counter("escapes_total", "Help with \\ backslash,\nnewline and \"quotes\".",
                        {{"path", nasty}, {"plain", "ok"}})
      .inc(3);
  const std::string out = registry.render_prometheus();
  EXPECT_EQ(out,
            "# HELP escapes_total Help with \\\\ backslash,\\nnewline and \"quotes\".\n"
            "# TYPE escapes_total counter\n"
            "escapes_total{path=\"a\\\"b\\\\c\\nd\",plain=\"ok\"} 3\n");
  const auto samples = parse_samples(out);
  ASSERT_EQ(samples.size(), 1U);
  EXPECT_EQ(samples[0].labels.at("path"), nasty);
  EXPECT_EQ(samples[0].value, "3");
}

TEST(metrics, callbacks_are_read_at_render_time) {
  metrics_registry registry;
  double open_files = 3;
  uint64_t flushed = 100;
  registry.register_gauge_callback("open_files", "Open segment files.", {},
                                   [&] { return open_files; });
  registry.register_counter_callback("flushes_total", "Flushes.", {{"store", "s"}},
                                     [&] { return static_cast<double>(flushed); });
  EXPECT_EQ(value_of(registry.render_prometheus(), "open_files"), "3");
  EXPECT_EQ(value_of(registry.render_prometheus(), "flushes_total", {{"store", "s"}}), "100");
  open_files = 7;
  flushed = 250;
  const std::string out = registry.render_prometheus();
  EXPECT_EQ(value_of(out, "open_files"), "7");
  EXPECT_EQ(value_of(out, "flushes_total", {{"store", "s"}}), "250");
  EXPECT_NE(out.find("# TYPE flushes_total counter\n"), std::string::npos);

  // Registering again replaces the callback.
  registry.register_gauge_callback("open_files", "Open segment files.", {}, [] { return 1.5; });
  EXPECT_EQ(value_of(registry.render_prometheus(), "open_files"), "1.5");
}

TEST(metrics, callback_and_plain_series_can_share_a_family) {
  metrics_registry registry;
  registry.register_gauge("lag", "Consumer lag.", {{"p", "0"}}).set(5);
  registry.register_gauge_callback("lag", "Consumer lag.", {{"p", "1"}}, [] { return 9.0; });
  const std::string out = registry.render_prometheus();
  EXPECT_EQ(value_of(out, "lag", {{"p", "0"}}), "5");
  EXPECT_EQ(value_of(out, "lag", {{"p", "1"}}), "9");
}

TEST(metrics, unregister_removes_series_and_empty_families) {
  metrics_registry registry;
  registry.register_counter("c_total", "c", {{"p", "0"}}).inc();
  registry.register_counter("c_total", "c", {{"p", "1"}}).inc(2);
  EXPECT_TRUE(registry.unregister("c_total", {{"p", "0"}}));
  EXPECT_FALSE(registry.unregister("c_total", {{"p", "0"}}));
  EXPECT_FALSE(registry.unregister("nope", {}));
  EXPECT_EQ(value_of(registry.render_prometheus(), "c_total", {{"p", "0"}}), "<missing>");
  EXPECT_EQ(value_of(registry.render_prometheus(), "c_total", {{"p", "1"}}), "2");
  EXPECT_TRUE(registry.unregister("c_total", {{"p", "1"}}));
  EXPECT_EQ(registry.render_prometheus(), "");
  // The name can be registered afresh, even with another type.
  registry.register_gauge("c_total", "now a gauge").set(1);
  EXPECT_NE(registry.render_prometheus().find("# TYPE c_total gauge"), std::string::npos);
}

TEST(metrics, concurrent_updates_are_not_lost) {
  metrics_registry registry;
  auto& c = registry.register_counter("hits_total", "Hits.");
  auto& g = registry.register_gauge("level", "Level.");
  auto& h = registry.register_histogram("obs", "Obs.", linear_buckets(1, 1, 4));
  constexpr int threads = 4;
  constexpr int per_thread = 100000;
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    while (!done.load()) {
      const auto samples = parse_samples(registry.render_prometheus());
      EXPECT_EQ(samples.size(), 1U + 1U + 5U + 2U);
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < per_thread; ++i) {
        c.inc();
        g.add(1);
        h.observe(i % 5);  // 0..4: buckets 1,1,2,3,4 (le=1 gets 0 and 1)
      }
    });
  }
  for (auto& w : workers) w.join();
  done = true;
  scraper.join();
  EXPECT_EQ(c.value(), static_cast<uint64_t>(threads * per_thread));
  EXPECT_DOUBLE_EQ(g.value(), threads * per_thread);
  const auto snap = h.read();
  const uint64_t fifth = threads * per_thread / 5;
  EXPECT_EQ(snap.cumulative, (std::vector<uint64_t>{2 * fifth, 3 * fifth, 4 * fifth, 5 * fifth,
                                                    5 * fifth}));
  EXPECT_DOUBLE_EQ(snap.sum, (0 + 1 + 2 + 3 + 4) * static_cast<double>(fifth));
}

TEST(metrics, bucket_helpers) {
  EXPECT_EQ(linear_buckets(0, 10, 3), (std::vector<double>{0, 10, 20}));
  EXPECT_EQ(exponential_buckets(1, 2, 4), (std::vector<double>{1, 2, 4, 8}));
  EXPECT_EQ(exponential_buckets(0.001, 10, 1), (std::vector<double>{0.001}));
}

TEST(metrics_death, registration_mistakes_assert) {
  EXPECT_DEATH(
      {
        metrics_registry r;
        r.register_counter("bad-name", "x");
      },
      "invalid metric 'bad-name' name");
  EXPECT_DEATH(
      {
        metrics_registry r;
        r.register_counter("9lives", "x");
      },
      "invalid metric");
  EXPECT_DEATH(
      {
        metrics_registry r;
        r.register_counter("m", "x");
        r.register_gauge("m", "x");
      },
      "metric 'm' registered as counter and as gauge");
  EXPECT_DEATH(
      {
        metrics_registry r;
        r.register_counter("m", "x");
        r.register_counter("m", "y");
      },
      "two help texts");
  EXPECT_DEATH(
      {
        metrics_registry r;
        r.register_histogram("h", "x", {1, 2});
        r.register_histogram("h", "x", {1, 3}, {{"a", "b"}});
      },
      "two bucket layouts");
  EXPECT_DEATH(
      {
        metrics_registry r;
        r.register_counter("m", "x", {{"bad-label", "v"}});
      },
      "invalid label name 'bad-label'");
  EXPECT_DEATH(
      {
        metrics_registry r;
        r.register_counter("m", "x", {{"__reserved", "v"}});
      },
      "invalid label name '__reserved'");
  EXPECT_DEATH(
      {
        metrics_registry r;
        r.register_counter("m", "x", {{"a", "1"}, {"a", "2"}});
      },
      "label 'a' given twice");
  EXPECT_DEATH(
      {
        metrics_registry r;
        r.register_histogram("h", "x", {1}, {{"le", "1"}});
      },
      "'le' is reserved");
  EXPECT_DEATH(
      {
        metrics_registry r;
        r.register_histogram("h", "x", {2, 1});
      },
      "strictly increasing");
  EXPECT_DEATH(
      {
        metrics_registry r;
        r.register_gauge_callback("g", "x", {}, [] { return 1.0; });
        r.register_gauge("g", "x");
      },
      "series is a callback");
  EXPECT_DEATH(
      {
        metrics_registry r;
        r.register_gauge("g", "x");
        r.register_gauge_callback("g", "x", {}, [] { return 1.0; });
      },
      "series is not a callback");
}

}  // namespace
}  // namespace sluice::core
