#pragma once
/// Big-endian fixed-width integers in byte buffers (module-private).

#include "core/bytes.h"

#include <cstddef>
#include <cstdint>

namespace sluice::state::detail {

inline void append_u64_be(bytes& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::byte>((v >> shift) & 0xffu));
  }
}

inline void append_u32_be(bytes& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out.push_back(static_cast<std::byte>((v >> shift) & 0xffu));
  }
}

/// REQUIRES: at least 8 bytes at `p`.
inline std::uint64_t read_u64_be(const std::byte* p) noexcept {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | std::to_integer<std::uint64_t>(p[i]);
  return v;
}

/// REQUIRES: at least 4 bytes at `p`.
inline std::uint32_t read_u32_be(const std::byte* p) noexcept {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | std::to_integer<std::uint32_t>(p[i]);
  return v;
}

inline bytes encode_i64_be(std::int64_t v) {
  bytes out;
  out.reserve(8);
  append_u64_be(out, static_cast<std::uint64_t>(v));
  return out;
}

}  // namespace sluice::state::detail
