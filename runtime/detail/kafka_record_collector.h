#pragma once
/// `kafka_record_collector`: a stream thread's producer. Tasks send their output and
/// repartition records through it (`dsl::record_collector`), their stores' changelog records
/// (`send_changelog`), and the thread its dead-letter records.
///
/// Partitioning: a record without an explicit partition goes where librdkafka's
/// `murmur2_random` partitioner puts it — Kafka's Java-compatible murmur2 of the key bytes,
/// random for null keys — so keys land where Java and kafkajs producers put them. Changelog
/// records go to the task's partition.
///
/// Delivery: sends are asynchronous. Delivery reports are served by `poll()` and `flush()` on
/// the owning thread; a record that is finally not delivered is a failure of the thread
/// (`status()` says `produce_failed`): at-least-once must not drop output silently. Every acknowledged changelog
/// record advances that changelog partition's `changelog_position` — the offset a store's
/// checkpoint records once the producer is flushed.
///
/// Exactly-once (`transactional_id` given): the producer is transactional. `init_transactions()`
/// once after construction (fencing any earlier producer with the same id and aborting its
/// open transaction); the first send after a commit or abort begins a transaction;
/// `commit_transaction()` adds the consumed offsets (with the consumer's group metadata) and
/// commits; `abort_transaction()` throws away everything sent since the last commit. A delivery
/// failure caused by the transaction (fenced, epoch bumped, purged by an abort) is not a
/// failure of the thread but `transaction_failed` (or `producer_fenced` once librdkafka calls
/// the producer unusable): the thread aborts, closes its tasks dirty and resumes from the last
/// commit (recreating the producer when fenced). Other delivery failures fail the thread as
/// under at-least-once.
///
/// Failures are reported through one `status()`: an errc and a message. `check()` throws what
/// it says.
///
/// Ownership: owns the producer. Thread safety: one stream thread.

#include "core/bytes.h"
#include "core/record.h"
#include "core/types.h"
#include "dsl/detail/record_collector.h"
#include "runtime/detail/kafka.h"
#include "runtime/errors.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

extern "C" {
struct rd_kafka_message_s;
}

namespace sluice::runtime::detail {

/// The transaction of a stream thread's producer failed: its work since the last commit must be
/// thrown away. `fatal()`: the producer itself is unusable (fenced by a newer producer with the
/// same transactional.id, or librdkafka raised a fatal error) and must be recreated; otherwise
/// the transaction was, or can be, aborted and the producer goes on.
class transaction_error : public streams_error {
 public:
  transaction_error(const std::string& message, bool fatal)
      : streams_error(message), _fatal(fatal) {}
  bool fatal() const noexcept { return _fatal; }

 private:
  bool _fatal;
};

/// What a collector reports: no error, or why it cannot go on as it is (runtime::errc
/// `produce_failed`, `transaction_failed` or `producer_fenced`) with a message for the log.
/// The group membership an exactly-once commit's offsets are fenced by: the instance's
/// consumer-group member (Kafka's ConsumerGroupMetadata). The coordinator refuses offsets of a
/// stale generation or member (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID).
struct group_metadata {
  std::string group_id;
  int32_t generation = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

struct collector_status {
  std::error_code code;
  std::string message;
  explicit operator bool() const noexcept { return !code; }  ///< true when all is well
};

class kafka_record_collector final : public dsl::record_collector {
 public:
  /// The next offset after the last acknowledged record of one changelog partition (-1: none
  /// acknowledged yet). Addresses are stable for the collector's lifetime.
  struct changelog_position {
    int64_t next = -1;
  };

  /// `settings`: librdkafka producer settings (bootstrap, client id, pass-through); the
  /// partitioner is set here. `partition_counts`: the counts known at start, consulted by
  /// partition_count() before asking the cluster.
  /// `transactional_id`: exactly-once; the producer becomes transactional with this id (call
  /// init_transactions() before the first send).
  kafka_record_collector(core::properties settings, std::string name,
                         std::map<std::string, int32_t, std::less<>> partition_counts,
                         std::optional<std::string> transactional_id = std::nullopt);
  ~kafka_record_collector() override;
  kafka_record_collector(const kafka_record_collector&) = delete;
  kafka_record_collector& operator=(const kafka_record_collector&) = delete;

