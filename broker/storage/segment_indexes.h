#pragma once
/// The three index files of a segment, each a class owning its entries and its byte table
/// (big-endian, core/big_endian.h). They know their format and their lookups; the segment owns
/// the files (names, reading, atomic replacement) and decides when to write.
///
/// `.index` — `offset_index`, one entry every `index_interval_bytes` of log (8 bytes):
/// | off | size | field           |
/// |-----|------|-----------------|
/// |   0 |    4 | relative offset (batch base offset − segment base offset) |
/// |   4 |    4 | file position of that batch in `.log` |
///
/// `.timeindex` — `time_index`, appended when a batch raises the segment's maximum timestamp and
/// at least `index_interval_bytes` were written since the last entry (12 bytes):
/// | off | size | field           |
/// |-----|------|-----------------|
/// |   0 |    8 | max timestamp so far (ms)               |
/// |   8 |    4 | relative offset of the batch that set it |
///
/// `.txnindex` — `txn_index` (Kafka's TransactionIndex), one entry per transaction aborted by an
/// ABORT marker stored in the segment, in marker order (34 bytes):
/// | off | size | field           |
/// |-----|------|-----------------|
/// |   0 |    2 | version = 0                                   |
/// |   2 |    8 | producer id                                   |
/// |  10 |    8 | first offset of the aborted transaction       |
/// |  18 |    8 | last offset (the ABORT marker's offset)        |
/// |  26 |    8 | last stable offset right after the marker     |
///
/// Threads: as the segment (the partition's lock).

#include "broker/storage/producer_state.h"
#include "core/bytes.h"
#include "core/error.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace sluice::broker::storage {

class offset_index {
 public:
  static constexpr size_t entry_size = 8;
  struct entry {
    uint32_t relative_offset;
    uint32_t position;
  };

  /// Parses a whole `.index` file; fails when its size is not a whole number of entries.
  static result<offset_index> decode(bytes_view data);
  bytes encode() const;

  void append(uint32_t relative_offset, uint32_t position) { _entries.push_back({relative_offset, position}); }
  void clear() noexcept { _entries.clear(); }
  bool empty() const noexcept { return _entries.empty(); }
  const std::vector<entry>& entries() const noexcept { return _entries; }
  /// Position of the last indexed batch at or before `relative_offset` (0 when none).
  uint64_t floor_position(uint32_t relative_offset) const noexcept;
  /// Position of the last entry before the first one past either limit (file position
  /// `position_limit`, relative offset `relative_limit`), or nullopt when there is none.
  std::optional<uint64_t> last_position_within(uint64_t position_limit, uint64_t relative_limit) const noexcept;
  /// Both columns strictly increase and every position lies inside a log of `log_size` bytes
  /// (and a non-empty log has at least one entry).
  bool consistent(uint64_t log_size) const noexcept;

 private:
  std::vector<entry> _entries;
};

class time_index {
 public:
  static constexpr size_t entry_size = 12;
  struct entry {
    int64_t timestamp;
    uint32_t relative_offset;
  };

  static result<time_index> decode(bytes_view data);
  bytes encode() const;

  void append(int64_t timestamp, uint32_t relative_offset) { _entries.push_back({timestamp, relative_offset}); }
  void clear() noexcept { _entries.clear(); }
  bool empty() const noexcept { return _entries.empty(); }
  const std::vector<entry>& entries() const noexcept { return _entries; }
  /// The newest timestamp indexed, or -1.
  int64_t max_timestamp() const noexcept { return _entries.empty() ? -1 : _entries.back().timestamp; }
  /// Relative offset of the last entry whose timestamp < ts (everything before it is older), or
  /// nullopt.
  std::optional<uint32_t> before(int64_t ts) const noexcept;
  /// Timestamps never decrease.
  bool consistent() const noexcept;

 private:
  std::vector<entry> _entries;
};

class txn_index {
 public:
  static constexpr size_t entry_size = 34;

  /// Parses a `.txnindex` file. nullopt when it cannot be trusted (an unknown version, or a
  /// torn tail) and must be rebuilt by replay.
  static std::optional<txn_index> decode(bytes_view data);
  bytes encode() const;

  const std::vector<aborted_txn_entry>& entries() const noexcept { return _entries; }
  /// Adds an entry unless one with the same marker offset exists; keeps marker order.
  /// Returns whether it was added.
  bool add(const aborted_txn_entry& e);
  void assign(std::vector<aborted_txn_entry> entries) noexcept { _entries = std::move(entries); }
  void clear() noexcept { _entries.clear(); }
  /// Drops the entries whose marker is at or after `end_offset` (a truncated tail).
  void drop_from(int64_t end_offset);

 private:
  std::vector<aborted_txn_entry> _entries;
};

}  // namespace sluice::broker::storage
