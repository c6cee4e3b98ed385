#include "core/protocol/init_producer_id.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<init_producer_id_request> init_producer_id_request::decode(reader& r, int16_t version) {
  if (!init_producer_id_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::init_producer_id, version);
  init_producer_id_request m;
  m.transactional_id = read_nullable_string(r, flex);
  m.transaction_timeout_ms = r.read_int32();
  if (version >= 3) {
    m.producer_id = read_int<core::producer_id>(r);
    m.producer_epoch = read_int<core::producer_epoch>(r);
  }
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void init_producer_id_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(init_producer_id_versions.contains(version),
                "InitProducerId version not implemented");
  const bool flex = is_flexible(api_key::init_producer_id, version);
  write_nullable_string(w, flex, transactional_id);
  w.write_int32(transaction_timeout_ms);
  if (version >= 3) {
    write_int(w, producer_id);
    write_int(w, producer_epoch);
  }
  write_tags(w, flex);
}

result<init_producer_id_response> init_producer_id_response::decode(reader& r, int16_t version) {
  if (!init_producer_id_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::init_producer_id, version);
  init_producer_id_response m;
  m.throttle_time_ms = r.read_int32();
  m.error_code = read_error_code(r);
  m.producer_id = read_int<core::producer_id>(r);
  m.producer_epoch = read_int<core::producer_epoch>(r);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void init_producer_id_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(init_producer_id_versions.contains(version),
                "InitProducerId version not implemented");
  const bool flex = is_flexible(api_key::init_producer_id, version);
  w.write_int32(throttle_time_ms);
  write_error_code(w, error_code);
  write_int(w, producer_id);
  write_int(w, producer_epoch);
  write_tags(w, flex);
}

}  // namespace sluice::protocol
