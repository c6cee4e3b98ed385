#pragma once
/// `record_collector`: where a task's sink nodes send their output. The runtime implements it
/// over its producer; the topology test driver over in-memory topics.
///
/// Thread safety: called only from the thread that runs the task that holds it.

#include "core/bytes.h"
#include "core/record.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::dsl {

/// One output record of a sink node. `topic` is the full topic name (internal repartition
/// topics already carry their `<application.id>-` prefix and `-repartition` suffix) and is
/// valid only during `send`.
struct sink_record {
  std::string_view topic;
  /// The partition chosen by a custom partitioner, or nullopt: the collector picks it with the
  /// default (Java-compatible murmur2) partitioner over the key bytes.
  std::optional<partition_id> partition;
  std::optional<bytes> key;
  std::optional<bytes> value;
  timestamp ts{};
  core::headers hdrs;
};

class record_collector {
 public:
  virtual ~record_collector() = default;
  /// Takes one output record.
  virtual void send(sink_record&& r) = 0;
  /// The number of partitions of `topic`, or nullopt if unknown; asked by sinks that have a
  /// custom partitioner.
  virtual std::optional<int32_t> partition_count(std::string_view topic) = 0;
};

}  // namespace sluice::dsl
