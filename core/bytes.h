#pragma once
/// Byte buffers and views.
///
/// `bytes` owns a buffer; `bytes_view` borrows one and is valid only as long as the buffer it
/// was taken from is alive and unmodified. Conversions to and from text never copy.

#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::core {

using bytes = std::vector<std::byte>;
using bytes_view = std::span<const std::byte>;

/// Views the characters of `s` as bytes. The view borrows `s`.
inline bytes_view as_bytes(std::string_view s) noexcept {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

/// Views bytes as characters. The view borrows `b`.
inline std::string_view as_string_view(bytes_view b) noexcept {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

/// Copies text into an owned buffer.
inline bytes to_bytes(std::string_view s) {
  auto v = as_bytes(s);
  return bytes(v.begin(), v.end());
}

/// Copies bytes into a std::string.
inline std::string to_string(bytes_view b) { return std::string(as_string_view(b)); }

inline bool equal(bytes_view a, bytes_view b) noexcept {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0);
}

}  // namespace sluice::core

namespace sluice {
using core::bytes;
using core::bytes_view;
}  // namespace sluice
