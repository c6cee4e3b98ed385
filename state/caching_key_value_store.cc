#include "state/caching_key_value_store.h"

#include "core/assert.h"
#include "state/changelog_format.h"
#include "state/detail/cache_batches.h"
#include "state/detail/merge.h"
#include "state/detail/named_cache.h"
#include "state/errc.h"

namespace sluice::state {

caching_key_value_store::caching_key_value_store(std::unique_ptr<key_value_store> inner,
                                                 record_cache& cache)
    : wrapped_key_value_store(std::move(inner)) {
  _cache = std::make_unique<detail::named_cache>(
      cache, detail::key_layout::bytewise,
      [this](bytes_view key, std::optional<bytes_view> value, core::timestamp ts) {
        return write_back(key, value, ts);
      });
}

caching_key_value_store::~caching_key_value_store() = default;

void caching_key_value_store::set_flush_listener(flush_listener listener, bool send_old_values) {
  _listener = std::move(listener);
  _send_old_values = send_old_values;
}

std::size_t caching_key_value_store::dirty_entries() const noexcept {
  return _cache->dirty_count();
}

result<void> caching_key_value_store::write_back(bytes_view key, std::optional<bytes_view> value,
                                                 core::timestamp ts) {
  std::optional<bytes> old;
  result<void> written = core::success();
  if (value) {
    if (_listener && _send_old_values) {
      auto got = _inner->get(key);
      if (got) {
        old = std::move(got).value();
      } else {
        written = got.error();
      }
    }
    if (written) written = _inner->put(key, *value, ts);
  } else {
    auto removed = _inner->remove(key, ts);
    if (removed) {
      old = std::move(removed).value();
    } else {
      written = removed.error();
    }
  }
  SLUICE_TRY(written);
  // A delete of a key that never reached the store below is nobody's business downstream.
  if (_listener && (value || old)) {
    std::optional<bytes_view> old_view;
    if (old && _send_old_values) old_view = bytes_view(*old);
    _listener(key, value, old_view, ts);
  }
  return core::success();
}

result<std::optional<bytes>> caching_key_value_store::get(bytes_view key) {
  if (!is_open()) return errc::store_closed;
  if (const auto* entry = _cache->get(key)) return entry->value;
  SLUICE_TRY(auto below, _inner->get(key));
  if (below) {
    // A clean entry is never written back, so it carries no write's timestamp.
    SLUICE_TRY(_cache->put(key, bytes_view(*below), core::timestamp{}, false));
  }
  return below;
}

result<void> caching_key_value_store::put(bytes_view key, bytes_view value, core::timestamp ts) {
  if (!is_open()) return errc::store_closed;
  return _cache->put(key, value, ts, true);
}

result<std::optional<bytes>> caching_key_value_store::put_if_absent(bytes_view key,
                                                                    bytes_view value,
                                                                    core::timestamp ts) {
  SLUICE_TRY(auto existing, get(key));
  if (existing) return existing;
  SLUICE_TRY(put(key, value, ts));
  return std::optional<bytes>();
}

result<std::optional<bytes>> caching_key_value_store::remove(bytes_view key, core::timestamp ts) {
  SLUICE_TRY(auto existing, get(key));
  if (existing) {
    SLUICE_TRY(_cache->put(key, std::nullopt, ts, true));
  }
  return existing;
}

result<void> caching_key_value_store::put_all(std::span<const key_value_write> writes,
                                              core::timestamp ts) {
  if (!is_open()) return errc::store_closed;
  for (const auto& w : writes) {
    SLUICE_TRY(_cache->put(w.key, w.value, ts, true));
  }
  return core::success();
}

result<key_value_iterator> caching_key_value_store::merged(key_value_iterator below,
                                                           std::optional<bytes> lower,
                                                           std::optional<bytes> upper,
                                                           iteration_order order) {
  auto cached = _cache->scan(detail::scan_bounds{std::move(lower), std::move(upper)}, order);
  return key_value_iterator(detail::overlay_sources(std::move(cached), std::move(below).release(),
                                                    detail::key_layout::bytewise, order));
}

result<key_value_iterator> caching_key_value_store::do_range(bytes_view from, bytes_view to,
                                                             iteration_order order) {
  if (!is_open()) return errc::store_closed;
  SLUICE_TRY(auto below, _inner->range(from, to, order));
  if (compare_bytes(from, to) > 0) return below;
  bytes upper(to.begin(), to.end());
  upper.push_back(std::byte{0});
  return merged(std::move(below), bytes(from.begin(), from.end()), std::move(upper), order);
}

result<key_value_iterator> caching_key_value_store::do_prefix_scan(bytes_view prefix,
                                                                   iteration_order order) {
  if (!is_open()) return errc::store_closed;
  SLUICE_TRY(auto below, _inner->prefix_scan(prefix, order));
  std::optional<bytes> lower;
  if (!prefix.empty()) lower.emplace(prefix.begin(), prefix.end());
  return merged(std::move(below), std::move(lower), prefix_successor(prefix), order);
}

result<key_value_iterator> caching_key_value_store::do_all(iteration_order order) {
  if (!is_open()) return errc::store_closed;
  SLUICE_TRY(auto below, _inner->all(order));
  return merged(std::move(below), std::nullopt, std::nullopt, order);
}

result<void> caching_key_value_store::flush() { return detail::cache_flush(*_cache, *_inner); }

result<void> caching_key_value_store::close() { return detail::cache_close(*_cache, *_inner); }

result<void> caching_key_value_store::begin_batch() { return detail::cache_begin_batch(*_cache, *_inner); }

result<void> caching_key_value_store::commit_batch(core::offset changelog_position) {
  return detail::cache_commit_batch(*_cache, *_inner, changelog_position);
}

result<void> caching_key_value_store::abort_batch() { return detail::cache_abort_batch(*_cache, *_inner); }

result<void> caching_key_value_store::restore_batch(std::span<const changelog_record> records,
                                                    core::offset next_position) {
  return detail::cache_restore_batch(*_cache, *_inner, records, next_position);
}

}  // namespace sluice::state
