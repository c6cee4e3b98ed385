#pragma once
/// Per-topic configuration: the Kafka topic-level keys Sluice understands, their validation, and
/// how they resolve over the broker's defaults into a `log_config`.
///
/// | topic key          | broker default key            | meaning                         |
/// |--------------------|-------------------------------|---------------------------------|
/// | segment.bytes      | log.segment.bytes             | roll a segment past this size   |
/// | segment.ms         | log.roll.ms                   | roll a segment older than this  |
/// | retention.ms       | log.retention.ms              | delete segments older (-1 = ∞)  |
/// | retention.bytes    | log.retention.bytes           | keep at most this many (-1 = ∞) |
/// | flush.messages     | log.flush.interval.messages   | fsync after this many records   |
/// | flush.ms           | log.flush.interval.ms         | fsync at least this often       |
/// | max.message.bytes  | message.max.bytes             | largest accepted batch          |
/// | cleanup.policy     | log.cleanup.policy            | delete (compact: Broker II)     |

#include "broker/storage/partition_log.h"

#include <map>
#include <optional>
#include <string>

namespace sluice::broker::storage {

using topic_overrides = std::map<std::string, std::string>;

/// Checks one topic-level key and value. Returns an error message naming the key, or nullopt.
std::optional<std::string> validate_topic_config(const std::string& key, const std::string& value);

/// The broker defaults with the topic's overrides applied.
/// REQUIRES: every override passed validate_topic_config.
log_config resolve_log_config(const log_config& defaults, const topic_overrides& overrides);

}  // namespace sluice::broker::storage
