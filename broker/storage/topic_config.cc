#include "broker/storage/topic_config.h"

#include "core/assert.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace sluice::broker::storage {
namespace {

constexpr int64_t i32max = std::numeric_limits<int32_t>::max();
constexpr int64_t i64max = std::numeric_limits<int64_t>::max();

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

int64_t to_int(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

double to_double(std::string_view s) {
  s = trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

std::vector<std::string> to_list(std::string_view s) {
  std::vector<std::string> items;
  for (;;) {
    auto comma = s.find(',');
    auto item = trim(s.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return items;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ",";
    out += i;
  }
  return out;
}

std::optional<std::string> cleanup_policy_problem(std::string_view value) {
  auto items = to_list(value);
  if (items.empty()) return "a non-empty list of [compact, delete]";
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i] != "compact" && items[i] != "delete") return "a list of [compact, delete]";
    for (size_t j = 0; j < i; ++j) {
      if (items[j] == items[i]) return "a list of [compact, delete] without repeats";
    }
  }
  return std::nullopt;
}

/// The compression.type spellings, in Kafka's order.
const std::vector<std::string>& compression_types() {
  static const std::vector<std::string> v{"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"};
  return v;
}

std::optional<protocol::compression_codec> to_codec(std::string_view type) {
  type = trim(type);
  if (type == "uncompressed") return protocol::compression_codec::none;
  if (type == "gzip") return protocol::compression_codec::gzip;
  if (type == "snappy") return protocol::compression_codec::snappy;
  if (type == "lz4") return protocol::compression_codec::lz4;
  if (type == "zstd") return protocol::compression_codec::zstd;
  return std::nullopt;  // producer
}

std::string codec_text(const std::optional<protocol::compression_codec>& c) {
  if (!c) return "producer";
  if (*c == protocol::compression_codec::none) return "uncompressed";
  return std::string(protocol::name(*c));
}

std::string double_text(double v) {
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

/// One topic-level key: its definition, its broker synonym and how it maps onto `log_config`.
struct binding {
  topic_key names;
  core::config_type type;
  std::string default_value;
  std::optional<core::int_range> bounds;
  std::optional<core::double_range> double_bounds;
  std::vector<std::string> accepted;
  std::function<std::optional<std::string>(std::string_view)> validator;
  std::string doc;
  void (*apply)(log_config&, std::string_view);
  std::string (*value)(const log_config&);
  core::int_width width = core::int_width::int64;  ///< integer keys: Kafka's INT or LONG
};

const std::vector<binding>& bindings() {
  static const std::vector<binding> table = [] {
    std::vector<binding> b;
    // `width` is the type Kafka declares the key with: INT (int32) or LONG (int64).
    auto int_binding = [&](topic_key names, core::int_width width, int64_t def, int64_t min,
                           int64_t max, std::string doc,
                           void (*apply)(log_config&, std::string_view),
                           std::string (*value)(const log_config&)) {
      b.push_back({names, core::config_type::integer, std::to_string(def), core::int_range{min, max},
                   std::nullopt, {}, {}, std::move(doc), apply, value, width});
    };
    constexpr auto int32 = core::int_width::int32;
    constexpr auto int64 = core::int_width::int64;
    b.push_back({{"cleanup.policy", "log.cleanup.policy"},
                 core::config_type::list,
                 "delete",
                 std::nullopt,
                 std::nullopt,
                 {},
                 cleanup_policy_problem,
                 "delete: retention removes old segments; compact: keep the latest record per key; "
                 "compact,delete: both.",
                 [](log_config& c, std::string_view v) {
                   auto items = to_list(v);
                   c.cleanup_delete = std::find(items.begin(), items.end(), "delete") != items.end();
                   c.cleanup_compact = std::find(items.begin(), items.end(), "compact") != items.end();
                 },
                 [](const log_config& c) -> std::string {
                   if (c.cleanup_compact && c.cleanup_delete) return "compact,delete";
                   return c.cleanup_compact ? "compact" : "delete";
                 }});
    b.push_back({{"compression.type", "compression.type"},
                 core::config_type::enumeration,
                 "producer",
                 std::nullopt,
                 std::nullopt,
                 compression_types(),
                 {},
                 "producer keeps each batch as the producer compressed it; any other codec "
                 "recompresses batches that arrive in another codec on append.",
                 [](log_config& c, std::string_view v) { c.compression = to_codec(v); },
                 [](const log_config& c) { return codec_text(c.compression); }});
    int_binding({"delete.retention.ms", "log.cleaner.delete.retention.ms"}, int64, 86400000, 0,
                i64max,
                "Compacted topics: how long a tombstone stays after the segment holding it was "
                "last written.",
                [](log_config& c, std::string_view v) { c.delete_retention_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.delete_retention_ms); });
    int_binding({"flush.messages", "log.flush.interval.messages"}, int64, i64max, 1, i64max,
                "fsync after this many records; 1 = before acknowledging every batch.",
                [](log_config& c, std::string_view v) { c.flush_interval_messages = to_int(v); },
                [](const log_config& c) { return std::to_string(c.flush_interval_messages); });
    int_binding({"flush.ms", "log.flush.interval.ms"}, int64, i64max, 0, i64max,
                "fsync partitions with unflushed data at least this often.",
                [](log_config& c, std::string_view v) { c.flush_interval_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.flush_interval_ms); });
    int_binding({"index.interval.bytes", "log.index.interval.bytes"}, int32, 4096, 0, i32max,
                "Bytes of log between offset-index entries (new segments).",
                [](log_config& c, std::string_view v) {
                  c.index_interval_bytes = static_cast<uint32_t>(to_int(v));
                },
                [](const log_config& c) { return std::to_string(c.index_interval_bytes); });
    int_binding({"max.message.bytes", "message.max.bytes"}, int32, 1048588, 0, i32max,
                "Largest record batch accepted.",
                [](log_config& c, std::string_view v) {
                  c.max_message_bytes = static_cast<int32_t>(to_int(v));
                },
                [](const log_config& c) { return std::to_string(c.max_message_bytes); });
    int_binding({"message.timestamp.after.max.ms", "log.message.timestamp.after.max.ms"}, int64,
                3600000, 0, i64max,
                "CreateTime topics: how far ahead of the broker's clock a record timestamp may "
                "be; a batch with a later one is refused with INVALID_TIMESTAMP (Kafka 4's "
                "default: one hour).",
                [](log_config& c, std::string_view v) { c.timestamp_after_max_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.timestamp_after_max_ms); });
    int_binding({"message.timestamp.before.max.ms", "log.message.timestamp.before.max.ms"},
                int64, i64max, 0, i64max,
                "CreateTime topics: how far behind the broker's clock a record timestamp may be; "
                "a batch with an older one is refused with INVALID_TIMESTAMP.",
                [](log_config& c, std::string_view v) { c.timestamp_before_max_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.timestamp_before_max_ms); });
    b.push_back({{"message.timestamp.type", "log.message.timestamp.type"},
                 core::config_type::enumeration,
                 "CreateTime",
                 std::nullopt,
                 std::nullopt,
                 {"CreateTime", "LogAppendTime"},
                 {},
                 "CreateTime keeps the producer's record timestamps; LogAppendTime stamps each "
                 "batch with the broker's clock when it is appended.",
                 [](log_config& c, std::string_view v) {
                   c.timestamp_type = trim(v) == "LogAppendTime"
                                          ? protocol::timestamp_type::log_append_time
                                          : protocol::timestamp_type::create_time;
                 },
                 [](const log_config& c) -> std::string {
                   return c.timestamp_type == protocol::timestamp_type::log_append_time
                              ? "LogAppendTime"
                              : "CreateTime";
                 }});
    b.push_back({{"min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio"},
                 core::config_type::floating,
                 "0.5",
                 std::nullopt,
                 core::double_range{0.0, 1.0},
                 {},
                 {},
                 "Compacted topics: clean once the uncleaned share of the closed segments' bytes "
                 "reaches this ratio.",
                 [](log_config& c, std::string_view v) { c.min_cleanable_dirty_ratio = to_double(v); },
                 [](const log_config& c) { return double_text(c.min_cleanable_dirty_ratio); }});
    int_binding({"min.insync.replicas", "min.insync.replicas"}, int32, 1, 1, i32max,
                "Replicas that must hold a batch before acks=all succeeds. A single broker has "
                "one: values above 1 make acks=all produce fail with NOT_ENOUGH_REPLICAS, as in "
                "Kafka with replication factor 1.",
                [](log_config& c, std::string_view v) {
                  c.min_insync_replicas = static_cast<int32_t>(to_int(v));
                },
                [](const log_config& c) { return std::to_string(c.min_insync_replicas); });
    int_binding({"retention.bytes", "log.retention.bytes"}, int64, -1, -1, i64max,
                "Delete old segments beyond this partition size (-1 = no limit).",
                [](log_config& c, std::string_view v) { c.retention_bytes = to_int(v); },
                [](const log_config& c) { return std::to_string(c.retention_bytes); });
    int_binding({"retention.ms", "log.retention.ms"}, int64, 604800000, -1, i64max,
                "Delete segments whose newest record is older than this (-1 = keep).",
                [](log_config& c, std::string_view v) { c.retention_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.retention_ms); });
    int_binding({"segment.bytes", "log.segment.bytes"}, int32, 1073741824, 14, i32max,
                "Roll a segment past this size.",
                [](log_config& c, std::string_view v) {
                  c.segment_bytes = static_cast<uint64_t>(to_int(v));
                },
                [](const log_config& c) { return std::to_string(c.segment_bytes); });
    int_binding({"segment.ms", "log.roll.ms"}, int64, 604800000, 1, i64max,
                "Roll a segment older than this.",
                [](log_config& c, std::string_view v) { c.segment_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.segment_ms); });
    std::sort(b.begin(), b.end(),
              [](const binding& x, const binding& y) { return x.names.name < y.names.name; });
    return b;
  }();
  return table;
}

