#include "dsl/streams.h"
#include "dsl/testing/topology_test_driver.h"
#include "tests/dsl/dsl_test_names.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::dsl {
namespace {

/// Counts records per key in a store, forwards the running count, and every 10 s of stream
/// time forwards the total to the child named "totals".
class counting final : public processor<std::string, std::string, std::string, int64_t> {
 public:
  void init(processor_context<std::string, int64_t>& ctx) override {
    _ctx = &ctx;
    _store.emplace(ctx.get_key_value_store<std::string, int64_t>("counts"));
    ctx.schedule(10s, punctuation_type::stream_time, [this](timestamp t) {
      int64_t total = 0;
      for (const auto& [k, v] : _store->all()) total += v;
      _ctx->forward(record<std::string, int64_t>{"total", total, t, {}}, "totals");
    });
  }
  void process(const record<std::string, std::string>& r) override {
    const int64_t n = _store->get(r.key).value_or(0) + 1;
    _store->put(r.key, n);
    _ctx->forward(record<std::string, int64_t>{r.key, n, r.ts, r.hdrs}, "running");
  }

 private:
  processor_context<std::string, int64_t>* _ctx = nullptr;
  std::optional<typed_key_value_store<std::string, int64_t>> _store;
};

TEST(processor_api, store_access_named_forwarding_and_stream_time_punctuation) {
  streams_builder b;
  b.add_state_store(stores::key_value<std::string, int64_t>("counts"));
  auto out = b.stream<std::string, std::string>("in").process(
      [] { return std::make_unique<counting>(); }, {"counts"});
  out.to("running", {.value_serde = serdes::int64{}, .name = "running"});
  out.to("totals", {.value_serde = serdes::int64{}, .name = "totals"});
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<std::string, std::string>("in");
  auto running = d.create_output_topic<std::string, int64_t>("running");
  auto totals = d.create_output_topic<std::string, int64_t>("totals");
  in.pipe("a", "x",
          from_epoch_ms(1000));  // first stream time: the punctuator fires at once (total 1)
  in.pipe("a", "x", from_epoch_ms(5000));
  in.pipe("b", "x", from_epoch_ms(11000));  // 1000 + 10000 reached: fires (total 3)
  in.pipe("b", "x", from_epoch_ms(12000));
  EXPECT_EQ(running.read_key_values(), (count_kvs{{"a", 1}, {"a", 2}, {"b", 1}, {"b", 2}}));
  auto t = totals.read_records();
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].value, 1);
  EXPECT_EQ(t[0].ts, from_epoch_ms(1000));
  EXPECT_EQ(t[1].value, 3);
  EXPECT_EQ(t[1].ts, from_epoch_ms(11000));
  auto store = d.get_key_value_store<std::string, int64_t>("counts");
  EXPECT_EQ(store.get("b"), 2);
}

/// Emits, on each wall-clock tick, the record metadata of the last record it saw.
class metadata_probe final : public processor<std::string, std::string, std::string, std::string> {
 public:
  void init(processor_context<std::string, std::string>& ctx) override {
    _ctx = &ctx;
    _handle = ctx.schedule(1s, punctuation_type::wall_clock_time, [this](timestamp now) {
      _ctx->forward(record<std::string, std::string>{
          "tick", _last + " in-punctuator:" + (_ctx->metadata() ? "meta" : "none"), now, {}});
      if (++_ticks == 2) _handle.cancel();
    });
  }
  void process(const record<std::string, std::string>& r) override {
    const auto& m = *_ctx->metadata();
    _last = std::string(m.topic) + "/" + std::to_string(m.partition.value()) + "/" +
            std::to_string(m.off.value()) + "/" + std::to_string(core::to_epoch_ms(r.ts)) + "/" +
            std::to_string(_ctx->task().partition.value());
  }

 private:
  processor_context<std::string, std::string>* _ctx = nullptr;
  cancellable _handle;
  std::string _last = "none";
  int _ticks = 0;
};

