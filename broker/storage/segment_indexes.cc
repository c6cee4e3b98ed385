#include "broker/storage/segment_indexes.h"

#include "broker/storage/errc.h"
#include "core/big_endian.h"

#include <algorithm>

namespace sluice::broker::storage {

// ---- offset_index -----------------------------------------------------------------------------

result<offset_index> offset_index::decode(bytes_view data) {
  if (data.size() % entry_size != 0) return errc::corrupt_batch;
  offset_index idx;
  idx._entries.reserve(data.size() / entry_size);
  for (size_t i = 0; i < data.size(); i += entry_size) {
    const std::byte* p = data.data() + i;
    idx._entries.push_back({core::load_be<uint32_t>(p), core::load_be<uint32_t>(p + 4)});
  }
  return idx;
}

bytes offset_index::encode() const {
  bytes out(_entries.size() * entry_size);
  for (size_t i = 0; i < _entries.size(); ++i) {
    core::store_be(out.data() + i * entry_size, _entries[i].relative_offset);
    core::store_be(out.data() + i * entry_size + 4, _entries[i].position);
  }
  return out;
}

uint64_t offset_index::floor_position(uint32_t relative_offset) const noexcept {
  auto it = std::upper_bound(_entries.begin(), _entries.end(), relative_offset,
                             [](uint32_t r, const entry& e) { return r < e.relative_offset; });
  return it == _entries.begin() ? 0 : std::prev(it)->position;
}

std::optional<uint64_t> offset_index::last_position_within(uint64_t position_limit,
                                                           uint64_t relative_limit) const noexcept {
  // Both columns grow: the entries before the first one past either limit qualify.
  auto by_pos = std::upper_bound(_entries.begin(), _entries.end(), position_limit,
                                 [](uint64_t p, const entry& e) { return p < e.position; });
  auto by_offset = std::lower_bound(_entries.begin(), _entries.end(), relative_limit,
                                    [](const entry& e, uint64_t r) { return e.relative_offset < r; });
  auto it = std::min(by_pos, by_offset);
  if (it == _entries.begin()) return std::nullopt;
  return std::prev(it)->position;
}

bool offset_index::consistent(uint64_t log_size) const noexcept {
  for (size_t i = 0; i < _entries.size(); ++i) {
    if (_entries[i].position >= log_size) return false;
    if (i > 0 && (_entries[i].position <= _entries[i - 1].position ||
                  _entries[i].relative_offset <= _entries[i - 1].relative_offset)) {
      return false;
    }
  }
  return log_size == 0 || !_entries.empty();
}

// ---- time_index -------------------------------------------------------------------------------

result<time_index> time_index::decode(bytes_view data) {
  if (data.size() % entry_size != 0) return errc::corrupt_batch;
  time_index idx;
  idx._entries.reserve(data.size() / entry_size);
  for (size_t i = 0; i < data.size(); i += entry_size) {
    const std::byte* p = data.data() + i;
    idx._entries.push_back({core::load_be<int64_t>(p), core::load_be<uint32_t>(p + 8)});
  }
  return idx;
}

bytes time_index::encode() const {
  bytes out(_entries.size() * entry_size);
  for (size_t i = 0; i < _entries.size(); ++i) {
    core::store_be(out.data() + i * entry_size, _entries[i].timestamp);
    core::store_be(out.data() + i * entry_size + 8, _entries[i].relative_offset);
  }
  return out;
}

std::optional<uint32_t> time_index::before(int64_t ts) const noexcept {
  auto it = std::lower_bound(_entries.begin(), _entries.end(), ts,
                             [](const entry& e, int64_t t) { return e.timestamp < t; });
  if (it == _entries.begin()) return std::nullopt;
  return std::prev(it)->relative_offset;
}

bool time_index::consistent() const noexcept {
  for (size_t i = 1; i < _entries.size(); ++i) {
    if (_entries[i].timestamp < _entries[i - 1].timestamp) return false;
  }
  return true;
}

// ---- txn_index --------------------------------------------------------------------------------

std::optional<txn_index> txn_index::decode(bytes_view data) {
  // A torn tail (a crash while the file was replaced cannot leave one, damage can) means the
  // owner must rebuild the index by replay.
  if (data.size() % entry_size != 0) return std::nullopt;
  txn_index idx;
  for (size_t i = 0; i < data.size(); i += entry_size) {
    const std::byte* p = data.data() + i;
    if (core::load_be<int16_t>(p) != 0) return std::nullopt;  // unknown version: rebuild instead
    idx._entries.push_back({core::load_be<int64_t>(p + 2), core::load_be<int64_t>(p + 10),
                            core::load_be<int64_t>(p + 18), core::load_be<int64_t>(p + 26)});
  }
  return idx;
}

bytes txn_index::encode() const {
  bytes out(_entries.size() * entry_size);
  for (size_t i = 0; i < _entries.size(); ++i) {
    std::byte* p = out.data() + i * entry_size;
    core::store_be<int16_t>(p, 0);
    core::store_be(p + 2, _entries[i].producer_id);
    core::store_be(p + 10, _entries[i].first_offset);
    core::store_be(p + 18, _entries[i].last_offset);
    core::store_be(p + 26, _entries[i].last_stable_offset);
  }
  return out;
}

bool txn_index::add(const aborted_txn_entry& e) {
  for (const auto& x : _entries) {
    if (x.last_offset == e.last_offset) return false;
  }
  _entries.push_back(e);
  std::sort(_entries.begin(), _entries.end(),
            [](const auto& a, const auto& b) { return a.last_offset < b.last_offset; });
  return true;
}

void txn_index::drop_from(int64_t end_offset) {
  std::erase_if(_entries, [end_offset](const aborted_txn_entry& e) { return e.last_offset >= end_offset; });
}

}  // namespace sluice::broker::storage
