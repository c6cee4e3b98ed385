#pragma once
/// `session_store`: values keyed by (record key, session window [start, end]) — the storage
/// behind session-windowed aggregations (Kafka's SessionStore).
///
/// Time. Observed stream time is the largest session end written so far (kept across
/// restarts). A session is live while end > observed − retention; older writes are dropped and
/// never returned. Storage is segmented by session end; whole segments are removed on expiry.
///
/// Order. Single-key queries yield sessions ordered by (end, start); key-range queries by
/// (record key in unsigned lexicographic order, end, start); or the exact reverse.
///
/// Times before the epoch and start > end are rejected with `errc::invalid_argument`.
/// Ownership and threading as for every `state_store`.

#include "core/bytes.h"
#include "core/error.h"
#include "core/time.h"
#include "state/changelog_format.h"
#include "state/key_value_iterator.h"
#include "state/state_store.h"

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace sluice::state {

/// A session's time span, both ends inclusive.
struct session_window {
  core::timestamp start;
  core::timestamp end;

  auto operator<=>(const session_window&) const = default;
};

struct session_store_options {
  /// How long a session is kept after stream time passes its end. REQUIRES: > 0.
  core::millis retention{std::chrono::hours{24}};
  /// Width of a storage segment (by session end). REQUIRES: > 0; fixed for an existing store.
  core::millis segment_interval{std::chrono::hours{12}};
};

/// Throws std::invalid_argument naming the offending option.
void validate(const session_store_options& options);

/// An owned session entry, as collected from a `session_iterator`.
struct session_entry {
  bytes key;
  session_window window;
  bytes value;

  bool operator==(const session_entry&) const = default;
};

/// Iterates sessions. Wraps a `key_value_iterator` over encoded session keys
/// (changelog_format.h); lifetime rules as for it.
class session_iterator {
 public:
  session_iterator() noexcept = default;
  explicit session_iterator(key_value_iterator encoded) noexcept : _it(std::move(encoded)) {}

  bool valid() const noexcept { return _it.valid(); }
  /// REQUIRES: valid(). Borrowed until next().
  bytes_view key() const noexcept {
    return _it.key().first(_it.key().size() - session_key_suffix_size);
  }
  /// REQUIRES: valid().
  session_window window() const noexcept;
  /// REQUIRES: valid(). Borrowed until next().
  bytes_view value() const noexcept { return _it.value(); }
  /// REQUIRES: valid().
  bytes_view encoded_key() const noexcept { return _it.key(); }
  void next() { _it.next(); }
  result<void> status() const { return _it.status(); }

  result<std::vector<session_entry>> collect();
  key_value_iterator release() && noexcept { return std::move(_it); }

 private:
  key_value_iterator _it;
};

class session_store : public state_store {
 public:
  virtual const session_store_options& options() const noexcept = 0;

  /// Stores `value` for (key, window); `ts` is the timestamp of the record that caused the
  /// write (see key_value_store). Advances observed stream time to window.end. Returns
  /// false if the session was already expired and dropped.
  virtual result<bool> put(bytes_view key, session_window window, bytes_view value,
                           core::timestamp ts) = 0;
  /// Deletes (key, window). Advances observed stream time.
  virtual result<void> remove(bytes_view key, session_window window, core::timestamp ts) = 0;
  /// The value of exactly (key, window), or nullopt.
  virtual result<std::optional<bytes>> fetch_session(bytes_view key, session_window window) = 0;

  /// Sessions of `key` with end ≥ earliest_session_end and start ≤ latest_session_start — the
  /// sessions a record at [t − gap, t + gap] may merge with.
  result<session_iterator> find_sessions(bytes_view key, core::timestamp earliest_session_end,
                                         core::timestamp latest_session_start,
                                         iteration_order order = iteration_order::forward) {
    return do_find_sessions(key, key, earliest_session_end, latest_session_start, order);
  }
  /// As above for every key in [key_from, key_to] (inclusive).
  result<session_iterator> find_sessions(bytes_view key_from, bytes_view key_to,
                                         core::timestamp earliest_session_end,
                                         core::timestamp latest_session_start,
                                         iteration_order order = iteration_order::forward) {
    return do_find_sessions(key_from, key_to, earliest_session_end, latest_session_start, order);
  }
  /// Every live session of `key`.
  result<session_iterator> fetch(bytes_view key, iteration_order order = iteration_order::forward) {
    return do_find_sessions(key, key, core::from_epoch_ms(0), core::timestamp::max(), order);
  }
  /// Every live session of every key in [key_from, key_to].
  result<session_iterator> fetch(bytes_view key_from, bytes_view key_to,
                                 iteration_order order = iteration_order::forward) {
    return do_find_sessions(key_from, key_to, core::from_epoch_ms(0), core::timestamp::max(),
                            order);
  }

  /// The largest session end written so far, or nullopt.
  virtual std::optional<core::timestamp> observed_stream_time() const noexcept = 0;
  virtual std::uint64_t dropped_records() const noexcept = 0;
  virtual std::size_t segment_count() const noexcept = 0;

 protected:
  virtual result<session_iterator> do_find_sessions(bytes_view key_from, bytes_view key_to,
                                                    core::timestamp earliest_session_end,
                                                    core::timestamp latest_session_start,
                                                    iteration_order order) = 0;
};

}  // namespace sluice::state
