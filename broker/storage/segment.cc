#include "broker/storage/segment.h"
#include "core/big_endian.h"

#include "broker/storage/errc.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace sluice::broker::storage {

std::string segment_file_stem(int64_t base_offset) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(base_offset));
  return buf;
}

int64_t segment::newest_time_ms() const {
  return _max_timestamp >= 0 ? _max_timestamp : last_modified_ms();
}

int64_t segment::last_modified_ms() const { return mtime_ms(path_with(".log")); }

std::filesystem::path segment::path_with(const char* ext) const {
  return _dir / (segment_file_stem(_base_offset) + ext);
}

result<std::shared_ptr<segment>> segment::create(const std::filesystem::path& dir,
                                                 int64_t base_offset,
                                                 uint32_t index_interval_bytes) {
  std::shared_ptr<segment> s(new segment(dir, base_offset, index_interval_bytes));
  SLUICE_TRY(auto log_file, file::open(s->path_with(".log")));
  s->_log = std::move(log_file);
  SLUICE_TRY(s->_log.truncate(0));
  std::error_code ec;
  std::filesystem::remove(s->path_with(".index"), ec);
  std::filesystem::remove(s->path_with(".timeindex"), ec);
  std::filesystem::remove(s->path_with(".txnindex"), ec);
  return s;
}

result<std::shared_ptr<segment>> segment::open(const std::filesystem::path& dir,
                                               int64_t base_offset,
                                               uint32_t index_interval_bytes,
                                               bool trust_indexes) {
  std::shared_ptr<segment> s(new segment(dir, base_offset, index_interval_bytes));
  SLUICE_TRY(auto log_file, file::open(s->path_with(".log")));
  s->_log = std::move(log_file);
  SLUICE_TRY(auto size, s->_log.size());
  s->_size = size;
  s->load_txn_index();
  if (!trust_indexes) return s;  // the caller runs recover()
  auto loaded = s->load_indexes();
  if (!loaded || !s->_index.consistent(s->_size) || !s->_time_index.consistent()) {
    SLUICE_TRY(s->recover());
    return s;
  }
  // The next offset is the end of the last batch: start from the last index entry.
  uint64_t pos = s->_index.empty() ? 0 : s->_index.entries().back().position;
  std::array<std::byte, batch_header_size> hdr{};
  while (pos < s->_size) {
    SLUICE_TRY(auto n, s->_log.pread(pos, hdr));
    if (n < batch_header_size) break;
    SLUICE_TRY(auto h, parse_batch_header(hdr));
    if (pos + h.size_bytes() > s->_size) break;
    // Offsets below the segment's base or the previous batch's end, past INT64_MAX or beyond
    // the 32-bit relative range of the segment's indexes are not what a clean shutdown leaves
    // either (a segment trusted with them would report an end below its own base).
    if (h.base_offset.value() < s->_next_offset || h.last_offset_delta < 0 ||
        h.base_offset.value() > INT64_MAX - 1 - h.last_offset_delta ||
        h.last_offset().value() - base_offset > INT32_MAX) {
      break;
    }
    s->_next_offset = storage::next_offset(h);
    s->_max_timestamp = std::max(s->_max_timestamp, h.max_timestamp);
    pos += h.size_bytes();
  }
  if (pos != s->_size) {
    // The index did not lead to a clean end: the tail is not what a clean shutdown leaves.
    SLUICE_TRY(s->recover());
  } else {
    s->_max_timestamp = std::max(s->_max_timestamp, s->_time_index.max_timestamp());
  }
  return s;
}

result<void> segment::load_indexes() {
  auto idx = read_whole_file(path_with(".index"));
  auto tidx = read_whole_file(path_with(".timeindex"));
  if (!idx || !tidx) return errc::io_error;
  SLUICE_TRY(auto index, offset_index::decode(idx.value()));
  SLUICE_TRY(auto times, time_index::decode(tidx.value()));
  _index = std::move(index);
  _time_index = std::move(times);
  _index_persisted = _index.entries().size();
  _time_index_persisted = _time_index.entries().size();
  return core::success();
}

void segment::load_txn_index() {
  _aborted.clear();
  _aborted_persisted = false;
  auto data = read_whole_file(path_with(".txnindex"));
  auto decoded = data ? txn_index::decode(data.value()) : std::nullopt;
  // Missing or untrusted: the owner rebuilds the entries by replay (txn_index_known).
  _aborted_known = decoded.has_value();
  if (!decoded) return;
  _aborted = std::move(*decoded);
  _aborted_persisted = true;
}

void segment::add_aborted(const aborted_txn_entry& e) {
  if (_aborted.add(e)) _aborted_persisted = false;
}

