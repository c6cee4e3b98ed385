#include "core/protocol/add_offsets_to_txn.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<add_offsets_to_txn_request> add_offsets_to_txn_request::decode(reader& r,
                                                                      int16_t version) {
  if (!add_offsets_to_txn_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::add_offsets_to_txn, version);
  add_offsets_to_txn_request m;
  m.transactional_id = read_string(r, flex);
  m.producer_id = read_int<core::producer_id>(r);
  m.producer_epoch = read_int<core::producer_epoch>(r);
  m.group_id = read_string(r, flex);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void add_offsets_to_txn_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(add_offsets_to_txn_versions.contains(version),
                "AddOffsetsToTxn version not implemented");
  const bool flex = is_flexible(api_key::add_offsets_to_txn, version);
  write_string(w, flex, transactional_id);
  write_int(w, producer_id);
  write_int(w, producer_epoch);
  write_string(w, flex, group_id);
  write_tags(w, flex);
}

result<add_offsets_to_txn_response> add_offsets_to_txn_response::decode(reader& r,
                                                                        int16_t version) {
  if (!add_offsets_to_txn_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::add_offsets_to_txn, version);
  add_offsets_to_txn_response m;
  m.throttle_time_ms = r.read_int32();
  m.error_code = read_error_code(r);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void add_offsets_to_txn_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(add_offsets_to_txn_versions.contains(version),
                "AddOffsetsToTxn version not implemented");
  const bool flex = is_flexible(api_key::add_offsets_to_txn, version);
  w.write_int32(throttle_time_ms);
  write_error_code(w, error_code);
  write_tags(w, flex);
}

}  // namespace sluice::protocol
