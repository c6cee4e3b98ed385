#pragma once
/// `named_cache`: one caching store's entries inside a `record_cache` (module-private).
///
/// Entries live in the record cache's shared LRU list; this class indexes its own by key (in
/// the store's key order) and writes dirty ones back through `write_back` — on flush (all of
/// them, in key order) or on eviction (one). Entries are detached from the index *before*
/// their write-back runs, and marked clean before a flush writes them, so that a flush listener
/// that writes to the same store (downstream processors) sees consistent state and its new
/// writes are kept dirty for the next flush.

#include "core/bytes.h"
#include "core/error.h"
#include "core/time.h"
#include "state/detail/key_layout.h"
#include "state/detail/merge.h"
#include "state/record_cache.h"

#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>

namespace sluice::state::detail {

class named_cache;

struct cache_entry {
  named_cache* owner;
  bytes key;
  std::optional<bytes> value;  // nullopt: a delete
  core::timestamp ts;
  bool dirty;
  std::size_t charge;
};

using cache_lru = std::list<cache_entry>;

class named_cache {
 public:
  /// Writes one dirty entry to the store below. The views are valid during the call only.
  using write_back_fn = std::function<result<void>(bytes_view key, std::optional<bytes_view> value,
                                                   core::timestamp ts)>;

  named_cache(record_cache& cache, key_layout layout, write_back_fn write_back);
  named_cache(const named_cache&) = delete;
  named_cache& operator=(const named_cache&) = delete;
  /// Drops this store's entries without writing them back.
  ~named_cache();

  /// The entry for `key` (marked most recently used), or nullptr. Counts a hit or a miss.
  const cache_entry* get(bytes_view key);
  /// Inserts or replaces an entry; may evict entries (of any store) and so write them back.
  result<void> put(bytes_view key, std::optional<bytes_view> value, core::timestamp ts, bool dirty);
  /// Writes every dirty entry back, in key order. Stops at the first failure (that entry stays
  /// dirty).
  result<void> flush();
  /// Drops every entry of this store, dirty ones included.
  void clear();
  std::size_t dirty_count() const noexcept { return _dirty; }
  std::size_t size() const noexcept { return _index.size(); }

  /// Entries in [bounds.lower, bounds.upper) in `order`, deletes included (as nullopt).
  std::unique_ptr<overlay_source> scan(scan_bounds bounds, iteration_order order) const;

  /// Called by the record cache to make room.
  result<void> evict(cache_lru::iterator it);

 private:
  using index_map = std::map<bytes_view, cache_lru::iterator, key_less>;

  void detach(cache_lru::iterator it);

  record_cache* _cache;
  index_map _index;  // keys view the entries' own key bytes
  std::uint64_t _erase_generation = 0;
  std::size_t _dirty = 0;
  write_back_fn _write_back;
};

}  // namespace sluice::state::detail
