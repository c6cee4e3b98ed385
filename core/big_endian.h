#pragma once
/// Big-endian (network order) fixed-width integers in byte buffers: the one implementation used
/// by the serdes, the Kafka protocol reader/writer, record batches and segment indexes, the
/// state stores' key layouts and the window keys.
///
/// `T` is any integer type of 1, 2, 4 or 8 bytes; signed values are stored as their two's
/// complement bit pattern. Compiles to a load and a byte swap.
///
/// Thread safety: pure functions.

#include "core/bytes.h"

#include <bit>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace sluice::core {

namespace be_detail {
template <std::size_t N> struct unsigned_of;
template <> struct unsigned_of<1> { using type = std::uint8_t; };
template <> struct unsigned_of<2> { using type = std::uint16_t; };
template <> struct unsigned_of<4> { using type = std::uint32_t; };
template <> struct unsigned_of<8> { using type = std::uint64_t; };
template <class T> using unsigned_t = typename unsigned_of<sizeof(T)>::type;

template <class U>
constexpr U swap_if_little(U v) noexcept {
  if constexpr (std::endian::native == std::endian::little && sizeof(U) > 1) {
    if constexpr (sizeof(U) == 2) return static_cast<U>(__builtin_bswap16(v));
    if constexpr (sizeof(U) == 4) return static_cast<U>(__builtin_bswap32(v));
    if constexpr (sizeof(U) == 8) return static_cast<U>(__builtin_bswap64(v));
  }
  return v;
}
}  // namespace be_detail

/// Reads a `T` stored big-endian at `p`. REQUIRES: sizeof(T) readable bytes at `p`.
template <std::integral T>
T load_be(const std::byte* p) noexcept {
  be_detail::unsigned_t<T> u;
  std::memcpy(&u, p, sizeof u);
  return static_cast<T>(be_detail::swap_if_little(u));
}

/// Writes `v` big-endian at `p`. REQUIRES: sizeof(T) writable bytes at `p`.
template <std::integral T>
void store_be(std::byte* p, T v) noexcept {
  const auto u = be_detail::swap_if_little(static_cast<be_detail::unsigned_t<T>>(v));
  std::memcpy(p, &u, sizeof u);
}

/// Appends `v` big-endian to `out`.
template <std::integral T>
void append_be(bytes& out, T v) {
  const std::size_t at = out.size();
  out.resize(at + sizeof(T));
  store_be(out.data() + at, v);
}

/// `v` as its sizeof(T) big-endian bytes.
template <std::integral T>
bytes to_be_bytes(T v) {
  bytes out(sizeof(T));
  store_be(out.data(), v);
  return out;
}

}  // namespace sluice::core
