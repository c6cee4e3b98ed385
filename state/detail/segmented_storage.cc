#include "state/detail/segmented_storage.h"

#include "core/big_endian.h"
#include "state/errc.h"

#include <charconv>
#include <cstdio>

namespace sluice::state::detail {

segmented_storage::segmented_storage(std::unique_ptr<backend> backend, std::string_view prefix,
                                     store_kind kind, std::int64_t retention_ms,
                                     std::int64_t interval_ms)
    : _engine(std::move(backend)),
      _prefix(prefix),
      _kind(kind),
      _retention(retention_ms),
      _interval(interval_ms) {}

namespace {

std::string segment_name_for(std::string_view prefix, std::int64_t start) {
  char digits[32];
  std::snprintf(digits, sizeof digits, "%020lld", static_cast<long long>(start));
  return std::string(prefix) + digits;
}

}  // namespace

std::string segmented_storage::segment_name(std::int64_t id) const {
  return segment_name_for(_prefix, id * _interval);
}

result<void> segmented_storage::open() {
  const meta_write stamp[] = {{meta_segment_interval, core::to_be_bytes<std::int64_t>(_interval)}};
  SLUICE_TRY(check_format(_engine, _kind, stamp));
  SLUICE_TRY(auto interval, read_i64_meta(_engine, meta_segment_interval));
  if (!interval || *interval != _interval) return errc::incompatible_store;
  for (auto& ks : _engine.keyspaces()) {
    const std::string_view name = ks->name();
    if (!name.starts_with(_prefix)) return errc::incompatible_store;
    const auto digits = name.substr(_prefix.size());
    std::int64_t start = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), start);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.size() != 20 ||
        start < 0 || start % _interval != 0) {
      return errc::incompatible_store;
    }
    _segments.emplace(segment_id(start), ks);
  }
  SLUICE_TRY(auto stored_time, read_i64_meta(_engine, meta_stream_time));
  _observed = stored_time;
  // Writes after the last persisted stream time may have reached a newer segment; its start is
  // a safe lower bound of the stream time that created it.
  if (!_segments.empty()) observe(_segments.rbegin()->first * _interval);
  return drop_expired();
}

result<keyspace_ptr> segmented_storage::segment_for(std::int64_t t) {
  const auto id = segment_id(t);
  if (auto it = _segments.find(id); it != _segments.end()) return it->second;
  SLUICE_TRY(auto ks, _engine.open_keyspace(segment_name(id)));
  _segments.emplace(id, ks);
  return ks;
}

keyspace_ptr segmented_storage::find_segment(std::int64_t t) const {
  if (auto it = _segments.find(segment_id(t)); it != _segments.end()) return it->second;
  return nullptr;
}

std::vector<keyspace_ptr> segmented_storage::covering(std::int64_t from, std::int64_t to) const {
  std::vector<keyspace_ptr> out;
  if (from > to) return out;
  const auto first = _segments.lower_bound(segment_id(from));
  const auto last = _segments.upper_bound(segment_id(to));
  for (auto it = first; it != last; ++it) out.push_back(it->second);
  return out;
}

result<void> segmented_storage::drop_expired() {
  if (_engine.pending() || !_engine.is_open()) return core::success();
  const auto low = live_from();
  if (low <= 0) return core::success();
  const auto min_live = segment_id(low);
  if (_segments.empty() || _segments.begin()->first >= min_live) return core::success();
  // Persist the stream time that justifies the drop first, so a restart never considers the
  // surviving segments' old entries live again.
  SLUICE_TRY(persist_observed());
  while (!_segments.empty() && _segments.begin()->first < min_live) {
    SLUICE_TRY(_engine.drop_keyspace(_segments.begin()->second));
    _segments.erase(_segments.begin());
  }
  return core::success();
}

std::vector<meta_write> segmented_storage::time_meta() const {
  std::vector<meta_write> meta;
  if (_observed) meta.push_back({meta_stream_time, core::to_be_bytes<std::int64_t>(*_observed)});
  return meta;
}

result<void> segmented_storage::persist_observed() {
  if (!_observed) return core::success();
  auto batch = _engine.new_batch();
  batch.put_meta(meta_stream_time, core::to_be_bytes<std::int64_t>(*_observed));
  return _engine.write(std::move(batch));
}

result<void> segmented_storage::flush() {
  if (!_engine.is_open()) return errc::store_closed;
  if (!_engine.pending()) {
    SLUICE_TRY(persist_observed());
  }
  return _engine.flush();
}

result<void> segmented_storage::close() {
  if (!_engine.is_open()) return core::success();
  if (_engine.pending()) {
    SLUICE_TRY(abort());
  }
  auto persisted = persist_observed();
  _segments.clear();
  auto closed = _engine.close();
  if (!persisted) return persisted;
  return closed;
}

result<void> segmented_storage::begin() {
  SLUICE_TRY(_engine.begin());
  _committed_observed = _observed;
  return core::success();
}

result<void> segmented_storage::commit(core::offset changelog_position) {
  auto meta = time_meta();
  meta.push_back({meta_position, core::to_be_bytes<std::int64_t>(changelog_position.value())});
  SLUICE_TRY(_engine.commit(meta));
  return drop_expired();
}

result<void> segmented_storage::abort() {
  SLUICE_TRY(_engine.abort());
  _observed = _committed_observed;
  return core::success();
}

result<void> segmented_storage::write_restore(engine_batch&& batch, core::offset next_position) {
  if (_observed) batch.put_meta(meta_stream_time, core::to_be_bytes<std::int64_t>(*_observed));
  batch.put_meta(meta_position, core::to_be_bytes<std::int64_t>(next_position.value()));
  SLUICE_TRY(_engine.write(std::move(batch)));
  return drop_expired();
}

}  // namespace sluice::state::detail
