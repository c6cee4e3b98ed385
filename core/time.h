#pragma once
/// Time in Sluice: milliseconds since the Unix epoch, as Kafka record timestamps are.

#include <chrono>
#include <cstdint>

namespace sluice::core {

using millis = std::chrono::milliseconds;

/// A record or stream timestamp: milliseconds since 1970-01-01T00:00:00Z.
using timestamp = std::chrono::time_point<std::chrono::system_clock, millis>;

inline timestamp wall_clock_now() noexcept {
  return std::chrono::time_point_cast<millis>(std::chrono::system_clock::now());
}

inline constexpr timestamp from_epoch_ms(int64_t ms) noexcept { return timestamp{millis{ms}}; }
inline constexpr int64_t to_epoch_ms(timestamp t) noexcept { return t.time_since_epoch().count(); }

/// The later (earlier) of two timestamps, the longer (shorter) of two durations: std::max and
/// std::min for the DSL's node templates, which would otherwise pull <algorithm> into every
/// user's translation unit.
template <class T>
constexpr T later(T a, T b) noexcept {
  return a < b ? b : a;
}
template <class T>
constexpr T earlier(T a, T b) noexcept {
  return b < a ? b : a;
}

}  // namespace sluice::core

namespace sluice {
using core::from_epoch_ms;
using core::millis;
using core::timestamp;
using core::to_epoch_ms;
}  // namespace sluice
