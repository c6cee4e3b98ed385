#pragma once
/// Windows: `time_windows` (tumbling and hopping) for windowed aggregations, `join_windows` for
/// stream-stream joins, and `windowed<K>`, the key of a windowed result.
///
/// Times are milliseconds. A time window is half-open, [start, end): a record at exactly `end`
/// belongs to the next window. A window *closes* when stream time reaches end + grace; records
/// for closed windows are dropped and counted, records that are out of order but within grace
/// still update their windows. Windows never start before the epoch.
///
/// Thread safety: immutable values.

#include "core/bytes.h"
#include "core/big_endian.h"
#include "core/error.h"
#include "core/serde.h"
#include "core/time.h"

#include <compare>
#include <concepts>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice::dsl {

using core::millis;

/// A time window [start, end).
struct window {
  timestamp start{};
  timestamp end{};

  auto operator<=>(const window&) const = default;
};

/// A key together with the window of a windowed aggregation.
template <class K>
struct windowed {
  K key{};
  window win{};

  bool operator==(const windowed&) const = default;
};

/// Fixed-size windows: tumbling with `of(size)`, hopping with `of(size).advance_by(step)`.
class time_windows {
 public:
  /// Tumbling windows of `size`, no grace. Throws std::invalid_argument unless size > 0.
  static time_windows of(millis size);
  /// Hopping windows that start every `step`. Throws std::invalid_argument unless
  /// 0 < step <= size.
  time_windows advance_by(millis step) const;
  /// How long after a window's end out-of-order records are still accepted. Throws
  /// std::invalid_argument if negative.
  time_windows grace(millis g) const;

  millis size() const noexcept { return _size; }
  millis advance() const noexcept { return _advance; }
  millis grace_period() const noexcept { return _grace; }
  /// The windows a record at `t` falls into, oldest first.
  std::vector<window> windows_for(timestamp t) const;
  /// The same, into `out` (cleared first).
  void windows_for(timestamp t, std::vector<window>& out) const;
  /// "tumbling(60000ms, grace 0ms)" or "hopping(60000ms every 10000ms, grace 0ms)"; part of
  /// generated names, so it only changes when the windows do.
  std::string describe() const;

 private:
  time_windows(millis size, millis advance, millis grace)
      : _size(size), _advance(advance), _grace(grace) {}
  millis _size;
  millis _advance;
  millis _grace;
};

/// The window of a stream-stream join: a record at t joins records of the other stream whose
/// timestamps lie in [t - before, t + after] (both ends included). `of(d)` sets both to d.
class join_windows {
 public:
  /// Symmetric window of `d`, no grace. Throws std::invalid_argument if d is negative.
  static join_windows of(millis d);
  /// How far into the past of a left record right records join. Throws if negative.
  join_windows before(millis d) const;
  /// How far into the future of a left record right records join. Throws if negative.
  join_windows after(millis d) const;
  /// How long out-of-order records are still accepted after their window. Throws if negative.
  join_windows grace(millis g) const;

  millis before_ms() const noexcept { return _before; }
  millis after_ms() const noexcept { return _after; }
  millis grace_period() const noexcept { return _grace; }
  std::string describe() const;

 private:
  join_windows(millis before, millis after, millis grace)
      : _before(before), _after(after), _grace(grace) {}
  millis _before;
  millis _after;
  millis _grace;
};

/// Session windows: a key's records belong to one session as long as each follows the previous
/// within the inactivity gap; a session is [first record, last record], both ends included
/// (`windowed<K>::win.end` is the last record's time). A record that bridges two sessions merges
/// them. A record more than grace older than stream time is late (dropped and counted), so a
/// session is final once stream time passes end + gap + grace.
class session_windows {
 public:
  /// Sessions split by `gap` of inactivity, no grace. Throws std::invalid_argument unless
  /// gap > 0.
  static session_windows with_inactivity_gap(millis gap);
  /// Throws std::invalid_argument if negative.
  session_windows grace(millis g) const;

  millis gap() const noexcept { return _gap; }
  millis grace_period() const noexcept { return _grace; }
  std::string describe() const;

