#include "broker/protocol/add_partitions_to_txn.h"

#include "broker/protocol/detail/codec.h"

namespace sluice::broker::protocol {

using namespace detail;

result<add_partitions_to_txn_request> add_partitions_to_txn_request::decode(reader& r,
                                                                            int16_t version) {
  if (!add_partitions_to_txn_versions.contains(version)) return errc::unsupported_version;
  constexpr bool flex = false;
  add_partitions_to_txn_request m;
  m.v3_and_below_transactional_id = read_string(r, flex);
  m.v3_and_below_producer_id = read_int<core::producer_id>(r);
  m.v3_and_below_producer_epoch = read_int<core::producer_epoch>(r);
  m.v3_and_below_topics = read_array<add_partitions_to_txn_topic>(r, flex, [&](reader& r) {
    add_partitions_to_txn_topic t;
    t.name = read_string(r, flex);
    t.partitions = read_array<core::partition_id>(r, flex, int_reader<core::partition_id>());
    return t;
  });
  return finish(r, std::move(m));
}

void add_partitions_to_txn_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(add_partitions_to_txn_versions.contains(version),
                "AddPartitionsToTxn version not implemented");
  constexpr bool flex = false;
  write_string(w, flex, v3_and_below_transactional_id);
  write_int(w, v3_and_below_producer_id);
  write_int(w, v3_and_below_producer_epoch);
  write_array(w, flex, v3_and_below_topics, [&](writer& w, const add_partitions_to_txn_topic& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partitions, int_writer<core::partition_id>());
  });
}

result<add_partitions_to_txn_response> add_partitions_to_txn_response::decode(reader& r,
                                                                              int16_t version) {
  if (!add_partitions_to_txn_versions.contains(version)) return errc::unsupported_version;
  constexpr bool flex = false;
  add_partitions_to_txn_response m;
  m.throttle_time_ms = r.read_int32();
  m.results_by_topic_v3_and_below =
      read_array<add_partitions_to_txn_topic_result>(r, flex, [&](reader& r) {
        add_partitions_to_txn_topic_result t;
        t.name = read_string(r, flex);
        t.results_by_partition =
            read_array<add_partitions_to_txn_partition_result>(r, flex, [&](reader& r) {
              add_partitions_to_txn_partition_result p;
              p.partition_index = read_int<core::partition_id>(r);
              p.partition_error_code = read_error_code(r);
              return p;
            });
        return t;
      });
  return finish(r, std::move(m));
}

void add_partitions_to_txn_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(add_partitions_to_txn_versions.contains(version),
                "AddPartitionsToTxn version not implemented");
  constexpr bool flex = false;
  w.write_int32(throttle_time_ms);
  write_array(w, flex, results_by_topic_v3_and_below,
              [&](writer& w, const add_partitions_to_txn_topic_result& t) {
                write_string(w, flex, t.name);
                write_array(w, flex, t.results_by_partition,
                            [&](writer& w, const add_partitions_to_txn_partition_result& p) {
                              write_int(w, p.partition_index);
                              write_error_code(w, p.partition_error_code);
                            });
              });
}

}  // namespace sluice::broker::protocol
