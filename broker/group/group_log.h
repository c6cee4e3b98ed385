#pragma once
/// `group_log`: the groups' durable half — the compacted internal topic `__consumer_offsets`.
/// Every committed offset and every group-metadata change is appended to the partition that
/// holds its group (`murmur2(group) % partitions`) through the broker's durable-append path
/// before the request is answered, and fsynced first when that partition's flush policy says
/// so. `open` creates the topic if needed, converts a topic from before Kafka's format
/// (log_migration.h), and rebuilds every group by replaying it (records: Kafka's, log_format.h;
/// transaction markers settle pending transactional offsets), so offsets and membership
/// survive restarts and kill -9.
///
/// Writes happen under the group's mutex (log order = state order per group); their answers
/// are gathered in an `outbox` and sent by `deliver` after the mutex is released.
///
/// Threads: every method may be called from any thread.

#include "broker/durable_appender.h"
#include "broker/group/api.h"
#include "broker/group/coordinator_config.h"
#include "broker/group/errc.h"
#include "broker/group/group.h"
#include "broker/group/group_registry.h"
#include "broker/storage/log_manager.h"
#include "core/error.h"
#include "core/record.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::broker::group {

/// The internal topic's name.
inline constexpr std::string_view offsets_topic = "__consumer_offsets";

/// Answers gathered while a group's mutex is held and sent after it is released — after the
/// logs the writes owe an fsync were flushed. Each reply learns whether that flush worked
/// (answers that do not depend on a write ignore it).
struct outbox {
  std::vector<std::function<void(errc)>> replies;
  flush_set flush;

  void add(std::function<void(errc)> f) { replies.push_back(std::move(f)); }
  template <class Result>
  void reply(std::function<void(Result)> done, Result r) {
    if (!done) return;
    replies.push_back([done = std::move(done), r = std::move(r)](errc) mutable { done(std::move(r)); });
  }
};

class group_log {
 public:
  /// Creates `__consumer_offsets` if missing and replays it into `groups`. Fails with the
  /// storage error, or `errc::corrupt_log` naming the offending record in the log.
  static result<std::unique_ptr<group_log>> open(storage::log_manager& logs, durable_appender& appends,
                                                 const coordinator_config& config,
                                                 group_registry& groups);

  /// Partition of __consumer_offsets that holds `group_id`'s records.
  int32_t partition_for(std::string_view group_id) const noexcept;

  /// Appends the group's metadata (members, generation, assignments); marks it persisted.
  /// REQUIRES: the group's mutex.
  errc write_group_metadata(group& g, outbox& out);
  /// Appends `records` to the group's partition; as a transactional batch of `txn` when set.
  /// REQUIRES: the group's mutex.
  errc append(const group& g, std::vector<core::raw_record> records, outbox& out,
              const std::optional<txn_producer>& txn = std::nullopt);
  /// Sends the replies once the writes they answer are durable.
  void deliver(outbox&& out);

  /// A committed-offset record, or its tombstone when `value` is null.
  static core::raw_record offset_record(const std::string& group_id, const core::topic_partition& tp,
                                    const committed_offset* value);
  /// The tombstone of a group's metadata (DeleteGroups).
  static core::raw_record group_tombstone(const std::string& group_id);

 private:
  group_log(durable_appender& appends, group_registry& groups) : _appends(appends), _groups(groups) {}
  /// Replays the partition from `from` (or its log start, if later): the records in Kafka's
  /// format (internal_topic_migration.h).
  result<void> replay_partition(const std::shared_ptr<storage::partition_log>& plog, int64_t from);

  durable_appender& _appends;
  group_registry& _groups;
  int32_t _partitions = 1;
  std::vector<std::shared_ptr<storage::partition_log>> _partition_logs;
};

}  // namespace sluice::broker::group
