#include "core/protocol/reader.h"
#include "core/big_endian.h"

#include <cstring>

namespace sluice::protocol {
namespace {

}  // namespace

const std::byte* reader::take(size_t n) noexcept {
  if (!_ok || n > remaining()) {
    fail();
    return nullptr;
  }
  const std::byte* p = _buffer.data() + _pos;
  _pos += n;
  return p;
}

int8_t reader::read_int8() noexcept {
  const std::byte* p = take(1);
  return p ? static_cast<int8_t>(p[0]) : 0;
}

int16_t reader::read_int16() noexcept { return static_cast<int16_t>(read_uint16()); }

uint16_t reader::read_uint16() noexcept {
  const std::byte* p = take(2);
  return p ? core::load_be<uint16_t>(p) : 0;
}

int32_t reader::read_int32() noexcept { return static_cast<int32_t>(read_uint32()); }

uint32_t reader::read_uint32() noexcept {
  const std::byte* p = take(4);
  return p ? core::load_be<uint32_t>(p) : 0;
}

int64_t reader::read_int64() noexcept {
  const std::byte* p = take(8);
  return p ? core::load_be<int64_t>(p) : 0;
}

bool reader::read_bool() noexcept { return read_int8() != 0; }

uuid reader::read_uuid() noexcept {
  uuid id;
  const std::byte* p = take(id.value.size());
  if (p) std::memcpy(id.value.data(), p, id.value.size());
  return id;
}

uint32_t reader::read_uvarint() noexcept {
  // At most 5 bytes; the 5th may only carry the top 4 bits of a 32-bit value.
  uint32_t value = 0;
  for (int i = 0; i < 5; ++i) {
    const std::byte* p = take(1);
    if (!p) return 0;
    const auto b = static_cast<uint8_t>(*p);
    if (i == 4 && (b & 0xf0) != 0) break;
    value |= static_cast<uint32_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return value;
  }
  fail();
  return 0;
}

int32_t reader::read_varint() noexcept {
  const uint32_t raw = read_uvarint();
  return static_cast<int32_t>((raw >> 1) ^ (~(raw & 1) + 1));
}

int64_t reader::read_varlong() noexcept {
  uint64_t raw = 0;
  for (int i = 0; i < 10; ++i) {
    const std::byte* p = take(1);
    if (!p) return 0;
    const auto b = static_cast<uint8_t>(*p);
    if (i == 9 && (b & 0xfe) != 0) break;
    raw |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return static_cast<int64_t>((raw >> 1) ^ (~(raw & 1) + 1));
  }
  fail();
  return 0;
}

int64_t reader::checked_length(int64_t length, bool nullable) noexcept {
  if (!_ok) return 0;
  if (length == -1 && nullable) return -1;
  if (length < 0 || static_cast<uint64_t>(length) > remaining()) {
    fail();
    return 0;
  }
  return length;
}

bytes_view reader::read_raw(size_t n) noexcept {
  const std::byte* p = take(n);
  return p ? bytes_view(p, n) : bytes_view();
}

// ---- strings ------------------------------------------------------------------------------

std::optional<std::string_view> reader::read_nullable_string_view() noexcept {
  const int64_t n = checked_length(read_int16(), /*nullable=*/true);
  if (n < 0) return std::nullopt;
  return core::as_string_view(read_raw(static_cast<size_t>(n)));
}

std::string_view reader::read_string_view() noexcept {
  const int64_t n = checked_length(read_int16(), /*nullable=*/false);
  return core::as_string_view(read_raw(static_cast<size_t>(n)));
}

std::optional<std::string_view> reader::read_compact_nullable_string_view() noexcept {
  const int64_t n = checked_length(static_cast<int64_t>(read_uvarint()) - 1, /*nullable=*/true);
  if (n < 0) return std::nullopt;
  // Strings are limited to int16 length in every encoding (as the Java reader enforces).
  if (n > INT16_MAX) fail();
  return core::as_string_view(read_raw(static_cast<size_t>(n)));
}

std::string_view reader::read_compact_string_view() noexcept {
  const int64_t n = checked_length(static_cast<int64_t>(read_uvarint()) - 1, /*nullable=*/false);
  if (n > INT16_MAX) fail();
  return core::as_string_view(read_raw(static_cast<size_t>(n)));
}

std::string reader::read_string() { return std::string(read_string_view()); }

std::optional<std::string> reader::read_nullable_string() {
  auto v = read_nullable_string_view();
  if (!v) return std::nullopt;
  return std::string(*v);
}

std::string reader::read_compact_string() { return std::string(read_compact_string_view()); }

std::optional<std::string> reader::read_compact_nullable_string() {
  auto v = read_compact_nullable_string_view();
  if (!v) return std::nullopt;
  return std::string(*v);
}

// ---- bytes --------------------------------------------------------------------------------

std::optional<bytes_view> reader::read_nullable_bytes_view() noexcept {
  const int64_t n = checked_length(read_int32(), /*nullable=*/true);
  if (n < 0) return std::nullopt;
  return read_raw(static_cast<size_t>(n));
}

bytes_view reader::read_bytes_view() noexcept {
  const int64_t n = checked_length(read_int32(), /*nullable=*/false);
  return read_raw(static_cast<size_t>(n));
}

std::optional<bytes_view> reader::read_compact_nullable_bytes_view() noexcept {
  const int64_t n = checked_length(static_cast<int64_t>(read_uvarint()) - 1, /*nullable=*/true);
  if (n < 0) return std::nullopt;
  return read_raw(static_cast<size_t>(n));
}

bytes_view reader::read_compact_bytes_view() noexcept {
  const int64_t n = checked_length(static_cast<int64_t>(read_uvarint()) - 1, /*nullable=*/false);
  return read_raw(static_cast<size_t>(n));
}

core::bytes reader::read_bytes() {
  auto v = read_bytes_view();
  return core::bytes(v.begin(), v.end());
}

std::optional<core::bytes> reader::read_nullable_bytes() {
  auto v = read_nullable_bytes_view();
  if (!v) return std::nullopt;
  return core::bytes(v->begin(), v->end());
}

core::bytes reader::read_compact_bytes() {
  auto v = read_compact_bytes_view();
  return core::bytes(v.begin(), v.end());
}

std::optional<core::bytes> reader::read_compact_nullable_bytes() {
  auto v = read_compact_nullable_bytes_view();
  if (!v) return std::nullopt;
  return core::bytes(v->begin(), v->end());
}

// ---- arrays and tags ----------------------------------------------------------------------

namespace {
bool count_fits(int64_t count, size_t min_element_size, size_t remaining) noexcept {
  const size_t unit = min_element_size == 0 ? 1 : min_element_size;
  return static_cast<uint64_t>(count) <= remaining / unit;
}
}  // namespace

int32_t reader::read_array_length(size_t min_element_size) noexcept {
  const int32_t n = read_int32();
  if (!_ok) return 0;
  if (n == -1) return -1;
  if (n < 0 || !count_fits(n, min_element_size, remaining())) {
    fail();
    return 0;
  }
  return n;
}

int32_t reader::read_compact_array_length(size_t min_element_size) noexcept {
  const int64_t n = static_cast<int64_t>(read_uvarint()) - 1;
  if (!_ok) return 0;
  if (n == -1) return -1;
  if (!count_fits(n, min_element_size, remaining())) {
    fail();
    return 0;
  }
  return static_cast<int32_t>(n);
}

void reader::skip_tagged_fields() noexcept {
  const uint32_t count = read_uvarint();
  for (uint32_t i = 0; i < count && _ok; ++i) {
    (void)read_uvarint();  // tag id
    const uint32_t size = read_uvarint();
    skip(size);
  }
}

}  // namespace sluice::protocol
