#pragma once
/// `transaction_coordinator`: producer ids and Kafka transactions for the whole broker —
/// InitProducerId (idempotent and transactional producers, epoch bumps, zombie fencing),
/// AddPartitionsToTxn, AddOffsetsToTxn, EndTxn and the transaction timeout. Kafka-free types:
/// the handlers translate wire structs and map `errc` to Kafka codes.
///
/// State: one `txn_metadata` per transactional id, persisted as a record in the compacted
/// internal topic `__transaction_state` (Kafka's format, log_format.h; an id's records go to
/// partition `murmur2(id) % partitions`) before a request that changed it is answered (fsynced
/// first when the partition's flush policy asks). `open` rebuilds the map by replaying the topic
/// (converting it first if an older broker wrote it in its own format) and finishes every
/// transaction that was between PrepareCommit/PrepareAbort and Complete* when the broker
/// stopped, so a crash in any state ends each transaction committed or aborted in all of its
/// partitions.
///
/// EndTxn: the Prepare* record is made durable, then a marker (control batch) is written to
/// every partition of the transaction — including the `__consumer_offsets` partition of each
/// group added by AddOffsetsToTxn, which commits or drops the pending transactional offsets
/// of that partition's groups — then the Complete* record; only then is EndTxn answered. Requests for the id in
/// the meantime get CONCURRENT_TRANSACTIONS. Under transaction version 2 (KIP-890 part 2,
/// `end_txn_protocol::bump_epoch`) every end bumps the producer epoch, the markers carry the
/// new epoch, and an exhausted epoch moves the id to a new producer id.
///
/// Timeouts: every `abort_check_interval_ms` open transactions older than their timeout are
/// aborted with a bumped epoch, which fences the producer that opened them.
///
/// Threads: every method may be called from any thread; answers (`done`) are called exactly
/// once, from any thread, never while a coordinator lock is held. Every record and marker goes
/// through the broker's durable-append path (which wakes long-polling Fetches: a marker moves
/// the last stable offset); marker writes and fsyncs run on the scheduler's blocking pool.
/// Lifecycle: `open` → use → `shutdown` (stops timers acting, drops nothing durable) → destroy.
/// REQUIRES: the scheduler runs no callback of this coordinator after it is destroyed.

#include "broker/durable_appender.h"
#include "broker/scheduler.h"
#include "broker/storage/log_manager.h"
#include "broker/txn/errc.h"
#include "broker/txn/log_format.h"
#include "broker/txn/producer_ids.h"
#include "broker/txn/txn_config.h"
#include "core/error.h"
#include "core/types.h"

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::broker::group {
class group_coordinator;
}

namespace sluice::broker::txn {

/// The internal topic's name.
inline constexpr std::string_view transaction_state_topic = "__transaction_state";

struct init_producer_id_result {
  errc error = errc::ok;
  core::producer_id producer_id{-1};
  core::producer_epoch producer_epoch{-1};
};

/// The transaction protocol an EndTxn follows. Apache Kafka derives it from the request version
/// alone (EndTxn v5+ is transaction version 2), whatever `transaction.version` is finalized.
enum class end_txn_protocol {
  keep_epoch,  ///< transaction versions 0 and 1 (EndTxn v0–4): the producer keeps its epoch
  bump_epoch,  ///< transaction version 2 (KIP-890 part 2, EndTxn v5+): every end bumps it
};

struct end_txn_result {
  errc error = errc::ok;
  /// `bump_epoch`, on success: the producer id and epoch the producer uses next. Otherwise -1,
  /// as Apache Kafka answers (a `keep_epoch` end has nothing to report).
  core::producer_id producer_id{-1};
  core::producer_epoch producer_epoch{-1};
};

/// AddPartitionsToTxn v4+ with verify_only: the answer for one transaction.
struct verify_partitions_result {
  errc error = errc::ok;             ///< for every partition; when ok, see `in_transaction`
  std::vector<bool> in_transaction;  ///< per requested partition, in order (when ok)
};

/// What the coordinator reports of one transactional id (tests, metrics).
struct txn_description {
  std::string transactional_id;
  txn_metadata metadata;
};

class transaction_coordinator {
 public:
  /// Opens the producer-id file in `data_dir`, creates `__transaction_state` if needed,
  /// replays it and completes the transactions caught between Prepare* and Complete*.
  static result<std::unique_ptr<transaction_coordinator>> open(
      storage::log_manager& logs, durable_appender& appends, group::group_coordinator& groups,
      const std::filesystem::path& data_dir, txn_config config);
  ~transaction_coordinator();
  transaction_coordinator(const transaction_coordinator&) = delete;
  transaction_coordinator& operator=(const transaction_coordinator&) = delete;

