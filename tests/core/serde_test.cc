#include "core/serde.h"
#include "core/json_serde.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace sluice::core {
namespace {

bytes raw(std::initializer_list<int> values) {
  bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

template <class S, class T>
void expect_round_trip(const S& s, const T& value) {
  auto encoded = s.serialize(value);
  ASSERT_TRUE(encoded);
  auto decoded = s.deserialize(encoded.value());
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded.value(), value);
}

// ---- concept and default mapping -------------------------------------------------------------

struct not_a_serde {};

static_assert(serde_for<serdes::string, std::string>);
static_assert(serde_for<serdes::bytes, bytes>);
static_assert(serde_for<serdes::int32, int32_t>);
static_assert(serde_for<serdes::int64, int64_t>);
static_assert(serde_for<serdes::float64, double>);
static_assert(serde_for<serde<std::string>, std::string>);
static_assert(!serde_for<serdes::string, int64_t>);
static_assert(!serde_for<serdes::int64, std::string>);
static_assert(!serde_for<not_a_serde, std::string>);

static_assert(std::is_same_v<default_serde_t<std::string>, serdes::string>);
static_assert(std::is_same_v<default_serde_t<bytes>, serdes::bytes>);
static_assert(std::is_same_v<default_serde_t<int32_t>, serdes::int32>);
static_assert(std::is_same_v<default_serde_t<int64_t>, serdes::int64>);
static_assert(std::is_same_v<default_serde_t<double>, serdes::float64>);
static_assert(!has_default_serde<not_a_serde>);
static_assert(!std::is_default_constructible_v<serde<std::string>>);

// ---- integers ------------------------------------------------------------------------------

TEST(serdes_int32, big_endian_like_kafka_integer_serializer) {
  const serdes::int32 s;
  EXPECT_EQ(s.serialize(0).value(), raw({0, 0, 0, 0}));
  EXPECT_EQ(s.serialize(1).value(), raw({0, 0, 0, 1}));
  EXPECT_EQ(s.serialize(-1).value(), raw({0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(s.serialize(0x01020304).value(), raw({1, 2, 3, 4}));
  EXPECT_EQ(s.serialize(std::numeric_limits<int32_t>::min()).value(), raw({0x80, 0, 0, 0}));
  EXPECT_EQ(s.serialize(std::numeric_limits<int32_t>::max()).value(),
            raw({0x7f, 0xff, 0xff, 0xff}));
  EXPECT_EQ(s.deserialize(raw({0xff, 0xff, 0xff, 0xfe})).value(), -2);
  EXPECT_EQ(s.deserialize(raw({0, 0, 1, 0})).value(), 256);
  for (int32_t v : {0, 1, -1, 123456789, -987654321, std::numeric_limits<int32_t>::min(),
                    std::numeric_limits<int32_t>::max()}) {
    expect_round_trip(s, v);
  }
}

TEST(serdes_int32, wrong_length_is_an_error) {
  const serdes::int32 s;
  for (const auto& data : {raw({}), raw({1}), raw({1, 2, 3}), raw({1, 2, 3, 4, 5})}) {
    auto r = s.deserialize(data);
    ASSERT_FALSE(r) << data.size();
    EXPECT_EQ(r.error(), errc::deserialization_failed);
  }
}

TEST(serdes_int64, big_endian_like_kafka_long_serializer) {
  const serdes::int64 s;
  EXPECT_EQ(s.serialize(1).value(), raw({0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(s.serialize(-2).value(), raw({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}));
  EXPECT_EQ(s.serialize(0x0102030405060708LL).value(), raw({1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(s.serialize(std::numeric_limits<int64_t>::min()).value(),
            raw({0x80, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(s.deserialize(raw({0, 0, 0, 0, 0, 0, 1, 0})).value(), 256);
  EXPECT_EQ(s.deserialize(raw({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})).value(), -1);
  for (int64_t v : {int64_t{0}, int64_t{42}, int64_t{-42}, int64_t{1} << 40,
                    std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max()}) {
    expect_round_trip(s, v);
  }
}

TEST(serdes_int64, wrong_length_is_an_error) {
  const serdes::int64 s;
  for (const auto& data : {raw({}), raw({1, 2, 3, 4}), raw({1, 2, 3, 4, 5, 6, 7}),
                           raw({1, 2, 3, 4, 5, 6, 7, 8, 9})}) {
    auto r = s.deserialize(data);
    ASSERT_FALSE(r) << data.size();
    EXPECT_EQ(r.error(), errc::deserialization_failed);
  }
}

// ---- doubles -------------------------------------------------------------------------------

TEST(serdes_float64, ieee754_big_endian_like_kafka_double_serializer) {
  const serdes::float64 s;
  EXPECT_EQ(s.serialize(1.0).value(), raw({0x3f, 0xf0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(s.serialize(-2.5).value(), raw({0xc0, 0x04, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(s.serialize(0.0).value(), raw({0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(s.serialize(-0.0).value(), raw({0x80, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(s.serialize(std::numeric_limits<double>::infinity()).value(),
            raw({0x7f, 0xf0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(s.serialize(0.1).value(), raw({0x3f, 0xb9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9a}));
  for (double v : {0.0, 1.0, -1.5, 3.141592653589793, 1e300, -1e-300,
                   std::numeric_limits<double>::denorm_min(),
                   -std::numeric_limits<double>::infinity()}) {
    expect_round_trip(s, v);
  }
}

TEST(serdes_float64, nan_is_written_canonically_like_java_double_to_long_bits) {
  const serdes::float64 s;
  const bytes canonical = raw({0x7f, 0xf8, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(s.serialize(std::numeric_limits<double>::quiet_NaN()).value(), canonical);
  EXPECT_EQ(s.serialize(-std::numeric_limits<double>::quiet_NaN()).value(), canonical);
  EXPECT_EQ(s.serialize(std::nan("123")).value(), canonical);
  // Any NaN bit pattern decodes to a NaN.
  auto decoded = s.deserialize(raw({0xff, 0xf0, 0, 0, 0, 0, 0, 1}));
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(std::isnan(decoded.value()));
}

TEST(serdes_float64, wrong_length_is_an_error) {
  const serdes::float64 s;
  EXPECT_EQ(s.deserialize(raw({1, 2, 3, 4})).error(), errc::deserialization_failed);
  EXPECT_EQ(s.deserialize(raw({})).error(), errc::deserialization_failed);
}

// ---- strings and bytes ---------------------------------------------------------------------

TEST(serdes_string, utf8_bytes_unchanged) {
  const serdes::string s;
  EXPECT_EQ(s.serialize("héllo").value(), raw({'h', 0xc3, 0xa9, 'l', 'l', 'o'}));
  EXPECT_EQ(s.serialize("").value(), bytes{});
  expect_round_trip(s, std::string("hello, world"));
  expect_round_trip(s, std::string("with\0nul", 8));
  // Not valid UTF-8, but Java's StringDeserializer would not validate either.
  expect_round_trip(s, std::string("\xff\xfe"));
}

TEST(serdes_bytes, identity) {
  const serdes::bytes s;
  const bytes data = raw({0, 1, 0xff, 0x80});
  EXPECT_EQ(s.serialize(data).value(), data);
  EXPECT_EQ(s.deserialize(data).value(), data);
  EXPECT_EQ(s.deserialize({}).value(), bytes{});
}

// ---- type-erased serde<T> ------------------------------------------------------------------

/// A custom serde that counts how often it is copied, to check that serde<T> shares it.
struct upper_case_serde {
  std::shared_ptr<std::atomic<int>> copies = std::make_shared<std::atomic<int>>(0);
  upper_case_serde() = default;
  upper_case_serde(const upper_case_serde& other) : copies(other.copies) { ++*copies; }
  upper_case_serde& operator=(const upper_case_serde&) = default;

  result<bytes> serialize(const std::string& value) const {
    std::string upper = value;
    for (char& c : upper) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return to_bytes(upper);
  }
  result<std::string> deserialize(bytes_view data) const {
    if (data.empty()) return errc::deserialization_failed;
    return to_string(data);
  }
};

TEST(serde, wraps_builtins_and_custom_serdes) {
  serde<int64_t> longs = serdes::int64{};
  EXPECT_EQ(longs.serialize(7).value(), raw({0, 0, 0, 0, 0, 0, 0, 7}));
  EXPECT_EQ(longs.deserialize(raw({0, 0, 0, 0, 0, 0, 0, 9})).value(), 9);
  EXPECT_EQ(longs.deserialize(raw({9})).error(), errc::deserialization_failed);

  auto upper = serde<std::string>::of(upper_case_serde{});
  EXPECT_EQ(to_string(upper.serialize("abc").value()), "ABC");
  EXPECT_EQ(upper.deserialize(as_bytes("xyz")).value(), "xyz");
  EXPECT_EQ(upper.deserialize({}).error(), errc::deserialization_failed);
}

TEST(serde, copies_share_the_wrapped_serde) {
  upper_case_serde original;
  auto counter = original.copies;
  serde<std::string> a = original;  // one copy into the shared model
  const int after_wrap = counter->load();
  serde<std::string> b = a;
  serde<std::string> c = b;
  auto d = serde<std::string>::of(c);  // wrapping a serde<T> does not nest or copy S
  EXPECT_EQ(counter->load(), after_wrap);
  EXPECT_EQ(to_string(d.serialize("q").value()), "Q");
}

TEST(serde, default_serde_round_trips) {
  auto strings = make_default_serde<std::string>();
  EXPECT_EQ(strings.deserialize(strings.serialize("k").value()).value(), "k");
  auto ints = make_default_serde<int32_t>();
  EXPECT_EQ(ints.serialize(1).value(), raw({0, 0, 0, 1}));
  auto doubles = make_default_serde<double>();
  EXPECT_EQ(doubles.deserialize(doubles.serialize(2.5).value()).value(), 2.5);
  auto blobs = make_default_serde<bytes>();
  EXPECT_EQ(blobs.serialize(raw({1, 2})).value(), raw({1, 2}));
}

}  // namespace

// ---- JSON ----------------------------------------------------------------------------------

namespace json_test {

struct page_view {
  std::string user;
  int64_t duration_ms = 0;
  std::vector<std::string> tags;
  bool operator==(const page_view&) const = default;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(page_view, user, duration_ms, tags)

/// A type whose from_json rejects values with its own exception type.
struct positive {
  int value = 0;
  bool operator==(const positive&) const = default;
};
struct not_positive : std::exception {
  const char* what() const noexcept override { return "not positive"; }
};
inline void to_json(nlohmann::json& j, const positive& p) { j = p.value; }
inline void from_json(const nlohmann::json& j, positive& p) {
  p.value = j.get<int>();
  if (p.value <= 0) throw not_positive{};
}

}  // namespace json_test
}  // namespace sluice::core

template <>
struct sluice::default_serde<sluice::core::json_test::page_view> {
  using type = sluice::core::serdes::json<sluice::core::json_test::page_view>;
};

namespace sluice::core {
namespace {

using json_test::page_view;
using json_test::positive;

static_assert(serde_for<serdes::json<page_view>, page_view>);
static_assert(has_default_serde<page_view>);

TEST(serdes_json, round_trips_user_structs) {
  const serdes::json<page_view> s;
  const page_view v{"alice", 1234, {"home", "promo"}};
  auto encoded = s.serialize(v);
  ASSERT_TRUE(encoded);
  EXPECT_EQ(to_string(encoded.value()),
            R"({"duration_ms":1234,"tags":["home","promo"],"user":"alice"})");
  EXPECT_EQ(s.deserialize(encoded.value()).value(), v);
  // Whitespace and key order do not matter on input.
  EXPECT_EQ(s.deserialize(as_bytes(R"( { "user" : "bob", "tags" : [], "duration_ms" : 5 } )"))
                .value(),
            (page_view{"bob", 5, {}}));
}

TEST(serdes_json, default_serde_specialization_is_picked_up) {
  auto s = make_default_serde<page_view>();
  const page_view v{"carol", 1, {}};
  EXPECT_EQ(s.deserialize(s.serialize(v).value()).value(), v);
}

TEST(serdes_json, malformed_input_is_an_error_not_an_exception) {
  const serdes::json<page_view> s;
  for (std::string_view bad : {R"({"user": "a", )", "", "not json", R"({"user":"a"} trailing)",
                               "\xff\xfe", "[1, 2, 3]"}) {
    auto r = s.deserialize(as_bytes(bad));
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error(), errc::deserialization_failed) << bad;
  }
}

TEST(serdes_json, missing_or_mistyped_fields_are_errors) {
  const serdes::json<page_view> s;
  EXPECT_EQ(s.deserialize(as_bytes(R"({"user":"a","tags":[]})")).error(),
            errc::deserialization_failed);
  EXPECT_EQ(s.deserialize(as_bytes(R"({"user":"a","duration_ms":"long","tags":[]})")).error(),
            errc::deserialization_failed);
  EXPECT_EQ(s.deserialize(as_bytes(R"({"user":7,"duration_ms":1,"tags":[]})")).error(),
            errc::deserialization_failed);
}

TEST(serdes_json, user_from_json_exceptions_become_errors) {
  const serdes::json<positive> s;
  EXPECT_EQ(s.deserialize(as_bytes("3")).value(), positive{3});
  EXPECT_EQ(s.deserialize(as_bytes("-3")).error(), errc::deserialization_failed);
}

TEST(serdes_json, unwritable_value_is_a_serialization_error) {
  const serdes::json<page_view> s;
  auto r = s.serialize(page_view{"\xff\xfe not utf-8", 0, {}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::serialization_failed);
}

TEST(serdes_json, plain_values_and_documents) {
  expect_round_trip(serdes::json<int64_t>{}, int64_t{-42});
  EXPECT_EQ(to_string(serdes::json<int64_t>{}.serialize(42).value()), "42");
  const serdes::json<nlohmann::json> doc;
  auto parsed = doc.deserialize(as_bytes(R"({"a":[1,2,{"b":null}]})"));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed.value()["a"][2]["b"], nullptr);
}

TEST(serdes_json, deeply_nested_input_is_rejected_not_a_stack_overflow) {
  const serdes::json<nlohmann::json> doc;
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(doc.deserialize(as_bytes(deep)).error(), errc::deserialization_failed);
  EXPECT_EQ(serdes::json<page_view>{}.deserialize(as_bytes(deep)).error(),
            errc::deserialization_failed);

  const int limit = serdes::json<nlohmann::json>::max_depth;
  const std::string at_limit = std::string(limit, '[') + std::string(limit, ']');
  EXPECT_TRUE(doc.deserialize(as_bytes(at_limit)));
  const std::string over = "[" + at_limit + "]";
  EXPECT_EQ(doc.deserialize(as_bytes(over)).error(), errc::deserialization_failed);
  // Brackets inside strings (with escaped quotes) do not count.
  const std::string in_string = R"(["\"[[[[[[)" + std::string(2000, '[') + R"("])";
  auto parsed = doc.deserialize(as_bytes(in_string));
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed.value()[0].get<std::string>().size(), 2007U);
}

}  // namespace
}  // namespace sluice::core
