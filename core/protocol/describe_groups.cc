#include "core/protocol/describe_groups.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<describe_groups_request> describe_groups_request::decode(reader& r, int16_t version) {
  if (!describe_groups_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::describe_groups, version);
  describe_groups_request m;
  m.groups = read_array<std::string>(r, flex, string_reader(flex));
  if (version >= 3) m.include_authorized_operations = r.read_bool();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_groups_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_groups_versions.contains(version),
                "DescribeGroups version not implemented");
  const bool flex = is_flexible(api_key::describe_groups, version);
  write_array(w, flex, groups, string_writer(flex));
  if (version >= 3) w.write_bool(include_authorized_operations);
  write_tags(w, flex);
}

result<describe_groups_response> describe_groups_response::decode(reader& r, int16_t version) {
  if (!describe_groups_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::describe_groups, version);
  describe_groups_response m;
  if (version >= 1) m.throttle_time_ms = r.read_int32();
  m.groups = read_array<described_group>(r, flex, [&](reader& r) {
    described_group g;
    g.error_code = read_error_code(r);
    if (version >= 6) g.error_message = read_nullable_string(r, flex);
    g.group_id = read_string(r, flex);
    g.group_state = read_string(r, flex);
    g.protocol_type = read_string(r, flex);
    g.protocol_data = read_string(r, flex);
    g.members = read_array<described_group_member>(r, flex, [&](reader& r) {
      described_group_member mem;
      mem.member_id = read_string(r, flex);
      if (version >= 4) mem.group_instance_id = read_nullable_string(r, flex);
      mem.client_id = read_string(r, flex);
      mem.client_host = read_string(r, flex);
      mem.member_metadata = read_bytes(r, flex);
      mem.member_assignment = read_bytes(r, flex);
      read_tags(r, flex);
      return mem;
    });
    if (version >= 3) g.authorized_operations = r.read_int32();
    read_tags(r, flex);
    return g;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_groups_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_groups_versions.contains(version),
                "DescribeGroups version not implemented");
  const bool flex = is_flexible(api_key::describe_groups, version);
  if (version >= 1) w.write_int32(throttle_time_ms);
  write_array(w, flex, groups, [&](writer& w, const described_group& g) {
    write_error_code(w, g.error_code);
    if (version >= 6) write_nullable_string(w, flex, g.error_message);
    write_string(w, flex, g.group_id);
    write_string(w, flex, g.group_state);
    write_string(w, flex, g.protocol_type);
    write_string(w, flex, g.protocol_data);
    write_array(w, flex, g.members, [&](writer& w, const described_group_member& mem) {
      write_string(w, flex, mem.member_id);
      if (version >= 4) write_nullable_string(w, flex, mem.group_instance_id);
      write_string(w, flex, mem.client_id);
      write_string(w, flex, mem.client_host);
      write_bytes(w, flex, mem.member_metadata);
      write_bytes(w, flex, mem.member_assignment);
      write_tags(w, flex);
    });
    if (version >= 3) w.write_int32(g.authorized_operations);
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
