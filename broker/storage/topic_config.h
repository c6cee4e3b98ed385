#pragma once
/// Per-topic configuration: every topic-level key Kafka 4.x accepts, its validation, and how it
/// resolves over the broker's defaults into a `log_config`. This table is the one definition of
/// each key: the broker's own default keys (`log.retention.ms`, …) are generated from it
/// (`define_broker_defaults`), so a topic key and its broker synonym can never disagree on type,
/// bounds or meaning. Integer keys also carry the width Kafka declares them with
/// (`core::int_width`: INT or LONG), which DescribeConfigs v3+ reports. Five keys have no broker
/// synonym in Kafka either (`LogConfig.CONFIGS_WITH_NO_SERVER_DEFAULTS`): their default is the
/// key's own.
///
/// | topic key                               | broker default key                  | default    | here                                   |
/// |-----------------------------------------|-------------------------------------|------------|----------------------------------------|
/// | cleanup.policy                          | log.cleanup.policy                  | delete     | delete, compact or compact,delete      |
/// | compression.gzip.level                  | compression.gzip.level              | -1         | gzip recompression level               |
/// | compression.lz4.level                   | compression.lz4.level               | 9          | lz4 recompression level                |
/// | compression.type                        | compression.type                    | producer   | producer = keep the codec; else recompress |
/// | compression.zstd.level                  | compression.zstd.level              | 3          | zstd recompression level               |
/// | delete.retention.ms                     | log.cleaner.delete.retention.ms     | 86400000   | tombstone lifetime (compaction)        |
/// | file.delete.delay.ms                    | log.segment.delete.delay.ms         | 60000      | delay before removed segments are unlinked |
/// | flush.messages                          | log.flush.interval.messages         | 2^63-1     | fsync after this many records          |
/// | flush.ms                                | log.flush.interval.ms               | 2^63-1     | fsync at least this often              |
/// | follower.replication.throttled.replicas | —                                   | (empty)    | no effect: one node, no replication    |
/// | index.interval.bytes                    | log.index.interval.bytes            | 4096       | log bytes between offset-index entries |
/// | leader.replication.throttled.replicas   | —                                   | (empty)    | no effect: one node, no replication    |
/// | local.retention.bytes                   | log.local.retention.bytes           | -2         | no effect: no tiered storage           |
/// | local.retention.ms                      | log.local.retention.ms              | -2         | no effect: no tiered storage           |
/// | max.compaction.lag.ms                   | log.cleaner.max.compaction.lag.ms   | 2^63-1     | clean a log whose dirt is this old     |
/// | max.message.bytes                       | message.max.bytes                   | 1048588    | largest accepted batch                 |
/// | message.timestamp.after.max.ms          | log.message.timestamp.after.max.ms  | 3600000    | CreateTime: how far ahead of now       |
/// | message.timestamp.before.max.ms         | log.message.timestamp.before.max.ms | 2^63-1     | CreateTime: how far behind now         |
/// | message.timestamp.type                  | log.message.timestamp.type          | CreateTime | CreateTime or LogAppendTime            |
/// | min.cleanable.dirty.ratio               | log.cleaner.min.cleanable.ratio     | 0.5        | compact once dirty/total bytes reach this |
/// | min.compaction.lag.ms                   | log.cleaner.min.compaction.lag.ms   | 0          | records stay uncompacted this long     |
/// | min.insync.replicas                     | min.insync.replicas                 | 1          | acks=all needs this many (one node: 1) |
/// | preallocate                             | log.preallocate                     | false      | no effect (see the key's doc)          |
/// | remote.log.copy.disable                 | —                                   | false      | no effect: no tiered storage           |
/// | remote.log.delete.on.disable            | —                                   | false      | no effect: no tiered storage           |
/// | remote.storage.enable                   | —                                   | false      | true is refused, as by Kafka without tiered storage |
/// | retention.bytes                         | log.retention.bytes                 | -1         | keep at most this many bytes (< 0 = ∞) |
/// | retention.ms                            | log.retention.ms                    | 604800000  | delete segments older than this (-1 = ∞) |
/// | segment.bytes                           | log.segment.bytes                   | 1073741824 | roll a segment past this size          |
/// | segment.index.bytes                     | log.index.size.max.bytes            | 10485760   | roll a segment whose index is full     |
/// | segment.jitter.ms                       | log.roll.jitter.ms                  | 0          | random jitter subtracted from segment.ms |
/// | segment.ms                              | log.roll.ms                         | 604800000  | roll a segment older than this         |
/// | unclean.leader.election.enable          | unclean.leader.election.enable      | false      | no effect: one node, never out of sync |
///
/// Not accepted, as in Kafka 4: `message.format.version`, `message.timestamp.difference.max.ms`
/// and `message.downconversion.enable` (removed in 4.0).
///
/// Thread safety: pure functions over immutable tables.

#include "broker/storage/partition_log.h"
#include "core/config.h"

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sluice::broker::storage {

using topic_overrides = std::map<std::string, std::string>;

/// A topic-level key and the broker key that holds its default.
struct topic_key {
  std::string_view name;         ///< e.g. "retention.ms"
  std::string_view broker_name;  ///< e.g. "log.retention.ms"; empty = none (Kafka has none)
  /// False for the keys that are stored, validated and reported but cannot mean anything on a
  /// single broker without replication or tiered storage.
  bool has_effect = true;
};

/// Every topic-level key, sorted by name.
std::span<const topic_key> topic_keys() noexcept;
/// The key named `name` (topic-level name), or nullptr.
const topic_key* find_topic_key(std::string_view name) noexcept;
/// The key whose broker default is `broker_name` (non-empty), or nullptr.
const topic_key* find_topic_key_by_broker_name(std::string_view broker_name) noexcept;

/// The definition of the topic-level keys (types, bounds, Kafka's defaults, documentation).
const core::config_def& topic_config_def();

/// Defines the broker-level default of every topic key that has one in `def` (same type,
/// bounds and documentation; default = Kafka's).
void define_broker_defaults(core::config_def& def);

/// Checks one topic-level key and value. Returns an error message naming the key, or nullopt.
/// Besides the key's type and range: `remote.storage.enable=true` is refused with Kafka's
/// answer for a broker without tiered storage.
std::optional<std::string> validate_topic_config(const std::string& key, const std::string& value);

/// The checks Kafka makes on a topic's whole configuration (LogConfig.validateValues), run on
/// the overrides over `defaults`: min.compaction.lag.ms may not exceed max.compaction.lag.ms.
/// Returns the error message, or nullopt.
/// REQUIRES: every override passed validate_topic_config.
std::optional<std::string> validate_topic_overrides(const topic_overrides& overrides,
                                                    const log_config& defaults);

/// The canonical text of a value (trimmed; list items joined with ","), as stored and reported.
/// REQUIRES: validate_topic_config(key, value) accepted it.
std::string canonical_topic_config(const std::string& key, const std::string& value);

/// Sets the field(s) of `c` that the topic key `name` — or its broker synonym — controls.
/// REQUIRES: the value is valid for that key.
void apply_config(log_config& c, std::string_view name, std::string_view value);

/// The text of topic key `name`'s value in `c` (what DescribeConfigs reports).
/// REQUIRES: `name` is a topic-level key.
std::string topic_config_value(const log_config& c, std::string_view name);

/// The broker defaults with the topic's overrides applied.
/// REQUIRES: every override passed validate_topic_config.
log_config resolve_log_config(const log_config& defaults, const topic_overrides& overrides);

}  // namespace sluice::broker::storage
