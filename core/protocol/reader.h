#pragma once
/// `reader`: decodes Kafka wire primitives from a borrowed byte buffer.
///
/// Failure is sticky: the first read that runs past the end, meets a negative length where
/// none is allowed, or a malformed varint sets `ok() == false`; every later read returns a
/// zero/empty value and consumes nothing. A decoder can therefore read a whole message
/// linearly and check `ok()` once at the end (or before a loop whose trip count came from the
/// wire, which the length checks below keep bounded anyway).
///
/// Every length or element count is checked against `remaining()` before anything is
/// allocated, so a hostile length prefix cannot make the broker reserve gigabytes.
///
/// Lifetimes: the `*_view` functions return views into the buffer given at construction; they
/// are valid as long as that buffer is alive and unmodified. The other functions copy.
///
/// Thread safety: a reader is a cursor; one thread at a time.

#include "core/protocol/types.h"
#include "core/bytes.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::protocol {

class reader {
 public:
  explicit reader(bytes_view buffer) noexcept : _buffer(buffer) {}

  /// False once any read has failed. Never becomes true again.
  bool ok() const noexcept { return _ok; }
  /// Marks the reader failed (a decoder found a semantically invalid value).
  void fail() noexcept { _ok = false; _pos = _buffer.size(); }
  /// Bytes not yet consumed (0 after a failure).
  size_t remaining() const noexcept { return _buffer.size() - _pos; }
  /// Bytes consumed so far.
  size_t position() const noexcept { return _pos; }

  // Fixed width, big-endian.
  int8_t read_int8() noexcept;
  int16_t read_int16() noexcept;
  int32_t read_int32() noexcept;
  int64_t read_int64() noexcept;
  uint16_t read_uint16() noexcept;
  uint32_t read_uint32() noexcept;
  /// Any non-zero byte is true, as the Java reader does.
  bool read_bool() noexcept;
  uuid read_uuid() noexcept;

  /// Unsigned LEB128 of at most 5 bytes (KIP-482 lengths and tags). No zigzag.
  uint32_t read_uvarint() noexcept;
  /// Zigzag-encoded signed 32-bit varint, as in the record format.
  int32_t read_varint() noexcept;
  /// Zigzag-encoded signed 64-bit varint, as in the record format.
  int64_t read_varlong() noexcept;

  /// int16 length + bytes. A null (-1) fails: the field is not nullable.
  std::string read_string();
  std::string_view read_string_view() noexcept;
  /// int16 length + bytes; -1 is null.
  std::optional<std::string> read_nullable_string();
  std::optional<std::string_view> read_nullable_string_view() noexcept;
  /// uvarint (length + 1) + bytes. 0 (null) fails.
  std::string read_compact_string();
  std::string_view read_compact_string_view() noexcept;
  /// uvarint (length + 1) + bytes; 0 is null.
  std::optional<std::string> read_compact_nullable_string();
  std::optional<std::string_view> read_compact_nullable_string_view() noexcept;

  /// int32 length + bytes. A null (-1) fails.
  core::bytes read_bytes();
  bytes_view read_bytes_view() noexcept;
  /// int32 length + bytes; -1 is null.
  std::optional<core::bytes> read_nullable_bytes();
  std::optional<bytes_view> read_nullable_bytes_view() noexcept;
  /// uvarint (length + 1) + bytes. 0 (null) fails.
  core::bytes read_compact_bytes();
  bytes_view read_compact_bytes_view() noexcept;
  /// uvarint (length + 1) + bytes; 0 is null.
  std::optional<core::bytes> read_compact_nullable_bytes();
  std::optional<bytes_view> read_compact_nullable_bytes_view() noexcept;

  /// Exactly `n` bytes, borrowed.
  bytes_view read_raw(size_t n) noexcept;
  void skip(size_t n) noexcept { (void)read_raw(n); }

  /// Classic array: int32 count; -1 is null and returned as -1. Fails if the count is below -1
  /// or if `count * min_element_size` exceeds `remaining()` — so a caller may reserve `count`
  /// elements safely.
  int32_t read_array_length(size_t min_element_size = 1) noexcept;
  /// Compact array: uvarint (count + 1); 0 is null and returned as -1. Same bound as above.
  int32_t read_compact_array_length(size_t min_element_size = 1) noexcept;

  /// Reads a tagged-field section (uvarint count, then tag, size, data per field) and skips
  /// every field: none of the versions Sluice implements defines a tag it needs to read.
  void skip_tagged_fields() noexcept;

 private:
  /// Borrows `n` bytes, or fails.
  const std::byte* take(size_t n) noexcept;
  /// A checked length for a string or byte field: -1 for null, fails on < -1 or > remaining.
  int64_t checked_length(int64_t length, bool nullable) noexcept;

  bytes_view _buffer;
  size_t _pos = 0;
  bool _ok = true;
};

}  // namespace sluice::protocol
