#include "core/protocol/request_header.h"

#include "core/protocol/errc.h"

namespace sluice::protocol {

std::optional<request_prefix> peek_request_prefix(bytes_view frame) noexcept {
  reader r(frame);
  request_prefix p;
  p.api_key = r.read_int16();
  p.api_version = r.read_int16();
  p.correlation_id = r.read_int32();
  if (!r.ok()) return std::nullopt;
  return p;
}

int16_t request_header_version(api_key key, int16_t api_version) noexcept {
  return is_flexible(key, api_version) ? 2 : 1;
}

int16_t response_header_version(api_key key, int16_t api_version) noexcept {
  if (key == api_key::api_versions) return 0;
  return is_flexible(key, api_version) ? 1 : 0;
}

result<request_header> request_header::decode(reader& r) {
  request_header h;
  const int16_t raw_key = r.read_int16();
  h.api_version = r.read_int16();
  h.correlation_id = r.read_int32();
  if (!r.ok()) return errc::malformed;
  const auto key = to_api_key(raw_key);
  if (!key) return errc::unknown_api_key;
  h.key = *key;
  h.client_id = r.read_nullable_string();
  if (request_header_version(h.key, h.api_version) >= 2) r.skip_tagged_fields();
  if (!r.ok()) return errc::malformed;
  return h;
}

void request_header::encode(writer& w) const {
  w.write_int16(static_cast<int16_t>(key));
  w.write_int16(api_version);
  w.write_int32(correlation_id);
  w.write_nullable_string(view_of(client_id));
  if (request_header_version(key, api_version) >= 2) w.write_empty_tagged_fields();
}

void encode_response_header(writer& w, api_key key, int16_t api_version, int32_t correlation_id) {
  w.write_int32(correlation_id);
  if (response_header_version(key, api_version) >= 1) w.write_empty_tagged_fields();
}

result<int32_t> decode_response_header(reader& r, api_key key, int16_t api_version) {
  const int32_t correlation_id = r.read_int32();
  if (response_header_version(key, api_version) >= 1) r.skip_tagged_fields();
  if (!r.ok()) return errc::malformed;
  return correlation_id;
}

}  // namespace sluice::protocol