  void send(dsl::sink_record&& r) override;
  std::optional<int32_t> partition_count(std::string_view topic) override;

  changelog_position& position(const core::topic_partition& changelog);
  void send_changelog(const core::topic_partition& changelog, changelog_position& position,
                      bytes_view key, std::optional<bytes_view> value, core::timestamp ts);
  /// Produces `r` as it is to `topic` (the partitioner picks the partition).
  void send_record(std::string_view topic, const core::raw_record& r);

  /// Serves delivery reports without blocking.
  void poll();
  /// Blocks until every record sent so far is acknowledged or has failed, serving reports.
  /// `keep_waiting` is asked between waits; returning false abandons the flush (shutdown).
  /// Fails with status().code if the collector failed, or with errc::produce_failed if the
  /// flush was abandoned with records still in flight.
  result<void> flush(const std::function<bool()>& keep_waiting);
  /// Records sent and not yet acknowledged.
  int64_t in_flight() const;
  /// Ends the collector's work before it is destroyed. Exactly-once: aborts the open
  /// transaction, if the producer can (nothing since the last commit may become visible; a
  /// clean shutdown committed everything first). At-least-once: waits up to `timeout` for what
  /// was sent (closed tasks' output, also after a failure) and logs what was not delivered.
  /// Never throws.
  void finish(std::chrono::milliseconds timeout) noexcept;
  /// The collector's state: the first delivery failure of the thread (`produce_failed`), else
  /// an unusable producer (`producer_fenced`), else a transaction that cannot commit
  /// (`transaction_failed`), else success.
  collector_status status() const;
  /// Throws what status() reports: streams_error for `produce_failed`, transaction_error
  /// (fatal for `producer_fenced`) for the others. No-op when all is well.
  void check() const;

  // ---- exactly-once ----------------------------------------------------------------------------

  bool transactional() const noexcept { return _transactional; }
  /// Registers the transactional.id with its coordinator, fencing earlier producers with the
  /// same id. Retries retriable errors until `timeout`; throws streams_error otherwise.
  void init_transactions(std::chrono::milliseconds timeout);
  /// True between the first send (or offsets) after a commit/abort and the next commit/abort.
  bool in_transaction() const noexcept { return _in_transaction; }
  /// Sends `offsets` (consumer positions; may be empty) into the transaction under `group`'s
  /// membership and commits it. A transaction that cannot commit is aborted; throws
  /// transaction_error then (fatal() if the producer is unusable). Nothing to commit: no-op.
  void commit_transaction(rd_kafka_topic_partition_list_s* offsets, const group_metadata& group,
                          std::chrono::milliseconds timeout);
  /// Aborts the current transaction, if any (records not yet sent are purged). Throws
  /// transaction_error (fatal) if even that fails.
  void abort_transaction(std::chrono::milliseconds timeout);

 private:
  static void configure(rd_kafka_conf_s* conf, void* opaque);
  static void on_delivery(rd_kafka_s* rk, const rd_kafka_message_s* m, void* opaque);
  rd_kafka_topic_s* topic(std::string_view name);
  void begin_transaction();
  /// librdkafka's reason when it raised a fatal error (the producer must be recreated).
  std::optional<std::string> fatal_reason() const;
  bool fatal() const { return fatal_reason().has_value(); }
  /// Records a failure unless one of the same or a higher rank is recorded already.
  void fail(runtime::errc code, std::string message);
  void produce(rd_kafka_topic_s* t, int32_t partition, std::optional<bytes_view> key,
               std::optional<bytes_view> value, core::timestamp ts, const core::headers* hdrs,
               void* opaque);

  std::string _name;
  kafka_client _producer;
  std::map<std::string, int32_t, std::less<>> _partition_counts;
  std::map<std::string, topic_handle, std::less<>> _topics;
  std::map<core::topic_partition, changelog_position> _positions;
  /// produce_failed or transaction_failed (producer_fenced is read from librdkafka).
  collector_status _status;
  bool _transactional = false;
  bool _in_transaction = false;
  // One-entry cache: consecutive sends mostly go to the same topic.
  const std::string* _last_name = nullptr;
  rd_kafka_topic_s* _last_topic = nullptr;
};

}  // namespace sluice::runtime::detail
