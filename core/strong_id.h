#pragma once
/// `strong_id<Tag, T>`: a number with a name, so that an offset cannot be passed where a
/// partition is expected. Ordered, hashable and formattable; `.value()` gets the raw number.

#include <compare>
#include <cstddef>
#include <functional>
#include <ostream>

namespace sluice::core {

template <class Tag, class T>
class strong_id {
 public:
  using value_type = T;
  constexpr strong_id() noexcept = default;
  constexpr explicit strong_id(T v) noexcept : _value(v) {}
  constexpr T value() const noexcept { return _value; }
  constexpr auto operator<=>(const strong_id&) const noexcept = default;
  friend std::ostream& operator<<(std::ostream& os, strong_id id) { return os << id._value; }

 private:
  T _value{};
};

}  // namespace sluice::core

template <class Tag, class T>
struct std::hash<sluice::core::strong_id<Tag, T>> {
  std::size_t operator()(sluice::core::strong_id<Tag, T> id) const noexcept {
    return std::hash<T>{}(id.value());
  }
};
