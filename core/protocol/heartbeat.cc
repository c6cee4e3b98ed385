#include "core/protocol/heartbeat.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<heartbeat_request> heartbeat_request::decode(reader& r, int16_t version) {
  if (!heartbeat_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::heartbeat, version);
  heartbeat_request m;
  m.group_id = read_string(r, flex);
  m.generation_id = r.read_int32();
  m.member_id = read_string(r, flex);
  if (version >= 3) m.group_instance_id = read_nullable_string(r, flex);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void heartbeat_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(heartbeat_versions.contains(version), "Heartbeat version not implemented");
  const bool flex = is_flexible(api_key::heartbeat, version);
  write_string(w, flex, group_id);
  w.write_int32(generation_id);
  write_string(w, flex, member_id);
  if (version >= 3) write_nullable_string(w, flex, group_instance_id);
  write_tags(w, flex);
}

result<heartbeat_response> heartbeat_response::decode(reader& r, int16_t version) {
  if (!heartbeat_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::heartbeat, version);
  heartbeat_response m;
  if (version >= 1) m.throttle_time_ms = r.read_int32();
  m.error_code = read_error_code(r);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void heartbeat_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(heartbeat_versions.contains(version), "Heartbeat version not implemented");
  const bool flex = is_flexible(api_key::heartbeat, version);
  if (version >= 1) w.write_int32(throttle_time_ms);
  write_error_code(w, error_code);
  write_tags(w, flex);
}

}  // namespace sluice::protocol
