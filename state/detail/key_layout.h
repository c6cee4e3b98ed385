#pragma once
/// Key layouts and their orders, shared by every backend, so that RocksDB column families,
/// in-memory maps, pending batches and caches sort identically (module-private).

#include "core/bytes.h"
#include "state/changelog_format.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::state::detail {

/// The key format of a keyspace and so its order (see changelog_format.h).
enum class key_layout : std::uint8_t { bytewise, window, session };

inline int compare_keys(key_layout layout, bytes_view a, bytes_view b) noexcept {
  switch (layout) {
    case key_layout::window:
      return compare_window_keys(a, b);
    case key_layout::session:
      return compare_session_keys(a, b);
    case key_layout::bytewise:
      break;
  }
  return compare_bytes(a, b);
}

/// Keyspace names carry their layout, so a RocksDB instance can be reopened with the right
/// comparator per column family before anything is read from it.
inline constexpr std::string_view window_keyspace_prefix = "window.";
inline constexpr std::string_view session_keyspace_prefix = "session.";

inline key_layout layout_of_keyspace(std::string_view name) noexcept {
  if (name.starts_with(window_keyspace_prefix)) return key_layout::window;
  if (name.starts_with(session_keyspace_prefix)) return key_layout::session;
  return key_layout::bytewise;
}

/// A transparent strict-weak-order functor for maps keyed by bytes or bytes_view.
struct key_less {
  using is_transparent = void;
  key_layout layout = key_layout::bytewise;
  bool operator()(bytes_view a, bytes_view b) const noexcept {
    return compare_keys(layout, a, b) < 0;
  }
};

/// Scan limits: lower inclusive, upper exclusive; nullopt = unbounded.
struct scan_bounds {
  std::optional<bytes> lower;
  std::optional<bytes> upper;
};

}  // namespace sluice::state::detail
