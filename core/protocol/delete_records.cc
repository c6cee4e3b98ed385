#include "core/protocol/delete_records.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<delete_records_request> delete_records_request::decode(reader& r, int16_t version) {
  if (!delete_records_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::delete_records, version);
  delete_records_request m;
  m.topics = read_array<delete_records_topic>(r, flex, [&](reader& r) {
    delete_records_topic t;
    t.name = read_string(r, flex);
    t.partitions = read_array<delete_records_partition>(r, flex, [&](reader& r) {
      delete_records_partition p;
      p.partition_index = read_int<core::partition_id>(r);
      p.offset = read_int<core::offset>(r);
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  m.timeout_ms = r.read_int32();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void delete_records_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(delete_records_versions.contains(version), "DeleteRecords version not implemented");
  const bool flex = is_flexible(api_key::delete_records, version);
  write_array(w, flex, topics, [&](writer& w, const delete_records_topic& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partitions, [&](writer& w, const delete_records_partition& p) {
      write_int(w, p.partition_index);
      write_int(w, p.offset);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  w.write_int32(timeout_ms);
  write_tags(w, flex);
}

result<delete_records_response> delete_records_response::decode(reader& r, int16_t version) {
  if (!delete_records_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::delete_records, version);
  delete_records_response m;
  m.throttle_time_ms = r.read_int32();
  m.topics = read_array<delete_records_topic_result>(r, flex, [&](reader& r) {
    delete_records_topic_result t;
    t.name = read_string(r, flex);
    t.partitions = read_array<delete_records_partition_result>(r, flex, [&](reader& r) {
      delete_records_partition_result p;
      p.partition_index = read_int<core::partition_id>(r);
      p.low_watermark = read_int<core::offset>(r);
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

void delete_records_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(delete_records_versions.contains(version), "DeleteRecords version not implemented");
  const bool flex = is_flexible(api_key::delete_records, version);
  w.write_int32(throttle_time_ms);
  write_array(w, flex, topics, [&](writer& w, const delete_records_topic_result& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partitions, [&](writer& w, const delete_records_partition_result& p) {
      write_int(w, p.partition_index);
      write_int(w, p.low_watermark);
      write_error_code(w, p.error_code);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
