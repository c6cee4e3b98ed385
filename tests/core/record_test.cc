#include "core/record.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::core {
namespace {

std::vector<std::string> keys_of(const headers& h) {
  std::vector<std::string> out;
  for (const auto& item : h) out.push_back(item.key);
  return out;
}

TEST(headers, keep_insertion_order_and_repeated_keys) {
  headers h;
  EXPECT_TRUE(h.empty());
  h.add("trace", to_bytes("a"));
  h.add("retry", to_bytes("1"));
  h.add("trace", to_bytes("b"));
  h.add("nullable", std::nullopt);
  EXPECT_EQ(h.size(), 4U);
  EXPECT_EQ(keys_of(h), (std::vector<std::string>{"trace", "retry", "trace", "nullable"}));
}

TEST(headers, last_returns_newest_value_of_a_key) {
  headers h{{"k", to_bytes("old")}, {"other", to_bytes("x")}, {"k", to_bytes("new")}};
  const header* k = h.last("k");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(to_string(*k->value), "new");
  EXPECT_EQ(h.last("missing"), nullptr);
  EXPECT_EQ(h.last("K"), nullptr);  // keys are case-sensitive, as in Kafka

  h.add("null", std::nullopt);
  ASSERT_NE(h.last("null"), nullptr);
  EXPECT_FALSE(h.last("null")->value.has_value());
}

TEST(headers, remove_drops_every_header_with_the_key) {
  headers h{{"a", to_bytes("1")}, {"b", to_bytes("2")}, {"a", to_bytes("3")}};
  h.remove("a");
  EXPECT_EQ(keys_of(h), (std::vector<std::string>{"b"}));
  h.remove("absent");
  EXPECT_EQ(h.size(), 1U);
  h.remove("b");
  EXPECT_TRUE(h.empty());
}

TEST(raw_record, compares_by_every_field) {
  raw_record a{to_bytes("k"), to_bytes("v"), from_epoch_ms(1000), {{"h", to_bytes("x")}}};
  raw_record b = a;
  EXPECT_EQ(a, b);
  b.ts = from_epoch_ms(1001);
  EXPECT_NE(a, b);
  b = a;
  b.key.reset();  // a null key differs from any key, even an empty one
  EXPECT_NE(a, b);
  a.key = bytes{};
  EXPECT_NE(a, b);
  b = a;
  b.hdrs.add("h2", std::nullopt);
  EXPECT_NE(a, b);
}

TEST(time, epoch_millis_round_trip) {
  EXPECT_EQ(to_epoch_ms(from_epoch_ms(1700000000123)), 1700000000123);
  EXPECT_EQ(to_epoch_ms(from_epoch_ms(-1)), -1);
  const auto now = wall_clock_now();
  EXPECT_GT(to_epoch_ms(now), 1600000000000);  // after 2020
}

TEST(bytes, text_conversions) {
  const bytes b = to_bytes("hello");
  EXPECT_EQ(b.size(), 5U);
  EXPECT_EQ(to_string(b), "hello");
  EXPECT_EQ(as_string_view(as_bytes("abc")), "abc");
  EXPECT_TRUE(equal(as_bytes("abc"), to_bytes("abc")));
  EXPECT_FALSE(equal(as_bytes("abc"), as_bytes("abd")));
  EXPECT_FALSE(equal(as_bytes("abc"), as_bytes("ab")));
  EXPECT_TRUE(equal(bytes_view{}, as_bytes("")));
}

}  // namespace
}  // namespace sluice::core
