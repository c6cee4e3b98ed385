#pragma once
/// `segmented_store<Interface, Options>`: what the window and session stores share on top of
/// their `segmented_storage` (module-private) — name, options, the `state_store` life cycle
/// (flush, close, batches, committed position), observed stream time, dropped-record count,
/// and the restoration loop that writes each live changelog record into the segment of its time.
/// The concrete store adds its key layout, reads and writes.
///
/// Single-threaded: owned by one task.

#include "core/error.h"
#include "core/time.h"
#include "core/types.h"
#include "state/detail/engine.h"
#include "state/detail/segmented_storage.h"
#include "state/detail/store_meta.h"
#include "state/errc.h"
#include "state/state_store.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sluice::state::detail {

template <class Interface, class Options>
class segmented_store : public Interface {
 public:
  const std::string& name() const noexcept override { return _name; }
  bool persistent() const noexcept override { return engine().persistent(); }
  bool is_open() const noexcept override { return engine().is_open(); }
  const Options& options() const noexcept override { return _options; }

  std::optional<core::timestamp> observed_stream_time() const noexcept override {
    if (auto t = _storage.observed()) return core::from_epoch_ms(*t);
    return std::nullopt;
  }
  std::uint64_t dropped_records() const noexcept override { return _dropped; }
  std::size_t segment_count() const noexcept override { return _storage.segment_count(); }

  result<void> flush() override { return _storage.flush(); }
  result<void> close() override { return _storage.close(); }
  result<void> begin_batch() override { return _storage.begin(); }
  result<void> commit_batch(core::offset changelog_position) override {
    return _storage.commit(changelog_position);
  }
  result<void> abort_batch() override { return _storage.abort(); }
  bool batch_active() const noexcept override { return engine().pending(); }
  result<std::optional<core::offset>> committed_offset() override {
    if (!is_open()) return errc::store_closed;
    return read_position(engine());
  }

 protected:
  segmented_store(std::string name, std::unique_ptr<backend> b, const Options& options,
                  std::string_view keyspace_prefix, store_kind kind)
      : _name(std::move(name)),
        _options(options),
        _storage(std::move(b), keyspace_prefix, kind, options.retention.count(),
                 options.segment_interval.count()) {}

  detail::engine& engine() noexcept { return _storage.storage(); }
  const detail::engine& engine() const noexcept { return _storage.storage(); }

  /// Restoration: every record whose time (`time_of(record)`, nullopt = undecodable key) is
  /// still live goes into its segment, in one batch that also records `next_position`;
  /// `on_record(record)` sees each live record after it is added and `finish(batch)` the batch
  /// before it is written. REQUIRES: open, no pending batch (else store_closed / invalid_state).
  template <class TimeOf, class OnRecord, class Finish>
  result<void> restore_records(std::span<const changelog_record> records, core::offset next_position,
                               TimeOf&& time_of, OnRecord&& on_record, Finish&& finish) {
    if (!is_open()) return errc::store_closed;
    if (engine().pending()) return errc::invalid_state;
    auto batch = engine().new_batch();
    for (const auto& r : records) {
      const std::optional<std::int64_t> t = time_of(r);
      if (!t) return errc::corruption;
      _storage.observe(*t);
      if (_storage.expired(*t)) continue;
      SLUICE_TRY(auto segment, _storage.segment_for(*t));
      if (r.value) {
        batch.put(segment, r.key, *r.value);
      } else {
        batch.remove(segment, r.key);
      }
      on_record(r);
    }
    finish(batch);
    return _storage.write_restore(std::move(batch), next_position);
  }

  std::string _name;
  Options _options;
  segmented_storage _storage;
  std::uint64_t _dropped = 0;
};

}  // namespace sluice::state::detail
