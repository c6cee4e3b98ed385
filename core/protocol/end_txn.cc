#include "core/protocol/end_txn.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<end_txn_request> end_txn_request::decode(reader& r, int16_t version) {
  if (!end_txn_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::end_txn, version);
  end_txn_request m;
  m.transactional_id = read_string(r, flex);
  m.producer_id = read_int<core::producer_id>(r);
  m.producer_epoch = read_int<core::producer_epoch>(r);
  m.committed = r.read_bool();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void end_txn_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(end_txn_versions.contains(version), "EndTxn version not implemented");
  const bool flex = is_flexible(api_key::end_txn, version);
  write_string(w, flex, transactional_id);
  write_int(w, producer_id);
  write_int(w, producer_epoch);
  w.write_bool(committed);
  write_tags(w, flex);
}

result<end_txn_response> end_txn_response::decode(reader& r, int16_t version) {
  if (!end_txn_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::end_txn, version);
  end_txn_response m;
  m.throttle_time_ms = r.read_int32();
  m.error_code = read_error_code(r);
  if (version >= 5) {
    m.producer_id = read_int<core::producer_id>(r);
    m.producer_epoch = read_int<core::producer_epoch>(r);
  }
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void end_txn_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(end_txn_versions.contains(version), "EndTxn version not implemented");
  const bool flex = is_flexible(api_key::end_txn, version);
  w.write_int32(throttle_time_ms);
  write_error_code(w, error_code);
  if (version >= 5) {
    write_int(w, producer_id);
    write_int(w, producer_epoch);
  }
  write_tags(w, flex);
}

}  // namespace sluice::protocol
