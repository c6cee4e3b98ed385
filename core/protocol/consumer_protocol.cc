#include "core/protocol/consumer_protocol.h"

#include "core/protocol/detail/codec.h"

#include <algorithm>

namespace sluice::protocol {

using namespace detail;

namespace {

constexpr bool flex = false;  // the consumer protocol has no flexible versions

/// The version prefix: negative fails, above the highest known parses as the highest.
result<int16_t> read_version(reader& r) {
  const int16_t version = r.read_int16();
  if (!r.ok()) return errc::malformed;
  if (version < 0) return errc::unsupported_version;
  return std::min(version, consumer_protocol_versions.max);
}

void write_user_data(writer& w, const std::optional<core::bytes>& user_data) {
  w.write_nullable_bytes(view_of(user_data));
}

}  // namespace

std::vector<consumer_protocol_topic_partitions> read_topic_partitions(reader& r) {
  return read_array<consumer_protocol_topic_partitions>(r, flex, [](reader& r) {
    consumer_protocol_topic_partitions tp;
    tp.topic = r.read_string();
    const int32_t n = r.read_array_length(sizeof(int32_t));  // null fails too
    if (n < 0) {
      r.fail();
      return tp;
    }
    tp.partitions.reserve(static_cast<size_t>(n));
    for (int32_t i = 0; i < n && r.ok(); ++i) tp.partitions.push_back(read_int<core::partition_id>(r));
    return tp;
  });
}

void write_topic_partitions(writer& w, const std::vector<consumer_protocol_topic_partitions>& items) {
  write_array(w, flex, items, [](writer& w, const consumer_protocol_topic_partitions& tp) {
    w.write_string(tp.topic);
    write_array(w, flex, tp.partitions, int_writer<core::partition_id>());
  });
}

std::vector<consumer_protocol_topic_partitions> group_by_topic(std::vector<core::topic_partition> partitions) {
  std::sort(partitions.begin(), partitions.end());
  std::vector<consumer_protocol_topic_partitions> out;
  for (auto& tp : partitions) {
    if (out.empty() || out.back().topic != tp.topic) out.push_back({std::move(tp.topic), {}});
    out.back().partitions.push_back(tp.partition);
  }
  return out;
}

std::vector<core::topic_partition> flatten(const std::vector<consumer_protocol_topic_partitions>& grouped) {
  std::vector<core::topic_partition> out;
  for (const auto& t : grouped) {
    for (auto p : t.partitions) out.push_back({t.topic, p});
  }
  return out;
}

result<consumer_protocol_subscription> consumer_protocol_subscription::decode(reader& r) {
  SLUICE_TRY(const int16_t version, read_version(r));
  consumer_protocol_subscription m;
  m.topics = read_array<std::string>(r, flex, string_reader(flex));
  m.user_data = r.read_nullable_bytes();
  if (version >= 1) m.owned_partitions = read_topic_partitions(r);
  if (version >= 2) m.generation_id = r.read_int32();
  if (version >= 3) m.rack_id = r.read_nullable_string();
  return finish(r, std::move(m));
}

result<consumer_protocol_subscription> consumer_protocol_subscription::decode(bytes_view payload) {
  reader r(payload);
  return decode(r);
}

void consumer_protocol_subscription::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(consumer_protocol_versions.contains(version),
                "ConsumerProtocolSubscription version not implemented");
  w.write_int16(version);
  write_array(w, flex, topics, string_writer(flex));
  write_user_data(w, user_data);
  if (version >= 1) write_topic_partitions(w, owned_partitions);
  if (version >= 2) w.write_int32(generation_id);
  if (version >= 3) w.write_nullable_string(view_of(rack_id));
}

core::bytes consumer_protocol_subscription::to_bytes(int16_t version) const {
  core::bytes out;
  writer w(out);
  encode(w, version);
  return out;
}

result<consumer_protocol_assignment> consumer_protocol_assignment::decode(reader& r) {
  SLUICE_TRY(read_version(r));
  consumer_protocol_assignment m;
  m.assigned_partitions = read_topic_partitions(r);
  m.user_data = r.read_nullable_bytes();
  return finish(r, std::move(m));
}

result<consumer_protocol_assignment> consumer_protocol_assignment::decode(bytes_view payload) {
  reader r(payload);
  return decode(r);
}

void consumer_protocol_assignment::encode(writer& w, int16_t version) const {
  SLUICE_ASSERT(consumer_protocol_versions.contains(version),
                "ConsumerProtocolAssignment version not implemented");
  w.write_int16(version);
  write_topic_partitions(w, assigned_partitions);
  write_user_data(w, user_data);
}

core::bytes consumer_protocol_assignment::to_bytes(int16_t version) const {
  core::bytes out;
  writer w(out);
  encode(w, version);
  return out;
}

}  // namespace sluice::protocol
