#include "core/protocol/describe_log_dirs.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {
constexpr int16_t first_flexible = 2;
}  // namespace

result<describe_log_dirs_request> describe_log_dirs_request::decode(reader& r, int16_t version) {
  if (!describe_log_dirs_versions.contains(version)) return errc::unsupported_version;
  const bool flex = version >= first_flexible;
  describe_log_dirs_request m;
  m.topics = read_nullable_array<describable_log_dir_topic>(r, flex, [&](reader& r) {
    describable_log_dir_topic t;
    t.topic = read_string(r, flex);
    t.partitions = read_array<core::partition_id>(r, flex, int_reader<core::partition_id>());
    read_tags(r, flex);
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_log_dirs_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_log_dirs_versions.contains(version),
                "DescribeLogDirs version not implemented");
  const bool flex = version >= first_flexible;
  write_nullable_array(w, flex, topics, [&](writer& w, const describable_log_dir_topic& t) {
    write_string(w, flex, t.topic);
    write_array(w, flex, t.partitions, int_writer<core::partition_id>());
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

result<describe_log_dirs_response> describe_log_dirs_response::decode(reader& r, int16_t version) {
  if (!describe_log_dirs_versions.contains(version)) return errc::unsupported_version;
  const bool flex = version >= first_flexible;
  describe_log_dirs_response m;
  m.throttle_time_ms = r.read_int32();
  if (version >= 3) m.error_code = read_error_code(r);
  m.results = read_array<describe_log_dirs_result>(r, flex, [&](reader& r) {
    describe_log_dirs_result d;
    d.error_code = read_error_code(r);
    d.log_dir = read_string(r, flex);
    d.topics = read_array<describe_log_dirs_topic>(r, flex, [&](reader& r) {
      describe_log_dirs_topic t;
      t.name = read_string(r, flex);
      t.partitions = read_array<describe_log_dirs_partition>(r, flex, [&](reader& r) {
        describe_log_dirs_partition p;
        p.partition_index = read_int<core::partition_id>(r);
        p.partition_size = r.read_int64();
        p.offset_lag = r.read_int64();
        p.is_future_key = r.read_bool();
        read_tags(r, flex);
        return p;
      });
      read_tags(r, flex);
      return t;
    });
    if (version >= 4) {
      d.total_bytes = r.read_int64();
      d.usable_bytes = r.read_int64();
    }
    read_tags(r, flex);
    return d;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void describe_log_dirs_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(describe_log_dirs_versions.contains(version),
                "DescribeLogDirs version not implemented");
  const bool flex = version >= first_flexible;
  w.write_int32(throttle_time_ms);
  if (version >= 3) write_error_code(w, error_code);
  write_array(w, flex, results, [&](writer& w, const describe_log_dirs_result& d) {
    write_error_code(w, d.error_code);
    write_string(w, flex, d.log_dir);
    write_array(w, flex, d.topics, [&](writer& w, const describe_log_dirs_topic& t) {
      write_string(w, flex, t.name);
      write_array(w, flex, t.partitions, [&](writer& w, const describe_log_dirs_partition& p) {
        write_int(w, p.partition_index);
        w.write_int64(p.partition_size);
        w.write_int64(p.offset_lag);
        w.write_bool(p.is_future_key);
        write_tags(w, flex);
      });
      write_tags(w, flex);
    });
    if (version >= 4) {
      w.write_int64(d.total_bytes);
      w.write_int64(d.usable_bytes);
    }
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
