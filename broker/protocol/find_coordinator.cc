#include "broker/protocol/find_coordinator.h"

#include "broker/protocol/detail/codec.h"

namespace sluice::broker::protocol {

using namespace detail;

result<find_coordinator_request> find_coordinator_request::decode(reader& r, int16_t version) {
  if (!find_coordinator_versions.contains(version)) return errc::unsupported_version;
  constexpr bool flex = false;
  find_coordinator_request m;
  m.key = read_string(r, flex);
  if (version >= 1) m.key_type = r.read_int8();
  return finish(r, std::move(m));
}

void find_coordinator_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(find_coordinator_versions.contains(version),
                "FindCoordinator version not implemented");
  constexpr bool flex = false;
  write_string(w, flex, key);
  if (version >= 1) w.write_int8(key_type);
}

result<find_coordinator_response> find_coordinator_response::decode(reader& r, int16_t version) {
  if (!find_coordinator_versions.contains(version)) return errc::unsupported_version;
  constexpr bool flex = false;
  find_coordinator_response m;
  if (version >= 1) m.throttle_time_ms = r.read_int32();
  m.error_code = read_error_code(r);
  if (version >= 1) m.error_message = read_nullable_string(r, flex);
  m.node_id = read_int<core::node_id>(r);
  m.host = read_string(r, flex);
  m.port = r.read_int32();
  return finish(r, std::move(m));
}

void find_coordinator_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(find_coordinator_versions.contains(version),
                "FindCoordinator version not implemented");
  constexpr bool flex = false;
  if (version >= 1) w.write_int32(throttle_time_ms);
  write_error_code(w, error_code);
  if (version >= 1) write_nullable_string(w, flex, error_message);
  write_int(w, node_id);
  write_string(w, flex, host);
  w.write_int32(port);
}

}  // namespace sluice::broker::protocol
