// The window store over segmented storage (RocksDB or memory backend), its iterator and its
// factories.

#include "core/assert.h"
#include "state/changelog_format.h"
#include "core/big_endian.h"
#include "state/detail/memory_backend.h"
#include "state/detail/merge.h"
#include "state/detail/rocksdb_backend.h"
#include "state/detail/segmented_store.h"
#include "state/detail/window_bounds.h"
#include "state/errc.h"
#include "state/stores.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace sluice::state {

void validate(const window_store_options& options) {
  if (options.retention.count() <= 0) {
    throw std::invalid_argument("window_store_options.retention must be positive");
  }
  if (options.segment_interval.count() <= 0) {
    throw std::invalid_argument("window_store_options.segment_interval must be positive");
  }
}

core::timestamp window_iterator::window_start() const noexcept {
  const auto k = _it.key();
  return core::from_epoch_ms(
      static_cast<std::int64_t>(core::load_be<std::uint64_t>(k.data() + k.size() - window_key_suffix_size)));
}

result<std::vector<windowed_entry>> window_iterator::collect() {
  std::vector<windowed_entry> out;
  while (valid()) {
    const auto k = key();
    const auto v = value();
    out.push_back({bytes(k.begin(), k.end()), window_start(), bytes(v.begin(), v.end())});
    next();
  }
  SLUICE_TRY(status());
  return out;
}

