#pragma once
/// `repartition_purger`: deletes repartition-topic records the application has committed past,
/// as Kafka Streams does after its commits. A repartition topic is internal: once the group's
/// offset for a partition has moved past a record, no task will read that record again, so it
/// only costs disk until retention would remove it.
///
/// Every `repartition.purge.interval.ms`, if commits have moved offsets, one DeleteRecords
/// request (sent through the thread's consumer, answered on a queue of its own) asks each
/// repartition partition this thread committed to drop everything before its committed offset.
/// At most one request is in flight. A partition whose deletion failed is retried with the next
/// purge (its offset stays pending); failures are logged and never fail the thread.
///
/// Thread safety: used by its stream thread only. Destroy it before the client it sends through.

#include "core/types.h"
#include "dsl/topology.h"

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

extern "C" {
struct rd_kafka_s;
struct rd_kafka_queue_s;
}

namespace sluice::runtime::detail {

class repartition_purger {
 public:
  /// A purger of `topology`'s repartition topics (named for `application_id`), or nullptr
  /// when it has none.
  static std::unique_ptr<repartition_purger> for_topology(rd_kafka_s* client, const dsl::topology& topology,
                                                          const std::string& application_id,
                                                          std::chrono::milliseconds interval, std::string owner);

  /// `topics`: the full names of the topology's repartition topics. `owner` names the thread in
  /// log lines.
  repartition_purger(rd_kafka_s* client, std::set<std::string, std::less<>> topics,
                     std::chrono::milliseconds interval, std::string owner);
  ~repartition_purger();
  repartition_purger(const repartition_purger&) = delete;
  repartition_purger& operator=(const repartition_purger&) = delete;

  /// After a successful commit: its offsets, of which those of repartition topics are kept.
  void committed(const std::vector<std::pair<core::topic_partition, int64_t>>& offsets);
  /// Takes a finished request's answer, and sends the next request when the interval has
  /// passed and offsets are pending. Never blocks.
  void poll();

 private:
  void send();
  void take_answer();

  rd_kafka_s* _client;
  rd_kafka_queue_s* _queue;
  std::set<std::string, std::less<>> _topics;
  std::chrono::milliseconds _interval;
  std::string _owner;
  std::chrono::steady_clock::time_point _last_send;
  /// Committed offsets not yet asked for, and those of the request in flight.
  std::map<core::topic_partition, int64_t> _pending;
  std::map<core::topic_partition, int64_t> _in_flight;
  bool _waiting = false;
};

}  // namespace sluice::runtime::detail
