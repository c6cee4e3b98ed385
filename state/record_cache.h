#pragma once
/// `record_cache`: the byte-bounded cache that the caching stores of one stream thread share —
/// Sluice's `cache.max.bytes.buffering` (the runtime gives each stream thread the configured
/// total divided by the number of threads).
///
/// Each caching store keeps its entries here under its own namespace; all entries of all
/// stores share one LRU order and one budget. An entry is a key with a value or a delete,
/// either *dirty* (a write not yet passed to the store below) or *clean* (a copy of what the
/// store below holds, kept to serve reads). When a write pushes the total over the budget, the
/// least recently used entries — of whichever store — are evicted; evicting a dirty entry
/// first writes it to its store (and through the store's flush listener downstream). A budget
/// of 0 makes every caching store write-through.
///
/// Memory accounting: key size + value size + `entry_overhead` per entry.
///
/// Ownership: owned by the stream thread; every caching store attached to it must be destroyed
/// first (checked). Thread safety: none — one stream thread only.

#include "core/error.h"

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>

namespace sluice::state {

namespace detail {
class named_cache;
struct cache_entry;
}  // namespace detail

class record_cache {
 public:
  /// Bytes charged per entry beyond its key and value (list and index nodes, bookkeeping).
  static constexpr std::size_t entry_overhead = 128;

  struct statistics {
    std::uint64_t hits = 0;        ///< reads answered from the cache
    std::uint64_t misses = 0;      ///< reads that went to the store below
    std::uint64_t overwrites = 0;  ///< writes folded into an existing entry
    std::uint64_t evictions = 0;   ///< entries evicted for space
    std::uint64_t flushes = 0;     ///< store flushes that wrote dirty entries
  };

  explicit record_cache(std::size_t max_bytes);
  record_cache(const record_cache&) = delete;
  record_cache& operator=(const record_cache&) = delete;
  /// REQUIRES: no caching store still uses this cache.
  ~record_cache();

  std::size_t max_bytes() const noexcept { return _max_bytes; }
  std::size_t size_bytes() const noexcept { return _size_bytes; }
  std::size_t entry_count() const noexcept;
  const statistics& stats() const noexcept { return _stats; }

  /// Changes the budget; shrinking evicts (and writes back) entries until it fits. A failed
  /// write-back is returned and leaves that entry cached.
  result<void> resize(std::size_t max_bytes);

 private:
  friend class detail::named_cache;

  result<void> maybe_evict();

  std::size_t _max_bytes;
  std::size_t _size_bytes = 0;
  std::size_t _attached = 0;
  bool _evicting = false;
  statistics _stats;
  std::unique_ptr<std::list<detail::cache_entry>> _lru;  // front = least recently used
};

}  // namespace sluice::state