TEST(processor_api, metadata_and_wall_clock_punctuation_with_cancel) {
  streams_builder b;
  b.stream<std::string, std::string>("in")
      .process([] { return std::make_unique<metadata_probe>(); })
      .to("out");
  topology_test_driver d(b.build(), {.wall_clock_start = from_epoch_ms(100000)});
  auto in = d.create_input_topic<std::string, std::string>("in");
  auto out = d.create_output_topic<std::string, std::string>("out");
  in.pipe("k", "v", from_epoch_ms(7));
  in.pipe("k", "v", from_epoch_ms(8));
  EXPECT_TRUE(out.is_empty());  // wall-clock punctuators run only when the clock moves
  d.advance_wall_clock_time(500ms);
  EXPECT_TRUE(out.is_empty());
  d.advance_wall_clock_time(600ms);
  auto r = out.read_record();
  EXPECT_EQ(r.value, "in/0/1/8/0 in-punctuator:none");
  EXPECT_EQ(r.ts, from_epoch_ms(101100));
  d.advance_wall_clock_time(1s);
  EXPECT_EQ(out.read_records().size(), 1u);
  d.advance_wall_clock_time(5s);  // cancelled after two ticks
  EXPECT_TRUE(out.is_empty());
}

class upper final : public fixed_key_processor<std::string, std::string, std::string> {
 public:
  void init(fixed_key_context<std::string, std::string>& ctx) override { _ctx = &ctx; }
  void process(const fixed_key_record<std::string, std::string>& r) override {
    std::string v = r.value();
    for (auto& c : v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    _ctx->forward(r.with_value(v + "@" + r.key()));
  }

 private:
  fixed_key_context<std::string, std::string>* _ctx = nullptr;
};

TEST(processor_api, process_values_keeps_the_key_so_no_repartition_is_needed) {
  streams_builder b;
  b.stream<std::string, std::string>("in")
      .process_values([] { return std::make_unique<upper>(); })
      .group_by_key()
      .count()
      .to_stream()
      .to("out", {.value_serde = serdes::int64{}});
  topology t = b.build();
  EXPECT_TRUE(t.repartition_topics().empty());
  topology_test_driver d(std::move(t));
  auto in = d.create_input_topic<std::string, std::string>("in");
  auto out = d.create_output_topic<std::string, int64_t>("out");
  in.pipe("k", "abc", from_epoch_ms(1));
  EXPECT_EQ(out.read_key_values(), (count_kvs{{"k", 1}}));
}

TEST(processor_api, process_marks_the_key_as_changed) {
  streams_builder b;
  b.add_state_store(stores::key_value<std::string, int64_t>("counts"));
  b.stream<std::string, std::string>("in")
      .process([] { return std::make_unique<counting>(); }, {"counts"})
      .group_by_key()
      .count();
  EXPECT_EQ(b.build().repartition_topics().size(), 1u);
}

class sneaky final : public processor<std::string, std::string, std::string, std::string> {
 public:
  void init(processor_context<std::string, std::string>& ctx) override {
    (void)ctx.get_key_value_store<std::string, int64_t>("counts");
  }
  void process(const record<std::string, std::string>&) override {}
};

TEST(processor_api, a_store_that_was_not_connected_cannot_be_reached) {
  streams_builder b;
  b.add_state_store(stores::key_value<std::string, int64_t>("counts"));
  auto s = b.stream<std::string, std::string>("in");
  s.process([] { return std::make_unique<counting>(); }, {"counts"});
  s.process([] { return std::make_unique<sneaky>(); }, {}, named::as("sneaky"));
  try {
    topology_test_driver d(b.build());
    FAIL() << "expected processing_error";
  } catch (const processing_error& e) {
    EXPECT_EQ(e.node_name(), "sneaky");
  }
}

TEST(processor_api, typed_store_types_are_checked) {
  class wrong_types final : public processor<std::string, std::string, std::string, std::string> {
   public:
    void init(processor_context<std::string, std::string>& ctx) override {
      (void)ctx.get_key_value_store<std::string, std::string>("counts");
    }
    void process(const record<std::string, std::string>&) override {}
  };
  streams_builder b;
  b.add_state_store(stores::key_value<std::string, int64_t>("counts"));
  b.stream<std::string, std::string>("in").process([] { return std::make_unique<wrong_types>(); },
                                                   {"counts"});
  EXPECT_THROW(topology_test_driver(b.build()), processing_error);
}

/// Window store access from a processor.
class window_writer final : public processor<std::string, std::string, std::string, std::string> {
 public:
  void init(processor_context<std::string, std::string>& ctx) override {
    _ctx = &ctx;
    _store.emplace(ctx.get_window_store<std::string, std::string>("recent"));
  }
  void process(const record<std::string, std::string>& r) override {
    _store->put(r.key, r.value, r.ts);
    std::string all;
    for (const auto& [t, v] : _store->fetch(r.key, from_epoch_ms(0), r.ts)) all += v;
    _ctx->forward(record<std::string, std::string>{r.key, all, r.ts, {}});
  }

