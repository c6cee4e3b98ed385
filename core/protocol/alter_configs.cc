#include "core/protocol/alter_configs.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<alter_configs_request> alter_configs_request::decode(reader& r, int16_t version) {
  if (!alter_configs_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::alter_configs, version);
  alter_configs_request m;
  m.resources = read_array<alter_configs_resource>(r, flex, [&](reader& r) {
    alter_configs_resource res;
    res.resource_type = r.read_int8();
    res.resource_name = read_string(r, flex);
    res.configs = read_array<alterable_config>(r, flex, [&](reader& r) {
      alterable_config c;
      c.name = read_string(r, flex);
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

void alter_configs_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(alter_configs_versions.contains(version), "AlterConfigs version not implemented");
  const bool flex = is_flexible(api_key::alter_configs, version);
  write_array(w, flex, resources, [&](writer& w, const alter_configs_resource& res) {
    w.write_int8(res.resource_type);
    write_string(w, flex, res.resource_name);
    write_array(w, flex, res.configs, [&](writer& w, const alterable_config& c) {
      write_string(w, flex, c.name);
      write_nullable_string(w, flex, c.value);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  w.write_bool(validate_only);
  write_tags(w, flex);
}

result<alter_configs_response> alter_configs_response::decode(reader& r, int16_t version) {
  if (!alter_configs_versions.contains(version)) return errc::unsupported_version;
  return decode_body(r, is_flexible(api_key::alter_configs, version));
}

void alter_configs_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(alter_configs_versions.contains(version), "AlterConfigs version not implemented");
  encode_body(w, is_flexible(api_key::alter_configs, version));
}

result<alter_configs_response> alter_configs_response::decode_body(reader& r, bool flex) {
  alter_configs_response m;
  m.throttle_time_ms = r.read_int32();
  m.responses = read_array<alter_configs_resource_response>(r, flex, [&](reader& r) {
    alter_configs_resource_response res;
    res.error_code = read_error_code(r);
    res.error_message = read_nullable_string(r, flex);
    res.resource_type = r.read_int8();
    res.resource_name = read_string(r, flex);
    read_tags(r, flex);
    return res;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void alter_configs_response::encode_body(writer& w, bool flex) const {
  w.write_int32(throttle_time_ms);
  write_array(w, flex, responses, [&](writer& w, const alter_configs_resource_response& res) {
    write_error_code(w, res.error_code);
    write_nullable_string(w, flex, res.error_message);
    w.write_int8(res.resource_type);
    write_string(w, flex, res.resource_name);
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
