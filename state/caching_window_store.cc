#include "state/caching_window_store.h"

#include "core/assert.h"
#include "state/changelog_format.h"
#include "state/detail/cache_batches.h"
#include "state/detail/merge.h"
#include "state/detail/named_cache.h"
#include "state/detail/window_bounds.h"
#include "state/errc.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace sluice::state {

using detail::max_time;
using detail::window_lower;
using detail::window_time_of;
using detail::window_upper;

caching_window_store::caching_window_store(std::unique_ptr<window_store> inner, record_cache& cache)
    : wrapped_window_store(std::move(inner)) {
  if (_inner->options().retain_duplicates) {
    throw std::invalid_argument("caching_window_store: store '" + _inner->name() +
                                "' retains duplicates and cannot be cached");
  }
  resync_stream_time();
  _cache = std::make_unique<detail::named_cache>(
      cache, detail::key_layout::window,
      [this](bytes_view key, std::optional<bytes_view> value, core::timestamp ts) {
        return write_back(key, value, ts);
      });
}

caching_window_store::~caching_window_store() = default;

void caching_window_store::set_flush_listener(flush_listener listener, bool send_old_values) {
  _listener = std::move(listener);
  _send_old_values = send_old_values;
}

std::size_t caching_window_store::dirty_entries() const noexcept {
  return _cache->dirty_count();
}

void caching_window_store::observe(std::int64_t t) noexcept {
  if (!_observed || t > *_observed) _observed = t;
}

void caching_window_store::resync_stream_time() noexcept {
  _observed.reset();
  if (auto t = _inner->observed_stream_time()) _observed = core::to_epoch_ms(*t);
}

std::int64_t caching_window_store::live_from() const noexcept {
  if (!_observed) return std::numeric_limits<std::int64_t>::min();
  return *_observed - _inner->options().retention.count() + 1;
}

std::int64_t caching_window_store::effective_from(core::timestamp from) const noexcept {
  return std::max<std::int64_t>({core::to_epoch_ms(from), 0, live_from()});
}

std::optional<core::timestamp> caching_window_store::observed_stream_time() const noexcept {
  if (_observed) return core::from_epoch_ms(*_observed);
  return std::nullopt;
}

result<void> caching_window_store::write_back(bytes_view encoded, std::optional<bytes_view> value,
                                              core::timestamp ts) {
  const auto parts = decode_window_key(encoded);
  SLUICE_ASSERT(parts.has_value(), "malformed window key in the record cache");
  std::optional<bytes> old;
  result<void> written = core::success();
  if (!value || (_listener && _send_old_values)) {
    auto got = _inner->fetch(parts->key, parts->window_start);
    if (got) {
      old = std::move(got).value();
    } else {
      written = got.error();
    }
  }
  bool stored = true;
  if (written) {
    if (value) {
      auto put = _inner->put(parts->key, *value, parts->window_start, ts);
      if (put) {
        stored = put.value().stored;
      } else {
        written = put.error();
      }
    } else if (old) {
      written = _inner->remove(parts->key, parts->window_start, ts);
    }
  }
  SLUICE_TRY(written);
  // A window that expired while cached is dropped below: nothing to forward either.
  if (_listener && stored && (value || old)) {
    std::optional<bytes_view> old_view;
    if (old && _send_old_values) old_view = bytes_view(*old);
    _listener(parts->key, parts->window_start, value, old_view, ts);
  }
  return core::success();
}

result<window_put_result> caching_window_store::put(bytes_view key, bytes_view value,
                                                    core::timestamp window_start,
                                                    core::timestamp ts) {
  if (!is_open()) return errc::store_closed;
  const auto t = core::to_epoch_ms(window_start);
  if (t < 0) return errc::invalid_argument;
  observe(t);
  if (t < live_from()) {
    ++_dropped;
    return window_put_result{false, 0};
  }
  SLUICE_TRY(_cache->put(encode_window_key(key, window_start, 0), value, ts, true));
  return window_put_result{true, 0};
}

result<void> caching_window_store::remove(bytes_view key, core::timestamp window_start,
                                          core::timestamp ts) {
  if (!is_open()) return errc::store_closed;
  const auto t = core::to_epoch_ms(window_start);
  if (t < 0) return errc::invalid_argument;
  observe(t);
  if (t < live_from()) return core::success();
  return _cache->put(encode_window_key(key, window_start, 0), std::nullopt, ts, true);
}

