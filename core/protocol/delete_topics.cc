#include "core/protocol/delete_topics.h"

#include "core/protocol/detail/codec.h"

namespace sluice::protocol {

using namespace detail;

result<delete_topics_request> delete_topics_request::decode(reader& r, int16_t version) {
  if (!delete_topics_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::delete_topics, version);
  delete_topics_request m;
  if (version >= 6) {
    m.topics = read_array<delete_topic_state>(r, flex, [&](reader& r) {
      delete_topic_state t;
      t.name = read_nullable_string(r, flex);
      t.topic_id = r.read_uuid();
      read_tags(r, flex);
      return t;
    });
  } else {
    m.topic_names = read_array<std::string>(r, flex, string_reader(flex));
  }
  m.timeout_ms = r.read_int32();
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void delete_topics_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(delete_topics_versions.contains(version), "DeleteTopics version not implemented");
  const bool flex = is_flexible(api_key::delete_topics, version);
  if (version >= 6) {
    write_array(w, flex, topics, [&](writer& w, const delete_topic_state& t) {
      write_nullable_string(w, flex, t.name);
      w.write_uuid(t.topic_id);
      write_tags(w, flex);
    });
  } else {
    write_array(w, flex, topic_names, string_writer(flex));
  }
  w.write_int32(timeout_ms);
  write_tags(w, flex);
}

result<delete_topics_response> delete_topics_response::decode(reader& r, int16_t version) {
  if (!delete_topics_versions.contains(version)) return errc::unsupported_version;
  const bool flex = is_flexible(api_key::delete_topics, version);
  delete_topics_response m;
  if (version >= 1) m.throttle_time_ms = r.read_int32();
  m.responses = read_array<deletable_topic_result>(r, flex, [&](reader& r) {
    deletable_topic_result t;
    if (version >= 6) {
      t.name = read_nullable_string(r, flex);
      t.topic_id = r.read_uuid();
    } else {
      t.name = read_string(r, flex);
    }
    t.error_code = read_error_code(r);
    if (version >= 5) t.error_message = read_nullable_string(r, flex);
    read_tags(r, flex);
    return t;
  });
  read_tags(r, flex);
  return finish(r, std::move(m));
}

void delete_topics_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(delete_topics_versions.contains(version), "DeleteTopics version not implemented");
  const bool flex = is_flexible(api_key::delete_topics, version);
  if (version >= 1) w.write_int32(throttle_time_ms);
  write_array(w, flex, responses, [&](writer& w, const deletable_topic_result& t) {
    if (version >= 6) {
      write_nullable_string(w, flex, t.name);
      w.write_uuid(t.topic_id);
    } else {
      write_string(w, flex, t.name.value_or(""));
    }
    write_error_code(w, t.error_code);
    if (version >= 5) write_nullable_string(w, flex, t.error_message);
    write_tags(w, flex);
  });
  write_tags(w, flex);
}

}  // namespace sluice::protocol
