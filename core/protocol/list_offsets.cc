#include "core/protocol/list_offsets.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {
constexpr int16_t first_flexible = 6;
}  // namespace

result<list_offsets_request> list_offsets_request::decode(reader& r, int16_t version) {
  if (!list_offsets_versions.contains(version)) return errc::unsupported_version;
  const bool flex = version >= first_flexible;
  list_offsets_request m;
  m.replica_id = read_int<core::node_id>(r);
  if (version >= 2) m.isolation_level = r.read_int8();
  m.topics = read_array<list_offsets_topic>(r, flex, [&](reader& r) {
    list_offsets_topic t;
    t.name = read_string(r, flex);
    t.partitions = read_array<list_offsets_partition>(r, flex, [&](reader& r) {
      list_offsets_partition p;
      p.partition_index = read_int<core::partition_id>(r);
      if (version >= 4) p.current_leader_epoch = r.read_int32();
      p.timestamp = r.read_int64();
      if (version == 0) p.max_num_offsets = r.read_int32();
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  if (version >= 10) m.timeout_ms = r.read_int32();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void list_offsets_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(list_offsets_versions.contains(version), "ListOffsets version not implemented");
  const bool flex = version >= first_flexible;
  write_int(w, replica_id);
  if (version >= 2) w.write_int8(isolation_level);
  write_array(w, flex, topics, [&](writer& w, const list_offsets_topic& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partitions, [&](writer& w, const list_offsets_partition& p) {
      write_int(w, p.partition_index);
      if (version >= 4) w.write_int32(p.current_leader_epoch);
      w.write_int64(p.timestamp);
      if (version == 0) w.write_int32(p.max_num_offsets);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  if (version >= 10) w.write_int32(timeout_ms);
  write_tags(w, flex);
}

result<list_offsets_response> list_offsets_response::decode(reader& r, int16_t version) {
  if (!list_offsets_versions.contains(version)) return errc::unsupported_version;
  const bool flex = version >= first_flexible;
  list_offsets_response m;
  if (version >= 2) m.throttle_time_ms = r.read_int32();
  m.topics = read_array<list_offsets_topic_response>(r, flex, [&](reader& r) {
    list_offsets_topic_response t;
    t.name = read_string(r, flex);
    t.partitions = read_array<list_offsets_partition_response>(r, flex, [&](reader& r) {
      list_offsets_partition_response p;
      p.partition_index = read_int<core::partition_id>(r);
      p.error_code = read_error_code(r);
      if (version == 0) {
        p.old_style_offsets = read_array<int64_t>(r, flex, int_reader<int64_t>());
      } else {
        p.timestamp = r.read_int64();
        p.offset = read_int<core::offset>(r);
      }
      if (version >= 4) p.leader_epoch = r.read_int32();
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void list_offsets_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(list_offsets_versions.contains(version), "ListOffsets version not implemented");
  const bool flex = version >= first_flexible;
  if (version >= 2) w.write_int32(throttle_time_ms);
  write_array(w, flex, topics, [&](writer& w, const list_offsets_topic_response& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partitions, [&](writer& w, const list_offsets_partition_response& p) {
      write_int(w, p.partition_index);
      write_error_code(w, p.error_code);
      if (version == 0) {
        write_array(w, flex, p.old_style_offsets, int_writer<int64_t>());
      } else {
        w.write_int64(p.timestamp);
        write_int(w, p.offset);
      }
      if (version >= 4) w.write_int32(p.leader_epoch);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
