#include "core/protocol/describe_topic_partitions.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {

constexpr bool flex = true;  // flexible from v0

std::optional<describe_topic_partitions_cursor> read_cursor(reader& r) {
  if (r.read_int8() < 0) return std::nullopt;
  describe_topic_partitions_cursor c;
  c.topic_name = read_string(r, flex);
  c.partition_index = read_int<core::partition_id>(r);
  read_tags(r, flex);
  return c;
}

void write_cursor(writer& w, const std::optional<describe_topic_partitions_cursor>& c) {
  if (!c) {
    w.write_int8(-1);
    return;
  }
  w.write_int8(1);
  write_string(w, flex, c->topic_name);
  write_int(w, c->partition_index);
  write_tags(w, flex);
}

}  // namespace

result<describe_topic_partitions_request> describe_topic_partitions_request::decode(
    reader& r, int16_t version) {
  if (!describe_topic_partitions_versions.contains(version)) return errc::unsupported_version;
  describe_topic_partitions_request m;
  m.topics = read_array<topic_request>(r, flex, [&](reader& r) {
    topic_request t;
    t.name = read_string(r, flex);
    read_tags(r, flex);
    return t;
  });
  m.response_partition_limit = r.read_int32();
  m.cursor = read_cursor(r);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_topic_partitions_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_topic_partitions_versions.contains(version),
                "DescribeTopicPartitions version not implemented");
  write_array(w, flex, topics, [&](writer& w, const topic_request& t) {
    write_string(w, flex, t.name);
    write_tags(w, flex);
  });
  w.write_int32(response_partition_limit);
  write_cursor(w, cursor);
  write_tags(w, flex);
}

result<describe_topic_partitions_response> describe_topic_partitions_response::decode(
    reader& r, int16_t version) {
  if (!describe_topic_partitions_versions.contains(version)) return errc::unsupported_version;
  describe_topic_partitions_response m;
  m.throttle_time_ms = r.read_int32();
  m.topics = read_array<response_topic>(r, flex, [&](reader& r) {
    response_topic t;
    t.error_code = read_error_code(r);
    t.name = read_nullable_string(r, flex);
    t.topic_id = r.read_uuid();
    t.is_internal = r.read_bool();
    t.partitions = read_array<response_partition>(r, flex, [&](reader& r) {
      response_partition p;
      p.error_code = read_error_code(r);
      p.partition_index = read_int<core::partition_id>(r);
      p.leader_id = read_int<core::node_id>(r);
      p.leader_epoch = r.read_int32();
      p.replica_nodes = read_array<core::node_id>(r, flex, int_reader<core::node_id>());
      p.isr_nodes = read_array<core::node_id>(r, flex, int_reader<core::node_id>());
      p.eligible_leader_replicas =
          read_nullable_array<core::node_id>(r, flex, int_reader<core::node_id>());
      p.last_known_elr = read_nullable_array<core::node_id>(r, flex, int_reader<core::node_id>());
      p.offline_replicas = read_array<core::node_id>(r, flex, int_reader<core::node_id>());
      read_tags(r, flex);
      return p;
    });
    t.topic_authorized_operations = r.read_int32();
    read_tags(r, flex);
    return t;
  });
  m.next_cursor = read_cursor(r);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_topic_partitions_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_topic_partitions_versions.contains(version),
                "DescribeTopicPartitions version not implemented");
  w.write_int32(throttle_time_ms);
  write_array(w, flex, topics, [&](writer& w, const response_topic& t) {
    write_error_code(w, t.error_code);
    write_nullable_string(w, flex, t.name);
    w.write_uuid(t.topic_id);
    w.write_bool(t.is_internal);
    write_array(w, flex, t.partitions, [&](writer& w, const response_partition& p) {
      write_error_code(w, p.error_code);
      write_int(w, p.partition_index);
      write_int(w, p.leader_id);
      w.write_int32(p.leader_epoch);
      write_array(w, flex, p.replica_nodes, int_writer<core::node_id>());
      write_array(w, flex, p.isr_nodes, int_writer<core::node_id>());
      write_nullable_array(w, flex, p.eligible_leader_replicas, int_writer<core::node_id>());
      write_nullable_array(w, flex, p.last_known_elr, int_writer<core::node_id>());
      write_array(w, flex, p.offline_replicas, int_writer<core::node_id>());
      write_tags(w, flex);
    });
    w.write_int32(t.topic_authorized_operations);
    write_tags(w, flex);
  });
  write_cursor(w, next_cursor);
  write_tags(w, flex);
}

}  // namespace sluice::protocol
