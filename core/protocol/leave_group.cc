#include "core/protocol/leave_group.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<leave_group_request> leave_group_request::decode(reader& r, int16_t version) {
  if (!leave_group_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::leave_group, version);
  leave_group_request m;
  m.group_id = read_string(r, flex);
  if (version <= 2) m.member_id = read_string(r, flex);
  if (version >= 3) {
    m.members = read_array<member_identity>(r, flex, [&](reader& r) {
      member_identity id;
      id.member_id = read_string(r, flex);
      id.group_instance_id = read_nullable_string(r, flex);
      if (version >= 5) id.reason = read_nullable_string(r, flex);
      read_tags(r, flex);
      return id;
    });
  }
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void leave_group_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(leave_group_versions.contains(version), "LeaveGroup version not implemented");
  const bool flex = is_flexible(api_key::leave_group, version);
  write_string(w, flex, group_id);
  if (version <= 2) write_string(w, flex, member_id);
  if (version >= 3) {
    write_array(w, flex, members, [&](writer& w, const member_identity& id) {
      write_string(w, flex, id.member_id);
      write_nullable_string(w, flex, id.group_instance_id);
      if (version >= 5) write_nullable_string(w, flex, id.reason);
      write_tags(w, flex);
    });
  }
  write_tags(w, flex);
}

result<leave_group_response> leave_group_response::decode(reader& r, int16_t version) {
  if (!leave_group_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::leave_group, version);
  leave_group_response m;
  if (version >= 1) m.throttle_time_ms = r.read_int32();
  m.error_code = read_error_code(r);
  if (version >= 3) {
    m.members = read_array<member_response>(r, flex, [&](reader& r) {
      member_response mr;
      mr.member_id = read_string(r, flex);
      mr.group_instance_id = read_nullable_string(r, flex);
      mr.error_code = read_error_code(r);
      read_tags(r, flex);
      return mr;
    });
  }
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void leave_group_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(leave_group_versions.contains(version), "LeaveGroup version not implemented");
  const bool flex = is_flexible(api_key::leave_group, version);
  if (version >= 1) w.write_int32(throttle_time_ms);
  write_error_code(w, error_code);
  if (version >= 3) {
    write_array(w, flex, members, [&](writer& w, const member_response& mr) {
      write_string(w, flex, mr.member_id);
      write_nullable_string(w, flex, mr.group_instance_id);
      write_error_code(w, mr.error_code);
      write_tags(w, flex);
    });
  }
  write_tags(w, flex);
}

}  // namespace sluice::protocol
