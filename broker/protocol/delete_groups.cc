#include "broker/protocol/delete_groups.h"

#include "broker/protocol/detail/codec.h"

namespace sluice::broker::protocol {

using namespace detail;

result<delete_groups_request> delete_groups_request::decode(reader& r, int16_t version) {
  if (!delete_groups_versions.contains(version)) return errc::unsupported_version;
  constexpr bool flex = false;
  delete_groups_request m;
  m.groups_names = read_array<std::string>(r, flex, string_reader(flex));
  return finish(r, std::move(m));
}

void delete_groups_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(delete_groups_versions.contains(version), "DeleteGroups version not implemented");
  constexpr bool flex = false;
  write_array(w, flex, groups_names, string_writer(flex));
}

result<delete_groups_response> delete_groups_response::decode(reader& r, int16_t version) {
  if (!delete_groups_versions.contains(version)) return errc::unsupported_version;
  constexpr bool flex = false;
  delete_groups_response m;
  m.throttle_time_ms = r.read_int32();
  m.results = read_array<deletable_group_result>(r, flex, [&](reader& r) {
    deletable_group_result g;
    g.group_id = read_string(r, flex);
    g.error_code = read_error_code(r);
    return g;
  });
  return finish(r, std::move(m));
}

void delete_groups_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(delete_groups_versions.contains(version), "DeleteGroups version not implemented");
  constexpr bool flex = false;
  w.write_int32(throttle_time_ms);
  write_array(w, flex, results, [&](writer& w, const deletable_group_result& g) {
    write_string(w, flex, g.group_id);
    write_error_code(w, g.error_code);
  });
}

}  // namespace sluice::broker::protocol
