#pragma once
/// `map_cursor`: a bounded, bidirectional cursor over a std::map keyed by bytes that stays
/// usable while the map is modified (module-private).
///
/// It copies the current key and value into its own buffers, so the views it hands out survive
/// writes to the map; and it remembers the map's erase generation, re-seeking from its copied
/// key whenever something was erased (the only std::map operation that invalidates iterators).
/// The map must outlive the cursor.

#include "core/bytes.h"
#include "state/detail/key_layout.h"
#include "state/key_value_iterator.h"

#include <cstdint>
#include <iterator>
#include <optional>

namespace sluice::state::detail {

/// Map: std::map<K, V, key_less> with K convertible to bytes_view.
/// Project: callable (const V&) -> std::optional<bytes_view> (nullopt = tombstone).
template <class Map, class Project>
class map_cursor {
 public:
  map_cursor(const Map& map, const std::uint64_t& erase_generation, Project project,
             scan_bounds bounds, iteration_order order)
      : _map(&map),
        _erase_generation(&erase_generation),
        _project(std::move(project)),
        _bounds(std::move(bounds)),
        _order(order) {
    seek_start();
  }

  bool valid() const noexcept { return _valid; }
  bytes_view key() const noexcept { return _key; }
  std::optional<bytes_view> value() const noexcept {
    if (!_has_value) return std::nullopt;
    return bytes_view(_value);
  }

  void next() {
    if (!_valid) return;
    if (*_erase_generation != _seen_generation) {
      // Something was erased, perhaps our node: find our place again by key.
      if (_order == iteration_order::forward) {
        _it = _map->upper_bound(bytes_view(_key));
      } else {
        _it = _map->lower_bound(bytes_view(_key));
        if (_it == _map->begin()) {
          _it = _map->end();
        } else {
          --_it;
        }
      }
    } else if (_order == iteration_order::forward) {
      ++_it;
    } else if (_it == _map->begin()) {
      _it = _map->end();
    } else {
      --_it;
    }
    settle();
  }

 private:
  int compare(bytes_view a, bytes_view b) const noexcept {
    return compare_keys(_map->key_comp().layout, a, b);
  }

  void seek_start() {
    if (_order == iteration_order::forward) {
      _it = _bounds.lower ? _map->lower_bound(bytes_view(*_bounds.lower)) : _map->begin();
    } else {
      auto end = _bounds.upper ? _map->lower_bound(bytes_view(*_bounds.upper)) : _map->end();
      _it = end == _map->begin() ? _map->end() : std::prev(end);
    }
    settle();
  }

  void settle() {
    _seen_generation = *_erase_generation;
    _valid = false;
    if (_it == _map->end()) return;
    const bytes_view k(_it->first);
    if (_order == iteration_order::forward) {
      if (_bounds.upper && compare(k, *_bounds.upper) >= 0) return;
    } else {
      if (_bounds.lower && compare(k, *_bounds.lower) < 0) return;
    }
    _key.assign(k.begin(), k.end());
    const std::optional<bytes_view> v = _project(_it->second);
    _has_value = v.has_value();
    if (v) _value.assign(v->begin(), v->end());
    _valid = true;
  }

  const Map* _map;
  const std::uint64_t* _erase_generation;
  Project _project;
  scan_bounds _bounds;
  iteration_order _order;
  typename Map::const_iterator _it{};
  std::uint64_t _seen_generation = 0;
  bytes _key;
  bytes _value;
  bool _has_value = false;
  bool _valid = false;
};

}  // namespace sluice::state::detail
