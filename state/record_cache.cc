#include "state/record_cache.h"

#include "core/assert.h"
#include "state/detail/map_cursor.h"
#include "state/detail/named_cache.h"

#include <vector>

namespace sluice::state {

record_cache::record_cache(std::size_t max_bytes)
    : _max_bytes(max_bytes), _lru(std::make_unique<std::list<detail::cache_entry>>()) {}

record_cache::~record_cache() {
  SLUICE_ASSERT(_attached == 0, "record_cache destroyed while caching stores still use it");
}

std::size_t record_cache::entry_count() const noexcept {
  return _lru->size();
}

result<void> record_cache::resize(std::size_t max_bytes) {
  _max_bytes = max_bytes;
  return maybe_evict();
}

result<void> record_cache::maybe_evict() {
  // Write-backs run flush listeners, which may write to caching stores and so re-enter here;
  // the outermost call does all the evicting.
  if (_evicting) return core::success();
  _evicting = true;
  result<void> outcome = core::success();
  while (_size_bytes > _max_bytes && !_lru->empty()) {
    auto victim = _lru->begin();
    ++_stats.evictions;
    outcome = victim->owner->evict(victim);
    if (!outcome) break;
  }
  _evicting = false;
  return outcome;
}

namespace detail {
namespace {

std::size_t charge_of(bytes_view key, std::optional<bytes_view> value) noexcept {
  return key.size() + (value ? value->size() : 0) + record_cache::entry_overhead;
}

struct project_entry {
  std::optional<bytes_view> operator()(const cache_lru::iterator& it) const noexcept {
    if (!it->value) return std::nullopt;
    return bytes_view(*it->value);
  }
};

}  // namespace

named_cache::named_cache(record_cache& cache, key_layout layout, write_back_fn write_back)
    : _cache(&cache), _index(key_less{layout}), _write_back(std::move(write_back)) {
  ++_cache->_attached;
}

named_cache::~named_cache() {
  clear();
  --_cache->_attached;
}

void named_cache::detach(cache_lru::iterator it) {
  _index.erase(bytes_view(it->key));
  ++_erase_generation;
  if (it->dirty) --_dirty;
  _cache->_size_bytes -= it->charge;
  _cache->_lru->erase(it);
}

const cache_entry* named_cache::get(bytes_view key) {
  auto found = _index.find(key);
  if (found == _index.end()) {
    ++_cache->_stats.misses;
    return nullptr;
  }
  ++_cache->_stats.hits;
  auto it = found->second;
  _cache->_lru->splice(_cache->_lru->end(), *_cache->_lru, it);
  return &*it;
}

result<void> named_cache::put(bytes_view key, std::optional<bytes_view> value, core::timestamp ts,
                              bool dirty) {
  const std::size_t charge = charge_of(key, value);
  auto found = _index.find(key);
  if (found != _index.end()) {
    auto it = found->second;
    if (it->dirty && !dirty) return core::success();  // the cache holds a newer write
    ++_cache->_stats.overwrites;
    _cache->_size_bytes -= it->charge;
    if (value) {
      it->value.emplace(value->begin(), value->end());
    } else {
      it->value.reset();
    }
    it->ts = ts;
    it->charge = charge;
    if (dirty && !it->dirty) ++_dirty;
    it->dirty = dirty;
    _cache->_lru->splice(_cache->_lru->end(), *_cache->_lru, it);
  } else {
    std::optional<bytes> owned;
    if (value) owned.emplace(value->begin(), value->end());
    _cache->_lru->push_back(
        cache_entry{this, bytes(key.begin(), key.end()), std::move(owned), ts, dirty, charge});
    auto it = std::prev(_cache->_lru->end());
    _index.emplace(bytes_view(it->key), it);
    if (dirty) ++_dirty;
  }
  _cache->_size_bytes += charge;
  return _cache->maybe_evict();
}

result<void> named_cache::evict(cache_lru::iterator it) {
  if (!it->dirty) {
    detach(it);
    return core::success();
  }
  // Take the entry out first: the write-back may run listeners that touch this cache.
  bytes key = it->key;
  std::optional<bytes> value = std::move(it->value);
  const core::timestamp ts = it->ts;
  const std::size_t charge = it->charge;
  detach(it);
  std::optional<bytes_view> value_view;
  if (value) value_view = bytes_view(*value);
  auto written = _write_back(key, value_view, ts);
  if (!written && _index.find(bytes_view(key)) == _index.end()) {
    // Keep the write for a later flush rather than lose it; over budget until then.
    _cache->_lru->push_back(cache_entry{this, std::move(key), std::move(value), ts, true, charge});
    auto back = std::prev(_cache->_lru->end());
    _index.emplace(bytes_view(back->key), back);
    ++_dirty;
    _cache->_size_bytes += charge;
  }
  return written;
}

result<void> named_cache::flush() {
  if (_dirty == 0) return core::success();
  std::vector<bytes> keys;
  keys.reserve(_dirty);
  for (const auto& [key, it] : _index) {
    if (it->dirty) keys.emplace_back(key.begin(), key.end());
  }
  ++_cache->_stats.flushes;
  for (const auto& key : keys) {
    auto found = _index.find(bytes_view(key));
    if (found == _index.end() || !found->second->dirty) continue;
    auto it = found->second;
    it->dirty = false;
    --_dirty;
    // Copy: the write-back may change or evict this entry.
    std::optional<bytes> value = it->value;
    std::optional<bytes_view> value_view;
    if (value) value_view = bytes_view(*value);
    auto written = _write_back(key, value_view, it->ts);
    if (!written) {
      auto again = _index.find(bytes_view(key));
      if (again != _index.end() && !again->second->dirty) {
        again->second->dirty = true;
        ++_dirty;
      }
      return written;
    }
  }
  return core::success();
}

void named_cache::clear() {
  for (auto& [key, it] : _index) {
    _cache->_size_bytes -= it->charge;
    _cache->_lru->erase(it);
  }
  _index.clear();
  ++_erase_generation;
  _dirty = 0;
}

std::unique_ptr<overlay_source> named_cache::scan(scan_bounds bounds, iteration_order order) const {
  using cursor = map_cursor<index_map, project_entry>;
  return std::make_unique<cursor_overlay<cursor>>(
      cursor(_index, _erase_generation, project_entry{}, std::move(bounds), order));
}

}  // namespace detail
}  // namespace sluice::state