void segment::set_aborted(std::vector<aborted_txn_entry> entries) {
  _aborted.assign(std::move(entries));
  _aborted_known = true;
  _aborted_persisted = false;
}

void segment::note_batch(const batch_header& h, uint64_t position) {
  auto rel = static_cast<uint32_t>(h.base_offset.value() - _base_offset);
  if (_index.empty() || _bytes_since_index >= _index_interval) {
    _index.append(rel, static_cast<uint32_t>(position));
    _bytes_since_index = 0;
  }
  if (h.max_timestamp > _max_timestamp) {
    if (_time_index.empty() || _bytes_since_time_index >= _index_interval) {
      _time_index.append(h.max_timestamp, rel);
      _bytes_since_time_index = 0;
    }
    _max_timestamp = h.max_timestamp;
  }
  _bytes_since_index += h.size_bytes();
  _bytes_since_time_index += h.size_bytes();
  _next_offset = storage::next_offset(h);
}

result<void> segment::append(bytes_view batch, const batch_header& h) {
  SLUICE_TRY(_log.pwrite(_size, batch));
  note_batch(h, _size);
  _size += batch.size();
  return core::success();
}

result<void> segment::append(bytes_view head, bytes_view tail, const batch_header& h) {
  SLUICE_TRY(_log.pwrite2(_size, head, tail));
  note_batch(h, _size);
  _size += head.size() + tail.size();
  return core::success();
}

result<uint64_t> segment::position_of(int64_t offset) const {
  uint64_t pos = 0;
  if (offset > _base_offset) pos = _index.floor_position(static_cast<uint32_t>(offset - _base_offset));
  // Scan headers forward to the batch whose last offset >= offset.
  std::array<std::byte, batch_header_size> hdr{};
  while (pos < _size) {
    SLUICE_TRY(auto n, _log.pread(pos, hdr));
    if (n < batch_header_size) return errc::corrupt_batch;
    SLUICE_TRY(auto h, parse_batch_header(hdr));
    if (h.last_offset().value() >= offset) return pos;
    pos += h.size_bytes();
  }
  return pos;
}

result<segment::range> segment::locate(int64_t offset) const {
  SLUICE_TRY(auto start, position_of(offset));
  return range{start, _size > start ? _size - start : 0};
}

result<segment::located> segment::locate_for_slice(int64_t offset, uint64_t max_bytes,
                                                   int64_t max_offset) const {
  SLUICE_TRY(auto start, position_of(offset));
  located l{range{start, _size > start ? _size - start : 0}, start, _next_offset};
  if (_index.empty() || max_offset <= _base_offset) return l;
  auto within = _index.last_position_within(start + max_bytes, static_cast<uint64_t>(max_offset - _base_offset));
  if (within && *within > start) l.walk_from = *within;
  return l;
}

result<segment::batch_range> segment::slice_batches(const located& l, uint64_t max_bytes,
                                                    int64_t max_offset) const {
  const range r = l.r;
  if (r.size <= max_bytes && l.end_offset <= max_offset) return batch_range{r, l.end_offset};  // no I/O
  const uint64_t end = r.position + r.size;
  const uint64_t limit = r.position + max_bytes;
  uint64_t pos = std::clamp(l.walk_from, r.position, end);
  int64_t bound = l.end_offset;
  std::array<std::byte, batch_header_size> hdr{};
  while (pos + batch_header_size <= end) {
    SLUICE_TRY(auto n, _log.pread(pos, hdr));
    if (n < batch_header_size) return errc::corrupt_batch;
    SLUICE_TRY(auto h, parse_batch_header(hdr));
    const uint64_t size = h.size_bytes();
    if (pos + size > end) return errc::corrupt_batch;  // `r` ends at a batch boundary
    if (h.base_offset.value() >= max_offset) {
      bound = h.base_offset.value();
      break;
    }
    if (pos + size > limit && pos > r.position) {
      bound = h.base_offset.value();
      break;
    }
    // Fits — or is the first batch, which goes out whole even beyond max_bytes (KIP-74).
    pos += size;
    bound = storage::next_offset(h);
    if (pos > limit) break;
  }
  return batch_range{range{r.position, pos - r.position}, bound};
}

