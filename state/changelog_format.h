#pragma once
/// How each store kind encodes its keys: in its changelog topic, in `restore_batch()` input and
/// inside its RocksDB segments (the same bytes everywhere, so restoring is a plain copy).
///
/// Key-value store: changelog key = the key, value = the value, a delete = a null value
/// (tombstone). No framing.
///
/// Window store key (Kafka Streams' window key layout):
///
/// | offset | size | field                                                           |
/// |--------|------|-----------------------------------------------------------------|
/// | 0      | n    | record key, as the key serde wrote it (n ≥ 0)                    |
/// | n      | 8    | window start, ms since the epoch, int64 big-endian, ≥ 0          |
/// | n + 8  | 4    | sequence number, uint32 big-endian; 0 unless retain_duplicates   |
///
/// Session store key (Kafka Streams' session key layout):
///
/// | offset | size | field                                                           |
/// |--------|------|-----------------------------------------------------------------|
/// | 0      | n    | record key (n ≥ 0)                                               |
/// | n      | 8    | session end, ms since the epoch, int64 big-endian, ≥ start       |
/// | n + 8  | 8    | session start, ms since the epoch, int64 big-endian, ≥ 0         |
///
/// Ordering: windowed keys are compared as (record key in unsigned lexicographic order, then the
/// fixed-width suffix bytewise), so all entries of one record key are adjacent and sorted by
/// time. Plain bytewise order would interleave keys that are prefixes of one another ("a" and
/// "ab"); the comparators below avoid that, and RocksDB segments use the same comparators.
///
/// Thread safety: pure functions.

#include "core/bytes.h"
#include "core/time.h"

#include <cstddef>
#include <cstdint>
#include <optional>

namespace sluice::state {

inline constexpr std::size_t window_key_suffix_size = 12;
inline constexpr std::size_t session_key_suffix_size = 16;

/// Unsigned lexicographic comparison (shorter prefix first): -1, 0 or 1.
int compare_bytes(bytes_view a, bytes_view b) noexcept;
/// Orders window keys by (record key, window start, sequence number).
int compare_window_keys(bytes_view a, bytes_view b) noexcept;
/// Orders session keys by (record key, session end, session start).
int compare_session_keys(bytes_view a, bytes_view b) noexcept;

/// The parts of a window key; `key` borrows the encoded buffer.
struct window_key_parts {
  bytes_view key;
  core::timestamp window_start;
  std::uint32_t seqnum = 0;
};

/// REQUIRES: window_start ≥ epoch.
bytes encode_window_key(bytes_view key, core::timestamp window_start, std::uint32_t seqnum);
/// nullopt if `encoded` is shorter than the suffix or has a negative time.
std::optional<window_key_parts> decode_window_key(bytes_view encoded) noexcept;

/// The parts of a session key; `key` borrows the encoded buffer.
struct session_key_parts {
  bytes_view key;
  core::timestamp start;
  core::timestamp end;
};

/// REQUIRES: epoch ≤ start ≤ end.
bytes encode_session_key(bytes_view key, core::timestamp start, core::timestamp end);
/// nullopt if `encoded` is too short, has a negative time or start > end.
std::optional<session_key_parts> decode_session_key(bytes_view encoded) noexcept;

/// The smallest key greater than every key that starts with `prefix` (bytewise order), or
/// nullopt if there is none (the prefix is empty or all 0xff).
std::optional<bytes> prefix_successor(bytes_view prefix);

}  // namespace sluice::state
