#include "core/protocol/metadata.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<metadata_request> metadata_request::decode(reader& r, int16_t version) {
  if (!metadata_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::metadata, version);
  metadata_request m;
  auto read_topic = [&](reader& r) {
    request_topic t;
    if (version >= 10) {
      t.topic_id = r.read_uuid();
      t.name = read_nullable_string(r, flex);
    } else {
      t.name = read_string(r, flex);
    }
    read_tags(r, flex);
    return t;
  };
  if (version >= 1) {
    m.topics = read_nullable_array<request_topic>(r, flex, read_topic);
  } else {
    m.topics = read_array<request_topic>(r, flex, read_topic);
    if (m.topics->empty()) m.topics.reset();  // v0: empty = all topics
  }
  if (version >= 4) m.allow_auto_topic_creation = r.read_bool();
  if (version >= 8 && version <= 10) m.include_cluster_authorized_operations = r.read_bool();
  if (version >= 8) m.include_topic_authorized_operations = r.read_bool();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void metadata_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(metadata_versions.contains(version), "Metadata version not implemented");
  const bool flex = is_flexible(api_key::metadata, version);
  auto write_topic = [&](writer& w, const request_topic& t) {
    if (version >= 10) {
      w.write_uuid(t.topic_id);
      write_nullable_string(w, flex, t.name);
    } else {
      write_string(w, flex, t.name.value_or(""));
    }
    write_tags(w, flex);
  };
  if (version >= 1) {
    write_nullable_array(w, flex, topics, write_topic);
  } else {
    write_array(w, flex, topics.value_or(std::vector<request_topic>{}), write_topic);
  }
  if (version >= 4) w.write_bool(allow_auto_topic_creation);
  if (version >= 8 && version <= 10) w.write_bool(include_cluster_authorized_operations);
  if (version >= 8) w.write_bool(include_topic_authorized_operations);
  write_tags(w, flex);
}

result<metadata_response> metadata_response::decode(reader& r, int16_t version) {
  if (!metadata_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::metadata, version);
  metadata_response m;
  if (version >= 3) m.throttle_time_ms = r.read_int32();
  m.brokers = read_array<response_broker>(r, flex, [&](reader& r) {
    response_broker b;
    b.node_id = read_int<core::node_id>(r);
    b.host = read_string(r, flex);
    b.port = r.read_int32();
    if (version >= 1) b.rack = read_nullable_string(r, flex);
    read_tags(r, flex);
    return b;
  });
  if (version >= 2) m.cluster_id = read_nullable_string(r, flex);
  if (version >= 1) m.controller_id = read_int<core::node_id>(r);
  m.topics = read_array<response_topic>(r, flex, [&](reader& r) {
    response_topic t;
    t.error_code = read_error_code(r);
    t.name = version >= 12 ? read_nullable_string(r, flex) : read_string(r, flex);
    if (version >= 10) t.topic_id = r.read_uuid();
    if (version >= 1) t.is_internal = r.read_bool();
    t.partitions = read_array<response_partition>(r, flex, [&](reader& r) {
      response_partition p;
      p.error_code = read_error_code(r);
      p.partition_index = read_int<core::partition_id>(r);
      p.leader_id = read_int<core::node_id>(r);
      if (version >= 7) p.leader_epoch = r.read_int32();
      p.replica_nodes = read_array<core::node_id>(r, flex, int_reader<core::node_id>());
      p.isr_nodes = read_array<core::node_id>(r, flex, int_reader<core::node_id>());
      if (version >= 5) p.offline_replicas = read_array<core::node_id>(r, flex, int_reader<core::node_id>());
      read_tags(r, flex);
      return p;
    });
    if (version >= 8) t.topic_authorized_operations = r.read_int32();
    read_tags(r, flex);
    return t;
  });
  if (version >= 8 && version <= 10) m.cluster_authorized_operations = r.read_int32();
  if (version >= 13) m.error_code = read_error_code(r);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void metadata_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(metadata_versions.contains(version), "Metadata version not implemented");
  const bool flex = is_flexible(api_key::metadata, version);
  if (version >= 3) w.write_int32(throttle_time_ms);
  write_array(w, flex, brokers, [&](writer& w, const response_broker& b) {
    write_int(w, b.node_id);
    write_string(w, flex, b.host);
    w.write_int32(b.port);
    if (version >= 1) write_nullable_string(w, flex, b.rack);
    write_tags(w, flex);
  });
  if (version >= 2) write_nullable_string(w, flex, cluster_id);
  if (version >= 1) write_int(w, controller_id);
  write_array(w, flex, topics, [&](writer& w, const response_topic& t) {
    write_error_code(w, t.error_code);
    if (version >= 12) {
      write_nullable_string(w, flex, t.name);
    } else {
      write_string(w, flex, t.name.value_or(""));
    }
    if (version >= 10) w.write_uuid(t.topic_id);
    if (version >= 1) w.write_bool(t.is_internal);
    write_array(w, flex, t.partitions, [&](writer& w, const response_partition& p) {
      write_error_code(w, p.error_code);
      write_int(w, p.partition_index);
      write_int(w, p.leader_id);
      if (version >= 7) w.write_int32(p.leader_epoch);
      write_array(w, flex, p.replica_nodes, int_writer<core::node_id>());
      write_array(w, flex, p.isr_nodes, int_writer<core::node_id>());
      if (version >= 5) write_array(w, flex, p.offline_replicas, int_writer<core::node_id>());
      write_tags(w, flex);
    });
    if (version >= 8) w.write_int32(t.topic_authorized_operations);
    write_tags(w, flex);
  });
  if (version >= 8 && version <= 10) w.write_int32(cluster_authorized_operations);
  if (version >= 13) write_error_code(w, error_code);
  write_tags(w, flex);
}

}  // namespace sluice::protocol
