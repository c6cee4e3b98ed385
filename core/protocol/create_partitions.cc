#include "core/protocol/create_partitions.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<create_partitions_request> create_partitions_request::decode(reader& r, int16_t version) {
  if (!create_partitions_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::create_partitions, version);
  create_partitions_request m;
  m.topics = read_array<create_partitions_topic>(r, flex, [&](reader& r) {
    create_partitions_topic t;
    t.name = read_string(r, flex);
    t.count = r.read_int32();
    t.assignments = read_nullable_array<create_partitions_assignment>(r, flex, [&](reader& r) {
      create_partitions_assignment a{
          read_array<core::node_id>(r, flex, int_reader<core::node_id>())};
      read_tags(r, flex);
      return a;
    });
    read_tags(r, flex);
    return t;
  });
  m.timeout_ms = r.read_int32();
  m.validate_only = r.read_bool();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void create_partitions_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(create_partitions_versions.contains(version),
                "CreatePartitions version not implemented");
  const bool flex = is_flexible(api_key::create_partitions, version);
  write_array(w, flex, topics, [&](writer& w, const create_partitions_topic& t) {
    write_string(w, flex, t.name);
    w.write_int32(t.count);
    write_nullable_array(w, flex, t.assignments,
                         [&](writer& w, const create_partitions_assignment& a) {
                           write_array(w, flex, a.broker_ids, int_writer<core::node_id>());
                           write_tags(w, flex);
                         });
    write_tags(w, flex);
  });
  w.write_int32(timeout_ms);
  w.write_bool(validate_only);
  write_tags(w, flex);
}

result<create_partitions_response> create_partitions_response::decode(reader& r,
                                                                      int16_t version) {
  if (!create_partitions_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::create_partitions, version);
  create_partitions_response m;
  m.throttle_time_ms = r.read_int32();
  m.results = read_array<create_partitions_topic_result>(r, flex, [&](reader& r) {
    create_partitions_topic_result t;
    t.name = read_string(r, flex);
    t.error_code = read_error_code(r);
    t.error_message = read_nullable_string(r, flex);
    read_tags(r, flex);
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void create_partitions_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(create_partitions_versions.contains(version),
                "CreatePartitions version not implemented");
  const bool flex = is_flexible(api_key::create_partitions, version);
  w.write_int32(throttle_time_ms);
  write_array(w, flex, results, [&](writer& w, const create_partitions_topic_result& t) {
    write_string(w, flex, t.name);
    write_error_code(w, t.error_code);
    write_nullable_string(w, flex, t.error_message);
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
