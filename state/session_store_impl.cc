// The session store over segmented storage (RocksDB or memory backend), its iterator and its
// factories.

#include "core/assert.h"
#include "state/changelog_format.h"
#include "core/big_endian.h"
#include "state/detail/memory_backend.h"
#include "state/detail/merge.h"
#include "state/detail/rocksdb_backend.h"
#include "state/detail/segmented_store.h"
#include "state/errc.h"
#include "state/stores.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace sluice::state {

void validate(const session_store_options& options) {
  if (options.retention.count() <= 0) {
    throw std::invalid_argument("session_store_options.retention must be positive");
  }
  if (options.segment_interval.count() <= 0) {
    throw std::invalid_argument("session_store_options.segment_interval must be positive");
  }
}

session_window session_iterator::window() const noexcept {
  const auto k = _it.key();
  const auto* suffix = k.data() + k.size() - session_key_suffix_size;
  return {core::from_epoch_ms(static_cast<std::int64_t>(core::load_be<std::uint64_t>(suffix + 8))),
          core::from_epoch_ms(static_cast<std::int64_t>(core::load_be<std::uint64_t>(suffix)))};
}

result<std::vector<session_entry>> session_iterator::collect() {
  std::vector<session_entry> out;
  while (valid()) {
    const auto k = key();
    const auto v = value();
    out.push_back({bytes(k.begin(), k.end()), window(), bytes(v.begin(), v.end())});
    next();
  }
  SLUICE_TRY(status());
  return out;
}

namespace {

using detail::scan_bounds;

constexpr std::int64_t max_time = std::numeric_limits<std::int64_t>::max();

bool well_formed(session_window w) noexcept {
  const auto s = core::to_epoch_ms(w.start);
  return s >= 0 && s <= core::to_epoch_ms(w.end);
}

/// The smallest session key ordered after every session of `key`.
bytes sessions_upper(bytes_view key) {
  bytes next_key(key.begin(), key.end());
  next_key.push_back(std::byte{0});
  return encode_session_key(next_key, core::from_epoch_ms(0), core::from_epoch_ms(0));
}

/// Single-threaded; owned by one task.
class engine_session_store final
    : public detail::segmented_store<session_store, session_store_options> {
 public:
  static result<std::unique_ptr<session_store>> open(std::string name,
                                                     std::unique_ptr<detail::backend> backend,
                                                     const session_store_options& options) {
    auto store = std::unique_ptr<engine_session_store>(
        new engine_session_store(std::move(name), std::move(backend), options));
    SLUICE_TRY(store->_storage.open());
    return std::unique_ptr<session_store>(std::move(store));
  }


  result<bool> put(bytes_view key, session_window window, bytes_view value, core::timestamp) override {
    if (!is_open()) return errc::store_closed;
    if (!well_formed(window)) return errc::invalid_argument;
    const auto end = core::to_epoch_ms(window.end);
    _storage.observe(end);
    if (_storage.expired(end)) {
      ++_dropped;
      SLUICE_TRY(_storage.drop_expired());
      return false;
    }
    SLUICE_TRY(auto segment, _storage.segment_for(end));
    SLUICE_TRY(engine().put(segment, encode_session_key(key, window.start, window.end), value));
    SLUICE_TRY(_storage.drop_expired());
    return true;
  }

  result<void> remove(bytes_view key, session_window window, core::timestamp) override {
    if (!is_open()) return errc::store_closed;
    if (!well_formed(window)) return errc::invalid_argument;
    const auto end = core::to_epoch_ms(window.end);
    _storage.observe(end);
    if (!_storage.expired(end)) {
      if (auto segment = _storage.find_segment(end)) {
        SLUICE_TRY(engine().remove(segment, encode_session_key(key, window.start, window.end)));
      }
    }
    return _storage.drop_expired();
  }

  result<std::optional<bytes>> fetch_session(bytes_view key, session_window window) override {
    if (!is_open()) return errc::store_closed;
    if (!well_formed(window)) return errc::invalid_argument;
    const auto end = core::to_epoch_ms(window.end);
    if (_storage.expired(end)) return std::optional<bytes>();
    auto segment = _storage.find_segment(end);
    if (!segment) return std::optional<bytes>();
    return engine().get(segment, encode_session_key(key, window.start, window.end));
  }


  result<void> restore_batch(std::span<const changelog_record> records,
                             core::offset next_position) override {
    return restore_records(
        records, next_position,
        [](const changelog_record& r) -> std::optional<std::int64_t> {
          const auto parts = decode_session_key(r.key);
          if (!parts) return std::nullopt;
          return core::to_epoch_ms(parts->end);
        },
        [](const changelog_record&) {}, [](detail::engine_batch&) {});
  }

 protected:
  result<session_iterator> do_find_sessions(bytes_view key_from, bytes_view key_to,
                                            core::timestamp earliest_session_end,
                                            core::timestamp latest_session_start,
                                            iteration_order order) override {
    if (!is_open()) return errc::store_closed;
    if (compare_bytes(key_from, key_to) > 0) return session_iterator();
    const auto earliest_end =
        std::max<std::int64_t>({core::to_epoch_ms(earliest_session_end), 0, _storage.live_from()});
    const auto latest_start = core::to_epoch_ms(latest_session_start);
    if (latest_start < 0) return session_iterator();
    // Sessions are segmented by end; any session ending at or after earliest_end qualifies
    // by end, so every segment from there on is searched.
    const scan_bounds bounds{
        encode_session_key(key_from, core::from_epoch_ms(0), core::from_epoch_ms(earliest_end)),
        sessions_upper(key_to)};
    std::vector<std::unique_ptr<iterator_source>> parts;
    for (auto& segment : _storage.covering(earliest_end, max_time)) {
      SLUICE_TRY(auto source, engine().scan_source(segment, bounds, order));
      parts.push_back(std::move(source));
    }
    auto merged = detail::merge_sources(std::move(parts), detail::key_layout::session, order);
    auto filtered =
        detail::filter_source(std::move(merged), [earliest_end, latest_start](bytes_view k) {
          const auto* suffix = k.data() + k.size() - session_key_suffix_size;
          const auto end = static_cast<std::int64_t>(core::load_be<std::uint64_t>(suffix));
          const auto start = static_cast<std::int64_t>(core::load_be<std::uint64_t>(suffix + 8));
          return end >= earliest_end && start <= latest_start;
        });
    return session_iterator(key_value_iterator(std::move(filtered)));
  }

 private:
  engine_session_store(std::string name, std::unique_ptr<detail::backend> backend,
                       const session_store_options& options)
      : segmented_store(std::move(name), std::move(backend), options, detail::session_keyspace_prefix,
                        detail::store_kind::session) {}
};

}  // namespace

result<std::unique_ptr<session_store>> open_rocksdb_session_store(
    std::string name, const std::filesystem::path& task_dir, const session_store_options& session,
    rocksdb_resources& resources, const rocksdb_store_options& options) {
  detail::validate_store_name(name);
  validate(session);
  SLUICE_TRY(auto backend, detail::open_rocksdb_backend(rocksdb_store_directory(task_dir, name),
                                                        resources, options));
  return engine_session_store::open(std::move(name), std::move(backend), session);
}

std::unique_ptr<session_store> make_in_memory_session_store(std::string name,
                                                            const session_store_options& session) {
  detail::validate_store_name(name);
  validate(session);
  auto store = engine_session_store::open(std::move(name), detail::make_memory_backend(), session);
  SLUICE_ASSERT(store.has_value(), "opening an in-memory store cannot fail");
  return std::move(store).value();
}

}  // namespace sluice::state
