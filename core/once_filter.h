#pragma once
/// `once_filter`: remembers which keys it has seen, so that a warning is logged once per key
/// (per client and API version, per principal and resource, ...) instead of once per request.

#include <cstddef>
#include <mutex>
#include <string_view>
#include <unordered_set>

namespace sluice::core {

/// A bounded set of seen keys, kept as 64-bit hashes (8 bytes each, however long the key: a
/// client id may be 32 KiB). After `capacity` distinct keys it stops remembering: every new key
/// is then reported as already seen, so a peer that varies what it sends cannot grow the
/// broker's memory or flood its log. Two keys with the same hash count as one (a missed line
/// in the log, nothing worse).
///
/// Thread safety: all members may be called from any thread.
class once_filter {
 public:
  explicit once_filter(std::size_t capacity = 4096) : _capacity(capacity) {}

  /// True exactly once per key (while there is room), false for every later call with it.
  bool first(std::string_view key);

 private:
  std::mutex _mutex;
  std::size_t _capacity;
  std::unordered_set<std::size_t> _seen;
};

}  // namespace sluice::core