  /// InitProducerId. `transactional_id` nullopt = an idempotent producer (a fresh id, epoch 0).
  /// `current_id`/`current_epoch` (v3+, -1 = none) are the caller's present identity (KIP-360).
  void init_producer_id(std::optional<std::string> transactional_id, int32_t timeout_ms,
                        core::producer_id current_id, core::producer_epoch current_epoch,
                        std::function<void(init_producer_id_result)> done);

  /// AddPartitionsToTxn. REQUIRES: every partition exists (the handler checks).
  void add_partitions(const std::string& transactional_id, core::producer_id id,
                      core::producer_epoch epoch, std::vector<core::topic_partition> partitions,
                      std::function<void(errc)> done);

  /// AddPartitionsToTxn v4+ with verify_only: whether each of `partitions` is already in the
  /// transaction of producer `id`/`epoch`. Writes nothing; the state a write in flight will
  /// reach is not seen yet.
  verify_partitions_result verify_partitions(const std::string& transactional_id, core::producer_id id,
                                             core::producer_epoch epoch,
                                             const std::vector<core::topic_partition>& partitions);

  /// AddOffsetsToTxn: adds the group's `__consumer_offsets` partition to the transaction.
  void add_offsets(const std::string& transactional_id, core::producer_id id,
                   core::producer_epoch epoch, const std::string& group_id,
                   std::function<void(errc)> done);

  /// EndTxn: commit (`commit` true) or abort. Answers after every marker is written.
  ///
  /// `bump_epoch` follows Apache Kafka's transaction version 2 rules: the request's epoch
  /// must be the current one, except that a retry of an end that already happened (the epoch
  /// just before the bumped one, or the last epoch of the previous producer id) gets its
  /// outcome again; an abort from Empty or Complete* starts and ends an empty transaction
  /// (bumping the epoch), a commit there is INVALID_TXN_STATE.
  void end_transaction(const std::string& transactional_id, core::producer_id id,
                       core::producer_epoch epoch, bool commit, end_txn_protocol protocol,
                       std::function<void(end_txn_result)> done);

  /// TxnOffsetCommit's check: the id has producer `id`/`epoch` and an open transaction that
  /// holds `group_id`'s `__consumer_offsets` partition (AddOffsetsToTxn added it — for this
  /// group or another of that partition: as in Kafka, the transaction names partitions).
  errc check_offset_commit(const std::string& transactional_id, core::producer_id id,
                           core::producer_epoch epoch, const std::string& group_id);

  /// Aborts (and fences) open transactions past their timeout. Runs on its own timer too.
  void abort_timed_out();

  std::optional<txn_metadata> describe(const std::string& transactional_id);
  std::vector<txn_description> list();
  /// Makes timers inert; answers still in flight are delivered.
  void shutdown();

 private:
  struct entry;
  transaction_coordinator(storage::log_manager& logs, durable_appender& appends,
                          group::group_coordinator& groups, txn_config config);

  result<void> load(const std::filesystem::path& data_dir);
  /// Replays the partition from `from` (or its log start, if later): the records in Kafka's
  /// format (internal_topic_migration.h).
  result<void> replay_partition(const std::shared_ptr<storage::partition_log>& plog, int64_t from);
  int32_t partition_for(std::string_view transactional_id) const noexcept;
  /// The `__consumer_offsets` partition of `group_id`, which AddOffsetsToTxn adds.
  core::topic_partition offsets_partition(std::string_view group_id) const;
  /// The transaction `tid` if the producer (`pid`, `epoch`) owns it; otherwise nullptr and
  /// INVALID_PRODUCER_ID_MAPPING or PRODUCER_FENCED. REQUIRES: _mutex held.
  std::pair<entry*, errc> owned_by(const std::string& tid, core::producer_id pid,
                                   core::producer_epoch epoch);

