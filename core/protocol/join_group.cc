#include "core/protocol/join_group.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<join_group_request> join_group_request::decode(reader& r, int16_t version) {
  if (!join_group_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::join_group, version);
  join_group_request m;
  m.group_id = read_string(r, flex);
  m.session_timeout_ms = r.read_int32();
  if (version >= 1) m.rebalance_timeout_ms = r.read_int32();
  m.member_id = read_string(r, flex);
  if (version >= 5) m.group_instance_id = read_nullable_string(r, flex);
  m.protocol_type = read_string(r, flex);
  m.protocols = read_array<join_group_request_protocol>(r, flex, [&](reader& r) {
    join_group_request_protocol p;
    p.name = read_string(r, flex);
    p.metadata = read_bytes(r, flex);
    read_tags(r, flex);
    return p;
  });
  if (version >= 8) m.reason = read_nullable_string(r, flex);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void join_group_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(join_group_versions.contains(version), "JoinGroup version not implemented");
  const bool flex = is_flexible(api_key::join_group, version);
  write_string(w, flex, group_id);
  w.write_int32(session_timeout_ms);
  if (version >= 1) w.write_int32(rebalance_timeout_ms);
  write_string(w, flex, member_id);
  if (version >= 5) write_nullable_string(w, flex, group_instance_id);
  write_string(w, flex, protocol_type);
  write_array(w, flex, protocols, [&](writer& w, const join_group_request_protocol& p) {
    write_string(w, flex, p.name);
    write_bytes(w, flex, p.metadata);
    write_tags(w, flex);
  });
  if (version >= 8) write_nullable_string(w, flex, reason);
  write_tags(w, flex);
}

result<join_group_response> join_group_response::decode(reader& r, int16_t version) {
  if (!join_group_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::join_group, version);
  join_group_response m;
  if (version >= 2) m.throttle_time_ms = r.read_int32();
  m.error_code = read_error_code(r);
  m.generation_id = r.read_int32();
  if (version >= 7) m.protocol_type = read_nullable_string(r, flex);
  if (version >= 7) {
    m.protocol_name = read_nullable_string(r, flex);
  } else {
    m.protocol_name = read_string(r, flex);
  }
  m.leader = read_string(r, flex);
  if (version >= 9) m.skip_assignment = r.read_bool();
  m.member_id = read_string(r, flex);
  m.members = read_array<join_group_response_member>(r, flex, [&](reader& r) {
    join_group_response_member p;
    p.member_id = read_string(r, flex);
    if (version >= 5) p.group_instance_id = read_nullable_string(r, flex);
    p.metadata = read_bytes(r, flex);
    read_tags(r, flex);
    return p;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void join_group_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(join_group_versions.contains(version), "JoinGroup version not implemented");
  const bool flex = is_flexible(api_key::join_group, version);
  if (version >= 2) w.write_int32(throttle_time_ms);
  write_error_code(w, error_code);
  w.write_int32(generation_id);
  if (version >= 7) write_nullable_string(w, flex, protocol_type);
  if (version >= 7) {
    write_nullable_string(w, flex, protocol_name);
  } else {
    write_string(w, flex, protocol_name.value_or(""));
  }
  write_string(w, flex, leader);
  if (version >= 9) w.write_bool(skip_assignment);
  write_string(w, flex, member_id);
  write_array(w, flex, members, [&](writer& w, const join_group_response_member& p) {
    write_string(w, flex, p.member_id);
    if (version >= 5) write_nullable_string(w, flex, p.group_instance_id);
    write_bytes(w, flex, p.metadata);
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
