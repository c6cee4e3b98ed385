#include "core/protocol/produce.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {
constexpr int16_t first_flexible = 9;
constexpr int16_t first_with_topic_ids = 13;
}  // namespace

bool produce_request::partition_produce_data::operator==(
    const partition_produce_data& o) const noexcept {
  if (index != o.index || records.has_value() != o.records.has_value()) return false;
  return !records || core::equal(*records, *o.records);
}

result<produce_request> produce_request::decode(reader& r, int16_t version) {
  if (!produce_versions.contains(version)) return errc::unsupported_version;
  const bool flex = version >= first_flexible;
  produce_request m;
  m.transactional_id = read_nullable_string(r, flex);
  m.acks = r.read_int16();
  m.timeout_ms = r.read_int32();
  m.topic_data = read_array<topic_produce_data>(r, flex, [&](reader& r) {
    topic_produce_data t;
    if (version >= first_with_topic_ids) {
      t.topic_id = r.read_uuid();
    } else {
      t.name = read_string(r, flex);
    }
    t.partition_data = read_array<partition_produce_data>(r, flex, [&](reader& r) {
      partition_produce_data p;
      p.index = read_int<core::partition_id>(r);
      p.records = flex ? r.read_compact_nullable_bytes_view() : r.read_nullable_bytes_view();
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void produce_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(produce_versions.contains(version), "Produce version not implemented");
  const bool flex = version >= first_flexible;
  write_nullable_string(w, flex, transactional_id);
  w.write_int16(acks);
  w.write_int32(timeout_ms);
  write_array(w, flex, topic_data, [&](writer& w, const topic_produce_data& t) {
    if (version >= first_with_topic_ids) {
      w.write_uuid(t.topic_id);
    } else {
      write_string(w, flex, t.name);
    }
    write_array(w, flex, t.partition_data, [&](writer& w, const partition_produce_data& p) {
      write_int(w, p.index);
      flex ? w.write_compact_nullable_bytes(p.records) : w.write_nullable_bytes(p.records);
      write_tags(w, flex);
    });
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

result<produce_response> produce_response::decode(reader& r, int16_t version) {
  if (!produce_versions.contains(version)) return errc::unsupported_version;
  const bool flex = version >= first_flexible;
  produce_response m;
  m.responses = read_array<topic_produce_response>(r, flex, [&](reader& r) {
    topic_produce_response t;
    if (version >= first_with_topic_ids) {
      t.topic_id = r.read_uuid();
    } else {
      t.name = read_string(r, flex);
    }
    t.partition_responses = read_array<partition_produce_response>(r, flex, [&](reader& r) {
      partition_produce_response p;
      p.index = read_int<core::partition_id>(r);
      p.error_code = read_error_code(r);
      p.base_offset = read_int<core::offset>(r);
      p.log_append_time_ms = r.read_int64();
      if (version >= 5) p.log_start_offset = read_int<core::offset>(r);
      if (version >= 8) {
        p.record_errors = read_array<record_error>(r, flex, [&](reader& r) {
          record_error e;
          e.batch_index = r.read_int32();
          e.batch_index_error_message = read_nullable_string(r, flex);
          read_tags(r, flex);
          return e;
        });
        p.error_message = read_nullable_string(r, flex);
      }
      read_tags(r, flex);
      return p;
    });
    read_tags(r, flex);
    return t;
  });
  m.throttle_time_ms = r.read_int32();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void produce_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(produce_versions.contains(version), "Produce version not implemented");
  const bool flex = version >= first_flexible;
  write_array(w, flex, responses, [&](writer& w, const topic_produce_response& t) {
    if (version >= first_with_topic_ids) {
      w.write_uuid(t.topic_id);
    } else {
      write_string(w, flex, t.name);
    }
    write_array(w, flex, t.partition_responses,
                [&](writer& w, const partition_produce_response& p) {
                  write_int(w, p.index);
                  write_error_code(w, p.error_code);
                  write_int(w, p.base_offset);
                  w.write_int64(p.log_append_time_ms);
                  if (version >= 5) write_int(w, p.log_start_offset);
                  if (version >= 8) {
                    write_array(w, flex, p.record_errors, [&](writer& w, const record_error& e) {
                      w.write_int32(e.batch_index);
                      write_nullable_string(w, flex, e.batch_index_error_message);
                      write_tags(w, flex);
                    });
                    write_nullable_string(w, flex, p.error_message);
                  }
                  write_tags(w, flex);
                });
    write_tags(w, flex);
  });
  w.write_int32(throttle_time_ms);
  write_tags(w, flex);
}

}  // namespace sluice::protocol
