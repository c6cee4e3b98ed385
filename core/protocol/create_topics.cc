#include "core/protocol/create_topics.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<create_topics_request> create_topics_request::decode(reader& r, int16_t version) {
  if (!create_topics_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::create_topics, version);
  create_topics_request m;
  m.topics = read_array<creatable_topic>(r, flex, [&](reader& r) {
    creatable_topic t;
    t.name = read_string(r, flex);
    t.num_partitions = r.read_int32();
    t.replication_factor = r.read_int16();
    t.assignments = read_array<creatable_replica_assignment>(r, flex, [&](reader& r) {
      creatable_replica_assignment a;
      a.partition_index = read_int<core::partition_id>(r);
      a.broker_ids = read_array<core::node_id>(r, flex, int_reader<core::node_id>());
      read_tags(r, flex);
      return a;
    });
    t.configs = read_array<creatable_topic_config>(r, flex, [&](reader& r) {
      creatable_topic_config c;
      c.name = read_string(r, flex);
      c.value = read_nullable_string(r, flex);
      read_tags(r, flex);
      return c;
    });
    read_tags(r, flex);
    return t;
  });
  m.timeout_ms = r.read_int32();
  if (version >= 1) m.validate_only = r.read_bool();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void create_topics_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(create_topics_versions.contains(version), "CreateTopics version not implemented");
  const bool flex = is_flexible(api_key::create_topics, version);
  write_array(w, flex, topics, [&](writer& w, const creatable_topic& t) {
    write_string(w, flex, t.name);
    w.write_int32(t.num_partitions);
    w.write_int16(t.replication_factor);
    write_array(w, flex, t.assignments, [&](writer& w, const creatable_replica_assignment& a) {
      write_int(w, a.partition_index);
      write_array(w, flex, a.broker_ids, int_writer<core::node_id>());
      write_tags(w, flex);
    });
    write_array(w, flex, t.configs, [&](writer& w, const creatable_topic_config& c) {
      write_string(w, flex, c.name);
      write_nullable_string(w, flex, c.value);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  w.write_int32(timeout_ms);
  if (version >= 1) w.write_bool(validate_only);
  write_tags(w, flex);
}

result<create_topics_response> create_topics_response::decode(reader& r, int16_t version) {
  if (!create_topics_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::create_topics, version);
  create_topics_response m;
  if (version >= 2) m.throttle_time_ms = r.read_int32();
  m.topics = read_array<creatable_topic_result>(r, flex, [&](reader& r) {
    creatable_topic_result t;
    t.name = read_string(r, flex);
    if (version >= 7) t.topic_id = r.read_uuid();
    t.error_code = read_error_code(r);
    if (version >= 1) t.error_message = read_nullable_string(r, flex);
    if (version >= 5) {
      t.num_partitions = r.read_int32();
      t.replication_factor = r.read_int16();
      t.configs = read_nullable_array<creatable_topic_configs>(r, flex, [&](reader& r) {
        creatable_topic_configs c;
        c.name = read_string(r, flex);
        c.value = read_nullable_string(r, flex);
        c.read_only = r.read_bool();
        c.config_source = r.read_int8();
        c.is_sensitive = r.read_bool();
        read_tags(r, flex);
        return c;
      });
    }
    read_tags(r, flex);  // TopicConfigErrorCode (tag 0) is skipped
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void create_topics_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(create_topics_versions.contains(version), "CreateTopics version not implemented");
  const bool flex = is_flexible(api_key::create_topics, version);
  if (version >= 2) w.write_int32(throttle_time_ms);
  write_array(w, flex, topics, [&](writer& w, const creatable_topic_result& t) {
    write_string(w, flex, t.name);
    if (version >= 7) w.write_uuid(t.topic_id);
    write_error_code(w, t.error_code);
    if (version >= 1) write_nullable_string(w, flex, t.error_message);
    if (version >= 5) {
      w.write_int32(t.num_partitions);
      w.write_int16(t.replication_factor);
      write_nullable_array(w, flex, t.configs, [&](writer& w, const creatable_topic_configs& c) {
        write_string(w, flex, c.name);
        write_nullable_string(w, flex, c.value);
        w.write_bool(c.read_only);
        w.write_int8(c.config_source);
        w.write_bool(c.is_sensitive);
        write_tags(w, flex);
      });
    }
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
