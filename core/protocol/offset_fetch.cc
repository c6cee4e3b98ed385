#include "core/protocol/offset_fetch.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

namespace {

/// A topic of the v8+ forms is named (v8–v9) or identified (v10+), never both.
template <class Topic>
void read_topic_key(reader& r, bool flex, int16_t version, Topic& t) {
  if (version >= 10) {
    t.topic_id = r.read_uuid();
  } else {
    t.name = read_string(r, flex);
  }
}

template <class Topic>
void write_topic_key(writer& w, bool flex, int16_t version, const Topic& t) {
  if (version >= 10) {
    w.write_uuid(t.topic_id);
  } else {
    write_string(w, flex, t.name);
  }
}

}  // namespace

result<offset_fetch_request> offset_fetch_request::decode(reader& r, int16_t version) {
  if (!offset_fetch_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::offset_fetch, version);
  offset_fetch_request m;
  if (version <= 7) {
    m.group_id = read_string(r, flex);
    auto read_topic = [&](reader& r) {
      offset_fetch_request_topic t;
      t.name = read_string(r, flex);
      t.partition_indexes =
          read_array<core::partition_id>(r, flex, int_reader<core::partition_id>());
      read_tags(r, flex);
      return t;
    };
    if (version >= 2) {
      m.topics = read_nullable_array<offset_fetch_request_topic>(r, flex, read_topic);
    } else {
      m.topics = read_array<offset_fetch_request_topic>(r, flex, read_topic);
    }
  } else {
    m.groups = read_array<offset_fetch_request_group>(r, flex, [&](reader& r) {
      offset_fetch_request_group g;
      g.group_id = read_string(r, flex);
      if (version >= 9) {
        g.member_id = read_nullable_string(r, flex);
        g.member_epoch = r.read_int32();
      }
      g.topics = read_nullable_array<offset_fetch_request_topics>(r, flex, [&](reader& r) {
        offset_fetch_request_topics t;
        read_topic_key(r, flex, version, t);
        t.partition_indexes =
            read_array<core::partition_id>(r, flex, int_reader<core::partition_id>());
        read_tags(r, flex);
        return t;
      });
      read_tags(r, flex);
      return g;
    });
  }
  if (version >= 7) m.require_stable = r.read_bool();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void offset_fetch_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(offset_fetch_versions.contains(version), "OffsetFetch version not implemented");
  const bool flex = is_flexible(api_key::offset_fetch, version);
  if (version <= 7) {
    write_string(w, flex, group_id);
    auto write_topic = [&](writer& w, const offset_fetch_request_topic& t) {
      write_string(w, flex, t.name);
      write_array(w, flex, t.partition_indexes, int_writer<core::partition_id>());
      write_tags(w, flex);
    };
    if (version >= 2) {
      write_nullable_array(w, flex, topics, write_topic);
    } else {
      write_array(w, flex, topics.value_or(std::vector<offset_fetch_request_topic>{}),
                  write_topic);
    }
  } else {
    write_array(w, flex, groups, [&](writer& w, const offset_fetch_request_group& g) {
      write_string(w, flex, g.group_id);
      if (version >= 9) {
        write_nullable_string(w, flex, g.member_id);
        w.write_int32(g.member_epoch);
      }
      write_nullable_array(w, flex, g.topics,
                           [&](writer& w, const offset_fetch_request_topics& t) {
                             write_topic_key(w, flex, version, t);
                             write_array(w, flex, t.partition_indexes,
                                         int_writer<core::partition_id>());
                             write_tags(w, flex);
                           });
      write_tags(w, flex);
    });
  }
  if (version >= 7) w.write_bool(require_stable);
  write_tags(w, flex);
}

result<offset_fetch_response> offset_fetch_response::decode(reader& r, int16_t version) {
  if (!offset_fetch_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::offset_fetch, version);
  offset_fetch_response m;
  auto read_partition = [&](reader& r) {
    offset_fetch_response_partition p;
    p.partition_index = read_int<core::partition_id>(r);
    p.committed_offset = read_int<core::offset>(r);
    if (version >= 5) p.committed_leader_epoch = r.read_int32();
    p.metadata = read_nullable_string(r, flex);
    p.error_code = read_error_code(r);
    read_tags(r, flex);
    return p;
  };
  if (version >= 3) m.throttle_time_ms = r.read_int32();
  if (version <= 7) {
    m.topics = read_array<offset_fetch_response_topic>(r, flex, [&](reader& r) {
      offset_fetch_response_topic t;
      t.name = read_string(r, flex);
      t.partitions = read_array<offset_fetch_response_partition>(r, flex, read_partition);
      read_tags(r, flex);
      return t;
    });
    if (version >= 2) m.error_code = read_error_code(r);
  } else {
    m.groups = read_array<offset_fetch_response_group>(r, flex, [&](reader& r) {
      offset_fetch_response_group g;
      g.group_id = read_string(r, flex);
      g.topics = read_array<offset_fetch_response_topics>(r, flex, [&](reader& r) {
        offset_fetch_response_topics t;
        read_topic_key(r, flex, version, t);
        t.partitions = read_array<offset_fetch_response_partitions>(r, flex, read_partition);
        read_tags(r, flex);
        return t;
      });
      g.error_code = read_error_code(r);
      read_tags(r, flex);
      return g;
    });
  }
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void offset_fetch_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(offset_fetch_versions.contains(version), "OffsetFetch version not implemented");
  const bool flex = is_flexible(api_key::offset_fetch, version);
  auto write_partition = [&](writer& w, const offset_fetch_response_partition& p) {
    write_int(w, p.partition_index);
    write_int(w, p.committed_offset);
    if (version >= 5) w.write_int32(p.committed_leader_epoch);
    write_nullable_string(w, flex, p.metadata);
    write_error_code(w, p.error_code);
    write_tags(w, flex);
  };
  if (version >= 3) w.write_int32(throttle_time_ms);
  if (version <= 7) {
    write_array(w, flex, topics, [&](writer& w, const offset_fetch_response_topic& t) {
      write_string(w, flex, t.name);
      write_array(w, flex, t.partitions, write_partition);
      write_tags(w, flex);
    });
    if (version >= 2) write_error_code(w, error_code);
  } else {
    write_array(w, flex, groups, [&](writer& w, const offset_fetch_response_group& g) {
      write_string(w, flex, g.group_id);
      write_array(w, flex, g.topics, [&](writer& w, const offset_fetch_response_topics& t) {
        write_topic_key(w, flex, version, t);
        write_array(w, flex, t.partitions, write_partition);
        write_tags(w, flex);
      });
      write_error_code(w, g.error_code);
      write_tags(w, flex);
    });
  }
  write_tags(w, flex);
}

}  // namespace sluice::protocol
