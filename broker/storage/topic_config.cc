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
/// `apply` and `value` are null for the keys without a broker synonym that have no effect
/// here: only the topic's override holds their value.
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

bool to_bool(std::string_view s) {
  s = trim(s);
  return s.size() == 4 && std::tolower(static_cast<unsigned char>(s[0])) == 't';
}

std::string bool_text(bool b) { return b ? "true" : "false"; }

/// Kafka's ThrottledReplicaListValidator: "*", or [partitionId]:[brokerId] items.
std::optional<std::string> throttled_replicas_problem(std::string_view value) {
  auto items = to_list(value);
  if (items.size() == 1 && items[0] == "*") return std::nullopt;
  for (const auto& item : items) {
    const auto colon = item.find(':');
    auto digits = [](std::string_view d) {
      return !d.empty() && std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    if (colon == std::string::npos || !digits(std::string_view(item).substr(0, colon)) ||
        !digits(std::string_view(item).substr(colon + 1))) {
      return "the literal '*' or a list of replicas in the format "
             "[partitionId]:[brokerId],[partitionId]:[brokerId],...";
    }
  }
  return std::nullopt;
}

/// Kafka's gzip level validator: [1, 9] or -1 (the bounds already hold it to [-1, 9]).
std::optional<std::string> gzip_level_problem(std::string_view value) {
  if (to_int(value) == 0) return "an integer in [1, 9] or -1";
  return std::nullopt;
}

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
    auto bool_binding = [&](topic_key names, bool def, std::string doc,
                            void (*apply)(log_config&, std::string_view),
                            std::string (*value)(const log_config&)) {
      b.push_back({names, core::config_type::boolean, bool_text(def), std::nullopt, std::nullopt,
                   {}, {}, std::move(doc), apply, value});
    };
    constexpr auto int32 = core::int_width::int32;
    constexpr auto int64 = core::int_width::int64;
    constexpr bool no_effect = false;
    const std::string one_broker =
        " No effect here: stored, validated and reported as Kafka does, but a single broker has "
        "no followers, no replication and no other replica to elect.";
    const std::string no_tiered =
        " No effect here: it applies only to topics with remote.storage.enable=true, which this "
        "broker (no tiered storage) refuses; stored, validated and reported as Kafka does.";

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
    b.push_back({{"compression.gzip.level", "compression.gzip.level"},
                 core::config_type::integer,
                 "-1",
                 core::int_range{-1, 9},
                 std::nullopt,
                 {},
                 gzip_level_problem,
                 "The zlib level batches are recompressed with when compression.type is gzip: 1 "
                 "(fastest) to 9 (smallest), -1 = zlib's default (6).",
                 [](log_config& c, std::string_view v) {
                   c.compression_gzip_level = static_cast<int32_t>(to_int(v));
                 },
                 [](const log_config& c) { return std::to_string(c.compression_gzip_level); },
                 int32});
    int_binding({"compression.lz4.level", "compression.lz4.level"}, int32, 9, 1, 17,
                "The level batches are recompressed with when compression.type is lz4: 9 (the "
                "default) is LZ4's fast mode, as in Kafka; other levels use LZ4's high-compression "
                "mode (liblz4 caps it at 12, so 13-17 act as 12; 1-2 stay in fast mode).",
                [](log_config& c, std::string_view v) {
                  c.compression_lz4_level = static_cast<int32_t>(to_int(v));
                },
                [](const log_config& c) { return std::to_string(c.compression_lz4_level); });
    b.push_back({{"compression.type", "compression.type"},
                 core::config_type::enumeration,
                 "producer",
                 std::nullopt,
                 std::nullopt,
                 compression_types(),
                 {},
                 "producer keeps each batch as the producer compressed it; any other codec "
                 "recompresses batches that arrive in another codec on append (at that codec's "
                 "compression.<codec>.level).",
                 [](log_config& c, std::string_view v) { c.compression = to_codec(v); },
                 [](const log_config& c) { return codec_text(c.compression); }});
    int_binding({"compression.zstd.level", "compression.zstd.level"}, int32, 3, -131072, 22,
                "The zstd level batches are recompressed with when compression.type is zstd "
                "(negative levels are zstd's fast modes).",
                [](log_config& c, std::string_view v) {
                  c.compression_zstd_level = static_cast<int32_t>(to_int(v));
                },
                [](const log_config& c) { return std::to_string(c.compression_zstd_level); });
    int_binding({"delete.retention.ms", "log.cleaner.delete.retention.ms"}, int64, 86400000, 0,
                i64max,
                "Compacted topics: how long a tombstone stays after the segment holding it was "
                "last written.",
                [](log_config& c, std::string_view v) { c.delete_retention_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.delete_retention_ms); });
    int_binding({"file.delete.delay.ms", "log.segment.delete.delay.ms"}, int64, 60000, 0, i64max,
                "How long a segment removed by retention, DeleteRecords or compaction stays on "
                "disk, renamed <file>.deleted, before it is unlinked (0 = at once). Readers that "
                "already hold it keep reading either way.",
                [](log_config& c, std::string_view v) { c.file_delete_delay_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.file_delete_delay_ms); });
    int_binding({"flush.messages", "log.flush.interval.messages"}, int64, i64max, 1, i64max,
                "fsync after this many records; 1 = before acknowledging every batch.",
                [](log_config& c, std::string_view v) { c.flush_interval_messages = to_int(v); },
                [](const log_config& c) { return std::to_string(c.flush_interval_messages); });
    int_binding({"flush.ms", "log.flush.interval.ms"}, int64, i64max, 0, i64max,
                "fsync partitions with unflushed data at least this often.",
                [](log_config& c, std::string_view v) { c.flush_interval_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.flush_interval_ms); });
    b.push_back({{"follower.replication.throttled.replicas", "", no_effect},
                 core::config_type::list,
                 "",
                 std::nullopt,
                 std::nullopt,
                 {},
                 throttled_replicas_problem,
                 "Replicas whose replication is throttled on the follower side: '*' or "
                 "[partitionId]:[brokerId],..." + one_broker,
                 nullptr,
                 nullptr});
    int_binding({"index.interval.bytes", "log.index.interval.bytes"}, int32, 4096, 0, i32max,
                "Bytes of log between offset-index entries (new segments).",
                [](log_config& c, std::string_view v) {
                  c.index_interval_bytes = static_cast<uint32_t>(to_int(v));
                },
                [](const log_config& c) { return std::to_string(c.index_interval_bytes); });
    b.push_back({{"leader.replication.throttled.replicas", "", no_effect},
                 core::config_type::list,
                 "",
                 std::nullopt,
                 std::nullopt,
                 {},
                 throttled_replicas_problem,
                 "Replicas whose replication is throttled on the leader side: '*' or "
                 "[partitionId]:[brokerId],..." + one_broker,
                 nullptr,
                 nullptr});
    int_binding({"local.retention.bytes", "log.local.retention.bytes", no_effect}, int64, -2, -2,
                i64max,
                "Tiered storage: the most bytes of a partition kept locally (-2 = retention.bytes)." +
                    no_tiered,
                [](log_config& c, std::string_view v) { c.local_retention_bytes = to_int(v); },
                [](const log_config& c) { return std::to_string(c.local_retention_bytes); });
    int_binding({"local.retention.ms", "log.local.retention.ms", no_effect}, int64, -2, -2, i64max,
                "Tiered storage: how long segments are kept locally (-2 = retention.ms)." +
                    no_tiered,
                [](log_config& c, std::string_view v) { c.local_retention_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.local_retention_ms); });
    int_binding({"max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms"}, int64, i64max, 1,
                i64max,
                "Compacted topics: once the oldest uncleaned closed segment's first batch is older "
                "than this, the log is cleaned whatever min.cleanable.dirty.ratio says; the active "
                "segment also rolls at this age when it is below segment.ms.",
                [](log_config& c, std::string_view v) { c.max_compaction_lag_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.max_compaction_lag_ms); });
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
                 "Compacted topics: clean once the uncleaned share of the cleanable closed "
                 "segments' bytes reaches this ratio.",
                 [](log_config& c, std::string_view v) { c.min_cleanable_dirty_ratio = to_double(v); },
                 [](const log_config& c) { return double_text(c.min_cleanable_dirty_ratio); }});
    int_binding({"min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms"}, int64, 0, 0, i64max,
                "Compacted topics: the least time a record stays uncompacted. The cleaner stops "
                "at the first uncleaned segment whose newest record is younger than this.",
                [](log_config& c, std::string_view v) { c.min_compaction_lag_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.min_compaction_lag_ms); });
    int_binding({"min.insync.replicas", "min.insync.replicas"}, int32, 1, 1, i32max,
                "Replicas that must hold a batch before acks=all succeeds. A single broker has "
                "one: values above 1 make acks=all produce fail with NOT_ENOUGH_REPLICAS, as in "
                "Kafka with replication factor 1.",
                [](log_config& c, std::string_view v) {
                  c.min_insync_replicas = static_cast<int32_t>(to_int(v));
                },
                [](const log_config& c) { return std::to_string(c.min_insync_replicas); });
    bool_binding({"preallocate", "log.preallocate", no_effect}, false,
                 "Kafka preallocates a new segment file to segment.bytes. No effect here: a "
                 "segment file is always exactly as long as its data, because recovery takes the "
                 "file's length as the end of the log; stored, validated and reported as Kafka "
                 "does.",
                 [](log_config& c, std::string_view v) { c.preallocate = to_bool(v); },
                 [](const log_config& c) { return bool_text(c.preallocate); });
    bool_binding({"remote.log.copy.disable", "", no_effect}, false,
                 "Tiered storage: stop copying segments to remote storage." + no_tiered, nullptr,
                 nullptr);
    bool_binding({"remote.log.delete.on.disable", "", no_effect}, false,
                 "Tiered storage: delete the remote data when remote storage is turned off." +
                     no_tiered,
                 nullptr, nullptr);
    bool_binding({"remote.storage.enable", "", no_effect}, false,
                 "Tiered storage for this topic. No effect here: this broker has no tiered "
                 "storage, so true is refused with INVALID_CONFIG, as Kafka refuses it when "
                 "remote.log.storage.system.enable is false; false is stored and reported.",
                 nullptr, nullptr);
    int_binding({"retention.bytes", "log.retention.bytes"}, int64, -1, std::numeric_limits<int64_t>::min(),
                i64max,
                "Delete old segments beyond this partition size (negative = no limit).",
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
    int_binding({"segment.index.bytes", "log.index.size.max.bytes"}, int32, 10 * 1024 * 1024, 4,
                i32max,
                "The most bytes a segment's offset index (8 bytes an entry) or time index (12 "
                "bytes an entry) may hold: the active segment rolls once either is full. A "
                "segment keeps the value it was created with.",
                [](log_config& c, std::string_view v) {
                  c.segment_index_bytes = static_cast<int32_t>(to_int(v));
                },
                [](const log_config& c) { return std::to_string(c.segment_index_bytes); });
    int_binding({"segment.jitter.ms", "log.roll.jitter.ms"}, int64, 0, 0, i64max,
                "The most random jitter subtracted from a new segment's time-based roll (drawn "
                "per segment below min(this, segment.ms)), so that partitions created together do "
                "not all roll together.",
                [](log_config& c, std::string_view v) { c.segment_jitter_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.segment_jitter_ms); });
    int_binding({"segment.ms", "log.roll.ms"}, int64, 604800000, 1, i64max,
                "Roll a segment older than this.",
                [](log_config& c, std::string_view v) { c.segment_ms = to_int(v); },
                [](const log_config& c) { return std::to_string(c.segment_ms); });
    bool_binding({"unclean.leader.election.enable", "unclean.leader.election.enable", no_effect},
                 false,
                 "Whether a replica outside the in-sync set may become leader." + one_broker,
                 [](log_config& c, std::string_view v) {
                   c.unclean_leader_election_enable = to_bool(v);
                 },
                 [](const log_config& c) { return bool_text(c.unclean_leader_election_enable); });
    std::sort(b.begin(), b.end(),
              [](const binding& x, const binding& y) { return x.names.name < y.names.name; });
    return b;
  }();
  return table;
}

