#include "dsl/windows.h"

#include <stdexcept>

namespace sluice::dsl {
namespace {
void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}
std::string ms(millis d) {
  return std::to_string(d.count()) + "ms";
}
}  // namespace

time_windows time_windows::of(millis size) {
  require(size.count() > 0, "time_windows::of: the window size must be positive");
  return {size, size, millis{0}};
}

time_windows time_windows::advance_by(millis step) const {
  require(step.count() > 0 && step <= _size, "time_windows::advance_by: need 0 < step <= size");
  return {_size, step, _grace};
}

time_windows time_windows::grace(millis g) const {
  require(g.count() >= 0, "time_windows::grace: the grace period must not be negative");
  return {_size, _advance, g};
}

std::vector<window> time_windows::windows_for(timestamp t) const {
  std::vector<window> out;
  windows_for(t, out);
  return out;
}

void time_windows::windows_for(timestamp t, std::vector<window>& out) const {
  out.clear();
  const int64_t ts = core::to_epoch_ms(t);
  const int64_t size = _size.count();
  const int64_t step = _advance.count();
  // The latest window containing ts starts at the last multiple of `step` at or before ts;
  // earlier ones every `step` before it, while they still contain ts and start at or after 0.
  const int64_t latest = ts >= 0 ? ts - ts % step : ts - ((ts % step) + step) % step;
  int64_t first = latest;
  while (first - step > ts - size && first - step >= 0) first -= step;
  for (int64_t start = first; start <= latest; start += step) {
    if (start < 0) continue;
    out.push_back(window{core::from_epoch_ms(start), core::from_epoch_ms(start + size)});
  }
}

std::string time_windows::describe() const {
  std::string s = _advance == _size ? "tumbling(" + ms(_size)
                                    : "hopping(" + ms(_size) + " every " + ms(_advance);
  return s + ", grace " + ms(_grace) + ")";
}

session_windows session_windows::with_inactivity_gap(millis gap) {
  require(gap.count() > 0, "session_windows::with_inactivity_gap: the gap must be positive");
  return {gap, millis{0}};
}

session_windows session_windows::grace(millis g) const {
  require(g.count() >= 0, "session_windows::grace: the grace period must not be negative");
  return {_gap, g};
}

std::string session_windows::describe() const {
  return "session(gap " + ms(_gap) + ", grace " + ms(_grace) + ")";
}

join_windows join_windows::of(millis d) {
  require(d.count() >= 0, "join_windows::of: the window must not be negative");
  return {d, d, millis{0}};
}

join_windows join_windows::before(millis d) const {
  require(d.count() >= 0, "join_windows::before: must not be negative");
  return {d, _after, _grace};
}

join_windows join_windows::after(millis d) const {
  require(d.count() >= 0, "join_windows::after: must not be negative");
  return {_before, d, _grace};
}

join_windows join_windows::grace(millis g) const {
  require(g.count() >= 0, "join_windows::grace: the grace period must not be negative");
  return {_before, _after, g};
}

std::string join_windows::describe() const {
  return "join(before " + ms(_before) + ", after " + ms(_after) + ", grace " + ms(_grace) + ")";
}


}  // namespace sluice::dsl

namespace sluice::dsl::detail {

bool open_windows(const time_windows& w, timestamp record_time, timestamp stream_time,
                  std::vector<window>& out) {
  w.windows_for(record_time, out);
  // A window is closed once stream time reaches end + grace.
  std::erase_if(out, [&](const window& win) { return win.end + w.grace_period() <= stream_time; });
  return out.empty();
}

}  // namespace sluice::dsl::detail
