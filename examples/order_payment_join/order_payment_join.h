#pragma once
/// The order–payment example's data, topology and test data, shared by its worker, generator
/// and verifier.
///
/// Orders `{order_id, user_id, total, items}` (event time: the record's timestamp, when the
/// order was placed) and payments `{order_id, method, status, timestamp}` (event time: the
/// `timestamp` field, ms since the epoch) are both keyed by order id. The application joins
/// each order with the payments for it made within ten minutes of it (either side may arrive
/// first) and writes `orders-with-payments`: the order's fields plus `payment_method`,
/// `payment_status` and `paid_at`.

#include "core/json_serde.h"
#include "dsl/streams.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace order_payment_join {

struct order {
  std::string order_id;
  std::string user_id;
  double total = 0;
  std::vector<std::string> items;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order, order_id, user_id, total, items)

struct payment {
  std::string order_id;
  std::string method;
  std::string status;
  int64_t timestamp = 0;  ///< ms since the epoch
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(payment, order_id, method, status, timestamp)

struct order_with_payment {
  std::string order_id;
  std::string user_id;
  double total = 0;
  std::vector<std::string> items;
  std::string payment_method;
  std::string payment_status;
  int64_t paid_at = 0;

  bool operator==(const order_with_payment&) const = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(order_with_payment, order_id, user_id, total, items,
                                   payment_method, payment_status, paid_at)

}  // namespace order_payment_join

template <>
struct sluice::default_serde<order_payment_join::order> {
  using type = serdes::json<order_payment_join::order>;
};
template <>
struct sluice::default_serde<order_payment_join::payment> {
  using type = serdes::json<order_payment_join::payment>;
};
template <>
struct sluice::default_serde<order_payment_join::order_with_payment> {
  using type = serdes::json<order_payment_join::order_with_payment>;
};

namespace order_payment_join {

inline const std::string orders_topic = "orders";
inline const std::string payments_topic = "payments";
inline const std::string output_topic = "orders-with-payments";
/// A payment joins an order placed at most this long before or after it.
inline constexpr std::chrono::minutes join_window{10};
/// How late (behind the newest event seen) an order or payment may arrive and still join.
inline constexpr std::chrono::minutes grace{30};

inline sluice::topology make_topology() {
  using namespace sluice;
  streams_builder builder;
  auto orders = builder.stream<std::string, order>(orders_topic);  // record time
  auto payments = builder.stream<std::string, payment>(
      payments_topic, {.timestamp_extractor = [](const std::string&, const payment& p, timestamp) {
        return core::from_epoch_ms(p.timestamp);
      }});
  orders
      .join(
          payments,
          [](const order& o, const payment& p) {
            return order_with_payment{o.order_id, o.user_id, o.total,    o.items,
                                      p.method,   p.status,  p.timestamp};
          },
          join_windows::of(join_window).grace(grace),
          stream_joined<std::string, order, payment>::as("orders-payments"))
      .to(output_topic);
  return builder.build();
}

/// One generated order and, if any, its payment, with the order's event time.
struct generated {
  order o;
  int64_t placed_at = 0;  ///< ms
  std::optional<payment> p;
  /// Whether the payment lies within the join window (so the pair must be joined).
  bool joins = false;
};

/// The example's test data, a pure function of its parameters: orders placed over 15 minutes
/// from `start_ms`; every 10th is never paid, every 10th (offset 1) is paid 12–14 minutes later
/// (outside the window), the rest 30 s – 8 min later. Every timestamp lies within 29 minutes,
/// less than the grace period, so no record is ever late however the partitions interleave.
inline std::vector<generated> generate(int count, int64_t start_ms, uint64_t seed) {
  std::mt19937_64 rng(seed);
  static const char* const methods[] = {"card", "paypal", "bank-transfer"};
  static const char* const skus[] = {"sku-apple", "sku-book", "sku-chair", "sku-desk", "sku-lamp"};
  std::vector<generated> out;
  const int64_t span = 15 * 60 * 1000;
  for (int i = 0; i < count; ++i) {
    generated g;
    char id[32];
    std::snprintf(id, sizeof id, "order-%05d", i);
    g.o.order_id = id;
    g.o.user_id = "user-" + std::to_string(rng() % 40);
    g.o.total = static_cast<double>(100 + rng() % 99900) / 100.0;
    for (uint64_t n = 1 + rng() % 3; n > 0; --n) g.o.items.push_back(skus[rng() % 5]);
    g.placed_at = start_ms + span * i / std::max(count, 1);
    const int kind = i % 10;
    if (kind != 0) {
      payment p;
      p.order_id = g.o.order_id;
      p.method = methods[rng() % 3];
      p.status = rng() % 20 == 0 ? "DECLINED" : "PAID";
      const int64_t delay = kind == 1 ? (12 * 60 + static_cast<int64_t>(rng() % 120)) * 1000
                                      : (30 + static_cast<int64_t>(rng() % 450)) * 1000;
      p.timestamp = g.placed_at + delay;
      g.joins = kind != 1;
      g.p = p;
    }
    out.push_back(std::move(g));
  }
  return out;
}

/// What the application must output for `data`: one joined record per order whose payment is
/// within the window.
inline std::vector<order_with_payment> expected_output(const std::vector<generated>& data) {
  std::vector<order_with_payment> out;
  for (const auto& g : data) {
    if (!g.joins) continue;
    out.push_back({g.o.order_id, g.o.user_id, g.o.total, g.o.items, g.p->method, g.p->status,
                   g.p->timestamp});
  }
  return out;
}

}  // namespace order_payment_join