const binding* find_binding(std::string_view name) {
  if (name.empty()) return nullptr;
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
  if (broker_name.empty()) return nullptr;
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
  for (const auto& b : bindings()) {
    if (!b.names.broker_name.empty()) def.define(to_config_key(b, b.names.broker_name));
  }
}

std::optional<std::string> validate_topic_config(const std::string& key, const std::string& value) {
  if (find_topic_key(key) == nullptr) {
    return "unknown topic config '" + key + "'; accepted keys: " + accepted_keys();
  }
  if (auto problem = topic_config_def().validate(key, value)) return problem;
  if (key == "remote.storage.enable" && to_bool(value)) {
    // Kafka's LogConfig.validateRemoteStorageOnlyIfSystemEnabled on a broker whose
    // remote.log.storage.system.enable is false (a ConfigException: INVALID_CONFIG).
    return "invalid value '" + std::string(trim(value)) +
           "' for config 'remote.storage.enable': Tiered Storage functionality is disabled in "
           "the broker. Topic cannot be configured with remote log storage.";
  }
  return std::nullopt;
}

std::optional<std::string> validate_topic_overrides(const topic_overrides& overrides,
                                                    const log_config& defaults) {
  const log_config c = resolve_log_config(defaults, overrides);
  if (c.min_compaction_lag_ms > c.max_compaction_lag_ms) {
    // Kafka's LogConfig.validateValues (an InvalidConfigurationException: INVALID_CONFIG).
    return "conflict topic config setting min.compaction.lag.ms (" +
           std::to_string(c.min_compaction_lag_ms) + ") > max.compaction.lag.ms (" +
           std::to_string(c.max_compaction_lag_ms) + ")";
  }
  return std::nullopt;
}

