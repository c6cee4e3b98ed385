#include "state/changelog_format.h"

#include "core/assert.h"
#include "core/big_endian.h"

#include <algorithm>
#include <cstring>

namespace sluice::state {
namespace {

int compare_suffixed(bytes_view a, bytes_view b, std::size_t suffix) noexcept {
  if (a.size() < suffix || b.size() < suffix) return compare_bytes(a, b);
  if (int c = compare_bytes(a.first(a.size() - suffix), b.first(b.size() - suffix)); c != 0) {
    return c;
  }
  return compare_bytes(a.last(suffix), b.last(suffix));
}

}  // namespace

int compare_bytes(bytes_view a, bytes_view b) noexcept {
  const std::size_t n = std::min(a.size(), b.size());
  if (n != 0) {
    // memcmp compares as unsigned char, which is the order we promise.
    if (int c = std::memcmp(a.data(), b.data(), n); c != 0) return c < 0 ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

int compare_window_keys(bytes_view a, bytes_view b) noexcept {
  return compare_suffixed(a, b, window_key_suffix_size);
}

int compare_session_keys(bytes_view a, bytes_view b) noexcept {
  return compare_suffixed(a, b, session_key_suffix_size);
}

bytes encode_window_key(bytes_view key, core::timestamp window_start, std::uint32_t seqnum) {
  const auto start = core::to_epoch_ms(window_start);
  SLUICE_ASSERT(start >= 0, "window start before the epoch");
  bytes out;
  out.reserve(key.size() + window_key_suffix_size);
  out.insert(out.end(), key.begin(), key.end());
  core::append_be<std::uint64_t>(out, static_cast<std::uint64_t>(start));
  core::append_be<std::uint32_t>(out, seqnum);
  return out;
}

std::optional<window_key_parts> decode_window_key(bytes_view encoded) noexcept {
  if (encoded.size() < window_key_suffix_size) return std::nullopt;
  const std::size_t n = encoded.size() - window_key_suffix_size;
  const auto start = static_cast<std::int64_t>(core::load_be<std::uint64_t>(encoded.data() + n));
  if (start < 0) return std::nullopt;
  return window_key_parts{encoded.first(n), core::from_epoch_ms(start),
                          core::load_be<std::uint32_t>(encoded.data() + n + 8)};
}

bytes encode_session_key(bytes_view key, core::timestamp start, core::timestamp end) {
  const auto s = core::to_epoch_ms(start);
  const auto e = core::to_epoch_ms(end);
  SLUICE_ASSERT(s >= 0 && s <= e, "session window must satisfy 0 <= start <= end");
  bytes out;
  out.reserve(key.size() + session_key_suffix_size);
  out.insert(out.end(), key.begin(), key.end());
  core::append_be<std::uint64_t>(out, static_cast<std::uint64_t>(e));
  core::append_be<std::uint64_t>(out, static_cast<std::uint64_t>(s));
  return out;
}

std::optional<session_key_parts> decode_session_key(bytes_view encoded) noexcept {
  if (encoded.size() < session_key_suffix_size) return std::nullopt;
  const std::size_t n = encoded.size() - session_key_suffix_size;
  const auto e = static_cast<std::int64_t>(core::load_be<std::uint64_t>(encoded.data() + n));
  const auto s = static_cast<std::int64_t>(core::load_be<std::uint64_t>(encoded.data() + n + 8));
  if (s < 0 || s > e) return std::nullopt;
  return session_key_parts{encoded.first(n), core::from_epoch_ms(s), core::from_epoch_ms(e)};
}

std::optional<bytes> prefix_successor(bytes_view prefix) {
  bytes out(prefix.begin(), prefix.end());
  while (!out.empty() && out.back() == std::byte{0xff}) out.pop_back();
  if (out.empty()) return std::nullopt;
  out.back() = static_cast<std::byte>(std::to_integer<unsigned>(out.back()) + 1);
  return out;
}

}  // namespace sluice::state
