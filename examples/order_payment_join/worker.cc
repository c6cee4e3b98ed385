// The order–payment worker: joins orders with their payments until SIGTERM/SIGINT. With no
// --bootstrap it starts an embedded broker on 127.0.0.1:9092 (see README.md). It creates its
// topics (3 partitions each: orders and payments must be co-partitioned) if they are missing.

#include "examples/order_payment_join/order_payment_join.h"
#include "runtime/launcher/run.h"

int main(int argc, char** argv) {
  using namespace order_payment_join;
  return sluice::run(make_topology(), argc, argv,
                     {.config = {{"application.id", "order-payment-join"}},
                      .topics = {{orders_topic, 3}, {payments_topic, 3}, {output_topic, 3}}});
}
