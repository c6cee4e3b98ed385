#include "core/protocol/offset_commit.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<offset_commit_request> offset_commit_request::decode(reader& r, int16_t version) {
  if (!offset_commit_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::offset_commit, version);
  offset_commit_request m;
  m.group_id = read_string(r, flex);
  m.generation_id_or_member_epoch = r.read_int32();
  m.member_id = read_string(r, flex);
  if (version >= 7) m.group_instance_id = read_nullable_string(r, flex);
  if (version >= 2 && version <= 4) m.retention_time_ms = r.read_int64();
  m.topics = read_array<offset_commit_request_topic>(r, flex, [&](reader& r) {
    offset_commit_request_topic t;
    if (version >= 10) {
      t.topic_id = r.read_uuid();
    } else {
      t.name = read_string(r, flex);
    }
    t.partitions = read_array<offset_commit_request_partition>(r, flex, [&](reader& r) {
      offset_commit_request_partition p;
      p.partition_index = read_int<core::partition_id>(r);
      p.committed_offset = read_int<core::offset>(r);
      if (version >= 6) p.committed_leader_epoch = r.read_int32();
      if (version == 1) p.commit_timestamp = r.read_int64();
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

void offset_commit_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(offset_commit_versions.contains(version), "OffsetCommit version not implemented");
  const bool flex = is_flexible(api_key::offset_commit, version);
  write_string(w, flex, group_id);
  w.write_int32(generation_id_or_member_epoch);
  write_string(w, flex, member_id);
  if (version >= 7) write_nullable_string(w, flex, group_instance_id);
  if (version >= 2 && version <= 4) w.write_int64(retention_time_ms);
  write_array(w, flex, topics, [&](writer& w, const offset_commit_request_topic& t) {
    if (version >= 10) {
      w.write_uuid(t.topic_id);
    } else {
      write_string(w, flex, t.name);
    }
    write_array(w, flex, t.partitions, [&](writer& w, const offset_commit_request_partition& p) {
      write_int(w, p.partition_index);
      write_int(w, p.committed_offset);
      if (version >= 6) w.write_int32(p.committed_leader_epoch);
      if (version == 1) w.write_int64(p.commit_timestamp);
      write_nullable_string(w, flex, p.committed_metadata);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

result<offset_commit_response> offset_commit_response::decode(reader& r, int16_t version) {
  if (!offset_commit_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::offset_commit, version);
  offset_commit_response m;
  if (version >= 3) m.throttle_time_ms = r.read_int32();
  m.topics = read_array<offset_commit_response_topic>(r, flex, [&](reader& r) {
    offset_commit_response_topic t;
    if (version >= 10) {
      t.topic_id = r.read_uuid();
    } else {
      t.name = read_string(r, flex);
    }
    t.partitions = read_array<offset_commit_response_partition>(r, flex, [&](reader& r) {
      offset_commit_response_partition p;
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

void offset_commit_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(offset_commit_versions.contains(version), "OffsetCommit version not implemented");
  const bool flex = is_flexible(api_key::offset_commit, version);
  if (version >= 3) w.write_int32(throttle_time_ms);
  write_array(w, flex, topics, [&](writer& w, const offset_commit_response_topic& t) {
    if (version >= 10) {
      w.write_uuid(t.topic_id);
    } else {
      write_string(w, flex, t.name);
    }
    write_array(w, flex, t.partitions,
                [&](writer& w, const offset_commit_response_partition& p) {
                  write_int(w, p.partition_index);
                  write_error_code(w, p.error_code);
                  write_tags(w, flex);
                });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
