// The two flagship topologies run through the driver: the page-view example's own topology
// (examples/page_views/page_views.h, also what topology-graph renders), and the order–payment
// join written as a user writes it.

#include "core/json_serde.h"
#include "core/murmur2.h"
#include "dsl/streams.h"
#include "dsl/testing/topology_test_driver.h"
#include "examples/page_views/page_views.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

namespace flagship {

struct order {
  std::string order_id;
  std::string customer;
  double amount = 0;
  int64_t created_at = 0;  // ms
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order, order_id, customer, amount, created_at)

struct payment {
  std::string payment_id;
  std::string order_id;
  std::string method;
  std::string status;
  int64_t paid_at = 0;  // ms
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(payment, payment_id, order_id, method, status, paid_at)

struct order_with_payment {
  std::string order_id;
  std::string customer;
  double amount = 0;
  int64_t created_at = 0;
  std::string payment_method;
  std::string payment_status;
  int64_t paid_at = 0;
  bool operator==(const order_with_payment&) const = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order_with_payment, order_id, customer, amount, created_at,
                                   payment_method, payment_status, paid_at)

}  // namespace flagship

template <>
struct sluice::default_serde<flagship::order> {
  using type = serdes::json<flagship::order>;
};
template <>
struct sluice::default_serde<flagship::payment> {
  using type = serdes::json<flagship::payment>;
};
template <>
struct sluice::default_serde<flagship::order_with_payment> {
  using type = serdes::json<flagship::order_with_payment>;
};

namespace flagship {
namespace {

using namespace std::chrono_literals;
using namespace sluice;
namespace serdes = core::serdes;

// ---- 1. page views per page per 1-minute tumbling window ------------------------------------
// The example's topology: event time from the JSON field, re-keyed by page, 1-minute windows
// with 3 minutes of grace, every updated count to page-views-per-minute.

constexpr int64_t minute = 1699999980;  // a minute boundary, in seconds

std::string event(const std::string& page, const std::string& user, int64_t seconds) {
  return R"({"page":")" + page + R"(","user":")" + user + R"(","timestamp":)" +
         std::to_string(seconds) + "}";
}

struct page_view_harness {
  explicit page_view_harness(int32_t partitions)
      : driver(page_views::make_topology(), {.partitions = {{page_views::input_topic, partitions}}}),
        views(driver.create_input_topic<std::string, std::string>(page_views::input_topic,
                                                                  serdes::string{}, serdes::string{})),
        counts(driver.create_output_topic<windowed<std::string>, int64_t>(
            page_views::output_topic, page_views::output_key_serde(), serdes::int64{})) {}
  /// Pipes raw JSON text with no key, as a web front end would produce it.
  void view(const std::string& page, const std::string& user, int64_t seconds) {
    views.pipe_bytes(std::nullopt, core::to_bytes(event(page, user, seconds)),
                     core::from_epoch_ms(0));
  }
  /// The output as (page, window start in seconds, count).
  std::vector<std::tuple<std::string, int64_t, int64_t>> read() {
    std::vector<std::tuple<std::string, int64_t, int64_t>> out;
    for (auto& [k, c] : counts.read_key_values()) {
      out.emplace_back(k.key, core::to_epoch_ms(k.win.start) / 1000, c);
      EXPECT_EQ(k.win.end - k.win.start, 1min);
    }
    return out;
  }
  topology_test_driver driver;
  test_input_topic<std::string, std::string> views;
  test_output_topic<windowed<std::string>, int64_t> counts;
};

using rows = std::vector<std::tuple<std::string, int64_t, int64_t>>;

TEST(flagship_page_views, counts_per_page_per_minute_with_out_of_order_and_late_events) {
  page_view_harness h(1);
  h.view("/home", "u1", minute + 5);
  h.view("/home", "u2", minute + 30);
  h.view("/about", "u1", minute + 40);
  h.view("/home", "u3", minute + 65);   // next window; stream time minute + 65
  h.view("/home", "u4", minute + 50);   // out of order: window closes at minute + 60 + 180
  h.view("/about", "u2", minute + 250);  // stream time minute + 250: the first window is closed
  h.view("/home", "u5", minute + 10);   // late: dropped and counted
  EXPECT_EQ(h.read(), (rows{{"/home", minute, 1},
                            {"/home", minute, 2},
                            {"/about", minute, 1},
                            {"/home", minute + 60, 1},
                            {"/home", minute, 3},
                            {"/about", minute + 240, 1}}));
  EXPECT_EQ(h.driver.metrics().dropped_total(dsl::drop_reason::late), 1);
  auto store = h.driver.get_window_store<std::string, int64_t>("page-view-counts");
  EXPECT_EQ(store.fetch("/home", core::from_epoch_ms((minute + 60) * 1000)), 1);
}

TEST(flagship_page_views, describe_is_kafka_streams_style_text_with_stable_names) {
  // Generated names are a hash of the operator, its parents and what distinguishes it, so this
  // text changes only when the topology does: the store, changelog and repartition topic names
  // a deployed application relies on stay put.
  EXPECT_EQ(page_views::make_topology().describe(),
            "Topologies:\n"
            "   Sub-topology: 0\n"
            "    Source: KSTREAM-SOURCE-1e1d204f (topics: [page-views])\n"
            "      --> KSTREAM-KEY-SELECT-b1995c62\n"
            "    Processor: KSTREAM-KEY-SELECT-b1995c62 (select_key, stores: [])\n"
            "      --> KSTREAM-SINK-b9311ee9\n"
            "      <-- KSTREAM-SOURCE-1e1d204f\n"
            "    Sink: KSTREAM-SINK-b9311ee9 (topic: views-by-page-repartition)\n"
            "      <-- KSTREAM-KEY-SELECT-b1995c62\n"
            "\n"
            "   Sub-topology: 1\n"
            "    Source: KSTREAM-SOURCE-68b3b89f (topics: [views-by-page-repartition])\n"
            "      --> KSTREAM-AGGREGATE-1f3098ab\n"
            "    Processor: KSTREAM-AGGREGATE-1f3098ab (count tumbling(60000ms, grace 180000ms), "
            "stores: [page-view-counts])\n"
            "      --> KTABLE-TOSTREAM-bc247616\n"
            "      <-- KSTREAM-SOURCE-68b3b89f\n"
            "    Processor: KTABLE-TOSTREAM-bc247616 (to_stream, stores: [])\n"
            "      --> KSTREAM-SINK-d4eb8270\n"
            "      <-- KSTREAM-AGGREGATE-1f3098ab\n"
            "    Sink: KSTREAM-SINK-d4eb8270 (topic: page-views-per-minute)\n"
            "      <-- KTABLE-TOSTREAM-bc247616\n"
            "\n");
}

TEST(flagship_page_views, runs_are_deterministic_across_partitions_and_reruns) {
  auto run = [] {
    page_view_harness h(3);
    for (int i = 0; i < 300; ++i) {
      // In order, out of order within grace, and late, across pages and partitions.
      const int64_t t = minute + i - (i % 7 == 3 ? 250 : 0) + (i % 5 == 1 ? 20 : 0);
      h.view("/p" + std::to_string(i % 11), "u" + std::to_string(i), t);
    }
    return std::pair{h.counts.read_records(), h.driver.metrics().dropped_total()};
  };
  const auto first = run();
  EXPECT_GT(first.first.size(), 250u);
  EXPECT_GT(first.second, 0);
  EXPECT_EQ(run(), first);  // same records, timestamps and partitions, in the same order
}

TEST(flagship_page_views, several_partitions_give_the_same_totals) {
  page_view_harness h(3);
  const std::vector<std::string> pages{"/a", "/b", "/c", "/d"};
  std::map<std::pair<std::string, int64_t>, int64_t> expected;
  for (int i = 0; i < 200; ++i) {
    const std::string& page = pages[static_cast<std::size_t>(i * 7 % 4)];
    const int64_t t = minute + i;  // in order: nothing is late
    h.view(page, "u" + std::to_string(i), t);
    ++expected[{page, (t - (t % 60))}];
  }
  std::map<std::pair<std::string, int64_t>, int64_t> latest;
  for (auto& [page, start, count] : h.read()) latest[{page, start}] = count;
  EXPECT_EQ(latest, expected);
  EXPECT_EQ(h.driver.partitions("test-app-views-by-page-repartition"), 3);
  EXPECT_EQ(h.driver.metrics().dropped_total(), 0);
}

// ---- 2. orders joined with payments by order id ---------------------------------------------

/// The order-payment topology as a user writes it. Orders are keyed by order id, payments by
/// payment id (so they are re-keyed, and repartitioned, before the join).
topology orders_with_payments() {
  streams_builder builder;
  auto orders = builder.stream<std::string, order>(
      "orders", {.timestamp_extractor = [](const std::string&, const order& o, timestamp) {
        return core::from_epoch_ms(o.created_at);
      }});
  auto payments =
      builder
          .stream<std::string, payment>(
              "payments",
              {.timestamp_extractor = [](const std::string&, const payment& p,
                                         timestamp) { return core::from_epoch_ms(p.paid_at); }})
          .select_key([](const std::string&, const payment& p) { return p.order_id; });
  orders
      .join(
          payments,
          [](const order& o, const payment& p) {
            return order_with_payment{o.order_id, o.customer, o.amount, o.created_at,
                                      p.method,   p.status,   p.paid_at};
          },
          join_windows::of(10min).grace(1min),
          stream_joined<std::string, order, payment>::as("orders-payments"))
      .to("orders-with-payments");
  return builder.build();
}

constexpr int64_t t0 = 1700000000000;  // ms
constexpr int64_t min_ms = 60000;

struct orders_harness {
  explicit orders_harness(int32_t partitions)
      : driver(orders_with_payments(),
               {.partitions = {{"orders", partitions}, {"payments", partitions}}}),
        orders(driver.create_input_topic<std::string, order>("orders", serdes::string{},
                                                             serdes::json<order>{})),
        payments(driver.create_input_topic<std::string, payment>("payments", serdes::string{},
                                                                 serdes::json<payment>{})),
        out(driver.create_output_topic<std::string, order_with_payment>(
            "orders-with-payments", serdes::string{}, serdes::json<order_with_payment>{})) {}
  void place(const std::string& id, int64_t at) {
    orders.pipe(id, order{id, "cust-" + id, 10.5, at}, core::from_epoch_ms(0));
  }
  void pay(const std::string& id, int64_t at, const std::string& method = "card") {
    payments.pipe("pay-" + id, payment{"pay-" + id, id, method, "PAID", at},
                  core::from_epoch_ms(0));
  }
  topology_test_driver driver;
  test_input_topic<std::string, order> orders;
  test_input_topic<std::string, payment> payments;
  test_output_topic<std::string, order_with_payment> out;
};

TEST(flagship_orders_payments, joins_within_the_window_in_either_order) {
  orders_harness h(2);
  h.place("o1", t0);
  h.pay("o1", t0 + 2 * min_ms, "card");
  auto r = h.out.read_record();
  EXPECT_EQ(r.key, "o1");
  EXPECT_EQ(r.value,
            (order_with_payment{"o1", "cust-o1", 10.5, t0, "card", "PAID", t0 + 2 * min_ms}));
  EXPECT_EQ(r.ts, core::from_epoch_ms(t0 + 2 * min_ms));
  // The payment is seen before its order (out of order): still joined when the order comes.
  h.pay("o2", t0 + 3 * min_ms, "paypal");
  EXPECT_TRUE(h.out.is_empty());
  h.place("o2", t0 + 1 * min_ms);
  auto r2 = h.out.read_record();
  EXPECT_EQ(r2.key, "o2");
  EXPECT_EQ(r2.value->payment_method, "paypal");
  EXPECT_EQ(r2.value->created_at, t0 + 1 * min_ms);
  EXPECT_EQ(r2.ts, core::from_epoch_ms(t0 + 3 * min_ms));
  // Paid 20 minutes after the order: outside the 10-minute window.
  h.place("o3", t0 + 4 * min_ms);
  h.pay("o3", t0 + 24 * min_ms);
  EXPECT_TRUE(h.out.is_empty());
  // Payments were re-keyed by order id through a repartition topic aligned with "orders".
  EXPECT_EQ(h.driver.partitions("test-app-orders-payments-right-repartition"), 2);
}

TEST(flagship_orders_payments, describe_is_kafka_streams_style_text_with_stable_names) {
  EXPECT_EQ(orders_with_payments().describe(),
            "Topologies:\n"
            "   Sub-topology: 0\n"
            "    Source: KSTREAM-SOURCE-a776eb69 (topics: [orders])\n"
            "      --> orders-payments-this\n"
            "    Source: KSTREAM-SOURCE-4b6d9915 (topics: [orders-payments-right-repartition])\n"
            "      --> orders-payments-other\n"
            "    Processor: orders-payments-this (join (left side; before 600000ms, after "
            "600000ms, grace 60000ms), stores: [orders-payments-this-join-store, "
            "orders-payments-other-join-store])\n"
            "      --> orders-payments\n"
            "      <-- KSTREAM-SOURCE-a776eb69\n"
            "    Processor: orders-payments-other (join (right side; before 600000ms, after "
            "600000ms, grace 60000ms), stores: [orders-payments-this-join-store, "
            "orders-payments-other-join-store])\n"
            "      --> orders-payments\n"
            "      <-- KSTREAM-SOURCE-4b6d9915\n"
            "    Processor: orders-payments (join (merge sides), stores: [])\n"
            "      --> KSTREAM-SINK-69cb91c9\n"
            "      <-- orders-payments-this, orders-payments-other\n"
            "    Sink: KSTREAM-SINK-69cb91c9 (topic: orders-with-payments)\n"
            "      <-- orders-payments\n"
            "\n"
            "   Sub-topology: 1\n"
            "    Source: KSTREAM-SOURCE-e1a9a661 (topics: [payments])\n"
            "      --> KSTREAM-KEY-SELECT-1b2d0de1\n"
            "    Processor: KSTREAM-KEY-SELECT-1b2d0de1 (select_key, stores: [])\n"
            "      --> KSTREAM-SINK-e08ffde3\n"
            "      <-- KSTREAM-SOURCE-e1a9a661\n"
            "    Sink: KSTREAM-SINK-e08ffde3 (topic: orders-payments-right-repartition)\n"
            "      <-- KSTREAM-KEY-SELECT-1b2d0de1\n"
            "\n");
}

/// A key that the default partitioner puts on the same partition as `key`.
std::string same_partition_as(const std::string& key, int32_t partitions,
                              const std::string& prefix) {
  const int32_t p = core::partition_for_key(core::as_bytes(key), partitions);
  for (int i = 0;; ++i) {
    std::string k = prefix + std::to_string(i);
    if (k != key && core::partition_for_key(core::as_bytes(k), partitions) == p) return k;
  }
}

TEST(flagship_orders_payments, late_payments_and_orders_are_dropped_and_counted) {
  orders_harness h(2);
  const std::string late_id = "o9";
  const std::string clock_id =
      same_partition_as(late_id, 2, "c");  // advances the same task's stream time
  h.place(late_id, t0);
  h.place(clock_id, t0 + 30 * min_ms);  // stream time t0 + 30 min on that task
  // The payment for o9 at t0 + 5 min would join, but its window closed at
  // t0 + 5 + 10 + 1 min < t0 + 30 min: it is late.
  h.pay(late_id, t0 + 5 * min_ms);
  EXPECT_TRUE(h.out.is_empty());
  EXPECT_EQ(h.driver.metrics().dropped_total(dsl::drop_reason::late), 1);
  // Within grace: a payment 10.5 minutes behind stream time, for an order placed just before.
  h.place(clock_id + "x", t0 + 30 * min_ms);
  const std::string fresh = same_partition_as(late_id, 2, "f");
  h.place(fresh, t0 + 19 * min_ms + 30000);
  h.pay(fresh,
        t0 + 19 * min_ms + 31000);  // t + 10 + 1 min = t0 + 30.5 min >= stream time: accepted
  auto r = h.out.read_record();
  EXPECT_EQ(r.key, fresh);
  EXPECT_EQ(h.driver.metrics().dropped_total(dsl::drop_reason::late), 1);
}

}  // namespace
}  // namespace flagship