  /// The outcome of appending one record: whether it went in, and the fsync it owes before
  /// the record may be relied on (none when the flush policy does not ask for it).
  struct write_ticket {
    bool ok = false;
    flush_set owed;
  };
  write_ticket append_record_locked(const std::string& id, const txn_metadata& m);
  /// Appends `m` as the id's record and, once durable, calls `then(ok)` (on any thread).
  /// REQUIRES: `_mutex` held by the caller (the append happens inside; `then` runs later).
  void persist_locked(const std::string& id, const txn_metadata& m, std::function<void(bool)> then);
  /// After persisting `next` for `id` (InitProducerId, AddPartitionsToTxn/AddOffsetsToTxn):
  /// takes the lock, clears the entry's pending flag and, when `ok`, makes `next` its state. A
  /// failed first write (the entry has no producer id yet) forgets the entry.
  void settle(const std::string& id, const txn_metadata& next, bool ok);
  /// Writes the markers of `prepared` (Prepare*) into its partitions (fsyncing as the flush
  /// policy asks) and settles its groups' pending offsets. Blocking.
  errc write_markers(const std::string& id, const txn_metadata& prepared);
  static txn_metadata completed_from(const txn_metadata& prepared);
  /// write_markers, then the Complete* record; `done` gets the outcome (a failed marker is
  /// retried in the background). `next_id`, when not -1, is the producer id the Complete*
  /// record moves the id to (epoch 0): its epoch was exhausted. Runs on the blocking pool.
  /// REQUIRES: the entry is pending.
  void complete(const std::string& id, txn_metadata prepared, core::producer_id next_id,
                std::function<void(errc)> done);
  /// Shared checks of AddPartitionsToTxn / AddOffsetsToTxn, then the write.
  void add_to_transaction(const std::string& id, core::producer_id pid, core::producer_epoch epoch,
                          std::vector<core::topic_partition> partitions,
                          std::function<void(errc)> done);
  /// Makes `prepared` (PrepareCommit/PrepareAbort) durable, then completes it on the blocking
  /// pool (see `complete` for `next_id`); `done` gets the outcome. REQUIRES: `_mutex` held, the
  /// entry not pending.
  void prepare_locked(const std::string& id, entry& e, txn_metadata prepared, core::producer_id next_id,
                      std::function<void(errc)> done);
  /// EndTxn under the transaction version 0/1 (`keep_epoch`) or 2 (`bump_epoch`) rules: either
  /// starts the prepare (and returns nullopt; `done` is then called once it completes) or
  /// returns the immediate answer, which the caller delivers after releasing the lock.
  /// REQUIRES: `_mutex` held.
  std::optional<end_txn_result> end_keeping_epoch_locked(const std::string& id, core::producer_id pid,
                                                         core::producer_epoch epoch, bool commit,
                                                         const std::function<void(end_txn_result)>& done);
  std::optional<end_txn_result> end_bumping_epoch_locked(const std::string& id, core::producer_id pid,
                                                         core::producer_epoch epoch, bool commit,
                                                         const std::function<void(end_txn_result)>& done);
  /// Starts aborting `id`'s open transaction with epoch+1 (fencing). REQUIRES: `_mutex` held,
  /// entry not pending and Ongoing. `done` gets the outcome.
  void begin_fenced_abort_locked(const std::string& id, entry& e, std::function<void(errc)> done);
  void arm_timeout_timer();

  storage::log_manager& _logs;
  durable_appender& _appends;
  scheduler& _sched;
  group::group_coordinator& _groups;
  txn_config _config;
  std::unique_ptr<producer_id_allocator> _ids;
  int32_t _partitions = 1;
  std::vector<std::shared_ptr<storage::partition_log>> _partition_logs;

  std::mutex _mutex;
  std::map<std::string, entry> _txns;
  std::shared_ptr<std::atomic<bool>> _alive = std::make_shared<std::atomic<bool>>(true);
};

}  // namespace sluice::broker::txn
