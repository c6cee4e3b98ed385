#include "core/protocol/delete_groups.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<delete_groups_request> delete_groups_request::decode(reader& r, int16_t version) {
  if (!delete_groups_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::delete_groups, version);
  delete_groups_request m;
  m.groups_names = read_array<std::string>(r, flex, string_reader(flex));
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void delete_groups_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(delete_groups_versions.contains(version), "DeleteGroups version not implemented");
  const bool flex = is_flexible(api_key::delete_groups, version);
  write_array(w, flex, groups_names, string_writer(flex));
  write_tags(w, flex);
}

result<delete_groups_response> delete_groups_response::decode(reader& r, int16_t version) {
  if (!delete_groups_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::delete_groups, version);
  delete_groups_response m;
  m.throttle_time_ms = r.read_int32();
  m.results = read_array<deletable_group_result>(r, flex, [&](reader& r) {
    deletable_group_result g;
    g.group_id = read_string(r, flex);
    g.error_code = read_error_code(r);
    read_tags(r, flex);
    return g;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void delete_groups_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(delete_groups_versions.contains(version), "DeleteGroups version not implemented");
  const bool flex = is_flexible(api_key::delete_groups, version);
  w.write_int32(throttle_time_ms);
  write_array(w, flex, results, [&](writer& w, const deletable_group_result& g) {
    write_string(w, flex, g.group_id);
    write_error_code(w, g.error_code);
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
