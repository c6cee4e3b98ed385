#pragma once
/// `segmented_storage`: the part window and session stores share (module-private) — an engine
/// whose data keyspaces are time segments, observed stream time, retention, and the
/// flush/close/batch life cycle that persists stream time and drops expired segments.
///
/// Segment `i` holds times in [i·interval, (i+1)·interval) and is the keyspace
/// `<prefix><20-digit zero-padded start ms>` (e.g. `window.00000001700000000000`): a column
/// family in RocksDB. A time t is live iff t ≥ observed − retention + 1; a segment is dropped
/// once all of it is older than that. Inside a pending batch drops are deferred to the commit,
/// so an aborted batch never loses data that the rolled-back stream time still considers live.
///
/// Single-threaded: owned by one store.

#include "core/error.h"
#include "core/types.h"
#include "state/detail/engine.h"
#include "state/detail/store_meta.h"

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::state::detail {

class segmented_storage {
 public:
  segmented_storage(std::unique_ptr<backend> backend, std::string_view prefix, store_kind kind,
                    std::int64_t retention_ms, std::int64_t interval_ms);

  /// Checks the format and segment interval, loads segments and stream time.
  result<void> open();

  engine& storage() noexcept { return _engine; }
  const engine& storage() const noexcept { return _engine; }

  std::optional<std::int64_t> observed() const noexcept { return _observed; }
  void observe(std::int64_t t) noexcept {
    if (!_observed || t > *_observed) _observed = t;
  }
  /// The smallest live time (INT64_MIN before any write).
  std::int64_t live_from() const noexcept {
    return _observed ? *_observed - _retention + 1 : std::numeric_limits<std::int64_t>::min();
  }
  bool expired(std::int64_t t) const noexcept { return t < live_from(); }

  /// The segment for time t ≥ 0, created if missing.
  result<keyspace_ptr> segment_for(std::int64_t t);
  /// The segment for time t ≥ 0, or nullptr.
  keyspace_ptr find_segment(std::int64_t t) const;
  /// Segments that may hold times in [from, to] (0 ≤ from), oldest first.
  std::vector<keyspace_ptr> covering(std::int64_t from, std::int64_t to) const;
  std::size_t segment_count() const noexcept { return _segments.size(); }

  /// Drops fully expired segments; a no-op inside a pending batch (done at commit).
  result<void> drop_expired();

  result<void> flush();
  result<void> close();
  result<void> begin();
  /// Commits the pending batch with the position and stream time, then drops expired segments.
  result<void> commit(core::offset changelog_position);
  result<void> abort();

  /// Restores records (already validated and assigned to segments by the caller through
  /// `batch`) plus position and stream time, then drops expired segments.
  result<void> write_restore(engine_batch&& batch, core::offset next_position);

 private:
  std::int64_t segment_id(std::int64_t t) const noexcept { return t / _interval; }
  std::string segment_name(std::int64_t id) const;
  result<void> persist_observed();
  std::vector<meta_write> time_meta() const;

  engine _engine;
  std::string _prefix;
  store_kind _kind;
  std::int64_t _retention;
  std::int64_t _interval;
  std::map<std::int64_t, keyspace_ptr> _segments;
  std::optional<std::int64_t> _observed;
  std::optional<std::int64_t> _committed_observed;
};

}  // namespace sluice::state::detail
