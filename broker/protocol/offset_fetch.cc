#include "broker/protocol/offset_fetch.h"

#include "broker/protocol/detail/codec.h"

namespace sluice::broker::protocol {

using namespace detail;

result<offset_fetch_request> offset_fetch_request::decode(reader& r, int16_t version) {
  if (!offset_fetch_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::offset_fetch, version);
  offset_fetch_request m;
  m.group_id = read_string(r, flex);
  auto read_topic = [&](reader& r) {
    offset_fetch_request_topic t;
    t.name = read_string(r, flex);
    t.partition_indexes =
        read_array<core::partition_id>(r, flex, int_reader<core::partition_id>());
    read_tags(r, flex);
    return t;
  };
  if (version >= 2) {
    m.topics = read_nullable_array<offset_fetch_request_topic>(r, flex, read_topic);
  } else {
    m.topics = read_array<offset_fetch_request_topic>(r, flex, read_topic);
  }
  if (version >= 7) m.require_stable = r.read_bool();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void offset_fetch_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(offset_fetch_versions.contains(version), "OffsetFetch version not implemented");
  const bool flex = is_flexible(api_key::offset_fetch, version);
  write_string(w, flex, group_id);
  auto write_topic = [&](writer& w, const offset_fetch_request_topic& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partition_indexes, int_writer<core::partition_id>());
    write_tags(w, flex);
  };
  if (version >= 2) {
    write_nullable_array(w, flex, topics, write_topic);
  } else {
    write_array(w, flex, topics.value_or(std::vector<offset_fetch_request_topic>{}), write_topic);
  }
  if (version >= 7) w.write_bool(require_stable);
  write_tags(w, flex);
}

result<offset_fetch_response> offset_fetch_response::decode(reader& r, int16_t version) {
  if (!offset_fetch_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::offset_fetch, version);
  offset_fetch_response m;
  if (version >= 3) m.throttle_time_ms = r.read_int32();
  m.topics = read_array<offset_fetch_response_topic>(r, flex, [&](reader& r) {
    offset_fetch_response_topic t;
    t.name = read_string(r, flex);
    t.partitions = read_array<offset_fetch_response_partition>(r, flex, [&](reader& r) {
      offset_fetch_response_partition p;
      p.partition_index = read_int<core::partition_id>(r);
      p.committed_offset = read_int<core::offset>(r);
      if (version >= 5) p.committed_leader_epoch = r.read_int32();
      p.metadata = read_nullable_string(r, flex);
      p.error_code = read_error_code(r);
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  if (version >= 2) m.error_code = read_error_code(r);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void offset_fetch_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(offset_fetch_versions.contains(version), "OffsetFetch version not implemented");
  const bool flex = is_flexible(api_key::offset_fetch, version);
  if (version >= 3) w.write_int32(throttle_time_ms);
  write_array(w, flex, topics, [&](writer& w, const offset_fetch_response_topic& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partitions, [&](writer& w, const offset_fetch_response_partition& p) {
      write_int(w, p.partition_index);
      write_int(w, p.committed_offset);
      if (version >= 5) w.write_int32(p.committed_leader_epoch);
      write_nullable_string(w, flex, p.metadata);
      write_error_code(w, p.error_code);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  if (version >= 2) write_error_code(w, error_code);
  write_tags(w, flex);
}

}  // namespace sluice::broker::protocol