result<void> segment::read_batches(range r, uint64_t max_bytes, int64_t max_offset,
                                   bytes& out) const {
  // One pread of up to max_bytes, then the batch boundaries are walked in memory (no pread per
  // header) and the tail that is not a whole batch, or starts at/after max_offset, is cut off.
  const size_t old = out.size();
  uint64_t want = std::min(r.size, std::max<uint64_t>(max_bytes, batch_header_size));
  out.resize(old + want);
  SLUICE_TRY(auto got, _log.pread(r.position, std::span<std::byte>(out.data() + old, want)));
  out.resize(old + got);
  uint64_t keep = 0;
  while (keep + batch_header_size <= got) {
    auto h = parse_batch_header(bytes_view(out).subspan(old + keep));
    if (!h) return errc::corrupt_batch;
    if (h.value().base_offset.value() >= max_offset) break;
    uint64_t size = h.value().size_bytes();
    if (keep + size > got) {
      // KIP-74: a first batch larger than max_bytes still goes out whole.
      if (keep == 0 && size <= r.size) {
        out.resize(old + size);
        SLUICE_TRY(auto more, _log.pread(r.position + got,
                                         std::span<std::byte>(out.data() + old + got, size - got)));
        if (more != size - got) return errc::io_error;
        return core::success();
      }
      break;
    }
    keep += size;
  }
  out.resize(old + keep);
  return core::success();
}

result<void> segment::read(range r, bytes& out) const {
  size_t old = out.size();
  out.resize(old + r.size);
  SLUICE_TRY(auto n, _log.pread(r.position, std::span<std::byte>(out.data() + old, r.size)));
  if (n != r.size) {
    out.resize(old + n);
    return errc::io_error;
  }
  return core::success();
}

result<void> segment::scan(
    int64_t offset, const std::function<result<void>(bytes_view, const batch_header&)>& fn) const {
  constexpr uint64_t chunk = 1u << 20;
  SLUICE_TRY(uint64_t pos, position_of(offset));
  const uint64_t size = _size;
  bytes buf;
  while (pos < size) {
    buf.clear();
    SLUICE_TRY(read(range{pos, std::min<uint64_t>(chunk, size - pos)}, buf));
    size_t off = 0;
    while (off + batch_header_size <= buf.size()) {
      SLUICE_TRY(auto h, parse_batch_header(bytes_view(buf).subspan(off)));
      if (off + h.size_bytes() > buf.size()) break;
      SLUICE_TRY(fn(bytes_view(buf).subspan(off, h.size_bytes()), h));
      off += h.size_bytes();
    }
    if (off == 0) {
      // One batch larger than the chunk: read exactly it.
      if (buf.size() < batch_header_size) return errc::corrupt_batch;
      SLUICE_TRY(auto h, parse_batch_header(buf));
      if (pos + h.size_bytes() > size) return errc::corrupt_batch;
      buf.clear();
      SLUICE_TRY(read(range{pos, h.size_bytes()}, buf));
      SLUICE_TRY(fn(bytes_view(buf), h));
      off = h.size_bytes();
    }
    pos += off;
  }
  return core::success();
}

result<timestamp_offset> segment::find_record_by_timestamp(int64_t ts, int64_t min_offset) const {
  if (_max_timestamp < ts) return timestamp_offset{};
  // Start from the last time-index entry whose timestamp < ts (everything before it is older).
  int64_t start_offset = std::max(_base_offset, min_offset);
  if (auto older = _time_index.before(ts)) start_offset = std::max(start_offset, _base_offset + *older);
  SLUICE_TRY(auto pos, position_of(start_offset));
  std::array<std::byte, batch_header_size> hdr{};
  while (pos < _size) {
    SLUICE_TRY(auto n, _log.pread(pos, hdr));
    if (n < batch_header_size) break;
    SLUICE_TRY(auto h, parse_batch_header(hdr));
    // A length past the end of the file is corruption, not an allocation to make.
    if (pos + h.size_bytes() > _size) return errc::corrupt_batch;
    if (h.max_timestamp >= ts && h.last_offset().value() >= min_offset) {
      bytes batch;
      SLUICE_TRY(read(range{pos, h.size_bytes()}, batch));
      SLUICE_TRY(auto found, first_record_at_or_after(batch, ts, min_offset));
      if (found.offset.value() >= 0) return found;
    }
    pos += h.size_bytes();
  }
  return timestamp_offset{};
}

result<void> segment::write_indexes() {
  std::lock_guard lock(_index_write_mutex);
  if (_removed) return core::success();
  const bool txn_due = _aborted_known && !_aborted_persisted;
  if (_index_persisted == _index.entries().size() && _time_index_persisted == _time_index.entries().size() &&
      !txn_due && std::filesystem::exists(path_with(".index"))) {
    return core::success();
  }
  SLUICE_TRY(write_file_atomically(path_with(".index"), _index.encode()));
  SLUICE_TRY(write_file_atomically(path_with(".timeindex"), _time_index.encode()));
  if (txn_due) {
    SLUICE_TRY(write_file_atomically(path_with(".txnindex"), _aborted.encode()));
    _aborted_persisted = true;
  }
  _index_persisted = _index.entries().size();
  _time_index_persisted = _time_index.entries().size();
  return core::success();
}

