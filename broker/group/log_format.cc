#include "broker/group/log_format.h"

#include "core/protocol/reader.h"
#include "core/protocol/writer.h"

namespace sluice::broker::group {
namespace {

using protocol::reader;
using protocol::writer;

/// The first flexible version of both values (KIP-915).
constexpr int16_t first_flexible = 4;
constexpr int16_t highest_offset_value_version = 4;
constexpr int16_t highest_group_value_version = 4;

std::optional<std::string_view> view(const std::optional<std::string>& s) {
  return s ? std::optional<std::string_view>(*s) : std::nullopt;
}

/// Whole-buffer decoding: the reader must have consumed everything and never failed.
bool finished(const reader& r) {
  return r.ok() && r.remaining() == 0;
}

/// Reads a field in the classic or the compact form of the version.
struct field_reader {
  reader& r;
  bool flexible;
  std::string string() { return flexible ? r.read_compact_string() : r.read_string(); }
  std::optional<std::string> nullable_string() {
    return flexible ? r.read_compact_nullable_string() : r.read_nullable_string();
  }
  core::bytes bytes() { return flexible ? r.read_compact_bytes() : r.read_bytes(); }
  int32_t array_length(size_t min_element_size) {
    return flexible ? r.read_compact_array_length(min_element_size)
                    : r.read_array_length(min_element_size);
  }
  void tags() {
    if (flexible) r.skip_tagged_fields();
  }
};

}  // namespace

core::bytes encode_key(const offset_key& key) {
  core::bytes out;
  writer w(out);
  w.write_int16(offset_commit_key_type);
  w.write_string(key.group);
  w.write_string(key.tp.topic);
  w.write_int32(key.tp.partition.value());
  return out;
}

core::bytes encode_key(const group_key& key) {
  core::bytes out;
  writer w(out);
  w.write_int16(group_metadata_key_type);
  w.write_string(key.group);
  return out;
}

core::bytes encode_value(const offset_value& value) {
  core::bytes out;
  writer w(out);
  if (value.expire_timestamp_ms >= 0) {  // Kafka keeps v1 for commits that carry an expiry
    w.write_int16(1);
    w.write_int64(value.offset);
    w.write_string(value.metadata);
    w.write_int64(value.commit_timestamp_ms);
    w.write_int64(value.expire_timestamp_ms);
    return out;
  }
  w.write_int16(offset_commit_value_version);
  w.write_int64(value.offset);
  w.write_int32(value.leader_epoch);
  w.write_string(value.metadata);
  w.write_int64(value.commit_timestamp_ms);
  return out;
}

core::bytes encode_value(const group_value& value) {
  core::bytes out;
  writer w(out);
  w.write_int16(group_metadata_value_version);
  w.write_string(value.protocol_type);
  w.write_int32(value.generation);
  w.write_nullable_string(view(value.protocol_name));
  w.write_nullable_string(view(value.leader));
  w.write_int64(value.state_timestamp_ms);
  w.write_array_length(static_cast<int32_t>(value.members.size()));
  for (const auto& m : value.members) {
    w.write_string(m.member_id);
    w.write_nullable_string(view(m.instance_id));
    w.write_string(m.client_id);
    w.write_string(m.client_host);
    w.write_int32(m.rebalance_timeout_ms);
    w.write_int32(m.session_timeout_ms);
    w.write_bytes(m.subscription);
    w.write_bytes(m.assignment);
  }
  return out;
}

result<record_key> decode_key(core::bytes_view bytes) {
  reader r(bytes);
  const int16_t type = r.read_int16();
  if (!r.ok() || type < 0) return errc::corrupt_log;
  if (type == 0 || type == offset_commit_key_type) {
    offset_key k;
    k.group = r.read_string();
    k.tp.topic = r.read_string();
    k.tp.partition = core::partition_id{r.read_int32()};
    if (!finished(r)) return errc::corrupt_log;
    return record_key{std::move(k)};
  }
  if (type == group_metadata_key_type) {
    group_key k;
    k.group = r.read_string();
    if (!finished(r)) return errc::corrupt_log;
    return record_key{std::move(k)};
  }
  return record_key{other_key{type}};
}

result<offset_value> decode_offset_value(core::bytes_view bytes) {
  reader r(bytes);
  const int16_t version = r.read_int16();
  if (!r.ok() || version < 0 || version > highest_offset_value_version) return errc::corrupt_log;
  field_reader f{r, version >= first_flexible};
  offset_value v;
  v.offset = r.read_int64();
  if (version >= 3) v.leader_epoch = r.read_int32();
  v.metadata = f.string();
  v.commit_timestamp_ms = r.read_int64();
  if (version == 1) v.expire_timestamp_ms = r.read_int64();
  f.tags();
  if (!finished(r)) return errc::corrupt_log;
  return v;
}

result<group_value> decode_group_value(core::bytes_view bytes) {
  reader r(bytes);
  const int16_t version = r.read_int16();
  if (!r.ok() || version < 0 || version > highest_group_value_version) return errc::corrupt_log;
  field_reader f{r, version >= first_flexible};
  group_value v;
  v.protocol_type = f.string();
  v.generation = r.read_int32();
  v.protocol_name = f.nullable_string();
  v.leader = f.nullable_string();
  if (version >= 2) v.state_timestamp_ms = r.read_int64();
  // Every member takes at least 12 bytes (four empty compact strings and two ints would be
  // more); the bound keeps a corrupt count from allocating.
  const int32_t members = f.array_length(12);
  if (!r.ok() || members < 0) return errc::corrupt_log;
  v.members.reserve(static_cast<size_t>(members));
  for (int32_t i = 0; i < members && r.ok(); ++i) {
    member_value m;
    m.member_id = f.string();
    if (version >= 3) m.instance_id = f.nullable_string();
    m.client_id = f.string();
    m.client_host = f.string();
    if (version >= 1) m.rebalance_timeout_ms = r.read_int32();
    m.session_timeout_ms = r.read_int32();
    if (version == 0) m.rebalance_timeout_ms = m.session_timeout_ms;  // as Kafka loads v0
    m.subscription = f.bytes();
    m.assignment = f.bytes();
    f.tags();
    v.members.push_back(std::move(m));
  }
  f.tags();
  if (!finished(r)) return errc::corrupt_log;
  return v;
}

}  // namespace sluice::broker::group
