#pragma once
/// `caching_window_store`: a write-back cache in front of a window store, backed by the
/// thread's shared `record_cache` — the window counterpart of caching_key_value_store.h (same
/// flush, eviction, batch and close rules).
///
/// Cached entries are keyed by (record key, window start). Reads merge the cache with the
/// store below in the store's order (record key, then window start). The cache tracks stream
/// time itself — writes advance it before they reach the store below — and hides and drops
/// windows that are expired by it, exactly as the store below would.
///
/// Not for stores that retain duplicates (stream-stream joins): every duplicate must reach the
/// store, so there is nothing to fold; the constructor throws std::invalid_argument.
///
/// Entries keep the `ts` of their write and are written below with it.
/// Ownership: owns the wrapped store; `cache` must outlive it. Single-threaded.

#include "state/record_cache.h"
#include "state/wrapped_store.h"

#include <functional>
#include <memory>
#include <optional>

namespace sluice::state {

namespace detail {
class named_cache;
}  // namespace detail

class caching_window_store final : public wrapped_window_store {
 public:
  /// Called for each flushed or evicted window. `old_value` only if old values were requested.
  using flush_listener = std::function<void(
      bytes_view key, core::timestamp window_start, std::optional<bytes_view> new_value,
      std::optional<bytes_view> old_value, core::timestamp ts)>;

  caching_window_store(std::unique_ptr<window_store> inner, record_cache& cache);
  ~caching_window_store() override;

  void set_flush_listener(flush_listener listener, bool send_old_values);
  std::size_t dirty_entries() const noexcept;

  result<void> flush() override;
  result<void> close() override;
  result<void> begin_batch() override;
  result<void> commit_batch(core::offset changelog_position) override;
  result<void> abort_batch() override;
  result<void> restore_batch(std::span<const changelog_record> records,
                             core::offset next_position) override;

  result<window_put_result> put(bytes_view key, bytes_view value, core::timestamp window_start,
                                core::timestamp ts) override;
  result<void> remove(bytes_view key, core::timestamp window_start, core::timestamp ts) override;
  using window_store::fetch;  // the range overloads
  result<std::optional<bytes>> fetch(bytes_view key, core::timestamp window_start) override;
  std::optional<core::timestamp> observed_stream_time() const noexcept override;
  std::uint64_t dropped_records() const noexcept override {
    return _dropped + _inner->dropped_records();
  }

 protected:
  result<window_iterator> do_fetch(bytes_view key, core::timestamp from, core::timestamp to,
                                   iteration_order order) override;
  result<window_iterator> do_fetch_range(bytes_view key_from, bytes_view key_to,
                                         core::timestamp from, core::timestamp to,
                                         iteration_order order) override;
  result<window_iterator> do_fetch_all(core::timestamp from, core::timestamp to,
                                       iteration_order order) override;
  result<window_iterator> do_all(iteration_order order) override;

 private:
  result<void> write_back(bytes_view key, std::optional<bytes_view> value, core::timestamp ts);
  void observe(std::int64_t t) noexcept;
  std::int64_t live_from() const noexcept;
  std::int64_t effective_from(core::timestamp from) const noexcept;
  void resync_stream_time() noexcept;
  /// Cache ∪ `below` within [lower, upper) (encoded window keys), then times in [from, to].
  /// The fetches' shared path: window starts in [time_from, time_to] (time_from raised to what
  /// is still live), `below(from)` read from the store below and merged with the cache between
  /// the keys `bounds(from, to)` gives.
  template <class Below, class Bounds>
  result<window_iterator> fetch_merged(core::timestamp time_from, core::timestamp time_to,
                                       iteration_order order, Below below, Bounds bounds);
  window_iterator merged(window_iterator below, std::optional<bytes> lower,
                         std::optional<bytes> upper, std::int64_t from, std::int64_t to,
                         iteration_order order);

  flush_listener _listener;
  bool _send_old_values = false;
  std::optional<std::int64_t> _observed;
  std::uint64_t _dropped = 0;
  std::unique_ptr<detail::named_cache> _cache;
};

}  // namespace sluice::state
