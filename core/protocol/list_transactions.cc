#include "core/protocol/list_transactions.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {
constexpr bool flex = true;  // flexible from v0
}  // namespace

result<list_transactions_request> list_transactions_request::decode(reader& r, int16_t version) {
  if (!list_transactions_versions.contains(version)) return errc::unsupported_version;
  list_transactions_request m;
  m.state_filters = read_array<std::string>(r, flex, string_reader(flex));
  m.producer_id_filters = read_array<core::producer_id>(r, flex, int_reader<core::producer_id>());
  if (version >= 1) m.duration_filter = r.read_int64();
  if (version >= 2) m.transactional_id_pattern = read_nullable_string(r, flex);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void list_transactions_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(list_transactions_versions.contains(version),
                "ListTransactions version not implemented");
  write_array(w, flex, state_filters, string_writer(flex));
  write_array(w, flex, producer_id_filters, int_writer<core::producer_id>());
  if (version >= 1) w.write_int64(duration_filter);
  if (version >= 2) write_nullable_string(w, flex, transactional_id_pattern);
  write_tags(w, flex);
}

result<list_transactions_response> list_transactions_response::decode(reader& r, int16_t version) {
  if (!list_transactions_versions.contains(version)) return errc::unsupported_version;
  list_transactions_response m;
  m.throttle_time_ms = r.read_int32();
  m.error_code = read_error_code(r);
  m.unknown_state_filters = read_array<std::string>(r, flex, string_reader(flex));
  m.transaction_states = read_array<transaction_state>(r, flex, [](reader& r) {
    transaction_state s;
    s.transactional_id = read_string(r, flex);
    s.producer_id = read_int<core::producer_id>(r);
    s.transaction_state = read_string(r, flex);
    read_tags(r, flex);
    return s;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void list_transactions_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(list_transactions_versions.contains(version),
                "ListTransactions version not implemented");
  w.write_int32(throttle_time_ms);
  write_error_code(w, error_code);
  write_array(w, flex, unknown_state_filters, string_writer(flex));
  write_array(w, flex, transaction_states, [](writer& w, const transaction_state& s) {
    write_string(w, flex, s.transactional_id);
    write_int(w, s.producer_id);
    write_string(w, flex, s.transaction_state);
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
