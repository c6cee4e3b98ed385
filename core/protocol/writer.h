#pragma once
/// `writer`: appends Kafka wire primitives to a `core::bytes` owned by the caller.
///
/// The mirror of `reader`. Writing cannot fail except through broken invariants (a string
/// longer than 32767 bytes, a byte field longer than INT32_MAX), which `SLUICE_ASSERT`.
/// Size prefixes are written by reserving an int32 and back-filling it:
///
///     const size_t at = w.reserve_int32();
///     ... write the body ...
///     w.fill_int32(at, static_cast<int32_t>(w.size() - at - 4));   // or w.fill_size_since(at)
///
/// Tagged-field sections are written empty (a single 0x00) unless a field has a value (see
/// detail::write_tag): librdkafka 2.0.2 misreads non-empty ones.
///
/// Thread safety: one thread at a time; the target buffer must not be touched by others
/// while the writer appends to it.

#include "core/protocol/error_code.h"
#include "core/big_endian.h"
#include "core/protocol/types.h"
#include "core/bytes.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace sluice::protocol {

/// Bytes of an open file that the network layer sends itself (sendfile), never read into
/// memory: `size` bytes at `position` of descriptor `fd`. Whoever produced it keeps the
/// descriptor open until the response has been written.
struct file_bytes {
  int fd = -1;
  uint64_t position = 0;
  uint64_t size = 0;
  bool operator==(const file_bytes&) const = default;
};

/// Bytes a writer left out of its buffer for the network layer to send in their place (a
/// gather write): `data` — or, when `file.fd >= 0`, the file range `file` — goes out right
/// before buffer byte `position`.
struct splice {
  size_t position = 0;
  bytes_view data;
  file_bytes file;
  uint64_t size() const noexcept { return file.fd >= 0 ? file.size : data.size(); }
};

class writer {
 public:
  /// Appends to `out`; `out` must outlive the writer.
  explicit writer(core::bytes& out) noexcept : _out(&out) {}

  /// Total size of the target buffer (including what was in it before).
  size_t size() const noexcept { return _out->size(); }
  core::bytes& buffer() noexcept { return *_out; }

  /// From now on, every non-zero error code written (write_error_code) is also appended to
  /// `out`: the per-API error metrics count what a response says, whatever its shape.
  void collect_errors(std::vector<error_code>& out) noexcept { _errors = &out; }
  void note_error(error_code e) {
    if (_errors != nullptr && e != error_code::none) _errors->push_back(e);
  }

  void write_int8(int8_t v) { core::append_be(*_out, v); }
  void write_int16(int16_t v) { core::append_be(*_out, v); }
  void write_int32(int32_t v) { core::append_be(*_out, v); }
  void write_int64(int64_t v) { core::append_be(*_out, v); }
  void write_uint16(uint16_t v) { core::append_be(*_out, v); }
  void write_uint32(uint32_t v) { core::append_be(*_out, v); }
  void write_bool(bool v) { write_int8(v ? 1 : 0); }
  void write_uuid(const uuid& id);

  /// Unsigned LEB128 (KIP-482). No zigzag.
  void write_uvarint(uint32_t v);
  /// Zigzag signed varint / varlong (record format).
  void write_varint(int32_t v);
  void write_varlong(int64_t v);

  /// REQUIRES: s.size() <= 32767 for every string function.
  void write_string(std::string_view s);
  void write_nullable_string(std::optional<std::string_view> s);
  void write_compact_string(std::string_view s);
  void write_compact_nullable_string(std::optional<std::string_view> s);

  /// From now on, a `write_bytes` of at least `min_size` bytes writes only its length prefix
  /// and records the bytes in `out` instead of copying them (zero-copy Fetch responses). The
  /// viewed bytes must outlive the send. REQUIRES: no size prefix is back-filled across such
  /// a field (`size()` counts only the buffer).
  void splice_large_bytes(std::vector<splice>& out, size_t min_size) noexcept {
    _splices = &out;
    _splice_min = min_size;
  }

  /// REQUIRES: b.size() <= INT32_MAX for every bytes function.
  void write_bytes(bytes_view b);
  void write_nullable_bytes(std::optional<bytes_view> b);
  void write_compact_bytes(bytes_view b);
  void write_compact_nullable_bytes(std::optional<bytes_view> b);

  /// A byte field whose content is `f`: writes the length prefix and records a file splice.
  /// REQUIRES: `splice_large_bytes` was called; f.size <= INT32_MAX.
  void write_file_bytes(const file_bytes& f);
  /// The same for a compact byte field (uvarint length + 1).
  void write_compact_file_bytes(const file_bytes& f);

  /// Appends bytes without a length.
  void write_raw(bytes_view b);

  /// Classic array count (int32); -1 writes null.
  void write_array_length(int32_t count) { write_int32(count); }
  /// Compact array count (uvarint count + 1); -1 writes null (0).
  void write_compact_array_length(int32_t count);

  /// An empty tagged-field section: one 0x00 byte.
  void write_empty_tagged_fields() { write_uvarint(0); }

  /// Appends 4 zero bytes and returns their position for `fill_int32`.
  size_t reserve_int32();
  /// Overwrites the int32 at `position` (from `reserve_int32`).
  void fill_int32(size_t position, int32_t v) noexcept;
  /// Fills the int32 at `position` with the number of bytes written after it.
  void fill_size_since(size_t position) noexcept;

 private:

  core::bytes* _out;
  std::vector<splice>* _splices = nullptr;
  std::vector<error_code>* _errors = nullptr;
  size_t _splice_min = 0;
};

/// Views of optional owned values, for the nullable write functions above (no copy).
inline std::optional<std::string_view> view_of(const std::optional<std::string>& s) noexcept {
  return s ? std::optional<std::string_view>(*s) : std::nullopt;
}
inline std::optional<bytes_view> view_of(const std::optional<core::bytes>& b) noexcept {
  return b ? std::optional<bytes_view>(*b) : std::nullopt;
}

}  // namespace sluice::protocol
