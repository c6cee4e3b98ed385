// Produces the example's orders and payments (creating the topics if needed), interleaved in
// roughly event-time order with some payments before their orders.

#include "examples/order_payment_join/order_payment_join.h"
#include "runtime/clients.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>

int main(int argc, char** argv) {
  CLI::App app{"Generate orders and payments for the order_payment_join example"};
  std::string bootstrap = "127.0.0.1:9092";
  int32_t partitions = 3;
  int count = 200;
  int64_t start_ms = 1700000000000;
  uint64_t seed = 1;
  app.add_option("--bootstrap", bootstrap, "Kafka bootstrap servers")->capture_default_str();
  app.add_option("--partitions", partitions, "Partitions of the topics, if they are created")->capture_default_str();
  app.add_option("--count", count, "Orders to produce")->capture_default_str();
  app.add_option("--start-ms", start_ms, "Event time of the first order, ms since the epoch")->capture_default_str();
  app.add_option("--seed", seed, "Random seed (the verifier needs the same)")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  using namespace order_payment_join;
  try {
    // Orders and payments are joined by key: they must be co-partitioned.
    sluice::runtime::ensure_topic(bootstrap, orders_topic, partitions);
    sluice::runtime::ensure_topic(bootstrap, payments_topic, partitions);
    sluice::runtime::ensure_topic(bootstrap, output_topic, partitions);
    const auto data = generate(count, start_ms, seed);
    struct event {
      int64_t at;
      const generated* g;
      bool is_payment;
    };
    std::vector<event> events;
    for (const auto& g : data) {
      events.push_back({g.placed_at, &g, false});
      // Some payments are sent well before their orders (the order arrives second).
      if (g.p) events.push_back({g.p->timestamp - (g.o.order_id.back() == '7' ? 10 * 60000 : 0), &g, true});
    }
    std::stable_sort(events.begin(), events.end(), [](const event& a, const event& b) { return a.at < b.at; });
    sluice::runtime::simple_producer producer(bootstrap);
    const sluice::core::serdes::json<order> order_serde;
    const sluice::core::serdes::json<payment> payment_serde;
    int orders = 0, payments = 0;
    for (const auto& e : events) {
      const auto key = sluice::core::as_bytes(e.g->o.order_id);
      if (e.is_payment) {
        const auto value = payment_serde.serialize(*e.g->p).value();
        producer.send(payments_topic, key, sluice::bytes_view(value), sluice::core::from_epoch_ms(e.g->p->timestamp));
        ++payments;
      } else {
        const auto value = order_serde.serialize(e.g->o).value();
        producer.send(orders_topic, key, sluice::bytes_view(value), sluice::core::from_epoch_ms(e.g->placed_at));
        ++orders;
      }
    }
    producer.flush();
    std::fprintf(stderr, "produced %d orders and %d payments; %zu orders must be joined\n", orders,
                 payments, expected_output(data).size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "order_payment_generator: %s\n", e.what());
    return 1;
  }
  return 0;
}
