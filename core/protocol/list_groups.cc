#include "core/protocol/list_groups.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<list_groups_request> list_groups_request::decode(reader& r, int16_t version) {
  if (!list_groups_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::list_groups, version);
  list_groups_request m;
  if (version >= 4) m.states_filter = read_array<std::string>(r, flex, string_reader(flex));
  if (version >= 5) m.types_filter = read_array<std::string>(r, flex, string_reader(flex));
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void list_groups_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(list_groups_versions.contains(version), "ListGroups version not implemented");
  const bool flex = is_flexible(api_key::list_groups, version);
  if (version >= 4) write_array(w, flex, states_filter, string_writer(flex));
  if (version >= 5) write_array(w, flex, types_filter, string_writer(flex));
  write_tags(w, flex);
}

result<list_groups_response> list_groups_response::decode(reader& r, int16_t version) {
  if (!list_groups_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::list_groups, version);
  list_groups_response m;
  if (version >= 1) m.throttle_time_ms = r.read_int32();
  m.error_code = read_error_code(r);
  m.groups = read_array<listed_group>(r, flex, [&](reader& r) {
    listed_group g;
    g.group_id = read_string(r, flex);
    g.protocol_type = read_string(r, flex);
    if (version >= 4) g.group_state = read_string(r, flex);
    if (version >= 5) g.group_type = read_string(r, flex);
    read_tags(r, flex);
    return g;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void list_groups_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(list_groups_versions.contains(version), "ListGroups version not implemented");
  const bool flex = is_flexible(api_key::list_groups, version);
  if (version >= 1) w.write_int32(throttle_time_ms);
  write_error_code(w, error_code);
  write_array(w, flex, groups, [&](writer& w, const listed_group& g) {
    write_string(w, flex, g.group_id);
    write_string(w, flex, g.protocol_type);
    if (version >= 4) write_string(w, flex, g.group_state);
    if (version >= 5) write_string(w, flex, g.group_type);
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
