#include "core/protocol/describe_producers.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {
constexpr bool flex = true;  // flexible from v0
}  // namespace

result<describe_producers_request> describe_producers_request::decode(reader& r, int16_t version) {
  if (!describe_producers_versions.contains(version)) return errc::unsupported_version;
  describe_producers_request m;
  m.topics = read_array<topic_request>(r, flex, [](reader& r) {
    topic_request t;
    t.name = read_string(r, flex);
    t.partition_indexes = read_array<core::partition_id>(r, flex, int_reader<core::partition_id>());
    read_tags(r, flex);
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_producers_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_producers_versions.contains(version),
                "DescribeProducers version not implemented");
  write_array(w, flex, topics, [](writer& w, const topic_request& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partition_indexes, int_writer<core::partition_id>());
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

result<describe_producers_response> describe_producers_response::decode(reader& r, int16_t version) {
  if (!describe_producers_versions.contains(version)) return errc::unsupported_version;
  describe_producers_response m;
  m.throttle_time_ms = r.read_int32();
  m.topics = read_array<topic_response>(r, flex, [](reader& r) {
    topic_response t;
    t.name = read_string(r, flex);
    t.partitions = read_array<partition_response>(r, flex, [](reader& r) {
      partition_response p;
      p.partition_index = read_int<core::partition_id>(r);
      p.error_code = read_error_code(r);
      p.error_message = read_nullable_string(r, flex);
      p.active_producers = read_array<producer_state>(r, flex, [](reader& r) {
        producer_state s;
        s.producer_id = read_int<core::producer_id>(r);
        s.producer_epoch = r.read_int32();
        s.last_sequence = r.read_int32();
        s.last_timestamp = r.read_int64();
        s.coordinator_epoch = r.read_int32();
        s.current_txn_start_offset = read_int<core::offset>(r);
        read_tags(r, flex);
        return s;
      });
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_producers_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_producers_versions.contains(version),
                "DescribeProducers version not implemented");
  w.write_int32(throttle_time_ms);
  write_array(w, flex, topics, [](writer& w, const topic_response& t) {
    write_string(w, flex, t.name);
    write_array(w, flex, t.partitions, [](writer& w, const partition_response& p) {
      write_int(w, p.partition_index);
      write_error_code(w, p.error_code);
      write_nullable_string(w, flex, p.error_message);
      write_array(w, flex, p.active_producers, [](writer& w, const producer_state& s) {
        write_int(w, s.producer_id);
        w.write_int32(s.producer_epoch);
        w.write_int32(s.last_sequence);
        w.write_int64(s.last_timestamp);
        w.write_int32(s.coordinator_epoch);
        write_int(w, s.current_txn_start_offset);
        write_tags(w, flex);
      });
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
