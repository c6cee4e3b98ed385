#pragma once
/// Small blocking Kafka clients for tools around an application — generators, readers,
/// verifiers, tests: create a topic, produce records, read a topic from the beginning. They go
/// through librdkafka like the runtime, so they work against any Kafka-compatible cluster, and
/// keep librdkafka's headers out of the tools.
///
/// Not for the processing path: stream threads have their own clients.
///
/// Thread safety: a `simple_producer` belongs to one thread; the functions may run anywhere.

#include "core/bytes.h"
#include "core/config.h"
#include "core/record.h"
#include "core/time.h"
#include "core/types.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace sluice::runtime {

/// Creates `topic` with `partitions` partitions (replication: broker default) unless it
/// exists; returns its partition count. Throws streams_error with the broker's message.
int32_t ensure_topic(const std::string& bootstrap, const std::string& topic, int32_t partitions,
                     const core::properties& configs = {});

/// The partition count of `topic`, or nullopt if it does not exist. Throws streams_error if
/// the cluster cannot be reached.
std::optional<int32_t> topic_partitions(const std::string& bootstrap, const std::string& topic);

/// A producer partitioning keys like Java and kafkajs producers (murmur2_random), acks=all.
class simple_producer {
 public:
  /// `extra`: librdkafka producer settings. Throws streams_error on a bad setting.
  explicit simple_producer(const std::string& bootstrap, const core::properties& extra = {});
  ~simple_producer();
  simple_producer(const simple_producer&) = delete;
  simple_producer& operator=(const simple_producer&) = delete;

  /// Queues one record (blocking while librdkafka's queue is full). Throws streams_error on a
  /// failure reported so far.
  void send(std::string_view topic, std::optional<bytes_view> key, std::optional<bytes_view> value,
            core::timestamp ts);
  /// Waits until every record is acknowledged; throws streams_error if any was not delivered.
  void flush();

 private:
  struct impl;
  std::unique_ptr<impl> _impl;
};

/// One record read by `read_topic`.
struct read_record {
  core::partition_id partition;
  core::offset off;
  core::raw_record rec;
};

struct read_options {
  /// Stop once every partition's end was reached and nothing arrived for this long.
  std::chrono::milliseconds idle{2000};
  /// Stop after this long in any case.
  std::chrono::milliseconds timeout{60000};
  /// Stop as soon as this returns true (asked after every record); optional.
  std::function<bool()> done;
};

/// Reads every partition of `topic` from the beginning, read_committed, without a consumer
/// group, handing each record to `on_record` in partition order. Returns whether it stopped
/// because `done()` said so. Throws streams_error if the topic does not exist.
bool read_topic(const std::string& bootstrap, const std::string& topic,
                const std::function<void(read_record&&)>& on_record, const read_options& options);

}  // namespace sluice::runtime