const binding* find_binding(std::string_view name) {
  for (const auto& b : bindings()) {
    if (b.names.name == name || b.names.broker_name == name) return &b;
  }
  return nullptr;
}

core::config_key to_config_key(const binding& b, std::string_view name) {
  core::config_key k;
  k.name = std::string(name);
  k.type = b.type;
  k.default_value = b.default_value;
  k.doc = b.doc;
  k.int_bounds = b.bounds;
  k.double_bounds = b.double_bounds;
  k.accepted = b.accepted;
  k.validator = b.validator;
  k.width = b.width;
  return k;
}

std::string accepted_keys() {
  std::string out;
  for (const auto& b : bindings()) {
    if (!out.empty()) out += ", ";
    out += b.names.name;
  }
  return out;
}

}  // namespace

std::span<const topic_key> topic_keys() noexcept {
  static const std::vector<topic_key> keys = [] {
    std::vector<topic_key> k;
    for (const auto& b : bindings()) k.push_back(b.names);
    return k;
  }();
  return keys;
}

const topic_key* find_topic_key(std::string_view name) noexcept {
  for (const auto& k : topic_keys()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

const topic_key* find_topic_key_by_broker_name(std::string_view broker_name) noexcept {
  for (const auto& k : topic_keys()) {
    if (k.broker_name == broker_name) return &k;
  }
  return nullptr;
}

const core::config_def& topic_config_def() {
  static const core::config_def def = [] {
    core::config_def d;
    for (const auto& b : bindings()) d.define(to_config_key(b, b.names.name));
    return d;
  }();
  return def;
}

void define_broker_defaults(core::config_def& def) {
  for (const auto& b : bindings()) def.define(to_config_key(b, b.names.broker_name));
}

std::optional<std::string> validate_topic_config(const std::string& key, const std::string& value) {
  if (find_topic_key(key) == nullptr) {
    return "unknown topic config '" + key + "'; accepted keys: " + accepted_keys();
  }
  return topic_config_def().validate(key, value);
}

std::string canonical_topic_config(const std::string& key, const std::string& value) {
  const auto* b = find_binding(key);
  SLUICE_ASSERT(b != nullptr, "canonical_topic_config: unknown key");
  if (b->type == core::config_type::list) return join(to_list(value));
  return std::string(trim(value));
}

void apply_config(log_config& c, std::string_view name, std::string_view value) {
  const auto* b = find_binding(name);
  SLUICE_ASSERT(b != nullptr, "apply_config: unknown key");
  b->apply(c, value);
}

std::string topic_config_value(const log_config& c, std::string_view name) {
  const auto* b = find_binding(name);
  SLUICE_ASSERT(b != nullptr, "topic_config_value: unknown key");
  return b->value(c);
}

log_config resolve_log_config(const log_config& defaults, const topic_overrides& overrides) {
  log_config c = defaults;
  for (const auto& [key, value] : overrides) {
    if (const auto* b = find_binding(key); b != nullptr && b->names.name == key) b->apply(c, value);
  }
  return c;
}

}  // namespace sluice::broker::storage
