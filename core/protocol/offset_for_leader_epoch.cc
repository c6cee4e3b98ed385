#include "core/protocol/offset_for_leader_epoch.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {
constexpr int16_t first_flexible = 4;
}  // namespace

result<offset_for_leader_epoch_request> offset_for_leader_epoch_request::decode(reader& r,
                                                                                int16_t version) {
  if (!offset_for_leader_epoch_versions.contains(version)) return errc::unsupported_version;
  const bool flex = version >= first_flexible;
  offset_for_leader_epoch_request m;
  if (version >= 3) m.replica_id = read_int<core::node_id>(r);
  m.topics = read_array<leader_topic>(r, flex, [&](reader& r) {
    leader_topic t;
    t.topic = read_string(r, flex);
    t.partitions = read_array<leader_partition>(r, flex, [&](reader& r) {
      leader_partition p;
      p.partition = read_int<core::partition_id>(r);
      if (version >= 2) p.current_leader_epoch = r.read_int32();
      p.leader_epoch = r.read_int32();
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void offset_for_leader_epoch_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(offset_for_leader_epoch_versions.contains(version),
                "OffsetForLeaderEpoch version not implemented");
  const bool flex = version >= first_flexible;
  if (version >= 3) write_int(w, replica_id);
  write_array(w, flex, topics, [&](writer& w, const leader_topic& t) {
    write_string(w, flex, t.topic);
    write_array(w, flex, t.partitions, [&](writer& w, const leader_partition& p) {
      write_int(w, p.partition);
      if (version >= 2) w.write_int32(p.current_leader_epoch);
      w.write_int32(p.leader_epoch);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

result<offset_for_leader_epoch_response> offset_for_leader_epoch_response::decode(reader& r,
                                                                                  int16_t version) {
  if (!offset_for_leader_epoch_versions.contains(version)) return errc::unsupported_version;
  const bool flex = version >= first_flexible;
  offset_for_leader_epoch_response m;
  if (version >= 2) m.throttle_time_ms = r.read_int32();
  m.topics = read_array<topic_result>(r, flex, [&](reader& r) {
    topic_result t;
    t.topic = read_string(r, flex);
    t.partitions = read_array<epoch_end_offset>(r, flex, [&](reader& r) {
      epoch_end_offset p;
      p.error_code = read_error_code(r);
      p.partition = read_int<core::partition_id>(r);
      if (version >= 1) p.leader_epoch = r.read_int32();
      p.end_offset = read_int<core::offset>(r);
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void offset_for_leader_epoch_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(offset_for_leader_epoch_versions.contains(version),
                "OffsetForLeaderEpoch version not implemented");
  const bool flex = version >= first_flexible;
  if (version >= 2) w.write_int32(throttle_time_ms);
  write_array(w, flex, topics, [&](writer& w, const topic_result& t) {
    write_string(w, flex, t.topic);
    write_array(w, flex, t.partitions, [&](writer& w, const epoch_end_offset& p) {
      write_error_code(w, p.error_code);
      write_int(w, p.partition);
      if (version >= 1) w.write_int32(p.leader_epoch);
      write_int(w, p.end_offset);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