result<void> segment::flush() {
  // Only the data: the indexes are caches, written out when the segment rolls and at clean
  // shutdown, and rebuilt by recovery otherwise. Keeping them off this path makes an fsync per
  // batch one syscall, and lets concurrent flushes of a partition share the same fdatasync.
  return _log.sync();
}

result<uint64_t> segment::recover() {
  _index.clear();
  _time_index.clear();
  _max_timestamp = -1;
  _next_offset = _base_offset;
  _bytes_since_index = 0;
  _bytes_since_time_index = 0;
  SLUICE_TRY(auto file_size, _log.size());
  uint64_t pos = 0;
  bytes buf;
  std::array<std::byte, batch_header_size> hdr{};
  while (pos + batch_header_size <= file_size) {
    SLUICE_TRY(auto n, _log.pread(pos, hdr));
    if (n < batch_header_size) break;
    auto h = parse_batch_header(hdr);
    if (!h) break;
    if (h.value().base_offset.value() < _next_offset) break;
    // Offsets that go backwards within the batch, or past INT64_MAX, are corrupt as well; so
    // are offsets this segment's 32-bit relative indexes cannot hold (appends roll first).
    if (h.value().last_offset_delta < 0 || h.value().base_offset.value() > INT64_MAX - 1 - h.value().last_offset_delta) break;
    if (h.value().last_offset().value() - _base_offset > INT32_MAX) break;
    if (pos + h.value().size_bytes() > file_size) break;
    buf.resize(h.value().size_bytes());
    SLUICE_TRY(auto got, _log.pread(pos, buf));
    if (got != buf.size() || !protocol::validate_batch(buf)) break;
    note_batch(h.value(), pos);
    pos += h.value().size_bytes();
  }
  uint64_t truncated = file_size - pos;
  if (truncated > 0) {
    SLUICE_TRY(_log.truncate(pos));
    SLUICE_TRY(_log.sync());
  }
  // Markers of a torn tail are gone; the owner rebuilds the rest by replay (txn_index_known).
  _aborted.drop_from(_next_offset);
  _aborted_known = false;
  _aborted_persisted = false;
  _size = pos;
  SLUICE_TRY(write_indexes());
  return truncated;
}

result<void> segment::truncate_to(int64_t offset) {
  if (offset >= _next_offset) return core::success();
  SLUICE_TRY(auto pos, position_of(offset));
  SLUICE_TRY(_log.truncate(pos));
  SLUICE_TRY(recover());
  return core::success();
}

bool segment::index_full(int64_t max_index_bytes) const noexcept {
  const auto max = static_cast<uint64_t>(std::max<int64_t>(max_index_bytes, 0));
  return _index.entries().size() >= max / offset_index::entry_size ||
         _time_index.entries().size() >= max / time_index::entry_size;
}

result<int64_t> segment::first_batch_timestamp() const {
  if (_size < batch_header_size) return int64_t{-1};
  std::array<std::byte, batch_header_size> hdr{};
  SLUICE_TRY(auto n, _log.pread(0, hdr));
  if (n < batch_header_size) return errc::corrupt_batch;
  SLUICE_TRY(auto h, parse_batch_header(hdr));
  return h.max_timestamp;
}

result<std::vector<std::filesystem::path>> segment::rename_to_deleted() {
  // As remove_files(): a flush still holding this segment must not write index files again.
  std::lock_guard lock(_index_write_mutex);
  _removed = true;
  std::vector<std::filesystem::path> renamed;
  for (const char* ext : {".log", ".index", ".timeindex", ".txnindex"}) {
    const auto from = path_with(ext);
    auto to = from;
    to += ".deleted";
    std::error_code ec;
    std::filesystem::rename(from, to, ec);
    if (ec == std::errc::no_such_file_or_directory && std::string_view(ext) != ".log") continue;
    if (ec) return ec;
    renamed.push_back(std::move(to));
  }
  return renamed;
}

result<void> segment::remove_files() {
  // After this, write_indexes() is a no-op: a flush still holding this segment must not
  // recreate index files that may by now belong to a segment with the same base offset (the
  // log cleaner's replacement).
  std::lock_guard lock(_index_write_mutex);
  _removed = true;
  std::error_code ec;
  std::filesystem::remove(path_with(".log"), ec);
  if (ec) return ec;
  std::filesystem::remove(path_with(".index"), ec);
  std::filesystem::remove(path_with(".timeindex"), ec);
  std::filesystem::remove(path_with(".txnindex"), ec);
  return core::success();
}

}  // namespace sluice::broker::storage