result<std::optional<bytes>> caching_window_store::fetch(bytes_view key,
                                                         core::timestamp window_start) {
  if (!is_open()) return errc::store_closed;
  const auto t = core::to_epoch_ms(window_start);
  if (t < 0 || t < live_from()) return std::optional<bytes>();
  if (const auto* entry = _cache->get(encode_window_key(key, window_start, 0))) {
    return entry->value;
  }
  return _inner->fetch(key, window_start);
}

window_iterator caching_window_store::merged(window_iterator below, std::optional<bytes> lower,
                                             std::optional<bytes> upper, std::int64_t from,
                                             std::int64_t to, iteration_order order) {
  auto cached = _cache->scan(detail::scan_bounds{std::move(lower), std::move(upper)}, order);
  auto both = detail::overlay_sources(std::move(cached), std::move(below).release().release(),
                                      detail::key_layout::window, order);
  auto in_time = detail::filter_source(std::move(both), [from, to](bytes_view k) {
    const auto t = window_time_of(k);
    return t >= from && t <= to;
  });
  return window_iterator(key_value_iterator(std::move(in_time)));
}

template <class Below, class Bounds>
result<window_iterator> caching_window_store::fetch_merged(core::timestamp time_from,
                                                           core::timestamp time_to,
                                                           iteration_order order, Below below,
                                                           Bounds bounds) {
  if (!is_open()) return errc::store_closed;
  const auto from = effective_from(time_from);
  const auto to = core::to_epoch_ms(time_to);
  if (from > to) return window_iterator();
  SLUICE_TRY(auto from_below, below(core::from_epoch_ms(from)));
  auto [lower, upper] = bounds(from, to);
  return merged(std::move(from_below), std::move(lower), std::move(upper), from, to, order);
}

using key_bounds = std::pair<std::optional<bytes>, std::optional<bytes>>;

result<window_iterator> caching_window_store::do_fetch(bytes_view key, core::timestamp time_from,
                                                       core::timestamp time_to,
                                                       iteration_order order) {
  return fetch_merged(
      time_from, time_to, order,
      [&](core::timestamp from) { return _inner->fetch(key, from, time_to, order); },
      [&](int64_t from, int64_t to) {
        return key_bounds{window_lower(key, from), window_upper(key, to)};
      });
}

result<window_iterator> caching_window_store::do_fetch_range(bytes_view key_from, bytes_view key_to,
                                                             core::timestamp time_from,
                                                             core::timestamp time_to,
                                                             iteration_order order) {
  if (compare_bytes(key_from, key_to) > 0) {
    if (!is_open()) return errc::store_closed;
    return window_iterator();
  }
  return fetch_merged(
      time_from, time_to, order,
      [&](core::timestamp from) { return _inner->fetch(key_from, key_to, from, time_to, order); },
      [&](int64_t, int64_t) {
        return key_bounds{window_lower(key_from, 0), window_upper(key_to, max_time)};
      });
}

result<window_iterator> caching_window_store::do_fetch_all(core::timestamp time_from,
                                                           core::timestamp time_to,
                                                           iteration_order order) {
  return fetch_merged(
      time_from, time_to, order,
      [&](core::timestamp from) { return _inner->fetch_all(from, time_to, order); },
      [](int64_t, int64_t) { return key_bounds{}; });
}

result<window_iterator> caching_window_store::do_all(iteration_order order) {
  if (!is_open()) return errc::store_closed;
  SLUICE_TRY(auto below, _inner->all(order));
  return merged(std::move(below), std::nullopt, std::nullopt,
                effective_from(core::from_epoch_ms(0)), max_time, order);
}

result<void> caching_window_store::flush() { return detail::cache_flush(*_cache, *_inner); }

result<void> caching_window_store::close() { return detail::cache_close(*_cache, *_inner); }

result<void> caching_window_store::begin_batch() { return detail::cache_begin_batch(*_cache, *_inner); }

result<void> caching_window_store::commit_batch(core::offset changelog_position) {
  return detail::cache_commit_batch(*_cache, *_inner, changelog_position);
}

result<void> caching_window_store::abort_batch() {
  SLUICE_TRY(detail::cache_abort_batch(*_cache, *_inner));
  resync_stream_time();
  return core::success();
}

result<void> caching_window_store::restore_batch(std::span<const changelog_record> records,
                                                 core::offset next_position) {
  SLUICE_TRY(detail::cache_restore_batch(*_cache, *_inner, records, next_position));
  if (auto t = _inner->observed_stream_time()) observe(core::to_epoch_ms(*t));
  return core::success();
}

}  // namespace sluice::state
