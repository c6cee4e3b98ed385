#include "core/protocol/txn_offset_commit.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<txn_offset_commit_request> txn_offset_commit_request::decode(reader& r, int16_t version) {
  if (!txn_offset_commit_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::txn_offset_commit, version);
  txn_offset_commit_request m;
  m.transactional_id = read_string(r, flex);
  m.group_id = read_string(r, flex);
  m.producer_id = read_int<core::producer_id>(r);
  m.producer_epoch = read_int<core::producer_epoch>(r);
  if (version >= 3) {
    m.generation_id = r.read_int32();
    m.member_id = read_string(r, flex);
    m.group_instance_id = read_nullable_string(r, flex);
  }
  m.topics = read_array<txn_offset_commit_request_topic>(r, flex, [&](reader& r) {
    txn_offset_commit_request_topic t;
    t.name = read_string(r, flex);
    t.partitions = read_array<txn_offset_commit_request_partition>(r, flex, [&](reader& r) {
      txn_offset_commit_request_partition p;
      p.partition_index = read_int<core::partition_id>(r);
      p.committed_offset = read_int<core::offset>(r);
      if (version >= 2) p.committed_leader_epoch = r.read_int32();
      p.committed_metadata = read_nullable_string(r, flex);
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void txn_offset_commit_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(txn_offset_commit_versions.contains(version),
                "TxnOffsetCommit version not implemented");
  const bool flex = is_flexible(api_key::txn_offset_commit, version);
  write_string(w, flex, transactional_id);
  write_string(w, flex, group_id);
  write_int(w, producer_id);
  write_int(w, producer_epoch);
  if (version >= 3) {
    w.write_int32(generation_id);
    write_string(w, flex, member_id);
    write_nullable_string(w, flex, group_instance_id);
  }
  write_array(w, flex, topics, [&](writer& w, const txn_offset_commit_request_topic& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partitions,
                [&](writer& w, const txn_offset_commit_request_partition& p) {
                  write_int(w, p.partition_index);
                  write_int(w, p.committed_offset);
                  if (version >= 2) w.write_int32(p.committed_leader_epoch);
                  write_nullable_string(w, flex, p.committed_metadata);
                  write_tags(w, flex);
                });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

result<txn_offset_commit_response> txn_offset_commit_response::decode(reader& r,
                                                                      int16_t version) {
  if (!txn_offset_commit_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::txn_offset_commit, version);
  txn_offset_commit_response m;
  m.throttle_time_ms = r.read_int32();
  m.topics = read_array<txn_offset_commit_response_topic>(r, flex, [&](reader& r) {
    txn_offset_commit_response_topic t;
    t.name = read_string(r, flex);
    t.partitions = read_array<txn_offset_commit_response_partition>(r, flex, [&](reader& r) {
      txn_offset_commit_response_partition p;
      p.partition_index = read_int<core::partition_id>(r);
      p.error_code = read_error_code(r);
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void txn_offset_commit_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(txn_offset_commit_versions.contains(version),
                "TxnOffsetCommit version not implemented");
  const bool flex = is_flexible(api_key::txn_offset_commit, version);
  w.write_int32(throttle_time_ms);
  write_array(w, flex, topics, [&](writer& w, const txn_offset_commit_response_topic& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partitions,
                [&](writer& w, const txn_offset_commit_response_partition& p) {
                  write_int(w, p.partition_index);
                  write_error_code(w, p.error_code);
                  write_tags(w, flex);
                });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
