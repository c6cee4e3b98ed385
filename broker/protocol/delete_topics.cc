#include "broker/protocol/delete_topics.h"

#include "broker/protocol/detail/codec.h"

namespace sluice::broker::protocol {

using namespace detail;

result<delete_topics_request> delete_topics_request::decode(reader& r, int16_t version) {
  if (!delete_topics_versions.contains(version)) return errc::unsupported_version;
  constexpr bool flex = false;
  delete_topics_request m;
  m.topic_names = read_array<std::string>(r, flex, string_reader(flex));
  m.timeout_ms = r.read_int32();
  return finish(r, std::move(m));
}

void delete_topics_request::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(delete_topics_versions.contains(version), "DeleteTopics version not implemented");
  constexpr bool flex = false;
  write_array(w, flex, topic_names, string_writer(flex));
  w.write_int32(timeout_ms);
}

result<delete_topics_response> delete_topics_response::decode(reader& r, int16_t version) {
  if (!delete_topics_versions.contains(version)) return errc::unsupported_version;
  constexpr bool flex = false;
  delete_topics_response m;
  if (version >= 1) m.throttle_time_ms = r.read_int32();
  m.responses = read_array<deletable_topic_result>(r, flex, [&](reader& r) {
    deletable_topic_result t;
    t.name = read_string(r, flex);
    t.error_code = read_error_code(r);
    return t;
  });
  return finish(r, std::move(m));
}

void delete_topics_response::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(delete_topics_versions.contains(version), "DeleteTopics version not implemented");
  constexpr bool flex = false;
  if (version >= 1) w.write_int32(throttle_time_ms);
  write_array(w, flex, responses, [&](writer& w, const deletable_topic_result& t) {
    write_string(w, flex, t.name);
    write_error_code(w, t.error_code);
  });
}

}  // namespace sluice::broker::protocol
