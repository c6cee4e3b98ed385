// topology-graph: builds the two flagship topologies — page views per page per minute, and
// orders joined with payments — and writes each as Graphviz DOT and as Kafka-Streams-style
// text, for `dot -Tpng` to turn into a picture.
//
//     topology-graph [output-dir]        # default: the current directory
//
// Writes page_views.dot, page_views.txt, orders_payments.dot, orders_payments.txt.

#include "core/json_serde.h"
#include "dsl/streams.h"

#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

namespace example {

struct page_view {
  std::string page;
  std::string user;
  int64_t timestamp = 0;  // seconds since the epoch
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(page_view, page, user, timestamp)

struct order {
  std::string order_id;
  std::string customer;
  double amount = 0;
  int64_t created_at = 0;  // ms since the epoch
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order, order_id, customer, amount, created_at)

struct payment {
  std::string payment_id;
  std::string order_id;
  std::string method;
  int64_t paid_at = 0;  // ms since the epoch
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(payment, payment_id, order_id, method, paid_at)

struct order_with_payment {
  std::string order_id;
  std::string customer;
  double amount = 0;
  std::string payment_method;
  int64_t paid_at = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order_with_payment, order_id, customer, amount, payment_method,
                                   paid_at)

}  // namespace example

// JSON on the wire for the example's own types.
template <>
struct sluice::core::default_serde<example::page_view> {
  using type = serdes::json<example::page_view>;
};
template <>
struct sluice::core::default_serde<example::order> {
  using type = serdes::json<example::order>;
};
template <>
struct sluice::core::default_serde<example::payment> {
  using type = serdes::json<example::payment>;
};
template <>
struct sluice::core::default_serde<example::order_with_payment> {
  using type = serdes::json<example::order_with_payment>;
};

namespace example {

using namespace std::chrono_literals;
using namespace sluice;

/// Page views per page per 1-minute tumbling window, from JSON events whose time is a field in
/// seconds; one final count per window.
topology page_views() {
  streams_builder builder;
  builder
      .stream<std::string, page_view>("page-views",
                                      {.timestamp_extractor =
                                           [](const std::string&, const page_view& v, timestamp) {
                                             return core::from_epoch_ms(v.timestamp * 1000);
                                           }})
      .group_by([](const std::string&, const page_view& v) { return v.page; },
                grouped<std::string, page_view>::as("views-by-page"))
      .windowed_by(time_windows::of(1min).grace(30s))
      .count(materialized<std::string, int64_t>::as("page-view-counts"))
      .suppress(suppressed::until_window_closes())
      .to_stream()
      .to("page-view-counts",
          {.key_serde = time_windowed_serde<std::string>(core::serdes::string{}, 1min),
           .value_serde = core::serdes::int64{}});
  return builder.build();
}

/// Orders (keyed by order id) joined with payments (keyed by payment id, so re-keyed by order
/// id first) within 10 minutes of each other.
topology orders_payments() {
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
          .select_key([](const std::string&, const payment& p) { return p.order_id; },
                      named::as("payments-by-order"));
  orders
      .join(
          payments,
          [](const order& o, const payment& p) {
            return order_with_payment{o.order_id, o.customer, o.amount, p.method, p.paid_at};
          },
          join_windows::of(10min).grace(1min),
          stream_joined<std::string, order, payment>::as("orders-payments"))
      .to("orders-with-payments");
  return builder.build();
}

void write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
  std::cout << "wrote " << path.string() << "\n";
}

}  // namespace example

int main(int argc, char** argv) {
  if (argc > 2) {
    std::cerr << "usage: topology-graph [output-dir]\n";
    return 2;
  }
  try {
    const std::filesystem::path dir = argc == 2 ? argv[1] : ".";
    std::filesystem::create_directories(dir);
    const sluice::topology views = example::page_views();
    const sluice::topology orders = example::orders_payments();
    example::write(dir / "page_views.dot", views.to_dot());
    example::write(dir / "page_views.txt", views.describe());
    example::write(dir / "orders_payments.dot", orders.to_dot());
    example::write(dir / "orders_payments.txt", orders.describe());
  } catch (const std::exception& e) {
    std::cerr << "topology-graph: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
