#include "core/protocol/describe_transactions.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {
constexpr bool flex = true;  // flexible from v0
}  // namespace

result<describe_transactions_request> describe_transactions_request::decode(reader& r,
                                                                            int16_t version) {
  if (!describe_transactions_versions.contains(version)) return errc::unsupported_version;
  describe_transactions_request m;
  m.transactional_ids = read_array<std::string>(r, flex, string_reader(flex));
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_transactions_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_transactions_versions.contains(version),
                "DescribeTransactions version not implemented");
  write_array(w, flex, transactional_ids, string_writer(flex));
  write_tags(w, flex);
}

result<describe_transactions_response> describe_transactions_response::decode(reader& r,
                                                                              int16_t version) {
  if (!describe_transactions_versions.contains(version)) return errc::unsupported_version;
  describe_transactions_response m;
  m.throttle_time_ms = r.read_int32();
  m.transaction_states = read_array<transaction_state>(r, flex, [](reader& r) {
    transaction_state s;
    s.error_code = read_error_code(r);
    s.transactional_id = read_string(r, flex);
    s.transaction_state = read_string(r, flex);
    s.transaction_timeout_ms = r.read_int32();
    s.transaction_start_time_ms = r.read_int64();
    s.producer_id = read_int<core::producer_id>(r);
    s.producer_epoch = read_int<core::producer_epoch>(r);
    s.topics = read_array<topic_data>(r, flex, [](reader& r) {
      topic_data t;
      t.topic = read_string(r, flex);
      t.partitions = read_array<core::partition_id>(r, flex, int_reader<core::partition_id>());
      read_tags(r, flex);
      return t;
    });
    read_tags(r, flex);
    return s;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_transactions_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_transactions_versions.contains(version),
                "DescribeTransactions version not implemented");
  w.write_int32(throttle_time_ms);
  write_array(w, flex, transaction_states, [](writer& w, const transaction_state& s) {
    write_error_code(w, s.error_code);
    write_string(w, flex, s.transactional_id);
    write_string(w, flex, s.transaction_state);
    w.write_int32(s.transaction_timeout_ms);
    w.write_int64(s.transaction_start_time_ms);
    write_int(w, s.producer_id);
    write_int(w, s.producer_epoch);
    write_array(w, flex, s.topics, [](writer& w, const topic_data& t) {
      write_string(w, flex, t.topic);
      write_array(w, flex, t.partitions, int_writer<core::partition_id>());
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
