#include "broker/txn/transaction_coordinator.h"

#include "broker/group/group_coordinator.h"
#include "core/protocol/records.h"
#include "broker/storage/errc.h"
#include "broker/storage/topic_config.h"
#include "broker/txn/log_migration.h"
#include "core/log.h"
#include "core/murmur2.h"
#include "core/time.h"

#include <fmt/ostream.h>

#include <algorithm>
#include <limits>

namespace sluice::broker::txn {
namespace {

const core::logger& log() {
  static const core::logger instance("broker.txn");
  return instance;
}

int64_t wall_now_ms() { return core::to_epoch_ms(core::wall_clock_now()); }

/// Kafka's limit: an epoch this high cannot be bumped; the id gets a new producer id instead.
constexpr int16_t max_epoch = std::numeric_limits<int16_t>::max() - 1;

/// The coordinator epoch written into markers: a single broker never changes coordinator.
constexpr int32_t coordinator_epoch = 0;

}  // namespace

struct transaction_coordinator::entry {
  txn_metadata m;
  /// A transition (a write, markers) is in flight: other requests get CONCURRENT_TRANSACTIONS.
  bool pending = false;
  /// The producer id this one replaced when a transaction version 2 end exhausted its epoch,
  /// so that a retry of that end is recognised. Kept in memory only: after a restart the
  /// retry gets INVALID_PRODUCER_ID_MAPPING.
  core::producer_id previous_producer_id{-1};
};

transaction_coordinator::transaction_coordinator(storage::log_manager& logs, durable_appender& appends,
                                                 group::group_coordinator& groups, txn_config config)
    : _logs(logs), _appends(appends), _sched(appends.sched()), _groups(groups), _config(config) {}

transaction_coordinator::~transaction_coordinator() { shutdown(); }

void transaction_coordinator::shutdown() { _alive->store(false); }

result<std::unique_ptr<transaction_coordinator>> transaction_coordinator::open(
    storage::log_manager& logs, durable_appender& appends, group::group_coordinator& groups,
    const std::filesystem::path& data_dir, txn_config config) {
  std::unique_ptr<transaction_coordinator> c(new transaction_coordinator(logs, appends, groups, config));
  SLUICE_TRY(c->load(data_dir));
  c->arm_timeout_timer();
  return c;
}

int32_t transaction_coordinator::partition_for(std::string_view transactional_id) const noexcept {
  return core::partition_for_key(core::as_bytes(transactional_id), _partitions);
}

core::topic_partition transaction_coordinator::offsets_partition(std::string_view group_id) const {
  return {std::string(group::offsets_topic), core::partition_id{_groups.partition_for(group_id)}};
}

// ---- start-up --------------------------------------------------------------------------------

result<void> transaction_coordinator::load(const std::filesystem::path& data_dir) {
  SLUICE_TRY(auto ids, producer_id_allocator::open(data_dir / "producer-ids"));
  _ids = std::move(ids);

  const std::string topic(transaction_state_topic);
  auto info = _logs.topic(topic);
  const bool new_topic = !info;
  if (!info) {
    storage::topic_overrides overrides;
    overrides["segment.bytes"] = std::to_string(_config.state_topic_segment_bytes);
    overrides["cleanup.policy"] = "compact";
    SLUICE_TRY(auto created, _logs.create_topic(topic, _config.state_topic_partitions, overrides));
    info = created;
    log().info("created {} with {} partition(s)", topic, created.partitions);
  }
  _partitions = info->partitions;
  // A data directory from before Kafka's format is converted first (log_migration.h).
  SLUICE_TRY(auto starts, open_internal_topic_format(_logs, topic, new_topic,
                                                     transaction_state_legacy_format()));
  for (int32_t p = 0; p < _partitions; ++p) {
    auto plog = _logs.get({topic, core::partition_id{p}});
    if (!plog) return storage::errc::unknown_partition;
    SLUICE_TRY(replay_partition(plog, starts.at(static_cast<size_t>(p))));
    _partition_logs.push_back(std::move(plog));
  }

  // Transactions caught between Prepare* and Complete* are finished now, before the first
  // request: their outcome was decided and made durable, only markers may be missing.
  std::vector<std::pair<std::string, txn_metadata>> unfinished;
  size_t open = 0;
  for (auto& [id, e] : _txns) {
    if (e.m.state == txn_state::prepare_commit || e.m.state == txn_state::prepare_abort) {
      e.pending = true;
      unfinished.emplace_back(id, e.m);
    }
    if (e.m.state == txn_state::ongoing) ++open;
  }
  log().info("loaded {} transactional id(s) from {}: {} open, {} to complete", _txns.size(), topic,
             open, unfinished.size());
  for (auto& [id, m] : unfinished) {
    if (errc e = write_markers(id, m); e != errc::ok) {
      log().error("transactional id {}: could not complete {} at start-up", id, to_string(m.state));
      return e;
    }
    txn_metadata completed = completed_from(m);
    write_ticket t = append_record_locked(id, completed);
    if (!t.ok) return errc::coordinator_not_available;
    if (!t.owed.flush_now().empty()) return errc::coordinator_not_available;
    _txns[id].m = completed;
    _txns[id].pending = false;
    log().info("transactional id {}: completed {} left by the previous run", id, to_string(m.state));
  }
  return core::success();
}

result<void> transaction_coordinator::replay_partition(const std::shared_ptr<storage::partition_log>& plog,
                                                       int64_t from) {
  return storage::replay_log(*plog, [&](protocol::record_batch_reader& reader, int64_t next) -> result<void> {
    const auto& h = reader.header();
    if (h.is_control()) return core::success();
    const int64_t first = std::max(next, from);  // below `from`: records in the old format
    for (;;) {
      SLUICE_TRY(auto rec, reader.next());
      if (!rec) return core::success();
      const int64_t at = h.base_offset.value() + rec->offset_delta;
      if (at < first) continue;
      auto fail = [&](const char* what) {
        log().error("{} offset {}: {}", fmt::streamed(plog->tp()), at, what);
        return errc::corrupt_log;
      };
      if (!rec->record.key) return fail("record without a key");
      auto id = decode_txn_key(*rec->record.key);
      if (!id) return fail("unreadable TransactionLogKey");
      if (!rec->record.value) {
        _txns.erase(id.value());
        continue;
      }
      auto m = decode_txn_value(*rec->record.value);
      if (!m) return fail("unreadable TransactionLogValue (unknown version or state, malformed)");
      if (!m.value()) {
        _txns.erase(id.value());  // Kafka's Dead: the id expired
        continue;
      }
      _txns[id.value()].m = std::move(*m.value());
    }
  });
}

// ---- writes ----------------------------------------------------------------------------------

transaction_coordinator::write_ticket transaction_coordinator::append_record_locked(const std::string& id, const txn_metadata& m) {
  write_ticket t;
  const auto& plog = _partition_logs.at(static_cast<size_t>(partition_for(id)));
  core::raw_record r;
  r.key = encode_txn_key(id);
  r.value = encode_txn_value(m);
  r.ts = core::wall_clock_now();
  auto batch = protocol::encode_record_batch(std::span<const core::raw_record>(&r, 1), {});
  if (batch) {
    auto appended = _appends.append(plog, batch.value(), storage::append_origin::coordinator, t.owed);
    if (appended) {
      t.ok = true;
    } else {
      log().error("transactional id {}: append to {} failed: {}", id, fmt::streamed(plog->tp()),
                  appended.error().message());
    }
  }
  return t;
}

void transaction_coordinator::persist_locked(const std::string& id, const txn_metadata& m,
                                             std::function<void(bool)> then) {
  write_ticket t = append_record_locked(id, m);
  // The continuation runs after the caller released the lock: on the blocking pool when an
  // fsync is due, else on a timer thread right away.
  _appends.when_durable_later(std::move(t.owed), [then = std::move(then), ok = t.ok](
                                                     std::vector<flush_set::log_ptr> failed) {
    then(ok && failed.empty());
  });
}

errc transaction_coordinator::write_markers(const std::string& id, const txn_metadata& prepared) {
  const bool commit = prepared.state == txn_state::prepare_commit;
  for (const auto& tp : prepared.partitions) {
    auto plog = _logs.get(tp);
    if (!plog) {
      log().warn("transactional id {}: partition {} is gone; no marker written", id, fmt::streamed(tp));
      continue;
    }
    flush_set owed;
    auto appended = _appends.append_marker(plog, prepared.producer_id, prepared.producer_epoch,
                                           commit, coordinator_epoch, owed);
    if (!appended) {
      log().error("transactional id {}: {} marker to {} failed: {}", id, commit ? "commit" : "abort",
                  fmt::streamed(tp), appended.error().message());
      return errc::coordinator_not_available;
    }
    if (!owed.flush_now().empty()) return errc::coordinator_not_available;
  }
  // The groups' pending transactional offsets become committed offsets (or are dropped): the
  // markers just written to their __consumer_offsets partitions made that durable.
  for (const auto& tp : prepared.partitions) {
    if (tp.topic != group::offsets_topic) continue;
    _groups.complete_transactional_offsets(tp.partition.value(), prepared.producer_id, commit);
  }
  return errc::ok;
}

txn_metadata transaction_coordinator::completed_from(const txn_metadata& prepared) {
  txn_metadata completed = prepared;
  completed.state = prepared.state == txn_state::prepare_commit ? txn_state::complete_commit
                                                                : txn_state::complete_abort;
  completed.partitions.clear();
  completed.start_ms = -1;
  completed.update_ms = wall_now_ms();
  return completed;
}

void transaction_coordinator::complete(const std::string& id, txn_metadata prepared,
                                       core::producer_id next_id, std::function<void(errc)> done) {
  if (errc e = write_markers(id, prepared); e != errc::ok) {
    // Stay in Prepare* and try again: a repeated marker is harmless (the partition has no open
    // transaction of this producer any more).
    auto alive = _alive;
    _sched.run_after(std::chrono::seconds(1), [this, alive, id, prepared, next_id] {
      if (!alive->load()) return;
      _sched.run_blocking([this, alive, id, prepared, next_id] {
        if (alive->load()) complete(id, prepared, next_id, [](errc) {});
      });
    });
    return done(e);
  }
  txn_metadata completed = completed_from(prepared);
  if (next_id.value() >= 0) {
    // The markers fenced the exhausted epoch; the id continues under a new producer id. (If the
    // broker stops before this record is durable, the restart completes the transaction under
    // the old id, and the next end moves it then.)
    completed.producer_id = next_id;
    completed.producer_epoch = core::producer_epoch{0};
  }
  std::lock_guard lock(_mutex);
  persist_locked(id, completed, [this, id, completed, rotated_from = prepared.producer_id, next_id,
                                 done = std::move(done)](bool ok) {
    {
      std::lock_guard lock(_mutex);
      auto it = _txns.find(id);
      if (it != _txns.end()) {
        it->second.pending = false;
        // Even when the Complete* record did not make it, the transaction is over in every
        // partition; a restart replays Prepare* and writes the markers once more.
        it->second.m = completed;
        if (next_id.value() >= 0) it->second.previous_producer_id = rotated_from;
      }
    }
    log().debug("transactional id {}: {}", id, to_string(completed.state));
    done(ok ? errc::ok : errc::coordinator_not_available);
  });
}

// ---- InitProducerId --------------------------------------------------------------------------

void transaction_coordinator::init_producer_id(std::optional<std::string> transactional_id,
                                               int32_t timeout_ms, core::producer_id current_id,
                                               core::producer_epoch current_epoch,
                                               std::function<void(init_producer_id_result)> done) {
  if (!transactional_id) {  // idempotent producer: a fresh id, nothing to remember
    auto id = _ids->next();
    if (!id) return done(init_producer_id_result{errc::coordinator_not_available});
    return done({errc::ok, id.value(), core::producer_epoch{0}});
  }
  const std::string& tid = *transactional_id;
  if (tid.empty()) return done(init_producer_id_result{errc::invalid_request});
  if (timeout_ms <= 0 || timeout_ms > _config.max_timeout_ms) {
    return done(init_producer_id_result{errc::invalid_transaction_timeout});
  }

  std::unique_lock lock(_mutex);
  auto it = _txns.find(tid);
  txn_metadata next;
  if (it == _txns.end()) {
    auto id = _ids->next();
    if (!id) return done(init_producer_id_result{errc::coordinator_not_available});
    next.producer_id = id.value();
    next.producer_epoch = core::producer_epoch{0};
    it = _txns.emplace(tid, entry{}).first;
    it->second.m.producer_id = core::producer_id{-1};  // not usable until the write lands
  } else {
    entry& e = it->second;
    if (e.pending) return done(init_producer_id_result{errc::concurrent_transactions});
    // KIP-360: a producer that names its current identity may only bump that identity.
    if (current_id.value() != -1 &&
        (current_id != e.m.producer_id || current_epoch != e.m.producer_epoch)) {
      return done(init_producer_id_result{errc::producer_fenced});
    }
    switch (e.m.state) {
      case txn_state::prepare_commit:
      case txn_state::prepare_abort:
        return done(init_producer_id_result{errc::concurrent_transactions});
      case txn_state::ongoing:
        // A new instance while the old one is mid-transaction: abort it with a bumped epoch
        // (fencing the old instance); the client retries and then gets its own epoch.
        log().info("transactional id {}: new producer instance; aborting the open transaction", tid);
        begin_fenced_abort_locked(tid, e, [](errc) {});
        return done(init_producer_id_result{errc::concurrent_transactions});
      case txn_state::empty:
      case txn_state::complete_commit:
      case txn_state::complete_abort:
        break;
    }
    next = e.m;
    if (e.m.producer_epoch.value() >= max_epoch) {
      auto id = _ids->next();
      if (!id) return done(init_producer_id_result{errc::coordinator_not_available});
      next.producer_id = id.value();
      next.producer_epoch = core::producer_epoch{0};
    } else {
      next.producer_epoch = core::producer_epoch{static_cast<int16_t>(e.m.producer_epoch.value() + 1)};
    }
  }
  next.timeout_ms = timeout_ms;
  next.state = txn_state::empty;
  next.partitions.clear();
  next.start_ms = -1;
  next.update_ms = wall_now_ms();
  it->second.pending = true;
  persist_locked(tid, next, [this, tid, next, done = std::move(done)](bool ok) {
    settle(tid, next, ok);
    if (!ok) return done(init_producer_id_result{errc::coordinator_not_available});
    log().debug("transactional id {}: producer id {} epoch {}", tid, next.producer_id.value(),
                next.producer_epoch.value());
    done({errc::ok, next.producer_id, next.producer_epoch});
  });
}

void transaction_coordinator::settle(const std::string& tid, const txn_metadata& next, bool ok) {
  std::lock_guard lock(_mutex);
  auto it = _txns.find(tid);
  if (it == _txns.end()) return;
  it->second.pending = false;
  if (ok) it->second.m = next;
  else if (it->second.m.producer_id.value() < 0) _txns.erase(it);
}

// ---- AddPartitionsToTxn / AddOffsetsToTxn ----------------------------------------------------

void transaction_coordinator::add_partitions(const std::string& transactional_id, core::producer_id id,
                                             core::producer_epoch epoch,
                                             std::vector<core::topic_partition> partitions,
                                             std::function<void(errc)> done) {
  add_to_transaction(transactional_id, id, epoch, std::move(partitions), std::move(done));
}

void transaction_coordinator::add_offsets(const std::string& transactional_id, core::producer_id id,
                                          core::producer_epoch epoch, const std::string& group_id,
                                          std::function<void(errc)> done) {
  // As Kafka: the transaction records the group's partition, not the group.
  add_to_transaction(transactional_id, id, epoch, {offsets_partition(group_id)}, std::move(done));
}

void transaction_coordinator::add_to_transaction(const std::string& tid, core::producer_id pid,
                                                 core::producer_epoch epoch,
                                                 std::vector<core::topic_partition> partitions,
                                                 std::function<void(errc)> done) {
  if (tid.empty()) return done(errc::invalid_request);
  std::unique_lock lock(_mutex);
  const auto [owned, why] = owned_by(tid, pid, epoch);
  if (owned == nullptr) {
    lock.unlock();
    return done(why);
  }
  entry& e = *owned;
  if (e.pending || e.m.state == txn_state::prepare_commit || e.m.state == txn_state::prepare_abort) {
    lock.unlock();
    return done(errc::concurrent_transactions);
  }
  txn_metadata next = e.m;
  for (auto& tp : partitions) next.partitions.insert(std::move(tp));
  if (e.m.state == txn_state::ongoing && next.partitions == e.m.partitions) {
    lock.unlock();
    return done(errc::ok);  // a retry: everything is in already
  }
  if (e.m.state != txn_state::ongoing) next.start_ms = wall_now_ms();
  next.state = txn_state::ongoing;
  next.update_ms = wall_now_ms();
  e.pending = true;
  persist_locked(tid, next, [this, tid, next, done = std::move(done)](bool ok) {
    settle(tid, next, ok);
    done(ok ? errc::ok : errc::coordinator_not_available);
  });
}

std::pair<transaction_coordinator::entry*, errc> transaction_coordinator::owned_by(
    const std::string& tid, core::producer_id pid, core::producer_epoch epoch) {
  auto it = _txns.find(tid);
  // An entry whose first InitProducerId is still being written has no producer id yet.
  if (it == _txns.end() || it->second.m.producer_id.value() < 0 || it->second.m.producer_id != pid) {
    return {nullptr, errc::invalid_producer_id_mapping};
  }
  if (it->second.m.producer_epoch != epoch) return {nullptr, errc::producer_fenced};
  return {&it->second, errc::ok};
}

verify_partitions_result transaction_coordinator::verify_partitions(
    const std::string& tid, core::producer_id pid, core::producer_epoch epoch,
    const std::vector<core::topic_partition>& partitions) {
  if (tid.empty()) return {errc::invalid_request, {}};
  std::lock_guard lock(_mutex);
  const auto [owned, why] = owned_by(tid, pid, epoch);
  if (owned == nullptr) return {why, {}};
  // As Apache Kafka, a pending write is not waited for: the state is the last durable one.
  const txn_metadata& m = owned->m;
  if (m.state == txn_state::prepare_commit || m.state == txn_state::prepare_abort) {
    return {errc::concurrent_transactions, {}};
  }
  verify_partitions_result out;
  out.in_transaction.reserve(partitions.size());
  for (const auto& tp : partitions) out.in_transaction.push_back(m.partitions.contains(tp));
  return out;
}

errc transaction_coordinator::check_offset_commit(const std::string& tid, core::producer_id pid,
                                                  core::producer_epoch epoch, const std::string& group_id) {
  std::lock_guard lock(_mutex);
  const auto [owned, why] = owned_by(tid, pid, epoch);
  if (owned == nullptr) return why;
  const entry& e = *owned;
  if (e.pending && e.m.state != txn_state::ongoing) return errc::concurrent_transactions;
  // The group's partition must be in the transaction (AddOffsetsToTxn added it); the marker
  // written there will settle the offsets.
  if (e.m.state != txn_state::ongoing || !e.m.partitions.contains(offsets_partition(group_id))) {
    return errc::invalid_txn_state;
  }
  return errc::ok;
}

// ---- EndTxn ----------------------------------------------------------------------------------

void transaction_coordinator::end_transaction(const std::string& tid, core::producer_id pid,
                                              core::producer_epoch epoch, bool commit,
                                              end_txn_protocol protocol,
                                              std::function<void(end_txn_result)> done) {
  if (tid.empty()) return done(end_txn_result{errc::invalid_request});
  std::optional<end_txn_result> now;
  {
    std::lock_guard lock(_mutex);
    now = protocol == end_txn_protocol::bump_epoch ? end_bumping_epoch_locked(tid, pid, epoch, commit, done)
                                                   : end_keeping_epoch_locked(tid, pid, epoch, commit, done);
  }
  if (now) done(*now);
}

std::optional<end_txn_result> transaction_coordinator::end_keeping_epoch_locked(
    const std::string& tid, core::producer_id pid, core::producer_epoch epoch, bool commit,
    const std::function<void(end_txn_result)>& done) {
  const auto [owned, why] = owned_by(tid, pid, epoch);
  if (owned == nullptr) return end_txn_result{why};
  entry& e = *owned;
  if (e.pending) return end_txn_result{errc::concurrent_transactions};
  switch (e.m.state) {
    case txn_state::ongoing: break;
    case txn_state::prepare_commit:
    case txn_state::prepare_abort: return end_txn_result{errc::concurrent_transactions};
    // A retried EndTxn whose first attempt completed: the same outcome is success.
    case txn_state::complete_commit: return end_txn_result{commit ? errc::ok : errc::invalid_txn_state};
    case txn_state::complete_abort: return end_txn_result{commit ? errc::invalid_txn_state : errc::ok};
    case txn_state::empty: return end_txn_result{errc::invalid_txn_state};
  }
  txn_metadata prepared = e.m;
  prepared.state = commit ? txn_state::prepare_commit : txn_state::prepare_abort;
  prepared.update_ms = wall_now_ms();
  prepared.client_transaction_version = 0;
  // Transaction versions 0/1 report no producer id or epoch: the producer keeps its own.
  prepare_locked(tid, e, std::move(prepared), core::producer_id{-1},
                 [done](errc result) { done(end_txn_result{result}); });
  return std::nullopt;
}

std::optional<end_txn_result> transaction_coordinator::end_bumping_epoch_locked(
    const std::string& tid, core::producer_id pid, core::producer_epoch epoch, bool commit,
    const std::function<void(end_txn_result)>& done) {
  auto it = _txns.find(tid);
  if (it == _txns.end() || it->second.m.producer_id.value() < 0) {
    return end_txn_result{errc::invalid_producer_id_mapping};
  }
  entry& e = it->second;
  const txn_metadata& m = e.m;
  // A retry of an end that happened: its epoch is the one before the bump, or it was the last
  // epoch of the producer id the exhausted epoch replaced.
  const bool retry_on_bump = m.producer_id == pid && epoch.value() + 1 == m.producer_epoch.value();
  const bool retry_on_overflow = e.previous_producer_id.value() >= 0 && e.previous_producer_id == pid &&
                                 epoch.value() >= max_epoch && m.producer_epoch.value() == 0;
  if (m.producer_id != pid && !retry_on_overflow) return end_txn_result{errc::invalid_producer_id_mapping};
  bool valid_epoch = false;
  switch (m.state) {
    case txn_state::empty:
    case txn_state::ongoing: valid_epoch = epoch == m.producer_epoch; break;
    case txn_state::prepare_commit:
    case txn_state::prepare_abort: valid_epoch = retry_on_bump; break;
    case txn_state::complete_commit:
    case txn_state::complete_abort:
      valid_epoch = retry_on_bump || retry_on_overflow || epoch == m.producer_epoch;
      break;
  }
  if (!valid_epoch) return end_txn_result{errc::producer_fenced};
  if (e.pending) return end_txn_result{errc::concurrent_transactions};
  const bool retry = retry_on_bump || retry_on_overflow;
  const end_txn_result again{errc::ok, m.producer_id, m.producer_epoch};  // the retry's answer
  switch (m.state) {
    case txn_state::ongoing: break;
    case txn_state::empty:  // an abort ends an empty transaction; there is nothing to commit
      if (commit) return end_txn_result{errc::invalid_txn_state};
      break;
    case txn_state::complete_commit:
      if (commit) return retry ? again : end_txn_result{errc::invalid_txn_state};
      if (retry) return end_txn_result{errc::invalid_txn_state};
      break;
    case txn_state::complete_abort:
      if (commit) return end_txn_result{errc::invalid_txn_state};
      if (retry) return again;
      break;
    case txn_state::prepare_commit:  // only while pending here, but as Apache Kafka answers it
      return end_txn_result{commit ? errc::concurrent_transactions : errc::invalid_txn_state};
    case txn_state::prepare_abort:
      return end_txn_result{commit ? errc::invalid_txn_state : errc::concurrent_transactions};
  }
  txn_metadata prepared = m;
  prepared.state = commit ? txn_state::prepare_commit : txn_state::prepare_abort;
  prepared.update_ms = wall_now_ms();
  prepared.client_transaction_version = 2;  // Kafka's TV_2, recorded as Kafka does
  // The markers carry the bumped epoch, fencing the one the transaction ran with. An exhausted
  // epoch moves the id to a new producer id once they are written.
  core::producer_id next_id{-1};
  if (m.producer_epoch.value() >= max_epoch) {
    auto id = _ids->next();
    if (!id) return end_txn_result{errc::coordinator_not_available};
    next_id = id.value();
  }
  if (m.producer_epoch.value() < std::numeric_limits<int16_t>::max()) {
    prepared.producer_epoch = core::producer_epoch{static_cast<int16_t>(m.producer_epoch.value() + 1)};
  }
  const end_txn_result next = next_id.value() >= 0 ? end_txn_result{errc::ok, next_id, core::producer_epoch{0}}
                                                   : end_txn_result{errc::ok, prepared.producer_id, prepared.producer_epoch};
  prepare_locked(tid, e, std::move(prepared), next_id, [done, next](errc result) {
    done(result == errc::ok ? next : end_txn_result{result});
  });
  return std::nullopt;
}

void transaction_coordinator::prepare_locked(const std::string& tid, entry& e, txn_metadata prepared,
                                             core::producer_id next_id, std::function<void(errc)> done) {
  e.pending = true;
  persist_locked(tid, prepared, [this, tid, prepared, next_id, done = std::move(done)](bool ok) mutable {
    if (!ok) {
      std::lock_guard lock(_mutex);
      if (auto it = _txns.find(tid); it != _txns.end()) it->second.pending = false;
      return done(errc::coordinator_not_available);
    }
    {
      std::lock_guard lock(_mutex);
      if (auto it = _txns.find(tid); it != _txns.end()) it->second.m = prepared;
    }
    // Markers may need fsyncs: never on a network thread.
    _sched.run_blocking([this, tid, prepared, next_id, done = std::move(done)]() mutable {
      complete(tid, prepared, next_id, std::move(done));
    });
  });
}

// ---- timeouts and fencing --------------------------------------------------------------------

void transaction_coordinator::begin_fenced_abort_locked(const std::string& tid, entry& e,
                                                        std::function<void(errc)> done) {
  txn_metadata prepared = e.m;
  prepared.state = txn_state::prepare_abort;
  if (e.m.producer_epoch.value() < max_epoch) {
    prepared.producer_epoch = core::producer_epoch{static_cast<int16_t>(e.m.producer_epoch.value() + 1)};
  }
  prepared.update_ms = wall_now_ms();
  prepare_locked(tid, e, std::move(prepared), core::producer_id{-1}, std::move(done));
}

void transaction_coordinator::abort_timed_out() {
  const int64_t now = wall_now_ms();
  std::lock_guard lock(_mutex);
  for (auto& [id, e] : _txns) {
    if (e.pending || e.m.state != txn_state::ongoing || e.m.start_ms < 0) continue;
    if (now - e.m.start_ms <= e.m.timeout_ms) continue;
    log().info("transactional id {}: transaction open for {} ms (timeout {} ms); aborting it and "
               "fencing producer id {} epoch {}",
               id, now - e.m.start_ms, e.m.timeout_ms, e.m.producer_id.value(), e.m.producer_epoch.value());
    begin_fenced_abort_locked(id, e, [](errc) {});
  }
}

void transaction_coordinator::arm_timeout_timer() {
  auto alive = _alive;
  _sched.run_after(std::chrono::milliseconds(_config.abort_check_interval_ms), [this, alive] {
    if (!alive->load()) return;
    abort_timed_out();
    arm_timeout_timer();
  });
}

// ---- introspection ---------------------------------------------------------------------------

std::optional<txn_metadata> transaction_coordinator::describe(const std::string& tid) {
  std::lock_guard lock(_mutex);
  auto it = _txns.find(tid);
  if (it == _txns.end() || it->second.m.producer_id.value() < 0) return std::nullopt;
  return it->second.m;
}

std::vector<txn_description> transaction_coordinator::list() {
  std::lock_guard lock(_mutex);
  std::vector<txn_description> out;
  for (const auto& [id, e] : _txns) {
    if (e.m.producer_id.value() >= 0) out.push_back({id, e.m});
  }
  return out;
}

}  // namespace sluice::broker::txn
