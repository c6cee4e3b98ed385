#pragma once
/// `window_store`: values keyed by (record key, window start), kept for a retention period —
/// the storage behind windowed aggregations and stream-stream joins (Kafka's WindowStore).
///
/// Time. The store observes stream time as the largest window start ever written to it (kept
/// across restarts). A record is live while window_start > observed − retention; older writes
/// are dropped (and counted in `dropped_records()`), and reads never return them. Storage is
/// split into segments of `segment_interval` by window start; a segment is removed whole as
/// soon as all of it is expired (the RocksDB store drops its column family), so retention costs
/// no per-record deletes.
///
/// Duplicates. With `retain_duplicates` (stream-stream joins) every put is kept, even under the
/// same key and window start; each gets a sequence number (the last 4 bytes of the window
/// key, see changelog_format.h) and deletes are ignored, as in Kafka Streams.
///
/// Order. Iterators over several keys yield entries ordered by (record key in unsigned
/// lexicographic order, window start, sequence number) — identically for every
/// implementation — or the exact reverse. Single-key fetches are ordered by window start.
///
/// Timestamps before the epoch are rejected with `errc::invalid_argument`.
/// Ownership and threading as for every `state_store`.

#include "core/bytes.h"
#include "core/error.h"
#include "core/time.h"
#include "state/changelog_format.h"
#include "state/key_value_iterator.h"
#include "state/state_store.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace sluice::state {

struct window_store_options {
  /// How long a window is kept after stream time passes its start. REQUIRES: > 0.
  core::millis retention{std::chrono::hours{24}};
  /// Width of a storage segment. REQUIRES: > 0. A good value is retention / 2 to retention / 10
  /// (Kafka's default is max(retention / 2, 60 s)); must not change for an existing store.
  core::millis segment_interval{std::chrono::hours{12}};
  /// Keep every put separately (stream-stream joins). Deletes are ignored then.
  bool retain_duplicates = false;
};

/// Throws std::invalid_argument naming the offending option.
void validate(const window_store_options& options);

/// What a window-store put did.
struct window_put_result {
  /// False if the window was already expired and the record was dropped.
  bool stored = false;
  /// The sequence number the record was stored under (0 unless retain_duplicates).
  std::uint32_t seqnum = 0;
};

/// An owned windowed entry, as collected from a `window_iterator`.
struct windowed_entry {
  bytes key;
  core::timestamp window_start;
  bytes value;

  bool operator==(const windowed_entry&) const = default;
};

/// Iterates windowed entries. Lifetime rules as for `key_value_iterator`, which it wraps: the
/// wrapped iterator yields encoded window keys (changelog_format.h), decoded here.
class window_iterator {
 public:
  window_iterator() noexcept = default;
  explicit window_iterator(key_value_iterator encoded) noexcept : _it(std::move(encoded)) {}

  bool valid() const noexcept { return _it.valid(); }
  /// REQUIRES: valid(). The record key; borrowed until next().
  bytes_view key() const noexcept {
    return _it.key().first(_it.key().size() - window_key_suffix_size);
  }
  /// REQUIRES: valid().
  core::timestamp window_start() const noexcept;
  /// REQUIRES: valid(). Borrowed until next().
  bytes_view value() const noexcept { return _it.value(); }
  /// REQUIRES: valid(). The full window key (record key, start, sequence number).
  bytes_view encoded_key() const noexcept { return _it.key(); }
  /// REQUIRES: valid().
  void next() { _it.next(); }
  result<void> status() const { return _it.status(); }

  /// Drains the remaining entries.
  result<std::vector<windowed_entry>> collect();
  /// The wrapped iterator over encoded keys.
  key_value_iterator release() && noexcept { return std::move(_it); }

 private:
  key_value_iterator _it;
};

class window_store : public state_store {
 public:
  virtual const window_store_options& options() const noexcept = 0;

  /// Stores `value` for (key, window_start), replacing the previous value unless duplicates are
  /// retained. `ts` is the timestamp of the record that caused the write (see key_value_store). Advances observed stream time; drops the record if its window is expired.
  virtual result<window_put_result> put(bytes_view key, bytes_view value,
                                        core::timestamp window_start, core::timestamp ts) = 0;
  /// Deletes (key, window_start). Advances observed stream time. Ignored (success) when
  /// duplicates are retained.
  virtual result<void> remove(bytes_view key, core::timestamp window_start, core::timestamp ts) = 0;

  /// The value of (key, window_start), or nullopt (also if expired). With duplicates, the one
  /// with the lowest sequence number.
  virtual result<std::optional<bytes>> fetch(bytes_view key, core::timestamp window_start) = 0;

  /// Windows of `key` with time_from ≤ start ≤ time_to, by start.
  result<window_iterator> fetch(bytes_view key, core::timestamp time_from, core::timestamp time_to,
                                iteration_order order = iteration_order::forward) {
    return do_fetch(key, time_from, time_to, order);
  }
  /// Windows of keys in [key_from, key_to] (inclusive) with time_from ≤ start ≤ time_to.
  result<window_iterator> fetch(bytes_view key_from, bytes_view key_to, core::timestamp time_from,
                                core::timestamp time_to,
                                iteration_order order = iteration_order::forward) {
    return do_fetch_range(key_from, key_to, time_from, time_to, order);
  }
  /// Windows of every key with time_from ≤ start ≤ time_to.
  result<window_iterator> fetch_all(core::timestamp time_from, core::timestamp time_to,
                                    iteration_order order = iteration_order::forward) {
    return do_fetch_all(time_from, time_to, order);
  }
  /// Every live window.
  result<window_iterator> all(iteration_order order = iteration_order::forward) {
    return do_all(order);
  }

  /// The largest window start written so far, or nullopt for a store that saw no write.
  virtual std::optional<core::timestamp> observed_stream_time() const noexcept = 0;
  /// Records dropped because their window had expired, since the store was opened.
  virtual std::uint64_t dropped_records() const noexcept = 0;
  /// Number of storage segments currently held.
  virtual std::size_t segment_count() const noexcept = 0;

 protected:
  virtual result<window_iterator> do_fetch(bytes_view key, core::timestamp time_from,
                                           core::timestamp time_to, iteration_order order) = 0;
  virtual result<window_iterator> do_fetch_range(bytes_view key_from, bytes_view key_to,
                                                 core::timestamp time_from, core::timestamp time_to,
                                                 iteration_order order) = 0;
  virtual result<window_iterator> do_fetch_all(core::timestamp time_from, core::timestamp time_to,
                                               iteration_order order) = 0;
  virtual result<window_iterator> do_all(iteration_order order) = 0;
};

}  // namespace sluice::state
