#include "core/protocol/writer.h"
#include "core/big_endian.h"

#include "core/assert.h"

#include <cstring>

namespace sluice::protocol {

void writer::write_uuid(const uuid& id) {
  write_raw(bytes_view(reinterpret_cast<const std::byte*>(id.value.data()), id.value.size()));
}

void writer::write_uvarint(uint32_t v) {
  while (v >= 0x80) {
    _out->push_back(static_cast<std::byte>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  _out->push_back(static_cast<std::byte>(v));
}

void writer::write_varint(int32_t v) {
  const uint32_t zz = (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
  write_uvarint(zz);
}

void writer::write_varlong(int64_t v) {
  uint64_t zz = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (zz >= 0x80) {
    _out->push_back(static_cast<std::byte>((zz & 0x7f) | 0x80));
    zz >>= 7;
  }
  _out->push_back(static_cast<std::byte>(zz));
}

void writer::write_raw(bytes_view b) {
  if (!b.empty()) _out->insert(_out->end(), b.begin(), b.end());
}

void writer::write_string(std::string_view s) {
  SLUICE_ASSERT(s.size() <= INT16_MAX, "string longer than 32767 bytes cannot be encoded");
  write_int16(static_cast<int16_t>(s.size()));
  write_raw(core::as_bytes(s));
}

void writer::write_nullable_string(std::optional<std::string_view> s) {
  if (!s) {
    write_int16(-1);
    return;
  }
  write_string(*s);
}

void writer::write_compact_string(std::string_view s) {
  SLUICE_ASSERT(s.size() <= INT16_MAX, "string longer than 32767 bytes cannot be encoded");
  write_uvarint(static_cast<uint32_t>(s.size()) + 1);
  write_raw(core::as_bytes(s));
}

void writer::write_compact_nullable_string(std::optional<std::string_view> s) {
  if (!s) {
    write_uvarint(0);
    return;
  }
  write_compact_string(*s);
}

void writer::write_bytes(bytes_view b) {
  SLUICE_ASSERT(b.size() <= INT32_MAX, "byte field longer than INT32_MAX cannot be encoded");
  write_int32(static_cast<int32_t>(b.size()));
  if (_splices != nullptr && b.size() >= _splice_min && !b.empty()) {
    _splices->push_back({_out->size(), b});
    return;
  }
  write_raw(b);
}

void writer::write_file_bytes(const file_bytes& f) {
  SLUICE_ASSERT(_splices != nullptr, "file bytes need a splicing writer");
  SLUICE_ASSERT(f.fd >= 0 && f.size <= INT32_MAX, "bad file bytes");
  write_int32(static_cast<int32_t>(f.size));
  _splices->push_back({_out->size(), {}, f});
}

void writer::write_compact_file_bytes(const file_bytes& f) {
  SLUICE_ASSERT(_splices != nullptr, "file bytes need a splicing writer");
  SLUICE_ASSERT(f.fd >= 0 && f.size < INT32_MAX, "bad file bytes");
  write_uvarint(static_cast<uint32_t>(f.size) + 1);
  _splices->push_back({_out->size(), {}, f});
}

void writer::write_nullable_bytes(std::optional<bytes_view> b) {
  if (!b) {
    write_int32(-1);
    return;
  }
  write_bytes(*b);
}

void writer::write_compact_bytes(bytes_view b) {
  SLUICE_ASSERT(b.size() < INT32_MAX, "byte field longer than INT32_MAX cannot be encoded");
  write_uvarint(static_cast<uint32_t>(b.size()) + 1);
  if (_splices != nullptr && b.size() >= _splice_min && !b.empty()) {
    _splices->push_back({_out->size(), b});
    return;
  }
  write_raw(b);
}

void writer::write_compact_nullable_bytes(std::optional<bytes_view> b) {
  if (!b) {
    write_uvarint(0);
    return;
  }
  write_compact_bytes(*b);
}

void writer::write_compact_array_length(int32_t count) {
  SLUICE_ASSERT(count >= -1, "array count below -1");
  write_uvarint(static_cast<uint32_t>(count + 1));
}

size_t writer::reserve_int32() {
  const size_t at = _out->size();
  _out->resize(at + 4);
  return at;
}

void writer::fill_int32(size_t position, int32_t v) noexcept {
  SLUICE_ASSERT(position + 4 <= _out->size(), "fill_int32 outside the buffer");
  core::store_be(_out->data() + position, v);
}

void writer::fill_size_since(size_t position) noexcept {
  const size_t n = _out->size() - position - 4;
  SLUICE_ASSERT(n <= INT32_MAX, "size prefix overflows int32");
  fill_int32(position, static_cast<int32_t>(n));
}

}  // namespace sluice::protocol
