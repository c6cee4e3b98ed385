#include "core/protocol/find_coordinator.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<find_coordinator_request> find_coordinator_request::decode(reader& r, int16_t version) {
  if (!find_coordinator_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::find_coordinator, version);
  find_coordinator_request m;
  if (version <= 3) m.key = read_string(r, flex);
  if (version >= 1) m.key_type = r.read_int8();
  if (version >= 4) m.coordinator_keys = read_array<std::string>(r, flex, string_reader(flex));
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void find_coordinator_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(find_coordinator_versions.contains(version),
                "FindCoordinator version not implemented");
  const bool flex = is_flexible(api_key::find_coordinator, version);
  if (version <= 3) write_string(w, flex, key);
  if (version >= 1) w.write_int8(key_type);
  if (version >= 4) write_array(w, flex, coordinator_keys, string_writer(flex));
  write_tags(w, flex);
}

result<find_coordinator_response> find_coordinator_response::decode(reader& r, int16_t version) {
  if (!find_coordinator_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::find_coordinator, version);
  find_coordinator_response m;
  if (version >= 1) m.throttle_time_ms = r.read_int32();
  if (version <= 3) {
    m.error_code = read_error_code(r);
    if (version >= 1) m.error_message = read_nullable_string(r, flex);
    m.node_id = read_int<core::node_id>(r);
    m.host = read_string(r, flex);
    m.port = r.read_int32();
  }
  if (version >= 4) {
    m.coordinators = read_array<coordinator>(r, flex, [&](reader& r) {
      coordinator c;
      c.key = read_string(r, flex);
      c.node_id = read_int<core::node_id>(r);
      c.host = read_string(r, flex);
      c.port = r.read_int32();
      c.error_code = read_error_code(r);
      c.error_message = read_nullable_string(r, flex);
      read_tags(r, flex);
      return c;
    });
  }
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void find_coordinator_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(find_coordinator_versions.contains(version),
                "FindCoordinator version not implemented");
  const bool flex = is_flexible(api_key::find_coordinator, version);
  if (version >= 1) w.write_int32(throttle_time_ms);
  if (version <= 3) {
    write_error_code(w, error_code);
    if (version >= 1) write_nullable_string(w, flex, error_message);
    write_int(w, node_id);
    write_string(w, flex, host);
    w.write_int32(port);
  }
  if (version >= 4) {
    write_array(w, flex, coordinators, [&](writer& w, const coordinator& c) {
      write_string(w, flex, c.key);
      write_int(w, c.node_id);
      write_string(w, flex, c.host);
      w.write_int32(c.port);
      write_error_code(w, c.error_code);
      write_nullable_string(w, flex, c.error_message);
      write_tags(w, flex);
    });
  }
  write_tags(w, flex);
}

}  // namespace sluice::protocol
