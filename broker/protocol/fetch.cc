#include "broker/protocol/fetch.h"

#include "broker/protocol/detail/codec.h"

namespace sluice::broker::protocol {

using namespace detail;

result<fetch_request> fetch_request::decode(reader& r, int16_t version) {
  if (!fetch_versions.contains(version)) return errc::unsupported_version;
  constexpr bool flex = false;
  fetch_request m;
  m.replica_id = read_int<core::node_id>(r);
  m.max_wait_ms = r.read_int32();
  m.min_bytes = r.read_int32();
  m.max_bytes = r.read_int32();
  m.isolation_level = r.read_int8();
  if (version >= 7) {
    m.session_id = r.read_int32();
    m.session_epoch = r.read_int32();
  }
  m.topics = read_array<fetch_topic>(r, flex, [&](reader& r) {
    fetch_topic t;
    t.topic = read_string(r, flex);
    t.partitions = read_array<fetch_partition>(r, flex, [&](reader& r) {
      fetch_partition p;
      p.partition = read_int<core::partition_id>(r);
      if (version >= 9) p.current_leader_epoch = r.read_int32();
      p.fetch_offset = read_int<core::offset>(r);
      if (version >= 5) p.log_start_offset = read_int<core::offset>(r);
      p.partition_max_bytes = r.read_int32();
      return p;
    });
    return t;
  });
  if (version >= 7) {
    m.forgotten_topics_data = read_array<forgotten_topic>(r, flex, [&](reader& r) {
      forgotten_topic t;
      t.topic = read_string(r, flex);
      t.partitions = read_array<core::partition_id>(r, flex, int_reader<core::partition_id>());
      return t;
    });
  }
  if (version >= 11) m.rack_id = read_string(r, flex);
  return finish(r, std::move(m));
}

void fetch_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(fetch_versions.contains(version), "Fetch version not implemented");
  constexpr bool flex = false;
  write_int(w, replica_id);
  w.write_int32(max_wait_ms);
  w.write_int32(min_bytes);
  w.write_int32(max_bytes);
  w.write_int8(isolation_level);
  if (version >= 7) {
    w.write_int32(session_id);
    w.write_int32(session_epoch);
  }
  write_array(w, flex, topics, [&](writer& w, const fetch_topic& t) {
    write_string(w, flex, t.topic);
    write_array(w, flex, t.partitions, [&](writer& w, const fetch_partition& p) {
      write_int(w, p.partition);
      if (version >= 9) w.write_int32(p.current_leader_epoch);
      write_int(w, p.fetch_offset);
      if (version >= 5) write_int(w, p.log_start_offset);
      w.write_int32(p.partition_max_bytes);
    });
  });
  if (version >= 7) {
    write_array(w, flex, forgotten_topics_data, [&](writer& w, const forgotten_topic& t) {
      write_string(w, flex, t.topic);
      write_array(w, flex, t.partitions, int_writer<core::partition_id>());
    });
  }
  if (version >= 11) write_string(w, flex, rack_id);
}

result<fetch_response> fetch_response::decode(reader& r, int16_t version) {
  if (!fetch_versions.contains(version)) return errc::unsupported_version;
  constexpr bool flex = false;
  fetch_response m;
  m.throttle_time_ms = r.read_int32();
  if (version >= 7) {
    m.error_code = read_error_code(r);
    m.session_id = r.read_int32();
  }
  m.responses = read_array<fetchable_topic_response>(r, flex, [&](reader& r) {
    fetchable_topic_response t;
    t.topic = read_string(r, flex);
    t.partitions = read_array<partition_data>(r, flex, [&](reader& r) {
      partition_data p;
      p.partition_index = read_int<core::partition_id>(r);
      p.error_code = read_error_code(r);
      p.high_watermark = read_int<core::offset>(r);
      p.last_stable_offset = read_int<core::offset>(r);
      if (version >= 5) p.log_start_offset = read_int<core::offset>(r);
      auto aborted = read_nullable_array<aborted_transaction>(r, flex, [&](reader& r) {
        aborted_transaction a;
        a.producer_id = read_int<core::producer_id>(r);
        a.first_offset = read_int<core::offset>(r);
        return a;
      });
      if (aborted) p.aborted_transactions = std::move(*aborted);
      if (version >= 11) p.preferred_read_replica = read_int<core::node_id>(r);
      if (auto records = r.read_nullable_bytes_view()) {
        p.records.assign(records->begin(), records->end());
      }
      return p;
    });
    return t;
  });
  return finish(r, std::move(m));
}

void fetch_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(fetch_versions.contains(version), "Fetch version not implemented");
  constexpr bool flex = false;
  w.write_int32(throttle_time_ms);
  if (version >= 7) {
    write_error_code(w, error_code);
    w.write_int32(session_id);
  }
  write_array(w, flex, responses, [&](writer& w, const fetchable_topic_response& t) {
    write_string(w, flex, t.topic);
    write_array(w, flex, t.partitions, [&](writer& w, const partition_data& p) {
      write_int(w, p.partition_index);
      write_error_code(w, p.error_code);
      write_int(w, p.high_watermark);
      write_int(w, p.last_stable_offset);
      if (version >= 5) write_int(w, p.log_start_offset);
      write_array(w, flex, p.aborted_transactions, [&](writer& w, const aborted_transaction& a) {
        write_int(w, a.producer_id);
        write_int(w, a.first_offset);
      });
      if (version >= 11) write_int(w, p.preferred_read_replica);
      if (p.records_file) {
        w.write_file_bytes(*p.records_file);
      } else {
        w.write_bytes(p.records);  // length 0 when empty, never null
      }
    });
  });
}

}  // namespace sluice::broker::protocol
