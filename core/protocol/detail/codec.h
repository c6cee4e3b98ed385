#pragma once
/// Helpers shared by the per-API codecs (not part of the public protocol API).
///
/// Fields whose wire form depends on flexibility (strings, bytes, arrays, tag sections) are
/// read and written through the functions below with a `flex` flag, so each codec reads like
/// the schema: one line per field, version conditions spelled out.

#include "core/protocol/errc.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/assert.h"
#include "core/error.h"

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice::protocol::detail {

// ---- strings and bytes --------------------------------------------------------------------

inline std::string read_string(reader& r, bool flex) {
  return flex ? r.read_compact_string() : r.read_string();
}
inline std::optional<std::string> read_nullable_string(reader& r, bool flex) {
  return flex ? r.read_compact_nullable_string() : r.read_nullable_string();
}
inline core::bytes read_bytes(reader& r, bool flex) {
  return flex ? r.read_compact_bytes() : r.read_bytes();
}
inline void write_string(writer& w, bool flex, std::string_view s) {
  flex ? w.write_compact_string(s) : w.write_string(s);
}
inline void write_nullable_string(writer& w, bool flex, const std::optional<std::string>& s) {
  flex ? w.write_compact_nullable_string(view_of(s)) : w.write_nullable_string(view_of(s));
}
inline void write_bytes(writer& w, bool flex, bytes_view b) {
  flex ? w.write_compact_bytes(b) : w.write_bytes(b);
}

// ---- fixed-width typed values -------------------------------------------------------------

/// Reads a strong id (core::offset, partition_id, node_id, producer_id, producer_epoch) or a
/// plain integer of the matching width.
template <class T>
T read_int(reader& r) {
  if constexpr (std::is_integral_v<T>) {
    if constexpr (sizeof(T) == 1) return static_cast<T>(r.read_int8());
    if constexpr (sizeof(T) == 2) return static_cast<T>(r.read_int16());
    if constexpr (sizeof(T) == 4) return static_cast<T>(r.read_int32());
    if constexpr (sizeof(T) == 8) return static_cast<T>(r.read_int64());
  } else {
    return T{read_int<typename T::value_type>(r)};
  }
}

template <class T>
void write_int(writer& w, T v) {
  if constexpr (std::is_integral_v<T>) {
    if constexpr (sizeof(T) == 1) w.write_int8(static_cast<int8_t>(v));
    if constexpr (sizeof(T) == 2) w.write_int16(static_cast<int16_t>(v));
    if constexpr (sizeof(T) == 4) w.write_int32(static_cast<int32_t>(v));
    if constexpr (sizeof(T) == 8) w.write_int64(static_cast<int64_t>(v));
  } else {
    write_int(w, v.value());
  }
}

inline error_code read_error_code(reader& r) { return static_cast<error_code>(r.read_int16()); }
inline void write_error_code(writer& w, error_code e) {
  w.note_error(e);
  w.write_int16(to_wire(e));
}

// ---- arrays -------------------------------------------------------------------------------

inline int32_t read_array_length(reader& r, bool flex) {
  return flex ? r.read_compact_array_length() : r.read_array_length();
}
inline void write_array_length(writer& w, bool flex, size_t n) {
  SLUICE_ASSERT(n <= INT32_MAX, "array too long to encode");
  flex ? w.write_compact_array_length(static_cast<int32_t>(n))
       : w.write_array_length(static_cast<int32_t>(n));
}
inline void write_null_array(writer& w, bool flex) {
  flex ? w.write_compact_array_length(-1) : w.write_array_length(-1);
}

/// Reads a non-nullable array; a null count fails the reader. `read_element(reader&)` returns
/// one element. The count is bounded by the remaining bytes before anything is reserved.
template <class T, class ReadElement>
std::vector<T> read_array(reader& r, bool flex, ReadElement&& read_element) {
  std::vector<T> out;
  const int32_t n = read_array_length(r, flex);
  if (n < 0) {
    r.fail();
    return out;
  }
  out.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n && r.ok(); ++i) out.push_back(read_element(r));
  return out;
}

/// Reads a nullable array: nullopt for null.
template <class T, class ReadElement>
std::optional<std::vector<T>> read_nullable_array(reader& r, bool flex,
                                                  ReadElement&& read_element) {
  const int32_t n = read_array_length(r, flex);
  if (n < 0 || !r.ok()) return std::nullopt;
  std::vector<T> out;
  out.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n && r.ok(); ++i) out.push_back(read_element(r));
  return out;
}

/// Writes count then each element through `write_element(writer&, const T&)`.
template <class T, class WriteElement>
void write_array(writer& w, bool flex, const std::vector<T>& items, WriteElement&& write_element) {
  write_array_length(w, flex, items.size());
  for (const T& item : items) write_element(w, item);
}

template <class T, class WriteElement>
void write_nullable_array(writer& w, bool flex, const std::optional<std::vector<T>>& items,
                          WriteElement&& write_element) {
  if (!items) {
    write_null_array(w, flex);
    return;
  }
  write_array(w, flex, *items, std::forward<WriteElement>(write_element));
}

/// Element codecs for arrays of scalars.
template <class T>
auto int_reader() {
  return [](reader& r) { return read_int<T>(r); };
}
template <class T>
auto int_writer() {
  return [](writer& w, const T& v) { write_int(w, v); };
}
inline auto string_reader(bool flex) {
  return [flex](reader& r) { return read_string(r, flex); };
}
inline auto string_writer(bool flex) {
  return [flex](writer& w, const std::string& s) { write_string(w, flex, s); };
}

// ---- tagged fields ------------------------------------------------------------------------

/// Skips the tag section of a struct in flexible versions.
inline void read_tags(reader& r, bool flex) {
  if (flex) r.skip_tagged_fields();
}
/// Reads the tag section of a struct in flexible versions, handing each field to
/// `on_tag(uint32_t tag, reader& payload)`; the handler ignores tags it does not know. A known
/// field whose payload does not decode fails `r`.
template <class OnTag>
void read_tags(reader& r, bool flex, OnTag&& on_tag) {
  if (!flex) return;
  const uint32_t count = r.read_uvarint();
  for (uint32_t i = 0; i < count && r.ok(); ++i) {
    const uint32_t tag = r.read_uvarint();
    const uint32_t size = r.read_uvarint();
    const bytes_view payload = r.read_raw(size);
    if (!r.ok()) return;
    reader field(payload);
    on_tag(tag, field);
    if (!field.ok()) r.fail();
  }
}

/// Writes an empty tag section in flexible versions.
inline void write_tags(writer& w, bool flex) {
  if (flex) w.write_empty_tagged_fields();
}

/// Writes one field of a tag section: its tag, its size and the payload `write_payload(writer&)`
/// writes. The caller writes the section's field count first (`w.write_uvarint(n)`) and the
/// fields in ascending tag order. Only for fields with a value: librdkafka 2.0.2 misreads
/// non-empty sections, and sends none of the versions that have tagged fields we fill.
template <class WritePayload>
void write_tag(writer& w, uint32_t tag, WritePayload&& write_payload) {
  core::bytes payload;
  writer field(payload);
  write_payload(field);
  w.write_uvarint(tag);
  w.write_uvarint(static_cast<uint32_t>(payload.size()));
  w.write_raw(payload);
}

// ---- decode prologue / epilogue -----------------------------------------------------------

/// The result of a decode: the message if the reader is still good, else `malformed`.
template <class T>
result<T> finish(const reader& r, T&& message) {
  if (!r.ok()) return errc::malformed;
  return std::move(message);
}

}  // namespace sluice::protocol::detail
