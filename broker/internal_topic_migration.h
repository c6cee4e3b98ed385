#pragma once
/// Which record format the coordinators' internal topics (`__consumer_offsets`,
/// `__transaction_state`) hold, and the one-time migration of data directories from before the
/// broker wrote Apache Kafka's formats there (issue #15). Each coordinator calls
/// `open_internal_topic_format` for its topic at start-up, before replaying it.
///
/// The marker, `<data-dir>/<topic>.format`, is text, replaced atomically (temporary file,
/// fsync, rename, directory fsync):
///
///     version=1
///     format=kafka            # or: migrating
///     legacy.end.<p>=<offset> # per partition that held the old format, if any
///
/// Records of partition `p` below `legacy.end.<p>` are in Sluice's old private format, the
/// ones at and after it in Kafka's. A partition without a line holds Kafka's format only.
///
/// No marker means a broker that predates the marker (or a fresh directory). Then each
/// partition is read once: if it holds records, all of them readable in the old format, it is
/// migrated; otherwise (empty, or Kafka's format — e.g. segments copied from a Kafka broker) it
/// is taken as Kafka's. Migration of a partition with old records in [start, E):
///
/// 1. The partition is fsynced, then the marker `format=migrating, legacy.end.p=E` is written.
/// 2. The old records in [start, E) are read, compacted and converted (`legacy_format::
///    convert`: the newest value per key, transactions resolved by their markers, what is still
///    open kept as transactional batches of its producer), appended at E and after, fsynced.
/// 3. The marker `format=kafka, legacy.end.p=E` is written. This is the commit point.
/// 4. The log start moves to E (DeleteRecords; checkpointed), so consumers of the topic never
///    see an old record again.
///
/// Crash safety (kill -9 or power loss at any point): before step 1's marker the directory is
/// as the old broker left it and the migration starts over. Between 1 and 3 the marker says
/// `migrating` and the old records below E are untouched, so step 2 runs again from them; what
/// a previous attempt appended after E is followed by a complete second copy of the same
/// state, and replaying both gives that state (every key of the partial copy is written again
/// later). After 3, replay reads from E only, whatever step 4 reached; step 4 is repeated
/// until the log start is at E. No step deletes or rewrites an old record before the
/// converted ones are durable. A broker of the old version refuses the converted records
/// (their keys are not its format) instead of misreading them.
///
/// Threads: start-up only, before the coordinator serves; nothing else may append to the topic
/// meanwhile.

#include "core/protocol/records.h"
#include "broker/storage/log_manager.h"
#include "core/bytes.h"
#include "core/error.h"

#include <cstdint>
#include <functional>
#include <string>
#include <system_error>
#include <vector>

namespace sluice::broker {

/// How one coordinator reads its topic's old records.
struct legacy_format {
  /// Whether `log` holds at least one record and every record in [log start, log end) reads in
  /// the old format. (Control batches are not records here.)
  std::function<result<bool>(const storage::partition_log& log)> holds_legacy;
  /// Record batches that hold, in Kafka's format, the state that the old records of `log` in
  /// [log start, end) describe. Each batch must fit the topic's `max.message.bytes`.
  std::function<result<std::vector<core::bytes>>(const storage::partition_log& log, int64_t end)>
      convert;
  /// The coordinator's "unreadable log" error: a malformed marker, or a log shorter than the
  /// marker says.
  std::error_code corrupt;
};

/// Points where a test can simulate a crash (returning true from the failpoint stops there,
/// with `std::errc::interrupted`, leaving the files as a crash would).
enum class migration_stage {
  marked_migrating,     ///< after step 1
  partition_converted,  ///< after step 2 for one partition
  marked_kafka,         ///< after step 3
  legacy_dropped,       ///< after step 4
};

struct migration_options {
  std::function<bool(migration_stage)> failpoint;
};

/// Finishes or performs the migration of `topic` (see above) and returns, per partition, the
/// first offset whose records are in Kafka's format: replay reads from the larger of that and
/// the log start. `created`: the coordinator has just created the topic, so a marker left
/// from an earlier topic of that name is stale and is replaced.
result<std::vector<int64_t>> open_internal_topic_format(storage::log_manager& logs,
                                                        const std::string& topic, bool created,
                                                        const legacy_format& legacy,
                                                        const migration_options& options = {});

/// The marker's path.
std::filesystem::path internal_topic_format_marker(const std::filesystem::path& data_dir,
                                                   const std::string& topic);

/// Calls `visit(header, record, offset)` for every record of `log` at offsets in
/// [log start, end), in order, control batches' records included.
result<void> for_each_record(
    const storage::partition_log& log, int64_t end,
    const std::function<result<void>(const protocol::record_batch_header& batch,
                                     const protocol::decoded_record& record, int64_t offset)>&
        visit);

/// Splits `records` into record batches of at most `max_batch_bytes` of keys and values each
/// (one record at least), with `options` (a transactional producer's, or none).
result<std::vector<core::bytes>> encode_in_batches(std::vector<core::raw_record> records,
                                                   const protocol::record_batch_options& options,
                                                   size_t max_batch_bytes);

}  // namespace sluice::broker
