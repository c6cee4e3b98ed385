#include "core/protocol/sync_group.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<sync_group_request> sync_group_request::decode(reader& r, int16_t version) {
  if (!sync_group_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::sync_group, version);
  sync_group_request m;
  m.group_id = read_string(r, flex);
  m.generation_id = r.read_int32();
  m.member_id = read_string(r, flex);
  if (version >= 3) m.group_instance_id = read_nullable_string(r, flex);
  if (version >= 5) m.protocol_type = read_nullable_string(r, flex);
  if (version >= 5) m.protocol_name = read_nullable_string(r, flex);
  m.assignments = read_array<sync_group_request_assignment>(r, flex, [&](reader& r) {
    sync_group_request_assignment a;
    a.member_id = read_string(r, flex);
    a.assignment = read_bytes(r, flex);
    read_tags(r, flex);
    return a;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void sync_group_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(sync_group_versions.contains(version), "SyncGroup version not implemented");
  const bool flex = is_flexible(api_key::sync_group, version);
  write_string(w, flex, group_id);
  w.write_int32(generation_id);
  write_string(w, flex, member_id);
  if (version >= 3) write_nullable_string(w, flex, group_instance_id);
  if (version >= 5) write_nullable_string(w, flex, protocol_type);
  if (version >= 5) write_nullable_string(w, flex, protocol_name);
  write_array(w, flex, assignments, [&](writer& w, const sync_group_request_assignment& a) {
    write_string(w, flex, a.member_id);
    write_bytes(w, flex, a.assignment);
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

result<sync_group_response> sync_group_response::decode(reader& r, int16_t version) {
  if (!sync_group_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::sync_group, version);
  sync_group_response m;
  if (version >= 1) m.throttle_time_ms = r.read_int32();
  m.error_code = read_error_code(r);
  if (version >= 5) m.protocol_type = read_nullable_string(r, flex);
  if (version >= 5) m.protocol_name = read_nullable_string(r, flex);
  m.assignment = read_bytes(r, flex);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void sync_group_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(sync_group_versions.contains(version), "SyncGroup version not implemented");
  const bool flex = is_flexible(api_key::sync_group, version);
  if (version >= 1) w.write_int32(throttle_time_ms);
  write_error_code(w, error_code);
  if (version >= 5) write_nullable_string(w, flex, protocol_type);
  if (version >= 5) write_nullable_string(w, flex, protocol_name);
  write_bytes(w, flex, assignment);
  write_tags(w, flex);
}

}  // namespace sluice::protocol
