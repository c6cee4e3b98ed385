#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/describe_log_dirs.h"

#include <sys/statvfs.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <system_error>
#include <tuple>
#include <utility>

namespace sluice::broker {
namespace {

using protocol::describe_log_dirs_response;

/// The size and the space left (for an unprivileged user, as Java's getUsableSpace counts it)
/// of the file system holding `dir`; -1 / -1 when it cannot be read.
std::pair<int64_t, int64_t> volume_bytes(const std::filesystem::path& dir) {
  struct statvfs st {};
  if (::statvfs(dir.c_str(), &st) != 0) return {-1, -1};
  const auto unit = static_cast<uint64_t>(st.f_frsize != 0 ? st.f_frsize : st.f_bsize);
  auto clamp = [](uint64_t v) {
    return static_cast<int64_t>(std::min<uint64_t>(v, static_cast<uint64_t>(INT64_MAX)));
  };
  return {clamp(static_cast<uint64_t>(st.f_blocks) * unit),
          clamp(static_cast<uint64_t>(st.f_bavail) * unit)};
}

/// The directory as Kafka names a log dir: absolute, normalized, no trailing separator.
std::string absolute_path(const std::filesystem::path& dir) {
  std::error_code ec;
  auto p = std::filesystem::absolute(dir, ec);
  if (ec) p = dir;
  p = p.lexically_normal();
  if (!p.has_filename() && p != p.root_path()) p = p.parent_path();
  return p.string();
}

}  // namespace

void handle_describe_log_dirs(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::describe_log_dirs_request>(req);
  if (!body) return respond(reply::malformed());
  auto& logs = ctx.logs();

  // The partitions asked for, each once (null = every partition of every topic).
  std::map<std::string, std::set<int32_t>> wanted;
  if (body->topics) {
    for (const auto& t : *body->topics) {
      auto& parts = wanted[t.topic];
      for (const auto p : t.partitions) parts.insert(p.value());
    }
  } else {
    for (const auto& t : logs.topics()) {
      auto& parts = wanted[t.name];
      for (int32_t p = 0; p < t.partitions; ++p) parts.insert(p);
    }
  }

  // One log directory: the data directory. As Kafka, a partition it does not hold is left out,
  // and so is a topic none of whose partitions it holds.
  describe_log_dirs_response::describe_log_dirs_result dir;
  dir.log_dir = absolute_path(logs.dir());
  for (const auto& [topic, partitions] : wanted) {
    describe_log_dirs_response::describe_log_dirs_topic out;
    out.name = topic;
    for (const int32_t p : partitions) {
      auto plog = logs.get({topic, core::partition_id{p}});
      if (!plog) continue;
      describe_log_dirs_response::describe_log_dirs_partition part;
      part.partition_index = core::partition_id{p};
      part.partition_size = static_cast<int64_t>(plog->size_bytes());
      // Kafka: max(0, HW - LEO) for the current replica. Ours is the leader, HW = LEO.
      part.offset_lag =
          std::max<int64_t>(0, plog->high_watermark().value() - plog->log_end_offset().value());
      out.partitions.push_back(part);
    }
    if (!out.partitions.empty()) dir.topics.push_back(std::move(out));
  }
  std::tie(dir.total_bytes, dir.usable_bytes) = volume_bytes(logs.dir());

  describe_log_dirs_response resp;
  resp.results.push_back(std::move(dir));
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
