#include "core/protocol/api_versions.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {
namespace {

bool alphanumeric(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

bool is_valid_client_software(std::string_view text) noexcept {
  if (text.empty() || !alphanumeric(text.front()) || !alphanumeric(text.back())) return false;
  for (char c : text) {
    if (!alphanumeric(c) && c != '-' && c != '.') return false;
  }
  return true;
}

result<api_versions_request> api_versions_request::decode(reader& r, int16_t version) {
  if (!api_versions_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::api_versions, version);
  api_versions_request m;
  if (version >= 3) {
    m.client_software_name = r.read_compact_string();
    m.client_software_version = r.read_compact_string();
  }
  detail::read_tags(r, flex);
  return detail::finish(r, std::move(m));
}

void api_versions_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(api_versions_versions.contains(version), "ApiVersions version not implemented");
  const bool flex = is_flexible(api_key::api_versions, version);
  if (version >= 3) {
    w.write_compact_string(client_software_name);
    w.write_compact_string(client_software_version);
  }
  detail::write_tags(w, flex);
}

api_versions_response api_versions_response::unsupported_version_fallback(
    std::vector<api_version> api_keys) {
  api_versions_response m;
  m.error_code = error_code::unsupported_version;
  m.api_keys = std::move(api_keys);
  return m;
}

result<api_versions_response> api_versions_response::decode(reader& r, int16_t version) {
  if (!api_versions_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::api_versions, version);
  api_versions_response m;
  m.error_code = detail::read_error_code(r);
  m.api_keys = detail::read_array<api_version>(r, flex, [&](reader& r) {
    api_version e;
    e.api_key = r.read_int16();
    e.min_version = r.read_int16();
    e.max_version = r.read_int16();
    detail::read_tags(r, flex);
    return e;
  });
  if (version >= 1) m.throttle_time_ms = r.read_int32();
  detail::read_tags(r, flex);
  return detail::finish(r, std::move(m));
}

void api_versions_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(api_versions_versions.contains(version), "ApiVersions version not implemented");
  const bool flex = is_flexible(api_key::api_versions, version);
  detail::write_error_code(w, error_code);
  detail::write_array(w, flex, api_keys, [&](writer& w, const api_version& e) {
    w.write_int16(e.api_key);
    w.write_int16(e.min_version);
    w.write_int16(e.max_version);
    detail::write_tags(w, flex);
  });
  if (version >= 1) w.write_int32(throttle_time_ms);
  detail::write_tags(w, flex);
}

}  // namespace sluice::protocol
