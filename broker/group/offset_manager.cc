#include "broker/group/offset_manager.h"

#include "broker/group/logger.h"
#include "core/time.h"

#include <algorithm>

namespace sluice::broker::group {
namespace {

int64_t wall_now_ms() { return core::to_epoch_ms(core::wall_clock_now()); }

}  // namespace

void offset_manager::commit_offsets(offset_commit_request req,
                                       std::function<void(offset_commit_result)> done) {
  offset_commit_result result(req.offsets.size(), errc::ok);
  auto fail_all = [&](errc e) {
    std::fill(result.begin(), result.end(), e);
    done(std::move(result));
  };
  if (_stopped.load()) return fail_all(errc::coordinator_not_available);
  if (req.group_id.empty()) return fail_all(errc::invalid_group_id);
  auto g = _groups.find(req.group_id);
  if (!g) {
    // Only a commit outside group management (generation -1) may create a group.
    if (req.generation >= 0) {
      return fail_all(req.unknown_group_is_not_found ? errc::group_id_not_found
                                                     : errc::illegal_generation);
    }
    g = _groups.get_or_create(req.group_id);
  }
  outbox out;
  {
    std::lock_guard lock(g->mutex);
    errc e = errc::ok;
    if (g->state == group_state::dead) {
      e = errc::coordinator_not_available;
    } else if (req.generation < 0 && g->state == group_state::empty) {
      // A simple (manual / admin) commit to a group nobody is in.
    } else if (req.generation >= 0 || !req.member_id.empty() || req.group_instance_id) {
      e = _members.validate_member(*g, req.member_id, req.group_instance_id);
      if (e == errc::ok && req.generation != g->generation) e = errc::illegal_generation;
      // KIP-447: a transactional commit is fenced by generation and member only; the group
      // need not be stable (the transaction aborts if the member was in fact replaced).
      if (e == errc::ok && !req.transaction && g->state == group_state::completing_rebalance) {
        e = errc::rebalance_in_progress;
      }
      if (e == errc::ok) _members.touch_session(*g, *g->find(req.member_id));
    } else if (req.transaction) {
      // TxnOffsetCommit below v3 (kafkajs) carries no member: the producer's epoch fences it.
    } else {
      e = errc::unknown_member_id;  // no member fields, but the group has members
    }
    std::vector<core::raw_record> records;
    std::vector<std::pair<size_t, committed_offset>> accepted;
    const int64_t now = wall_now_ms();
    for (size_t i = 0; i < req.offsets.size(); ++i) {
      const auto& entry = req.offsets[i];
      if (e != errc::ok) {
        result[i] = e;
        continue;
      }
      auto info = _logs.topic(entry.tp.topic);
      if (!info || entry.tp.partition.value() < 0 || entry.tp.partition.value() >= info->partitions) {
        result[i] = errc::unknown_topic_or_partition;
        continue;
      }
      if (entry.metadata && entry.metadata->size() > static_cast<size_t>(_config.offset_metadata_max_bytes)) {
        result[i] = errc::offset_metadata_too_large;
        continue;
      }
      // Kafka stores a commit without metadata as "" (OffsetCommitValue's metadata is not
      // nullable) and answers "" for it: the same before and after a restart.
      committed_offset value{entry.offset, entry.leader_epoch,
                             entry.metadata.value_or(std::string()), now};
      records.push_back(group_log::offset_record(g->id(), entry.tp, &value));
      accepted.emplace_back(i, std::move(value));
    }
    if (!records.empty()) {
      if (errc we = _log.append(*g, std::move(records), out, req.transaction); we != errc::ok) {
        for (const auto& [i, v] : accepted) result[i] = we;
      } else if (req.transaction) {
        auto& pending = g->pending_txn_offsets[req.transaction->id];
        for (auto& [i, v] : accepted) pending[req.offsets[i].tp] = std::move(v);
      } else {
        for (auto& [i, v] : accepted) g->offsets[req.offsets[i].tp] = std::move(v);
      }
    }
    out.add([done = std::move(done), result = std::move(result)](errc flushed) mutable {
      if (flushed != errc::ok) {
        for (auto& r : result) {
          if (r == errc::ok) r = flushed;
        }
      }
      done(std::move(result));
    });
  }
  _log.deliver(std::move(out));
}

offset_fetch_result offset_manager::fetch_offsets(const offset_fetch_request& req) {
  offset_fetch_result result;
  auto g = _groups.find(req.group_id);
  auto unknown = [](const core::topic_partition& tp) {
    fetched_offset f;
    f.tp = tp;
    return f;
  };
  if (!g) {
    if (req.partitions) {
      for (const auto& tp : *req.partitions) result.offsets.push_back(unknown(tp));
    }
    return result;
  }
  std::lock_guard lock(g->mutex);
  auto fill = [&](const core::topic_partition& tp) {
    fetched_offset f = unknown(tp);
    if (req.require_stable && g->has_pending_txn_offset(tp)) {
      f.error = errc::unstable_offset_commit;
      return f;
    }
    if (auto it = g->offsets.find(tp); it != g->offsets.end()) {
      f.offset = it->second.offset;
      f.leader_epoch = it->second.leader_epoch;
      f.metadata = it->second.metadata;
    }
    return f;
  };
  if (req.partitions) {
    for (const auto& tp : *req.partitions) result.offsets.push_back(fill(tp));
  } else {
    for (const auto& [tp, v] : g->offsets) result.offsets.push_back(fill(tp));
  }
  return result;
}

void offset_manager::delete_offsets(std::string group_id,
                                       std::vector<core::topic_partition> partitions,
                                       std::function<void(offset_delete_result)> done) {
  offset_delete_result result;
  auto g = _stopped.load() ? nullptr : _groups.find(group_id);
  if (!g) {
    result.error = _stopped.load() ? errc::coordinator_not_available : errc::group_id_not_found;
    return done(std::move(result));
  }
  outbox out;
  {
    std::lock_guard lock(g->mutex);
    if (g->state == group_state::dead) {
      result.error = errc::group_id_not_found;
    } else if (g->state != group_state::empty && g->protocol_type != "consumer") {
      result.error = errc::non_empty_group;  // cannot tell which topics such a group uses
    } else {
      std::vector<core::raw_record> tombstones;
      std::vector<core::topic_partition> doomed;
      for (const auto& tp : partitions) {
        auto info = _logs.topic(tp.topic);
        if (!info || tp.partition.value() < 0 || tp.partition.value() >= info->partitions) {
          result.partitions.push_back(errc::unknown_topic_or_partition);
        } else if (g->state != group_state::empty && g->subscribed_to(tp.topic)) {
          result.partitions.push_back(errc::group_subscribed_to_topic);
        } else {
          result.partitions.push_back(errc::ok);
          if (g->offsets.contains(tp)) {
            tombstones.push_back(group_log::offset_record(g->id(), tp, nullptr));
            doomed.push_back(tp);
          }
        }
      }
      if (!tombstones.empty()) {
        if (errc we = _log.append(*g, std::move(tombstones), out); we != errc::ok) {
          result.error = we;
          result.partitions.clear();
        } else {
          for (const auto& tp : doomed) g->offsets.erase(tp);
        }
      }
    }
    out.add([done = std::move(done), result = std::move(result)](errc flushed) mutable {
      if (flushed != errc::ok) {
        result.error = flushed;
        result.partitions.clear();
      }
      done(std::move(result));
    });
  }
  _log.deliver(std::move(out));
}

void offset_manager::remove_topic_offsets(const std::string& topic) {
  if (_stopped.load()) return;
  outbox out;
  for (auto& g : _groups.all()) {
    std::lock_guard lock(g->mutex);
    for (auto& [producer, pending] : g->pending_txn_offsets) {
      std::erase_if(pending, [&](const auto& entry) { return entry.first.topic == topic; });
    }
    std::vector<core::raw_record> tombstones;
    std::vector<core::topic_partition> doomed;
    for (const auto& [tp, offset] : g->offsets) {
      if (tp.topic != topic) continue;
      tombstones.push_back(group_log::offset_record(g->id(), tp, nullptr));
      doomed.push_back(tp);
    }
    if (tombstones.empty()) continue;
    if (errc we = _log.append(*g, std::move(tombstones), out); we != errc::ok) {
      log().warn("group {}: offsets of deleted topic {} not removed: {}", g->id(), topic,
                 make_error_code(we).message());
      continue;
    }
    for (const auto& tp : doomed) g->offsets.erase(tp);
    out.add([group = g->id(), topic](errc flushed) {
      if (flushed != errc::ok) {
        log().warn("group {}: tombstones for deleted topic {} not flushed: {}", group, topic,
                   make_error_code(flushed).message());
      }
    });
  }
  _log.deliver(std::move(out));
}

// ---- transactional offsets -------------------------------------------------------------------

void offset_manager::complete_transactional_offsets(int32_t offsets_partition,
                                                    core::producer_id producer, bool commit) {
  for (auto& g : _groups.all()) {
    if (_log.partition_for(g->id()) != offsets_partition) continue;
    std::lock_guard lock(g->mutex);
    auto node = g->pending_txn_offsets.extract(producer);
    if (node.empty() || !commit || g->state == group_state::dead) continue;
    for (auto& [tp, v] : node.mapped()) g->offsets[tp] = std::move(v);
  }
}

}  // namespace sluice::broker::group
