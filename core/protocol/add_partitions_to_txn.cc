#include "core/protocol/add_partitions_to_txn.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {

using request_topic = add_partitions_to_txn_request::add_partitions_to_txn_topic;
using partition_result = add_partitions_to_txn_response::add_partitions_to_txn_partition_result;
using topic_result = add_partitions_to_txn_response::add_partitions_to_txn_topic_result;

std::vector<request_topic> read_topics(reader& r, bool flex) {
  return read_array<request_topic>(r, flex, [&](reader& r) {
    request_topic t;
    t.name = read_string(r, flex);
    t.partitions = read_array<core::partition_id>(r, flex, int_reader<core::partition_id>());
    read_tags(r, flex);
    return t;
  });
}

void write_topics(writer& w, bool flex, const std::vector<request_topic>& topics) {
  write_array(w, flex, topics, [&](writer& w, const request_topic& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partitions, int_writer<core::partition_id>());
    write_tags(w, flex);
  });
}

std::vector<topic_result> read_topic_results(reader& r, bool flex) {
  return read_array<topic_result>(r, flex, [&](reader& r) {
    topic_result t;
    t.name = read_string(r, flex);
    t.results_by_partition = read_array<partition_result>(r, flex, [&](reader& r) {
      partition_result p;
      p.partition_index = read_int<core::partition_id>(r);
      p.partition_error_code = read_error_code(r);
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
}

void write_topic_results(writer& w, bool flex, const std::vector<topic_result>& topics) {
  write_array(w, flex, topics, [&](writer& w, const topic_result& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.results_by_partition, [&](writer& w, const partition_result& p) {
      write_int(w, p.partition_index);
      write_error_code(w, p.partition_error_code);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
}

bool batched(int16_t version) { return version >= add_partitions_to_txn_first_batched_version; }

}  // namespace

result<add_partitions_to_txn_request> add_partitions_to_txn_request::decode(reader& r,
                                                                            int16_t version) {
  if (!add_partitions_to_txn_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::add_partitions_to_txn, version);
  add_partitions_to_txn_request m;
  if (batched(version)) {
    m.transactions = read_array<add_partitions_to_txn_transaction>(r, flex, [&](reader& r) {
      add_partitions_to_txn_transaction t;
      t.transactional_id = read_string(r, flex);
      t.producer_id = read_int<core::producer_id>(r);
      t.producer_epoch = read_int<core::producer_epoch>(r);
      t.verify_only = r.read_bool();
      t.topics = read_topics(r, flex);
      read_tags(r, flex);
      return t;
    });
  } else {
    m.v3_and_below_transactional_id = read_string(r, flex);
    m.v3_and_below_producer_id = read_int<core::producer_id>(r);
    m.v3_and_below_producer_epoch = read_int<core::producer_epoch>(r);
    m.v3_and_below_topics = read_topics(r, flex);
  }
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void add_partitions_to_txn_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(add_partitions_to_txn_versions.contains(version),
                "AddPartitionsToTxn version not implemented");
  const bool flex = is_flexible(api_key::add_partitions_to_txn, version);
  if (batched(version)) {
    write_array(w, flex, transactions, [&](writer& w, const add_partitions_to_txn_transaction& t) {
      write_string(w, flex, t.transactional_id);
      write_int(w, t.producer_id);
      write_int(w, t.producer_epoch);
      w.write_bool(t.verify_only);
      write_topics(w, flex, t.topics);
      write_tags(w, flex);
    });
  } else {
    write_string(w, flex, v3_and_below_transactional_id);
    write_int(w, v3_and_below_producer_id);
    write_int(w, v3_and_below_producer_epoch);
    write_topics(w, flex, v3_and_below_topics);
  }
  write_tags(w, flex);
}

result<add_partitions_to_txn_response> add_partitions_to_txn_response::decode(reader& r,
                                                                              int16_t version) {
  if (!add_partitions_to_txn_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::add_partitions_to_txn, version);
  add_partitions_to_txn_response m;
  m.throttle_time_ms = r.read_int32();
  if (batched(version)) {
    m.error_code = read_error_code(r);
    m.results_by_transaction = read_array<add_partitions_to_txn_result>(r, flex, [&](reader& r) {
      add_partitions_to_txn_result t;
      t.transactional_id = read_string(r, flex);
      t.topic_results = read_topic_results(r, flex);
      read_tags(r, flex);
      return t;
    });
  } else {
    m.results_by_topic_v3_and_below = read_topic_results(r, flex);
  }
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void add_partitions_to_txn_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(add_partitions_to_txn_versions.contains(version),
                "AddPartitionsToTxn version not implemented");
  const bool flex = is_flexible(api_key::add_partitions_to_txn, version);
  w.write_int32(throttle_time_ms);
  if (batched(version)) {
    write_error_code(w, error_code);
    write_array(w, flex, results_by_transaction, [&](writer& w, const add_partitions_to_txn_result& t) {
      write_string(w, flex, t.transactional_id);
      write_topic_results(w, flex, t.topic_results);
      write_tags(w, flex);
    });
  } else {
    write_topic_results(w, flex, results_by_topic_v3_and_below);
  }
  write_tags(w, flex);
}

}  // namespace sluice::protocol