 private:
  session_windows(millis gap, millis grace) : _gap(gap), _grace(grace) {}
  millis _gap;
  millis _grace;
};

/// The serde of `windowed<K>` for time windows, byte-compatible with Kafka's
/// TimeWindowedSerializer: the key's bytes followed by the window start as 8 bytes big-endian.
/// The end is start + the window size given here.
template <class K>
class time_windowed_serde {
 public:
  time_windowed_serde(core::serde<K> key_serde, millis window_size)
      : _key(std::move(key_serde)), _size(window_size) {}

  result<bytes> serialize(const windowed<K>& w) const {
    SLUICE_TRY(bytes out, _key.serialize(w.key));
    append_start(out, w.win.start);
    return out;
  }
  result<windowed<K>> deserialize(bytes_view data) const {
    if (data.size() < 8)
      return core::failure(core::make_error_code(core::errc::deserialization_failed));
    SLUICE_TRY(K key, _key.deserialize(data.first(data.size() - 8)));
    const timestamp start = read_start(data.last(8));
    return windowed<K>{std::move(key), window{start, start + _size}};
  }

 private:
  static void append_start(bytes& out, timestamp start);
  static timestamp read_start(bytes_view eight);
  core::serde<K> _key;
  millis _size;
};

/// The serde of `windowed<K>` for session windows, byte-compatible with Kafka's
/// SessionWindowedSerializer: the key's bytes, then the session end and start as 8 bytes
/// big-endian each.
template <class K>
class session_windowed_serde {
 public:
  /// Wraps the key's serde (any serde of K). Constrained so that copying a
  /// session_windowed_serde never considers wrapping it into itself.
  template <class S>
  requires(!std::same_as<std::remove_cvref_t<S>, session_windowed_serde>) &&
      std::constructible_from<core::serde<K>, S> explicit session_windowed_serde(S&& key_serde)
      : _key(std::forward<S>(key_serde)) {}

  result<bytes> serialize(const windowed<K>& w) const;
  result<windowed<K>> deserialize(bytes_view data) const;

 private:
  core::serde<K> _key;
};

namespace detail {
/// Replaces `out` with the windows of `w` that a record at `record_time` updates: those still
/// open at `stream_time` (stream time < end + grace). Returns true (late) when the record falls
/// only into closed windows. `out` is reused to spare an allocation per record.
bool open_windows(const time_windows& w, timestamp record_time, timestamp stream_time,
                  std::vector<window>& out);
}  // namespace detail

template <class K>
void time_windowed_serde<K>::append_start(bytes& out, timestamp start) {
  core::append_be<int64_t>(out, core::to_epoch_ms(start));
}
template <class K>
timestamp time_windowed_serde<K>::read_start(bytes_view eight) {
  return core::from_epoch_ms(core::load_be<int64_t>((eight).data()));
}

template <class K>
result<bytes> session_windowed_serde<K>::serialize(const windowed<K>& w) const {
  SLUICE_TRY(bytes out, _key.serialize(w.key));
  core::append_be<int64_t>(out, core::to_epoch_ms(w.win.end));
  core::append_be<int64_t>(out, core::to_epoch_ms(w.win.start));
  return out;
}

template <class K>
result<windowed<K>> session_windowed_serde<K>::deserialize(bytes_view data) const {
  if (data.size() < 16)
    return core::failure(core::make_error_code(core::errc::deserialization_failed));
  SLUICE_TRY(K key, _key.deserialize(data.first(data.size() - 16)));
  const auto end = core::from_epoch_ms(core::load_be<int64_t>((data.subspan(data.size() - 16, 8).data())));
  const auto start = core::from_epoch_ms(core::load_be<int64_t>((data.last(8).data())));
  return windowed<K>{std::move(key), window{start, end}};
}

}  // namespace sluice::dsl

namespace sluice {
using dsl::join_windows;
using dsl::session_windowed_serde;
using dsl::session_windows;
using dsl::time_windowed_serde;
using dsl::time_windows;
using dsl::window;
using dsl::windowed;
}  // namespace sluice
