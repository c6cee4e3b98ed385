#pragma once
/// Scan bounds over encoded window keys (module-private; see changelog_format.h).

#include "core/bytes.h"
#include "state/changelog_format.h"
#include "core/big_endian.h"

#include <cstdint>
#include <limits>

namespace sluice::state::detail {

inline constexpr std::int64_t max_time = std::numeric_limits<std::int64_t>::max();

/// The window start stored in an encoded window key. REQUIRES: a well-formed key.
inline std::int64_t window_time_of(bytes_view encoded) noexcept {
  return static_cast<std::int64_t>(
      core::load_be<std::uint64_t>(encoded.data() + encoded.size() - window_key_suffix_size));
}

/// The smallest window key ordered after every window of `key` that starts at or before `to`:
/// an exclusive upper bound.
inline bytes window_upper(bytes_view key, std::int64_t to) {
  if (to < max_time) return encode_window_key(key, core::from_epoch_ms(to + 1), 0);
  bytes next_key(key.begin(), key.end());
  next_key.push_back(std::byte{0});  // the smallest key after `key`
  return encode_window_key(next_key, core::from_epoch_ms(0), 0);
}

/// The smallest window key of `key` starting at or after `from`.
inline bytes window_lower(bytes_view key, std::int64_t from) {
  return encode_window_key(key, core::from_epoch_ms(from), 0);
}

}  // namespace sluice::state::detail