std::string canonical_topic_config(const std::string& key, const std::string& value) {
  const auto* b = find_binding(key);
  SLUICE_ASSERT(b != nullptr, "canonical_topic_config: unknown key");
  if (b->type == core::config_type::list) return join(to_list(value));
  if (b->type == core::config_type::boolean) return bool_text(to_bool(value));
  return std::string(trim(value));
}

void apply_config(log_config& c, std::string_view name, std::string_view value) {
  const auto* b = find_binding(name);
  SLUICE_ASSERT(b != nullptr, "apply_config: unknown key");
  if (b->apply != nullptr) b->apply(c, value);
}

std::string topic_config_value(const log_config& c, std::string_view name) {
  const auto* b = find_binding(name);
  SLUICE_ASSERT(b != nullptr, "topic_config_value: unknown key");
  // A key without a broker synonym holds no broker-wide value: its default is its own.
  return b->value != nullptr ? b->value(c) : b->default_value;
}

log_config resolve_log_config(const log_config& defaults, const topic_overrides& overrides) {
  log_config c = defaults;
  for (const auto& [key, value] : overrides) {
    const auto* b = find_binding(key);
    if (b != nullptr && b->names.name == key && b->apply != nullptr) b->apply(c, value);
  }
  return c;
}

}  // namespace sluice::broker::storage
