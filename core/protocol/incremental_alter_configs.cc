#include "core/protocol/incremental_alter_configs.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {
constexpr int16_t first_flexible = 1;
}  // namespace

result<incremental_alter_configs_request> incremental_alter_configs_request::decode(
    reader& r, int16_t version) {
  if (!incremental_alter_configs_versions.contains(version)) return errc::unsupported_version;
  const bool flex = version >= first_flexible;
  incremental_alter_configs_request m;
  m.resources = read_array<alter_configs_resource>(r, flex, [&](reader& r) {
    alter_configs_resource res;
    res.resource_type = r.read_int8();
    res.resource_name = read_string(r, flex);
    res.configs = read_array<alterable_config>(r, flex, [&](reader& r) {
      alterable_config c;
      c.name = read_string(r, flex);
      c.config_operation = r.read_int8();
      c.value = read_nullable_string(r, flex);
      read_tags(r, flex);
      return c;
    });
    read_tags(r, flex);
    return res;
  });
  m.validate_only = r.read_bool();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void incremental_alter_configs_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(incremental_alter_configs_versions.contains(version),
                "IncrementalAlterConfigs version not implemented");
  const bool flex = version >= first_flexible;
  write_array(w, flex, resources, [&](writer& w, const alter_configs_resource& res) {
    w.write_int8(res.resource_type);
    write_string(w, flex, res.resource_name);
    write_array(w, flex, res.configs, [&](writer& w, const alterable_config& c) {
      write_string(w, flex, c.name);
      w.write_int8(c.config_operation);
      write_nullable_string(w, flex, c.value);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  w.write_bool(validate_only);
  write_tags(w, flex);
}

result<incremental_alter_configs_response> incremental_alter_configs_response::decode(
    reader& r, int16_t version) {
  if (!incremental_alter_configs_versions.contains(version)) return errc::unsupported_version;
  SLUICE_TRY(auto body, alter_configs_response::decode_body(r, version >= first_flexible));
  incremental_alter_configs_response m;
  static_cast<alter_configs_response&>(m) = std::move(body);
  return m;
}

void incremental_alter_configs_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(incremental_alter_configs_versions.contains(version),
                "IncrementalAlterConfigs version not implemented");
  encode_body(w, version >= first_flexible);
}

}  // namespace sluice::protocol
