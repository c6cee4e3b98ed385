#include "core/protocol/offset_delete.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<offset_delete_request> offset_delete_request::decode(reader& r, int16_t version) {
  if (!offset_delete_versions.contains(version)) return errc::unsupported_version;
  constexpr bool flex = false;
  offset_delete_request m;
  m.group_id = read_string(r, flex);
  m.topics = read_array<offset_delete_request_topic>(r, flex, [&](reader& r) {
    offset_delete_request_topic t;
    t.name = read_string(r, flex);
    t.partitions = read_array<offset_delete_request_partition>(r, flex, [&](reader& r) {
      return offset_delete_request_partition{read_int<core::partition_id>(r)};
    });
    return t;
  });
  return finish(r, std::move(m));
}

void offset_delete_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(offset_delete_versions.contains(version), "OffsetDelete version not implemented");
  constexpr bool flex = false;
  write_string(w, flex, group_id);
  write_array(w, flex, topics, [&](writer& w, const offset_delete_request_topic& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partitions, [&](writer& w, const offset_delete_request_partition& p) {
      write_int(w, p.partition_index);
    });
  });
}

result<offset_delete_response> offset_delete_response::decode(reader& r, int16_t version) {
  if (!offset_delete_versions.contains(version)) return errc::unsupported_version;
  constexpr bool flex = false;
  offset_delete_response m;
  m.error_code = read_error_code(r);
  m.throttle_time_ms = r.read_int32();
  m.topics = read_array<offset_delete_response_topic>(r, flex, [&](reader& r) {
    offset_delete_response_topic t;
    t.name = read_string(r, flex);
    t.partitions = read_array<offset_delete_response_partition>(r, flex, [&](reader& r) {
      offset_delete_response_partition p;
      p.partition_index = read_int<core::partition_id>(r);
      p.error_code = read_error_code(r);
      return p;
    });
    return t;
  });
  return finish(r, std::move(m));
}

void offset_delete_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(offset_delete_versions.contains(version), "OffsetDelete version not implemented");
  constexpr bool flex = false;
  write_error_code(w, error_code);
  w.write_int32(throttle_time_ms);
  write_array(w, flex, topics, [&](writer& w, const offset_delete_response_topic& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partitions,
                [&](writer& w, const offset_delete_response_partition& p) {
                  write_int(w, p.partition_index);
                  write_error_code(w, p.error_code);
                });
  });
}

}  // namespace sluice::protocol
