#include "core/protocol/describe_configs.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<describe_configs_request> describe_configs_request::decode(reader& r, int16_t version) {
  if (!describe_configs_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::describe_configs, version);
  describe_configs_request m;
  m.resources = read_array<describe_configs_resource>(r, flex, [&](reader& r) {
    describe_configs_resource res;
    res.resource_type = r.read_int8();
    res.resource_name = read_string(r, flex);
    res.configuration_keys = read_nullable_array<std::string>(r, flex, string_reader(flex));
    read_tags(r, flex);
    return res;
  });
  if (version >= 1) m.include_synonyms = r.read_bool();
  if (version >= 3) m.include_documentation = r.read_bool();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_configs_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_configs_versions.contains(version),
                "DescribeConfigs version not implemented");
  const bool flex = is_flexible(api_key::describe_configs, version);
  write_array(w, flex, resources, [&](writer& w, const describe_configs_resource& res) {
    w.write_int8(res.resource_type);
    write_string(w, flex, res.resource_name);
    write_nullable_array(w, flex, res.configuration_keys, string_writer(flex));
    write_tags(w, flex);
  });
  if (version >= 1) w.write_bool(include_synonyms);
  if (version >= 3) w.write_bool(include_documentation);
  write_tags(w, flex);
}

result<describe_configs_response> describe_configs_response::decode(reader& r, int16_t version) {
  if (!describe_configs_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::describe_configs, version);
  describe_configs_response m;
  m.throttle_time_ms = r.read_int32();
  m.results = read_array<describe_configs_result>(r, flex, [&](reader& r) {
    describe_configs_result res;
    res.error_code = read_error_code(r);
    res.error_message = read_nullable_string(r, flex);
    res.resource_type = r.read_int8();
    res.resource_name = read_string(r, flex);
    res.configs = read_array<describe_configs_resource_result>(r, flex, [&](reader& r) {
      describe_configs_resource_result c;
      c.name = read_string(r, flex);
      c.value = read_nullable_string(r, flex);
      c.read_only = r.read_bool();
      if (version == 0) c.is_default = r.read_bool();
      if (version >= 1) c.config_source = r.read_int8();
      c.is_sensitive = r.read_bool();
      if (version >= 1) {
        c.synonyms = read_array<describe_configs_synonym>(r, flex, [&](reader& r) {
          describe_configs_synonym s;
          s.name = read_string(r, flex);
          s.value = read_nullable_string(r, flex);
          s.source = r.read_int8();
          read_tags(r, flex);
          return s;
        });
      }
      if (version >= 3) {
        c.config_type = r.read_int8();
        c.documentation = read_nullable_string(r, flex);
      }
      read_tags(r, flex);
      return c;
    });
    read_tags(r, flex);
    return res;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_configs_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_configs_versions.contains(version),
                "DescribeConfigs version not implemented");
  const bool flex = is_flexible(api_key::describe_configs, version);
  w.write_int32(throttle_time_ms);
  write_array(w, flex, results, [&](writer& w, const describe_configs_result& res) {
    write_error_code(w, res.error_code);
    write_nullable_string(w, flex, res.error_message);
    w.write_int8(res.resource_type);
    write_string(w, flex, res.resource_name);
    write_array(w, flex, res.configs, [&](writer& w, const describe_configs_resource_result& c) {
      write_string(w, flex, c.name);
      write_nullable_string(w, flex, c.value);
      w.write_bool(c.read_only);
      if (version == 0) w.write_bool(c.is_default);
      if (version >= 1) w.write_int8(c.config_source);
      w.write_bool(c.is_sensitive);
      if (version >= 1) {
        write_array(w, flex, c.synonyms, [&](writer& w, const describe_configs_synonym& s) {
          write_string(w, flex, s.name);
          write_nullable_string(w, flex, s.value);
          w.write_int8(s.source);
          write_tags(w, flex);
        });
      }
      if (version >= 3) {
        w.write_int8(c.config_type);
        write_nullable_string(w, flex, c.documentation);
      }
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