 private:
  processor_context<std::string, std::string>* _ctx = nullptr;
  std::optional<typed_window_store<std::string, std::string>> _store;
};

TEST(processor_api, window_store_with_retention) {
  streams_builder b;
  b.add_state_store(stores::window<std::string, std::string>("recent", 10s, 0ms));
  b.stream<std::string, std::string>("in")
      .process([] { return std::make_unique<window_writer>(); }, {"recent"})
      .to("out");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<std::string, std::string>("in");
  auto out = d.create_output_topic<std::string, std::string>("out");
  in.pipe("k", "a", from_epoch_ms(1000));
  in.pipe("k", "b", from_epoch_ms(5000));
  in.pipe("k", "c", from_epoch_ms(12000));  // a (1000 <= 12000 - 10000) has expired
  std::vector<std::string> values;
  for (auto& [k, v] : out.read_key_values()) values.push_back(v);
  EXPECT_EQ(values, (std::vector<std::string>{"a", "ab", "bc"}));
  auto recent = d.get_window_store<std::string, std::string>("recent");
  EXPECT_EQ(recent.fetch("k", from_epoch_ms(5000)), "b");
}

/// Records what the Processor API hands it: the record's headers on the way in, and close().
class lifecycle_probe final : public processor<std::string, std::string, std::string, std::string> {
 public:
  explicit lifecycle_probe(std::vector<std::string>* log) : _log(log) {}
  void init(processor_context<std::string, std::string>& ctx) override {
    _ctx = &ctx;
    _log->push_back("init");
  }
  void process(const record<std::string, std::string>& r) override {
    const core::header* h = r.hdrs.last("trace");
    _log->push_back("process " + r.key +
                    " trace=" + (h != nullptr && h->value ? core::to_string(*h->value) : "none"));
    core::headers out = r.hdrs;
    out.add("seen-by", core::to_bytes("probe"));
    _ctx->forward(record<std::string, std::string>{r.key, r.value, r.ts, std::move(out)});
  }
  void close() override { _log->push_back("close"); }

 private:
  std::vector<std::string>* _log;
  processor_context<std::string, std::string>* _ctx = nullptr;
};

TEST(processor_api, headers_in_and_out_and_close_when_the_task_ends) {
  std::vector<std::string> log;
  {
    streams_builder b;
    b.stream<std::string, std::string>("in")
        .process([&log] { return std::make_unique<lifecycle_probe>(&log); })
        .to("out");
    topology_test_driver d(b.build());
    auto in = d.create_input_topic<std::string, std::string>("in");
    auto out = d.create_output_topic<std::string, std::string>("out");
    in.pipe("k", "v", from_epoch_ms(1), core::headers{{"trace", core::to_bytes("t-1")}});
    in.pipe("j", "w", from_epoch_ms(2));
    auto r = out.read_records();
    ASSERT_EQ(r.size(), 2u);
    ASSERT_NE(r[0].hdrs.last("trace"), nullptr);
    EXPECT_EQ(r[0].hdrs.last("trace")->value, core::to_bytes("t-1"));
    ASSERT_NE(r[0].hdrs.last("seen-by"), nullptr);
    EXPECT_EQ(r[1].hdrs.size(), 1u);  // only the processor's own header
    EXPECT_EQ(log,
              (std::vector<std::string>{"init", "process k trace=t-1", "process j trace=none"}));
  }
  EXPECT_EQ(log.back(), "close");  // the driver closes its tasks when it is destroyed
}

}  // namespace
}  // namespace sluice::dsl
