#pragma once
/// Serdes: how typed keys and values become record bytes and back.
///
/// A serde is a small, immutable value type with two const member functions:
///
///     result<bytes> serialize(const T& value) const;
///     result<T>     deserialize(bytes_view data) const;
///
/// `serde_for<S, T>` checks that shape. `serde<T>` type-erases any such S behind a cheap,
/// copyable handle so DSL parameter objects and the runtime can hold serdes without knowing
/// their concrete types. Failures are returned as `errc::serialization_failed` /
/// `errc::deserialization_failed`; a serde never throws and never aborts on bad bytes.
///
/// Null keys and values (Kafka's absent bytes) never reach a serde: callers map
/// `std::optional<bytes>` to `std::optional<T>` around it.
///
/// The built-ins in `sluice::core::serdes` are byte-compatible with Kafka's Java serdes:
/// `string` (StringSerializer, UTF-8 bytes as-is), `bytes` (ByteArraySerializer), `int32`
/// (IntegerSerializer), `int64` (LongSerializer), `float64` (DoubleSerializer). JSON through
/// nlohmann lives in "core/json_serde.h" so that this header stays light.
///
/// `sluice::default_serde<T>` maps the standard value types to their built-in serde; specialize
/// it for your own types (for example to `serdes::json<T>`) to let the DSL pick it when no serde
/// is given.
///
/// Thread safety: serdes are immutable; a serde and every copy of a `serde<T>` may be used from
/// any number of threads at once. Custom serdes must keep that promise (no hidden mutable
/// state).

#include "core/bytes.h"
#include "core/error.h"

#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

namespace sluice::core {

/// S is a serde of T: copyable, with `serialize(const T&) -> result<bytes>` and
/// `deserialize(bytes_view) -> result<T>` callable on a const S.
template <class S, class T>
concept serde_for =
    std::copy_constructible<S> && requires(const S& s, const T& value, bytes_view data) {
      { s.serialize(value) } -> std::same_as<result<bytes>>;
      { s.deserialize(data) } -> std::same_as<result<T>>;
    };

/// A type-erased serde of T. Copying shares the immutable wrapped serde, so copies are one
/// reference-count increment. Constructible implicitly from any `serde_for<T>`, like
/// std::function from a callable; there is no empty state (use std::optional for "no serde").
template <class T>
class serde {
 public:
  template <class S>
    requires(!std::same_as<std::remove_cvref_t<S>, serde> && serde_for<std::remove_cvref_t<S>, T>)
  serde(S&& s)  // NOLINT(google-explicit-constructor): a serde<T> is any serde of T
      : _impl(std::make_shared<const model<std::remove_cvref_t<S>>>(std::forward<S>(s))) {}

  /// Wraps `s`; the same as the converting constructor, for call sites that read better named.
  template <serde_for<T> S>
  static serde of(S s) {
    return serde(std::move(s));
  }

  result<bytes> serialize(const T& value) const { return _impl->serialize(value); }
  result<T> deserialize(bytes_view data) const { return _impl->deserialize(data); }

 private:
  struct interface {
    virtual ~interface() = default;
    virtual result<bytes> serialize(const T& value) const = 0;
    virtual result<T> deserialize(bytes_view data) const = 0;
  };

  template <class S>
  struct model final : interface {
    template <class U>
    explicit model(U&& s) : wrapped(std::forward<U>(s)) {}
    result<bytes> serialize(const T& value) const override { return wrapped.serialize(value); }
    result<T> deserialize(bytes_view data) const override { return wrapped.deserialize(data); }
    S wrapped;
  };

  std::shared_ptr<const interface> _impl;
};

namespace serdes {

/// UTF-8 text as its bytes, unchanged (Kafka StringSerializer/StringDeserializer). Bytes are
/// not validated as UTF-8, as in Java, so any byte string round-trips.
struct string {
  result<core::bytes> serialize(const std::string& value) const;
  result<std::string> deserialize(bytes_view data) const;
};

/// Raw bytes, unchanged (Kafka ByteArraySerializer/ByteArrayDeserializer).
struct bytes {
  result<core::bytes> serialize(const core::bytes& value) const;
  result<core::bytes> deserialize(bytes_view data) const;
};

/// A 32-bit two's-complement integer, 4 bytes big-endian (Kafka IntegerSerializer). Any other
/// length fails with errc::deserialization_failed.
struct int32 {
  result<core::bytes> serialize(const int32_t& value) const;
  result<int32_t> deserialize(bytes_view data) const;
};

/// A 64-bit two's-complement integer, 8 bytes big-endian (Kafka LongSerializer). Any other
/// length fails with errc::deserialization_failed.
struct int64 {
  result<core::bytes> serialize(const int64_t& value) const;
  result<int64_t> deserialize(bytes_view data) const;
};

/// An IEEE 754 double, 8 bytes big-endian (Kafka DoubleSerializer). Like Java's
/// `doubleToLongBits`, every NaN is written as the canonical 0x7ff8000000000000. Any other
/// length fails with errc::deserialization_failed.
struct float64 {
  result<core::bytes> serialize(const double& value) const;
  result<double> deserialize(bytes_view data) const;
};

}  // namespace serdes

}  // namespace sluice::core

namespace sluice {

/// The serdes users write topologies with: `sluice::serdes::string`, `sluice::serdes::json<T>`...
namespace serdes = core::serdes;
using core::serde;

/// The serde the DSL uses for T when the user names none: `default_serde<T>::type`. Defined
/// for std::string, int32_t, int64_t, double and bytes; specialize it for your own types:
///     template <> struct sluice::default_serde<my_type> {
///       using type = sluice::serdes::json<my_type>;
///     };
template <class T>
struct default_serde {};

template <>
struct default_serde<std::string> {
  using type = core::serdes::string;
};
template <>
struct default_serde<bytes> {
  using type = core::serdes::bytes;
};
template <>
struct default_serde<int32_t> {
  using type = core::serdes::int32;
};
template <>
struct default_serde<int64_t> {
  using type = core::serdes::int64;
};
template <>
struct default_serde<double> {
  using type = core::serdes::float64;
};

}  // namespace sluice

namespace sluice::core {

using sluice::default_serde;

/// T has a default serde (a `default_serde<T>::type` that is a serde of T).
template <class T>
concept has_default_serde = requires { typename default_serde<T>::type; } &&
                            serde_for<typename default_serde<T>::type, T>;

template <has_default_serde T>
using default_serde_t = typename default_serde<T>::type;

/// The default serde of T, type-erased.
template <has_default_serde T>
serde<T> make_default_serde() {
  return serde<T>::of(default_serde_t<T>{});
}

}  // namespace sluice::core
