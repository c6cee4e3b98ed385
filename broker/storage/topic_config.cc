#include "broker/storage/topic_config.h"

#include <charconv>
#include <limits>

namespace sluice::broker::storage {
namespace {

struct int_key {
  const char* name;
  int64_t min;
  int64_t max;
};

constexpr int_key int_keys[] = {
    {"segment.bytes", 14, std::numeric_limits<int32_t>::max()},
    {"segment.ms", 1, std::numeric_limits<int64_t>::max()},
    {"retention.ms", -1, std::numeric_limits<int64_t>::max()},
    {"retention.bytes", -1, std::numeric_limits<int64_t>::max()},
    {"flush.messages", 1, std::numeric_limits<int64_t>::max()},
    {"flush.ms", 0, std::numeric_limits<int64_t>::max()},
    {"max.message.bytes", 0, std::numeric_limits<int32_t>::max()},
};

std::optional<int64_t> parse_int(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::string> validate_topic_config(const std::string& key, const std::string& value) {
  for (const auto& k : int_keys) {
    if (key != k.name) continue;
    auto v = parse_int(value);
    if (!v || *v < k.min || *v > k.max) {
      return "invalid value '" + value + "' for config '" + key + "': expected an integer in [" +
             std::to_string(k.min) + ", " + std::to_string(k.max) + "]";
    }
    return std::nullopt;
  }
  if (key == "cleanup.policy") {
    if (value != "delete") {
      return "invalid value '" + value + "' for config 'cleanup.policy': accepted values: delete";
    }
    return std::nullopt;
  }
  return "unknown topic config '" + key +
         "': accepted keys: cleanup.policy, flush.messages, flush.ms, max.message.bytes, "
         "retention.bytes, retention.ms, segment.bytes, segment.ms";
}

log_config resolve_log_config(const log_config& defaults, const topic_overrides& overrides) {
  log_config c = defaults;
  for (const auto& [key, value] : overrides) {
    auto v = parse_int(value);
    if (!v) continue;
    if (key == "segment.bytes") c.segment_bytes = static_cast<uint64_t>(*v);
    else if (key == "segment.ms") c.segment_ms = *v;
    else if (key == "retention.ms") c.retention_ms = *v;
    else if (key == "retention.bytes") c.retention_bytes = *v;
    else if (key == "flush.messages") c.flush_interval_messages = *v;
    else if (key == "flush.ms") c.flush_interval_ms = *v;
    else if (key == "max.message.bytes") c.max_message_bytes = static_cast<int32_t>(*v);
  }
  return c;
}

}  // namespace sluice::broker::storage