namespace {

using detail::keyspace_ptr;
using detail::scan_bounds;

using detail::max_time;
using detail::window_time_of;
using detail::window_upper;

/// Sequence numbers are reserved (persisted) in blocks, so a restart never reuses one.
constexpr std::uint64_t seqnum_block = 4096;

/// Single-threaded; owned by one task.
class engine_window_store final
    : public detail::segmented_store<window_store, window_store_options> {
 public:
  static result<std::unique_ptr<window_store>> open(std::string name,
                                                    std::unique_ptr<detail::backend> backend,
                                                    const window_store_options& options) {
    auto store = std::unique_ptr<engine_window_store>(
        new engine_window_store(std::move(name), std::move(backend), options));
    SLUICE_TRY(store->_storage.open());
    SLUICE_TRY(store->load_seqnum());
    return std::unique_ptr<window_store>(std::move(store));
  }


  result<window_put_result> put(bytes_view key, bytes_view value, core::timestamp window_start,
                                core::timestamp) override {
    if (!is_open()) return errc::store_closed;
    const auto t = core::to_epoch_ms(window_start);
    if (t < 0) return errc::invalid_argument;
    _storage.observe(t);
    if (_storage.expired(t)) {
      ++_dropped;
      SLUICE_TRY(_storage.drop_expired());
      return window_put_result{false, 0};
    }
    SLUICE_TRY(auto segment, _storage.segment_for(t));
    std::uint32_t seqnum = 0;
    if (_options.retain_duplicates) {
      auto batch = engine().new_batch();
      if (_seq_counter >= _seq_reserved) {
        _seq_reserved = _seq_counter + seqnum_block;
        batch.put_meta(detail::meta_seqnum_reserved,
                       core::to_be_bytes<std::int64_t>(static_cast<std::int64_t>(_seq_reserved)));
      }
      seqnum = static_cast<std::uint32_t>(_seq_counter++);
      batch.put(segment, encode_window_key(key, window_start, seqnum), value);
      SLUICE_TRY(engine().write(std::move(batch)));
    } else {
      SLUICE_TRY(engine().put(segment, encode_window_key(key, window_start, 0), value));
    }
    SLUICE_TRY(_storage.drop_expired());
    return window_put_result{true, seqnum};
  }

  result<void> remove(bytes_view key, core::timestamp window_start, core::timestamp) override {
    if (!is_open()) return errc::store_closed;
    const auto t = core::to_epoch_ms(window_start);
    if (t < 0) return errc::invalid_argument;
    if (_options.retain_duplicates) return core::success();
    _storage.observe(t);
    if (!_storage.expired(t)) {
      if (auto segment = _storage.find_segment(t)) {
        SLUICE_TRY(engine().remove(segment, encode_window_key(key, window_start, 0)));
      }
    }
    return _storage.drop_expired();
  }

  using window_store::fetch;  // the range overloads
  result<std::optional<bytes>> fetch(bytes_view key, core::timestamp window_start) override {
    if (!is_open()) return errc::store_closed;
    const auto t = core::to_epoch_ms(window_start);
    if (t < 0 || _storage.expired(t)) return std::optional<bytes>();
    auto segment = _storage.find_segment(t);
    if (!segment) return std::optional<bytes>();
    if (!_options.retain_duplicates) {
      return engine().get(segment, encode_window_key(key, window_start, 0));
    }
    SLUICE_TRY(auto it, engine().scan(segment,
                                      scan_bounds{encode_window_key(key, window_start, 0),
                                                  window_upper(key, t)},
                                      iteration_order::forward));
    if (!it.valid()) {
      SLUICE_TRY(it.status());
      return std::optional<bytes>();
    }
    return std::optional<bytes>(std::in_place, it.value().begin(), it.value().end());
  }

  result<void> abort_batch() override {
    SLUICE_TRY(_storage.abort());
    return load_seqnum_reservation();
  }

  result<void> restore_batch(std::span<const changelog_record> records,
                             core::offset next_position) override {
    const auto reserved_before = _seq_reserved;
    return restore_records(
        records, next_position,
        [](const changelog_record& r) -> std::optional<std::int64_t> {
          const auto parts = decode_window_key(r.key);
          if (!parts) return std::nullopt;
          return core::to_epoch_ms(parts->window_start);
        },
        [this](const changelog_record& r) {
          if (!_options.retain_duplicates) return;
          const auto parts = decode_window_key(r.key);
          _seq_counter = std::max<std::uint64_t>(_seq_counter, std::uint64_t{parts->seqnum} + 1);
        },
        [&](detail::engine_batch& batch) {
          if (_options.retain_duplicates && _seq_counter >= _seq_reserved) {
            _seq_reserved = _seq_counter + seqnum_block;
          }
          if (_seq_reserved != reserved_before) {
            batch.put_meta(detail::meta_seqnum_reserved,
                           core::to_be_bytes<std::int64_t>(static_cast<std::int64_t>(_seq_reserved)));
          }
        });
  }

 protected:
  result<window_iterator> do_fetch(bytes_view key, core::timestamp time_from,
                                   core::timestamp time_to, iteration_order order) override {
    if (!is_open()) return errc::store_closed;
    const auto from = effective_from(time_from);
    const auto to = core::to_epoch_ms(time_to);
    if (from > to) return window_iterator();
    std::vector<std::unique_ptr<iterator_source>> parts;
    for (auto& segment : _storage.covering(from, to)) {
      SLUICE_TRY(auto source, engine().scan_source(
                                  segment,
                                  scan_bounds{encode_window_key(key, core::from_epoch_ms(from), 0),
                                              window_upper(key, to)},
                                  order));
      parts.push_back(std::move(source));
    }
    return window_iterator(key_value_iterator(
        detail::merge_sources(std::move(parts), detail::key_layout::window, order)));
  }

  result<window_iterator> do_fetch_range(bytes_view key_from, bytes_view key_to,
                                         core::timestamp time_from, core::timestamp time_to,
                                         iteration_order order) override {
    if (!is_open()) return errc::store_closed;
    if (compare_bytes(key_from, key_to) > 0) return window_iterator();
    return scan_windows(scan_bounds{encode_window_key(key_from, core::from_epoch_ms(0), 0),
                                    window_upper(key_to, max_time)},
                        effective_from(time_from), core::to_epoch_ms(time_to), order);
  }

  result<window_iterator> do_fetch_all(core::timestamp time_from, core::timestamp time_to,
                                       iteration_order order) override {
    if (!is_open()) return errc::store_closed;
    return scan_windows(scan_bounds{}, effective_from(time_from), core::to_epoch_ms(time_to),
                        order);
  }

  result<window_iterator> do_all(iteration_order order) override {
    if (!is_open()) return errc::store_closed;
    return scan_windows(scan_bounds{}, effective_from(core::from_epoch_ms(0)), max_time, order);
  }

 private:
  engine_window_store(std::string name, std::unique_ptr<detail::backend> backend,
                      const window_store_options& options)
      : segmented_store(std::move(name), std::move(backend), options, detail::window_keyspace_prefix,
                        detail::store_kind::window) {}

  result<void> load_seqnum_reservation() {
    SLUICE_TRY(auto reserved, detail::read_i64_meta(engine(), detail::meta_seqnum_reserved));
    _seq_reserved = reserved ? static_cast<std::uint64_t>(*reserved) : 0;
    return core::success();
  }

  result<void> load_seqnum() {
    SLUICE_TRY(load_seqnum_reservation());
    // Every number below the reservation may be in use; start after it.
    _seq_counter = _seq_reserved;
    return core::success();
  }

  std::int64_t effective_from(core::timestamp time_from) const noexcept {
    return std::max<std::int64_t>({core::to_epoch_ms(time_from), 0, _storage.live_from()});
  }

  /// Windows within `bounds` (window keys) with from ≤ start ≤ to, across segments.
  result<window_iterator> scan_windows(scan_bounds bounds, std::int64_t from, std::int64_t to,
                                       iteration_order order) {
    if (from > to) return window_iterator();
    std::vector<std::unique_ptr<iterator_source>> parts;
    for (auto& segment : _storage.covering(from, to)) {
      SLUICE_TRY(auto source, engine().scan_source(segment, bounds, order));
      parts.push_back(std::move(source));
    }
    auto merged = detail::merge_sources(std::move(parts), detail::key_layout::window, order);
    auto filtered = detail::filter_source(std::move(merged), [from, to](bytes_view k) {
      const auto t = window_time_of(k);
      return t >= from && t <= to;
    });
    return window_iterator(key_value_iterator(std::move(filtered)));
  }

  std::uint64_t _seq_counter = 0;
  std::uint64_t _seq_reserved = 0;
};

}  // namespace

result<std::unique_ptr<window_store>> open_rocksdb_window_store(
    std::string name, const std::filesystem::path& task_dir, const window_store_options& window,
    rocksdb_resources& resources, const rocksdb_store_options& options) {
  detail::validate_store_name(name);
  validate(window);
  SLUICE_TRY(auto backend, detail::open_rocksdb_backend(rocksdb_store_directory(task_dir, name),
                                                        resources, options));
  return engine_window_store::open(std::move(name), std::move(backend), window);
}

std::unique_ptr<window_store> make_in_memory_window_store(std::string name,
                                                          const window_store_options& window) {
  detail::validate_store_name(name);
  validate(window);
  auto store = engine_window_store::open(std::move(name), detail::make_memory_backend(), window);
  SLUICE_ASSERT(store.has_value(), "opening an in-memory store cannot fail");
  return std::move(store).value();
}

}  // namespace sluice::state
