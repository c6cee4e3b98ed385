#include "runtime/detail/streams_protocol.h"

#include "core/protocol/consumer_protocol.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"

#include <algorithm>
#include <map>

namespace sluice::runtime::detail {
namespace {

using protocol::reader;
using protocol::writer;

constexpr size_t task_size = 8;  // int32 subtopology, int32 partition

void write_tasks(writer& w, const std::vector<dsl::task_id>& tasks) {
  w.write_array_length(static_cast<int32_t>(tasks.size()));
  for (const auto& t : tasks) {
    w.write_int32(t.subtopology);
    w.write_int32(t.partition.value());
  }
}

std::vector<dsl::task_id> read_tasks(reader& r) {
  std::vector<dsl::task_id> tasks;
  const int32_t n = r.read_array_length(task_size);
  if (n < 0) {
    r.fail();  // not nullable
    return tasks;
  }
  tasks.reserve(static_cast<size_t>(n));
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    dsl::task_id t;
    t.subtopology = r.read_int32();
    t.partition = core::partition_id{r.read_int32()};
    tasks.push_back(t);
  }
  return tasks;
}

/// Partitions grouped by topic, topics in order, partitions in order (the consumer protocol's
/// layout).
void write_partitions(writer& w, const std::vector<core::topic_partition>& partitions) {
  protocol::write_topic_partitions(w, protocol::group_by_topic(partitions));
}

std::vector<core::topic_partition> read_partitions(reader& r) {
  return protocol::flatten(protocol::read_topic_partitions(r));
}

/// The version prefix both payloads start with; fails on version 0 or below.
bool read_versions(reader& r, int16_t& version, int16_t& latest) {
  version = r.read_int16();
  latest = r.read_int16();
  if (!r.ok() || version < 1 || latest < version) {
    r.fail();
    return false;
  }
  return true;
}

core::errc malformed() { return core::errc::invalid_argument; }

}  // namespace

core::bytes encode(const subscription_info& info) {
  core::bytes out;
  writer w(out);
  w.write_int16(streams_protocol_version);
  w.write_int16(std::max(info.latest_supported_version, streams_protocol_version));
  w.write_string(info.process_id);
  w.write_nullable_string(info.endpoint);
  w.write_int32(info.threads);
  w.write_array_length(static_cast<int32_t>(info.task_offset_sums.size()));
  for (const auto& t : info.task_offset_sums) {
    w.write_int32(t.task.subtopology);
    w.write_int32(t.task.partition.value());
    w.write_int64(t.offset_sum);
  }
  return out;
}

core::bytes encode(const assignment_info& info) {
  core::bytes out;
  writer w(out);
  w.write_int16(streams_protocol_version);
  w.write_int16(std::max(info.latest_supported_version, streams_protocol_version));
  w.write_int16(static_cast<int16_t>(info.error));
  write_tasks(w, info.active);
  write_tasks(w, info.standby);
  write_tasks(w, info.warmup);
  w.write_array_length(static_cast<int32_t>(info.hosts.size()));
  for (const auto& h : info.hosts) {
    w.write_string(h.endpoint);
    write_partitions(w, h.active);
    write_partitions(w, h.standby);
  }
  w.write_int64(info.next_rebalance_ms);
  return out;
}

result<subscription_info> decode_subscription_info(core::bytes_view data) {
  reader r(data);
  subscription_info info;
  if (!read_versions(r, info.version, info.latest_supported_version)) return malformed();
  info.process_id = r.read_string();
  info.endpoint = r.read_nullable_string();
  info.threads = r.read_int32();
  const int32_t n = r.read_array_length(task_size + 8);
  if (n < 0) r.fail();
  for (int32_t i = 0; i < n && r.ok(); ++i) {
    task_offset_sum t;
    t.task.subtopology = r.read_int32();
    t.task.partition = core::partition_id{r.read_int32()};
    t.offset_sum = r.read_int64();
    info.task_offset_sums.push_back(t);
  }
  if (!r.ok() || info.threads < 1) return malformed();
  // Later versions append fields: what follows is theirs.
  if (info.version == streams_protocol_version && r.remaining() != 0) return malformed();
  return info;
}

result<assignment_info> decode_assignment_info(core::bytes_view data) {
  reader r(data);
  assignment_info info;
  if (!read_versions(r, info.version, info.latest_supported_version)) return malformed();
  const int16_t error = r.read_int16();
  if (error < 0 || error > static_cast<int16_t>(assignment_error::shutdown_requested)) r.fail();
  info.error = static_cast<assignment_error>(error);
  info.active = read_tasks(r);
  info.standby = read_tasks(r);
  info.warmup = read_tasks(r);
  const int32_t hosts = r.read_array_length(2 + 4 + 4);
  if (hosts < 0) r.fail();
  for (int32_t i = 0; i < hosts && r.ok(); ++i) {
    host_partitions h;
    h.endpoint = r.read_string();
    h.active = read_partitions(r);
    h.standby = read_partitions(r);
    info.hosts.push_back(std::move(h));
  }
  info.next_rebalance_ms = r.read_int64();
  if (!r.ok()) return malformed();
  if (info.version == streams_protocol_version && r.remaining() != 0) return malformed();
  return info;
}

}  // namespace sluice::runtime::detail
