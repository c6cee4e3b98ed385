#pragma once
/// `key_offset_map`: the key map of one cleaning pass — key -> latest offset — with open
/// addressing (linear probing over 24-byte slots holding the key's 64-bit hash) and the key
/// bytes packed in one arena. A lookup touches one slot and, on a hash match, the key bytes —
/// about half the cache misses of a node-based map, which is what bounds a pass over a large key
/// space. Keys are compared in full: a hash collision can never make one key's record supersede
/// another's. Single-threaded (one pass).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::broker::storage {

class key_offset_map {
 public:
  /// The latest offset recorded for `key`, or -1.
  int64_t find(std::string_view key) const noexcept {
    if (_slots.empty()) return -1;
    const uint64_t h = hash(key);
    for (size_t i = h & _mask;; i = (i + 1) & _mask) {
      const slot& s = _slots[i];
      if (s.key_length == empty) return -1;
      if (s.hash == h && key_at(s) == key) return s.offset;
    }
  }

  /// Records `offset` for `key` if it is newer than what the map holds.
  void put(std::string_view key, int64_t offset) {
    if ((_size + 1) * 2 > _slots.size()) grow();
    const uint64_t h = hash(key);
    for (size_t i = h & _mask;; i = (i + 1) & _mask) {
      slot& s = _slots[i];
      if (s.key_length == empty) {
        s = {h, offset, static_cast<uint32_t>(_arena.size()), static_cast<uint32_t>(key.size())};
        _arena.append(key);
        ++_size;
        return;
      }
      if (s.hash == h && key_at(s) == key) {
        s.offset = std::max(s.offset, offset);
        return;
      }
    }
  }

  size_t size() const noexcept { return _size; }
  /// Bytes held (slots and key bytes), for log.cleaner.dedupe.buffer.size.
  size_t memory() const noexcept { return _slots.size() * sizeof(slot) + _arena.size(); }

 private:
  static constexpr uint32_t empty = UINT32_MAX;
  struct slot {
    uint64_t hash = 0;
    int64_t offset = -1;
    uint32_t key_position = 0;
    uint32_t key_length = empty;
  };
  static uint64_t hash(std::string_view key) noexcept { return std::hash<std::string_view>{}(key); }
  std::string_view key_at(const slot& s) const noexcept {
    return std::string_view(_arena).substr(s.key_position, s.key_length);
  }
  void grow() {
    std::vector<slot> old = std::move(_slots);
    _slots.assign(std::max<size_t>(1024, old.size() * 2), slot{});
    _mask = _slots.size() - 1;
    for (const auto& s : old) {
      if (s.key_length == empty) continue;
      size_t i = s.hash & _mask;
      while (_slots[i].key_length != empty) i = (i + 1) & _mask;
      _slots[i] = s;
    }
  }

  std::vector<slot> _slots;
  size_t _mask = 0;
  size_t _size = 0;
  std::string _arena;
};

}  // namespace sluice::broker::storage
