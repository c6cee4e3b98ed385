#include "core/protocol/fetch.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {

constexpr int16_t first_flexible = 12;
constexpr int16_t first_with_topic_ids = 13;
constexpr int16_t last_with_replica_id = 14;
constexpr uint32_t diverging_epoch_tag = 0;

}  // namespace

result<fetch_request> fetch_request::decode(reader& r, int16_t version) {
  if (!fetch_versions.contains(version)) return errc::unsupported_version;
  const bool flex = version >= first_flexible;
  const bool by_id = version >= first_with_topic_ids;
  fetch_request m;
  if (version <= last_with_replica_id) m.replica_id = read_int<core::node_id>(r);
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
    if (by_id) {
      t.topic_id = r.read_uuid();
    } else {
      t.topic = read_string(r, flex);
    }
    t.partitions = read_array<fetch_partition>(r, flex, [&](reader& r) {
      fetch_partition p;
      p.partition = read_int<core::partition_id>(r);
      if (version >= 9) p.current_leader_epoch = r.read_int32();
      p.fetch_offset = read_int<core::offset>(r);
      if (version >= 12) p.last_fetched_epoch = r.read_int32();
      if (version >= 5) p.log_start_offset = read_int<core::offset>(r);
      p.partition_max_bytes = r.read_int32();
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  if (version >= 7) {
    m.forgotten_topics_data = read_array<forgotten_topic>(r, flex, [&](reader& r) {
      forgotten_topic t;
      if (by_id) {
        t.topic_id = r.read_uuid();
      } else {
        t.topic = read_string(r, flex);
      }
      t.partitions = read_array<core::partition_id>(r, flex, int_reader<core::partition_id>());
      read_tags(r, flex);
      return t;
    });
  }
  if (version >= 11) m.rack_id = read_string(r, flex);
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void fetch_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(fetch_versions.contains(version), "Fetch version not implemented");
  const bool flex = version >= first_flexible;
  const bool by_id = version >= first_with_topic_ids;
  if (version <= last_with_replica_id) write_int(w, replica_id);
  w.write_int32(max_wait_ms);
  w.write_int32(min_bytes);
  w.write_int32(max_bytes);
  w.write_int8(isolation_level);
  if (version >= 7) {
    w.write_int32(session_id);
    w.write_int32(session_epoch);
  }
  write_array(w, flex, topics, [&](writer& w, const fetch_topic& t) {
    if (by_id) {
      w.write_uuid(t.topic_id);
    } else {
      write_string(w, flex, t.topic);
    }
    write_array(w, flex, t.partitions, [&](writer& w, const fetch_partition& p) {
      write_int(w, p.partition);
      if (version >= 9) w.write_int32(p.current_leader_epoch);
      write_int(w, p.fetch_offset);
      if (version >= 12) w.write_int32(p.last_fetched_epoch);
      if (version >= 5) write_int(w, p.log_start_offset);
      w.write_int32(p.partition_max_bytes);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  if (version >= 7) {
    write_array(w, flex, forgotten_topics_data, [&](writer& w, const forgotten_topic& t) {
      if (by_id) {
        w.write_uuid(t.topic_id);
      } else {
        write_string(w, flex, t.topic);
      }
      write_array(w, flex, t.partitions, int_writer<core::partition_id>());
      write_tags(w, flex);
    });
  }
  if (version >= 11) write_string(w, flex, rack_id);
  write_tags(w, flex);
}

result<fetch_response> fetch_response::decode(reader& r, int16_t version) {
  if (!fetch_versions.contains(version)) return errc::unsupported_version;
  const bool flex = version >= first_flexible;
  const bool by_id = version >= first_with_topic_ids;
  fetch_response m;
  m.throttle_time_ms = r.read_int32();
  if (version >= 7) {
    m.error_code = read_error_code(r);
    m.session_id = r.read_int32();
  }
  m.responses = read_array<fetchable_topic_response>(r, flex, [&](reader& r) {
    fetchable_topic_response t;
    if (by_id) {
      t.topic_id = r.read_uuid();
    } else {
      t.topic = read_string(r, flex);
    }
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
        read_tags(r, flex);
        return a;
      });
      if (aborted) p.aborted_transactions = std::move(*aborted);
      if (version >= 11) p.preferred_read_replica = read_int<core::node_id>(r);
      auto records = flex ? r.read_compact_nullable_bytes_view() : r.read_nullable_bytes_view();
      if (records) p.records.assign(records->begin(), records->end());
      read_tags(r, flex, [&](uint32_t tag, reader& field) {
        if (tag != diverging_epoch_tag) return;
        epoch_end_offset d;
        d.epoch = field.read_int32();
        d.end_offset = read_int<core::offset>(field);
        read_tags(field, flex);
        p.diverging_epoch = d;
      });
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void fetch_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(fetch_versions.contains(version), "Fetch version not implemented");
  const bool flex = version >= first_flexible;
  const bool by_id = version >= first_with_topic_ids;
  w.write_int32(throttle_time_ms);
  if (version >= 7) {
    write_error_code(w, error_code);
    w.write_int32(session_id);
  }
  write_array(w, flex, responses, [&](writer& w, const fetchable_topic_response& t) {
    if (by_id) {
      w.write_uuid(t.topic_id);
    } else {
      write_string(w, flex, t.topic);
    }
    write_array(w, flex, t.partitions, [&](writer& w, const partition_data& p) {
      write_int(w, p.partition_index);
      write_error_code(w, p.error_code);
      write_int(w, p.high_watermark);
      write_int(w, p.last_stable_offset);
      if (version >= 5) write_int(w, p.log_start_offset);
      write_array(w, flex, p.aborted_transactions, [&](writer& w, const aborted_transaction& a) {
        write_int(w, a.producer_id);
        write_int(w, a.first_offset);
        write_tags(w, flex);
      });
      if (version >= 11) write_int(w, p.preferred_read_replica);
      // Length 0 when empty, never null.
      if (p.records_file) {
        flex ? w.write_compact_file_bytes(*p.records_file) : w.write_file_bytes(*p.records_file);
      } else {
        write_bytes(w, flex, p.records);
      }
      if (flex && p.diverging_epoch) {
        w.write_uvarint(1);
        write_tag(w, diverging_epoch_tag, [&](writer& f) {
          f.write_int32(p.diverging_epoch->epoch);
          write_int(f, p.diverging_epoch->end_offset);
          write_tags(f, flex);
        });
      } else {
        write_tags(w, flex);
      }
    });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
