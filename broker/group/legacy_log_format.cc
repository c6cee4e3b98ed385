#include "broker/group/legacy_log_format.h"

#include "core/protocol/reader.h"
#include "core/protocol/writer.h"

namespace sluice::broker::group::legacy {
namespace {

using protocol::reader;
using protocol::writer;

constexpr int16_t key_version = 0;
constexpr int16_t offset_value_version = 0;
constexpr int16_t group_value_version = 0;

std::optional<std::string_view> view(const std::optional<std::string>& s) {
  return s ? std::optional<std::string_view>(*s) : std::nullopt;
}

/// Whole-buffer decoding: the reader must have consumed everything and never failed.
bool finished(const reader& r) { return r.ok() && r.remaining() == 0; }

}  // namespace

core::bytes encode_key(const offset_key& key) {
  core::bytes out;
  writer w(out);
  w.write_int16(offset_key_kind);
  w.write_int16(key_version);
  w.write_string(key.group);
  w.write_string(key.tp.topic);
  w.write_int32(key.tp.partition.value());
  return out;
}

core::bytes encode_key(const group_key& key) {
  core::bytes out;
  writer w(out);
  w.write_int16(group_key_kind);
  w.write_int16(key_version);
  w.write_string(key.group);
  return out;
}

core::bytes encode_value(const offset_value& value) {
  core::bytes out;
  writer w(out);
  w.write_int16(offset_value_version);
  w.write_int64(value.offset);
  w.write_int32(value.leader_epoch);
  w.write_nullable_string(view(value.metadata));
  w.write_int64(value.commit_timestamp_ms);
  return out;
}

core::bytes encode_value(const group_value& value) {
  core::bytes out;
  writer w(out);
  w.write_int16(group_value_version);
  w.write_string(value.protocol_type);
  w.write_int32(value.generation);
  w.write_nullable_string(view(value.protocol_name));
  w.write_nullable_string(view(value.leader));
  w.write_int64(value.state_timestamp_ms);
  w.write_int32(static_cast<int32_t>(value.members.size()));
  for (const auto& m : value.members) {
    w.write_string(m.member_id);
    w.write_nullable_string(view(m.instance_id));
    w.write_string(m.client_id);
    w.write_string(m.client_host);
    w.write_int32(m.session_timeout_ms);
    w.write_int32(m.rebalance_timeout_ms);
    w.write_int32(static_cast<int32_t>(m.protocols.size()));
    for (const auto& p : m.protocols) {
      w.write_string(p.name);
      w.write_bytes(p.metadata);
    }
    w.write_bytes(m.assignment);
  }
  return out;
}

result<record_key> decode_key(core::bytes_view bytes) {
  reader r(bytes);
  int16_t kind = r.read_int16();
  int16_t version = r.read_int16();
  if (!r.ok() || version != key_version) return errc::corrupt_log;
  if (kind == offset_key_kind) {
    offset_key k;
    k.group = r.read_string();
    k.tp.topic = r.read_string();
    k.tp.partition = core::partition_id{r.read_int32()};
    if (!finished(r)) return errc::corrupt_log;
    return record_key{std::move(k)};
  }
  if (kind == group_key_kind) {
    group_key k;
    k.group = r.read_string();
    if (!finished(r)) return errc::corrupt_log;
    return record_key{std::move(k)};
  }
  return errc::corrupt_log;
}

result<offset_value> decode_offset_value(core::bytes_view bytes) {
  reader r(bytes);
  if (r.read_int16() != offset_value_version) return errc::corrupt_log;
  offset_value v;
  v.offset = r.read_int64();
  v.leader_epoch = r.read_int32();
  v.metadata = r.read_nullable_string();
  v.commit_timestamp_ms = r.read_int64();
  if (!finished(r)) return errc::corrupt_log;
  return v;
}

result<group_value> decode_group_value(core::bytes_view bytes) {
  reader r(bytes);
  if (r.read_int16() != group_value_version) return errc::corrupt_log;
  group_value v;
  v.protocol_type = r.read_string();
  v.generation = r.read_int32();
  v.protocol_name = r.read_nullable_string();
  v.leader = r.read_nullable_string();
  v.state_timestamp_ms = r.read_int64();
  // Every member takes at least 26 bytes; the bound keeps a corrupt count from allocating.
  int32_t members = r.read_array_length(26);
  if (!r.ok() || members < 0) return errc::corrupt_log;
  v.members.reserve(static_cast<size_t>(members));
  for (int32_t i = 0; i < members && r.ok(); ++i) {
    member_value m;
    m.member_id = r.read_string();
    m.instance_id = r.read_nullable_string();
    m.client_id = r.read_string();
    m.client_host = r.read_string();
    m.session_timeout_ms = r.read_int32();
    m.rebalance_timeout_ms = r.read_int32();
    int32_t protocols = r.read_array_length(6);
    if (!r.ok() || protocols < 0) return errc::corrupt_log;
    m.protocols.reserve(static_cast<size_t>(protocols));
    for (int32_t j = 0; j < protocols && r.ok(); ++j) {
      protocol_value p;
      p.name = r.read_string();
      p.metadata = r.read_bytes();
      m.protocols.push_back(std::move(p));
    }
    m.assignment = r.read_bytes();
    v.members.push_back(std::move(m));
  }
  if (!finished(r)) return errc::corrupt_log;
  return v;
}

}  // namespace sluice::broker::group::legacy
