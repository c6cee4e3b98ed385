#include "broker/internal_topic_migration.h"

#include "broker/storage/errc.h"
#include "broker/storage/file.h"
#include "core/log.h"

#include <charconv>
#include <map>
#include <optional>
#include <string_view>

namespace sluice::broker {
namespace {

const core::logger& log() {
  static const core::logger instance("broker.migration");
  return instance;
}

enum class marker_state { kafka, migrating };

struct marker {
  marker_state state = marker_state::kafka;
  std::map<int32_t, int64_t> legacy_end;  ///< partition → first offset in Kafka's format
};

constexpr std::string_view legacy_end_prefix = "legacy.end.";

template <class Int>
bool parse_int(std::string_view text, Int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

/// nullopt when there is no marker.
result<std::optional<marker>> read_marker(const std::filesystem::path& path,
                                          std::error_code corrupt) {
  auto raw = storage::read_whole_file(path);
  if (!raw) {
    if (raw.error() == std::errc::no_such_file_or_directory) return std::optional<marker>{};
    log().error("{}: cannot read: {}", path.string(), raw.error().message());
    return raw.error();
  }
  const std::string text(reinterpret_cast<const char*>(raw.value().data()), raw.value().size());
  marker m;
  bool version = false;
  bool format = false;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    const std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    const size_t eq = line.find('=');
    const std::string_view key = line.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view() : line.substr(eq + 1);
    bool ok = eq != std::string_view::npos;
    if (ok && key == "version") {
      ok = value == "1";
      version = ok;
    } else if (ok && key == "format") {
      ok = value == "kafka" || value == "migrating";
      m.state = value == "migrating" ? marker_state::migrating : marker_state::kafka;
      format = ok;
    } else if (ok && key.starts_with(legacy_end_prefix)) {
      int32_t p = -1;
      int64_t end = -1;
      ok = parse_int(key.substr(legacy_end_prefix.size()), p) && p >= 0 && parse_int(value, end) &&
           end >= 0;
      if (ok) m.legacy_end[p] = end;
    } else {
      ok = false;
    }
    if (!ok) {
      log().error(
          "{}: unreadable line '{}' (expected version=1, format=kafka|migrating, "
          "legacy.end.<partition>=<offset>)",
          path.string(), line);
      return corrupt;
    }
  }
  if (!version || !format) {
    log().error("{}: lacks the version or format line", path.string());
    return corrupt;
  }
  return std::optional<marker>(std::move(m));
}

result<void> write_marker(const std::filesystem::path& path, const marker& m) {
  std::string text = "version=1\nformat=";
  text += m.state == marker_state::kafka ? "kafka\n" : "migrating\n";
  for (const auto& [p, end] : m.legacy_end) {
    text += std::string(legacy_end_prefix) + std::to_string(p) + "=" + std::to_string(end) + "\n";
  }
  return storage::write_file_atomically(path, core::as_bytes(text));
}

}  // namespace

std::filesystem::path internal_topic_format_marker(const std::filesystem::path& data_dir,
                                                   const std::string& topic) {
  return data_dir / (topic + ".format");
}

result<std::vector<int64_t>> open_internal_topic_format(storage::log_manager& logs,
                                                        const std::string& topic, bool created,
                                                        const legacy_format& legacy,
                                                        const migration_options& options) {
  auto stop_at = [&](migration_stage s) { return options.failpoint && options.failpoint(s); };
  auto info = logs.topic(topic);
  if (!info) return storage::errc::unknown_partition;
  std::vector<std::shared_ptr<storage::partition_log>> plogs;
  for (int32_t p = 0; p < info->partitions; ++p) {
    auto plog = logs.get({topic, core::partition_id{p}});
    if (!plog) return storage::errc::unknown_partition;
    plogs.push_back(std::move(plog));
  }
  const auto path = internal_topic_format_marker(logs.dir(), topic);

  std::optional<marker> found;
  if (!created) {
    SLUICE_TRY(auto m, read_marker(path, legacy.corrupt));
    found = std::move(m);
  }
  marker m;
  if (found) {
    m = std::move(*found);
  } else {
    // Written by a broker from before the marker, or a new topic: look at what it holds.
    for (int32_t p = 0; p < info->partitions && !created; ++p) {
      SLUICE_TRY(bool old, legacy.holds_legacy(*plogs[p]));
      if (old) m.legacy_end[p] = plogs[p]->log_end_offset().value();
    }
    if (!m.legacy_end.empty()) {
      m.state = marker_state::migrating;
      // The old records below each legacy end must be durable before the marker relies on it.
      for (const auto& [p, end] : m.legacy_end) SLUICE_TRY(plogs[p]->flush());
      log().info("{}: {} partition(s) hold Sluice's old record format; converting them to Kafka's",
                 topic, m.legacy_end.size());
    }
    SLUICE_TRY(write_marker(path, m));
    if (m.state == marker_state::migrating && stop_at(migration_stage::marked_migrating)) {
      return std::errc::interrupted;
    }
  }
  for (const auto& [p, end] : m.legacy_end) {
    if (p >= info->partitions || plogs[p]->log_end_offset().value() < end) {
      log().error(
          "{}: partition {} ends before offset {}, where {} says its Kafka-format records "
          "begin; the partition lost records",
          topic, p, end, path.string());
      return legacy.corrupt;
    }
  }

  if (m.state == marker_state::migrating) {
    for (const auto& [p, end] : m.legacy_end) {
      auto& plog = *plogs[p];
      SLUICE_TRY(auto batches, legacy.convert(plog, end));
      for (const auto& batch : batches) {
        if (auto r = plog.append(batch, storage::append_origin::coordinator); !r) {
          log().error("{}-{}: appending converted records failed: {}", topic, p,
                      r.error().message());
          return r.error();
        }
      }
      SLUICE_TRY(plog.flush());
      log().info("{}-{}: converted the records below offset {} into {} batch(es) at offsets {}..{}",
                 topic, p, end, batches.size(), end, plog.log_end_offset().value());
      if (stop_at(migration_stage::partition_converted)) return std::errc::interrupted;
    }
    m.state = marker_state::kafka;
    SLUICE_TRY(write_marker(path, m));
    log().info("{}: now in Kafka's record format", topic);
    if (stop_at(migration_stage::marked_kafka)) return std::errc::interrupted;
  }

  std::vector<int64_t> starts(static_cast<size_t>(info->partitions), 0);
  bool moved = false;
  for (const auto& [p, end] : m.legacy_end) {
    starts[static_cast<size_t>(p)] = end;
    if (plogs[p]->log_start_offset().value() < end) {
      SLUICE_TRY(plogs[p]->delete_records_before(core::offset{end}));
      moved = true;
    }
  }
  if (moved) {
    SLUICE_TRY(logs.checkpoint());  // the new log starts must survive a crash too
    if (stop_at(migration_stage::legacy_dropped)) return std::errc::interrupted;
  }
  return starts;
}

result<void> for_each_record(
    const storage::partition_log& plog, int64_t end,
    const std::function<result<void>(const protocol::record_batch_header& batch,
                                     const protocol::decoded_record& record, int64_t offset)>&
        visit) {
  return storage::replay_log(
      plog, [&](protocol::record_batch_reader& reader, int64_t first) -> result<void> {
        const auto& h = reader.header();
        if (h.base_offset.value() >= end) return core::success();
        for (;;) {
          SLUICE_TRY(auto rec, reader.next());
          if (!rec) return core::success();
          const int64_t at = h.base_offset.value() + rec->offset_delta;
          if (at < first || at >= end) continue;
          SLUICE_TRY(visit(h, *rec, at));
        }
      });
}

result<std::vector<core::bytes>> encode_in_batches(std::vector<core::raw_record> records,
                                                   const protocol::record_batch_options& options,
                                                   size_t max_batch_bytes) {
  std::vector<core::bytes> out;
  size_t first = 0;
  while (first < records.size()) {
    size_t last = first;
    size_t bytes = 0;
    while (last < records.size()) {
      const auto& r = records[last];
      // Keys, values and a generous bound on each record's framing.
      const size_t size = (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0) + 32;
      if (last > first && bytes + size > max_batch_bytes) break;
      bytes += size;
      ++last;
    }
    auto batch = protocol::encode_record_batch(
        std::span<const core::raw_record>(records.data() + first, last - first), options);
    if (!batch) return batch.error();
    out.push_back(std::move(batch).value());
    first = last;
  }
  return out;
}

}  // namespace sluice::broker
