#pragma once
/// Per-topic configuration: the Kafka topic-level keys Sluice understands, their validation, and
/// how they resolve over the broker's defaults into a `log_config`. This table is the one
/// definition of each key: the broker's own default keys (`log.retention.ms`, …) are generated
/// from it (`define_broker_defaults`), so a topic key and its broker synonym can never disagree
/// on type, bounds or meaning. Integer keys also carry the width Kafka declares them with
/// (`core::int_width`: INT for index.interval.bytes, max.message.bytes, min.insync.replicas and
/// segment.bytes, LONG for the others), which DescribeConfigs v3+ reports.
///
/// | topic key                 | broker default key              | default    | meaning                                   |
/// |---------------------------|---------------------------------|------------|-------------------------------------------|
/// | cleanup.policy            | log.cleanup.policy              | delete     | delete, compact or compact,delete          |
/// | compression.type          | compression.type                | producer   | producer = keep the batch's codec; else recompress on append |
/// | delete.retention.ms       | log.cleaner.delete.retention.ms | 86400000   | compacted topics: how long tombstones stay |
/// | flush.messages            | log.flush.interval.messages     | 2^63-1     | fsync after this many records              |
/// | flush.ms                  | log.flush.interval.ms           | 2^63-1     | fsync at least this often                  |
/// | index.interval.bytes      | log.index.interval.bytes        | 4096       | log bytes between offset-index entries     |
/// | max.message.bytes         | message.max.bytes               | 1048588    | largest accepted batch                     |
/// | min.cleanable.dirty.ratio | log.cleaner.min.cleanable.ratio | 0.5        | compact once dirty/total bytes reach this  |
/// | min.insync.replicas       | min.insync.replicas             | 1          | acks=all needs this many in-sync replicas (one node: 1) |
/// | retention.bytes           | log.retention.bytes             | -1         | keep at most this many bytes (-1 = ∞)      |
/// | retention.ms              | log.retention.ms                | 604800000  | delete segments older than this (-1 = ∞)   |
/// | segment.bytes             | log.segment.bytes               | 1073741824 | roll a segment past this size              |
/// | segment.ms                | log.roll.ms                     | 604800000  | roll a segment older than this             |
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
  std::string_view broker_name;  ///< e.g. "log.retention.ms"
};

/// Every topic-level key, sorted by name.
std::span<const topic_key> topic_keys() noexcept;
/// The key named `name` (topic-level name), or nullptr.
const topic_key* find_topic_key(std::string_view name) noexcept;
/// The key whose broker default is `broker_name`, or nullptr.
const topic_key* find_topic_key_by_broker_name(std::string_view broker_name) noexcept;

/// The definition of the topic-level keys (types, bounds, Kafka's defaults, documentation).
const core::config_def& topic_config_def();

/// Defines the broker-level default of every topic key in `def` (same type, bounds and
/// documentation; default = Kafka's).
void define_broker_defaults(core::config_def& def);

/// Checks one topic-level key and value. Returns an error message naming the key, or nullopt.
std::optional<std::string> validate_topic_config(const std::string& key, const std::string& value);

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
