#include "broker/group/group_coordinator.h"

#include "broker/group/log_format.h"
#include "broker/protocol/records.h"
#include "broker/storage/errc.h"
#include "broker/storage/topic_config.h"
#include "core/log.h"
#include "core/murmur2.h"
#include "core/time.h"

#include <algorithm>
#include <random>

namespace sluice::broker::group {
namespace {

const core::logger& log() {
  static const core::logger instance("broker.group");
  return instance;
}

int64_t wall_now_ms() { return core::to_epoch_ms(core::wall_clock_now()); }

constexpr size_t max_client_id_in_member_id = 1024;

/// A random version-4 UUID in its 36-character text form.
std::string random_uuid() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng();
  uint64_t lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // RFC 4122 variant
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (int i = 0; i < 32; ++i) {
    uint64_t word = i < 16 ? hi : lo;
    int shift = 60 - 4 * (i % 16);
    s.push_back(digits[(word >> shift) & 0xf]);
    if (i == 7 || i == 11 || i == 15 || i == 19) s.push_back('-');
  }
  return s;
}

group_value to_value(const group& g) {
  group_value v;
  v.protocol_type = g.protocol_type;
  v.generation = g.generation;
  v.protocol_name = g.protocol_name;
  v.leader = g.leader;
  v.state_timestamp_ms = wall_now_ms();
  if (g.state == group_state::empty) return v;
  for (const auto& [id, m] : g.members) {
    member_value mv;
    mv.member_id = m.id;
    mv.instance_id = m.instance_id;
    mv.client_id = m.client_id;
    mv.client_host = m.client_host;
    mv.session_timeout_ms = m.session_timeout_ms;
    mv.rebalance_timeout_ms = m.rebalance_timeout_ms;
    for (const auto& p : m.protocols) mv.protocols.push_back({p.name, p.metadata});
    mv.assignment = m.assignment;
    v.members.push_back(std::move(mv));
  }
  return v;
}

core::record offset_record(const std::string& group_id, const core::topic_partition& tp,
                           const committed_offset* value) {
  core::record r;
  r.key = encode_key(offset_key{group_id, tp});
  if (value != nullptr) {
    r.value = encode_value(offset_value{value->offset, value->leader_epoch, value->metadata,
                                        value->commit_timestamp_ms});
  }
  r.ts = core::wall_clock_now();
  return r;
}

}  // namespace

/// Answers gathered while a group's mutex is held and sent after it is released — after the
/// listed partitions were flushed when the flush policy asked for it. Each reply learns whether
/// that flush worked (answers that do not depend on a write ignore it).
struct group_coordinator::outbox {
  std::vector<std::function<void(errc)>> replies;
  std::vector<std::shared_ptr<storage::partition_log>> flush;

  void add(std::function<void(errc)> f) { replies.push_back(std::move(f)); }
  template <class Result>
  void reply(std::function<void(Result)> done, Result r) {
    if (!done) return;
    replies.push_back([done = std::move(done), r = std::move(r)](errc) mutable { done(std::move(r)); });
  }
};

group_coordinator::group_coordinator(storage::log_manager& logs, scheduler& sched,
                                     coordinator_config config)
    : _logs(logs), _sched(sched), _config(config) {}

group_coordinator::~group_coordinator() { shutdown(); }

result<std::unique_ptr<group_coordinator>> group_coordinator::open(storage::log_manager& logs,
                                                                   scheduler& sched,
                                                                   coordinator_config config) {
  std::unique_ptr<group_coordinator> c(new group_coordinator(logs, sched, config));
  SLUICE_TRY(c->load());
  return c;
}

int32_t group_coordinator::partition_for(std::string_view group_id) const noexcept {
  return core::partition_for_key(core::as_bytes(group_id), _partitions);
}

// ---- start-up --------------------------------------------------------------------------------

result<void> group_coordinator::load() {
  const std::string topic(offsets_topic);
  // Compaction keeps the newest record per key; ask for it when storage accepts the policy.
  const bool compact_ok = !storage::validate_topic_config("cleanup.policy", "compact");
  auto info = _logs.topic(topic);
  if (!info) {
    storage::topic_overrides overrides;
    overrides["segment.bytes"] = std::to_string(_config.offsets_topic_segment_bytes);
    if (compact_ok) overrides["cleanup.policy"] = "compact";
    SLUICE_TRY(auto created, _logs.create_topic(topic, _config.offsets_topic_partitions, overrides));
    info = created;
    log().info("created {} with {} partition(s){}", topic, created.partitions,
               compact_ok ? ", cleanup.policy=compact" : " (cleanup.policy=compact not available yet)");
  } else {
    if (info->partitions != _config.offsets_topic_partitions) {
      log().warn("{} has {} partitions; offsets.topic.num.partitions={} applies only when the "
                 "topic is created, so {} stay in use",
                 topic, info->partitions, _config.offsets_topic_partitions, info->partitions);
    }
    auto policy = info->configs.find("cleanup.policy");
    if (compact_ok && (policy == info->configs.end() || policy->second != "compact")) {
      auto configs = info->configs;
      configs["cleanup.policy"] = "compact";
      if (auto r = _logs.set_topic_configs(topic, configs); !r) {
        log().warn("could not switch {} to cleanup.policy=compact: {}", topic, r.error().message());
      }
    }
  }
  _partitions = info->partitions;
  _partition_logs.clear();
  for (int32_t p = 0; p < _partitions; ++p) {
    auto plog = _logs.get({topic, core::partition_id{p}});
    if (!plog) return storage::errc::unknown_partition;
    SLUICE_TRY(replay_partition(plog));
    _partition_logs.push_back(std::move(plog));
  }

  size_t members = 0;
  for (auto it = _groups.begin(); it != _groups.end();) {
    group& g = *it->second;
    if (g.members.empty() && g.offsets.empty() && g.pending_txn_offsets.empty() && !g.persisted) {
      it = _groups.erase(it);
      continue;
    }
    // As Kafka does: a group with members comes back Stable; their sessions restart now, so
    // consumers that reconnect within their session timeout carry on without a rebalance.
    g.state = g.members.empty() ? group_state::empty : group_state::stable;
    for (auto& [id, m] : g.members) {
      m.incarnation = ++_incarnations;
      touch_session(g, m);
      ++members;
    }
    ++it;
  }
  log().info("loaded {} group(s) with {} member(s) from {}", _groups.size(), members, topic);
  return core::success();
}

result<void> group_coordinator::replay_partition(const std::shared_ptr<storage::partition_log>& plog) {
  return storage::replay_log(*plog, [&](protocol::record_batch_reader& reader, int64_t next) -> result<void> {
    const auto& h = reader.header();
    if (h.is_control()) {
      // A transaction marker: the producer's pending offsets in this partition's groups are
      // committed or dropped, as they were when the marker was first written.
      SLUICE_TRY(auto marker, reader.next());
      if (!marker || !marker->record.key || marker->record.key->size() != 4) return core::success();
      const bool commit = static_cast<uint8_t>((*marker->record.key)[3]) == 1;
      for (auto& [id, g] : _groups) {
        if (partition_for(id) != plog->tp().partition.value()) continue;
        auto node = g->pending_txn_offsets.extract(h.producer_id);
        if (node.empty() || !commit) continue;
        for (auto& [tp, v] : node.mapped()) g->offsets[tp] = std::move(v);
      }
      return core::success();
    }
    for (;;) {
      SLUICE_TRY(auto rec, reader.next());
      if (!rec) break;
      int64_t at = h.base_offset.value() + rec->offset_delta;
      if (at < next) continue;
      auto fail = [&](const char* what) {
        log().error("{}-{} offset {}: {}", plog->tp().topic, plog->tp().partition.value(), at, what);
        return errc::corrupt_log;
      };
      if (!rec->record.key) return fail("record without a key");
      auto key = decode_key(*rec->record.key);
      if (!key) return fail("unknown key kind or version");
      const auto& value = rec->record.value;
      if (auto* ok = std::get_if<offset_key>(&key.value())) {
        auto& g = _groups[ok->group];
        if (!g) g = std::make_shared<group>(ok->group);
        if (!value) {
          g->offsets.erase(ok->tp);
          continue;
        }
        auto v = decode_offset_value(*value);
        if (!v) return fail("unreadable committed-offset value");
        committed_offset c{v.value().offset, v.value().leader_epoch, v.value().metadata,
                           v.value().commit_timestamp_ms};
        if (h.is_transactional()) {
          g->pending_txn_offsets[h.producer_id][ok->tp] = std::move(c);
        } else {
          g->offsets[ok->tp] = std::move(c);
        }
      } else {
        const auto& gk = std::get<group_key>(key.value());
        auto& g = _groups[gk.group];
        if (!g) g = std::make_shared<group>(gk.group);
        g->members.clear();
        g->static_members.clear();
        g->leader.reset();
        g->protocol_name.reset();
        if (!value) {  // the group was deleted; its offsets have their own tombstones
          g->protocol_type.clear();
          g->generation = 0;
          g->persisted = false;
          continue;
        }
        auto v = decode_group_value(*value);
        if (!v) return fail("unreadable group-metadata value");
        auto& gv = v.value();
        g->protocol_type = gv.protocol_type;
        g->generation = gv.generation;
        g->protocol_name = gv.protocol_name;
        g->leader = gv.leader;
        g->persisted = true;
        for (auto& mv : gv.members) {
          member m;
          m.id = mv.member_id;
          m.instance_id = mv.instance_id;
          m.client_id = mv.client_id;
          m.client_host = mv.client_host;
          m.session_timeout_ms = mv.session_timeout_ms;
          m.rebalance_timeout_ms = mv.rebalance_timeout_ms;
          m.protocol_type = gv.protocol_type;
          for (auto& p : mv.protocols) m.protocols.push_back({std::move(p.name), std::move(p.metadata)});
          m.assignment = std::move(mv.assignment);
          if (m.instance_id) g->static_members[*m.instance_id] = m.id;
          g->members.emplace(m.id, std::move(m));
        }
      }
    }
    return core::success();
  });
}

// ---- group map -------------------------------------------------------------------------------

std::shared_ptr<group> group_coordinator::find_group(const std::string& id) {
  std::lock_guard lock(_mutex);
  auto it = _groups.find(id);
  return it == _groups.end() ? nullptr : it->second;
}

std::shared_ptr<group> group_coordinator::get_or_create_group(const std::string& id) {
  std::lock_guard lock(_mutex);
  auto& g = _groups[id];
  if (!g) g = std::make_shared<group>(id);
  return g;
}

void group_coordinator::forget_group(const std::shared_ptr<group>& g) {
  std::lock_guard lock(_mutex);
  auto it = _groups.find(g->id());
  if (it != _groups.end() && it->second == g) _groups.erase(it);
}

std::string group_coordinator::new_member_id(std::string_view client_id) {
  // Kafka's form, client id + "-" + UUID; the client id part is capped so that an id always
  // fits the int16-length strings of the protocol and of the log format.
  return std::string(client_id.substr(0, max_client_id_in_member_id)) + "-" + random_uuid();
}

// ---- JoinGroup -------------------------------------------------------------------------------

void group_coordinator::join(join_request req, std::function<void(join_result)> done) {
  auto fail = [&](errc e) {
    join_result r;
    r.error = e;
    r.member_id = req.member_id;
    done(std::move(r));
  };
  if (_stopped.load()) return fail(errc::coordinator_not_available);
  if (req.group_id.empty()) return fail(errc::invalid_group_id);
  if (req.session_timeout_ms < _config.min_session_timeout_ms ||
      req.session_timeout_ms > _config.max_session_timeout_ms) {
    return fail(errc::invalid_session_timeout);
  }
  if (req.rebalance_timeout_ms <= 0) req.rebalance_timeout_ms = req.session_timeout_ms;
  if (req.protocol_type.empty() || req.protocols.empty()) {
    return fail(errc::inconsistent_group_protocol);
  }
  auto g = req.member_id.empty() ? get_or_create_group(req.group_id) : find_group(req.group_id);
  if (!g) return fail(errc::unknown_member_id);
  outbox out;
  {
    std::lock_guard lock(g->mutex);
    // The member this join replaces or updates does not vote on the protocols it is leaving.
    std::string exclude = req.member_id;
    if (req.member_id.empty() && req.group_instance_id) {
      auto it = g->static_members.find(*req.group_instance_id);
      if (it != g->static_members.end()) exclude = it->second;
    }
    if (g->state == group_state::dead) {
      join_result r;
      r.error = errc::coordinator_not_available;
      r.member_id = req.member_id;
      out.reply(std::move(done), std::move(r));
    } else if (!g->supports(req.protocol_type, req.protocols, exclude)) {
      join_result r;
      r.error = errc::inconsistent_group_protocol;
      r.member_id = req.member_id;
      out.reply(std::move(done), std::move(r));
    } else if (req.member_id.empty()) {
      join_new_member(*g, req, done, out);
    } else {
      join_known_member(*g, req, done, out);
    }
  }
  deliver(std::move(out));
}

void group_coordinator::join_new_member(group& g, join_request& req,
                                        std::function<void(join_result)>& done, outbox& out) {
  if (req.group_instance_id) {
    auto it = g.static_members.find(*req.group_instance_id);
    if (it != g.static_members.end() && g.has(it->second)) {
      std::string old_id = it->second;
      replace_static_member(g, old_id, req, done, out);
      return;
    }
    add_member(g, req, new_member_id(req.client_id), std::move(done));
    rebalance_after_join(g, out);
    return;
  }
  if (req.require_known_member_id) {
    // KIP-394: hand out the id and let the client come back with it, so a client that times
    // out and retries does not leave an orphan member behind.
    std::string id = new_member_id(req.client_id);
    uint64_t inc = ++_incarnations;
    g.pending[id] = pending_member{_sched.now_ms() + req.session_timeout_ms, inc};
    arm_pending_timer(g, id, inc, req.session_timeout_ms);
    join_result r;
    r.error = errc::member_id_required;
    r.member_id = id;
    out.reply(std::move(done), std::move(r));
    return;
  }
  add_member(g, req, new_member_id(req.client_id), std::move(done));
  rebalance_after_join(g, out);
}

void group_coordinator::join_known_member(group& g, join_request& req,
                                          std::function<void(join_result)>& done, outbox& out) {
  if (auto p = g.pending.find(req.member_id); p != g.pending.end()) {
    g.pending.erase(p);
    add_member(g, req, req.member_id, std::move(done));
    rebalance_after_join(g, out);
    return;
  }
  auto reject = [&](errc e) {
    join_result r;
    r.error = e;
    r.member_id = req.member_id;
    out.reply(std::move(done), std::move(r));
  };
  if (errc e = validate_member(g, req.member_id, req.group_instance_id); e != errc::ok) {
    return reject(e);
  }
  member& m = *g.find(req.member_id);
  switch (g.state) {
    case group_state::preparing_rebalance:
      update_member(m, req);
      if (m.awaiting_join) {
        // A retried join replaces the one still waiting; the older request gets an answer too.
        join_result r;
        r.error = errc::rebalance_in_progress;
        r.member_id = m.id;
        out.reply(std::move(m.awaiting_join), std::move(r));
      }
      m.awaiting_join = std::move(done);
      touch_session(g, m);
      maybe_complete_join(g, out, false);
      return;
    case group_state::completing_rebalance:
      if (m.same_protocols(req.protocols)) {
        // The join response was lost: answer it again (the leader gets the member list again).
        touch_session(g, m);
        out.reply(std::move(done), current_join_result(g, m));
        return;
      }
      update_member(m, req);
      m.awaiting_join = std::move(done);
      prepare_rebalance(g, out);
      return;
    case group_state::stable:
      if (g.is_leader(m.id) || !m.same_protocols(req.protocols)) {
        // The leader rejoining means it wants a new assignment (new topics, say).
        update_member(m, req);
        m.awaiting_join = std::move(done);
        prepare_rebalance(g, out);
        return;
      }
      touch_session(g, m);
      out.reply(std::move(done), current_join_result(g, m));
      return;
    case group_state::empty:
    case group_state::dead:
      return reject(errc::unknown_member_id);
  }
}

void group_coordinator::replace_static_member(group& g, const std::string& old_id,
                                              join_request& req,
                                              std::function<void(join_result)>& done,
                                              outbox& out) {
  auto node = g.members.extract(old_id);
  member old = std::move(node.mapped());
  // The replaced instance is fenced: anything it still waits for is answered so.
  if (old.awaiting_join) {
    join_result r;
    r.error = errc::fenced_instance_id;
    r.member_id = old.id;
    out.reply(std::move(old.awaiting_join), std::move(r));
  }
  if (old.awaiting_sync) {
    sync_result r;
    r.error = errc::fenced_instance_id;
    out.reply(std::move(old.awaiting_sync), std::move(r));
  }
  const std::optional<std::string> previous_leader = g.leader;
  member m;
  m.id = new_member_id(req.client_id);
  m.assignment = old.assignment;
  update_member(m, req);
  m.instance_id = req.group_instance_id;
  m.incarnation = ++_incarnations;
  const std::string new_id = m.id;
  g.static_members[*req.group_instance_id] = new_id;
  if (g.leader == old_id) g.leader = new_id;
  member& placed = g.members.emplace(new_id, std::move(m)).first->second;
  log().info("group {}: static member {} rejoined as {} (was {})", g.id(), *req.group_instance_id,
             new_id, old_id);

  switch (g.state) {
    case group_state::stable: {
      const std::string next_protocol = g.select_protocol();
      if (g.protocol_name && next_protocol == *g.protocol_name) {
        // No rebalance: persist the new member id and hand back the current generation. The
        // leader named is the previous one, so a restarted static leader acts as a follower
        // and collects its stored assignment through SyncGroup instead of reassigning.
        if (errc e = write_group_metadata(g, out); e != errc::ok) {
          g.members.erase(new_id);
          old.awaiting_join = nullptr;
          old.awaiting_sync = nullptr;
          g.members.emplace(old_id, std::move(old));
          g.static_members[*req.group_instance_id] = old_id;
          g.leader = previous_leader;
          join_result r;
          r.error = e;
          out.reply(std::move(done), std::move(r));
          return;
        }
        touch_session(g, placed);
        join_result r;
        r.generation = g.generation;
        r.protocol_name = *g.protocol_name;
        r.leader = previous_leader.value_or(std::string());
        r.member_id = new_id;
        out.add([done = std::move(done), r = std::move(r)](errc flushed) mutable {
          if (flushed != errc::ok) {
            join_result failed;
            failed.error = flushed;
            failed.member_id = r.member_id;
            return done(std::move(failed));
          }
          done(std::move(r));
        });
        return;
      }
      placed.awaiting_join = std::move(done);
      touch_session(g, placed);
      prepare_rebalance(g, out);
      return;
    }
    case group_state::completing_rebalance:
      // The leader may be assigning for the old member id: start over.
      placed.awaiting_join = std::move(done);
      touch_session(g, placed);
      prepare_rebalance(g, out);
      return;
    case group_state::preparing_rebalance:
      placed.awaiting_join = std::move(done);
      touch_session(g, placed);
      maybe_complete_join(g, out, false);
      return;
    case group_state::empty:
    case group_state::dead:
      placed.awaiting_join = std::move(done);
      touch_session(g, placed);
      prepare_rebalance(g, out);
      return;
  }
}

void group_coordinator::update_member(member& m, const join_request& req) {
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.protocol_type = req.protocol_type;
  m.protocols = req.protocols;
}

member& group_coordinator::add_member(group& g, const join_request& req, std::string id,
                                      std::function<void(join_result)> done) {
  member m;
  m.id = id;
  m.instance_id = req.group_instance_id;
  update_member(m, req);
  m.incarnation = ++_incarnations;
  m.is_new = true;
  m.awaiting_join = std::move(done);
  if (g.members.empty()) g.protocol_type = req.protocol_type;
  if (m.instance_id) g.static_members[*m.instance_id] = id;
  member& placed = g.members.emplace(id, std::move(m)).first->second;
  touch_session(g, placed);
  if (g.state == group_state::preparing_rebalance && g.initial_delay) {
    // Every newcomer during the initial delay buys the others another delay, up to the
    // rebalance timeout.
    g.join_deadline_ms = std::min(_sched.now_ms() + _config.initial_rebalance_delay_ms,
                                  g.join_hard_deadline_ms);
    arm_join_timer(g);
  }
  return placed;
}

void group_coordinator::rebalance_after_join(group& g, outbox& out) {
  if (g.state == group_state::preparing_rebalance) {
    maybe_complete_join(g, out, false);
  } else {
    prepare_rebalance(g, out);
  }
}

void group_coordinator::prepare_rebalance(group& g, outbox& out) {
  if (g.state == group_state::completing_rebalance) fail_pending_syncs(g, errc::rebalance_in_progress, out);
  const bool was_empty = g.state == group_state::empty;
  g.state = group_state::preparing_rebalance;
  const int64_t now = _sched.now_ms();
  const int32_t limit = std::max(g.max_rebalance_timeout_ms(), 1);
  if (was_empty && _config.initial_rebalance_delay_ms > 0) {
    g.initial_delay = true;
    g.join_hard_deadline_ms = now + limit;
    g.join_deadline_ms = now + std::min(_config.initial_rebalance_delay_ms, limit);
  } else {
    g.initial_delay = false;
    g.join_deadline_ms = g.join_hard_deadline_ms = now + limit;
  }
  log().debug("group {}: preparing rebalance (generation {})", g.id(), g.generation);
  arm_join_timer(g);
  maybe_complete_join(g, out, false);
}

void group_coordinator::maybe_complete_join(group& g, outbox& out, bool deadline_passed) {
  if (g.state != group_state::preparing_rebalance) return;
  if (g.initial_delay && !deadline_passed) return;  // the initial delay runs its course
  if (deadline_passed || g.all_members_joined()) complete_join(g, out);
}

void group_coordinator::complete_join(group& g, outbox& out) {
  // Dynamic members that did not rejoin are gone; static ones stay until their session ends.
  std::vector<std::string> absent;
  for (const auto& [id, m] : g.members) {
    if (!m.awaiting_join && !m.is_static()) absent.push_back(id);
  }
  for (const auto& id : absent) {
    log().info("group {}: member {} did not rejoin in time", g.id(), id);
    auto node = g.members.extract(id);
    if (node.mapped().awaiting_sync) {
      sync_result r;
      r.error = errc::rebalance_in_progress;
      out.reply(std::move(node.mapped().awaiting_sync), std::move(r));
    }
    if (g.leader == id) g.leader.reset();
  }
  g.initial_delay = false;

  if (g.members.empty()) {
    ++_rebalances;
    g.generation += 1;
    g.state = group_state::empty;
    g.protocol_name.reset();
    g.leader.reset();
    log().info("group {}: generation {} is empty", g.id(), g.generation);
    if (errc e = write_group_metadata(g, out); e != errc::ok) {
      log().error("group {}: could not store the empty generation: {}", g.id(), make_error_code(e).message());
    }
    return;
  }

  // The leader must be someone who gets this answer: keep the old one if it rejoined.
  member* leader = g.leader ? g.find(*g.leader) : nullptr;
  if (leader == nullptr || !leader->awaiting_join) {
    leader = nullptr;
    for (auto& [id, m] : g.members) {
      if (m.awaiting_join) {
        leader = &m;
        break;
      }
    }
  }
  if (leader == nullptr) {
    // Only static members that have not come back: wait another rebalance timeout for them.
    g.join_deadline_ms = g.join_hard_deadline_ms = _sched.now_ms() + std::max(g.max_rebalance_timeout_ms(), 1);
    arm_join_timer(g);
    return;
  }
  ++_rebalances;
  g.leader = leader->id;
  g.generation += 1;
  std::string protocol = g.select_protocol();
  if (protocol.empty()) protocol = leader->protocols.front().name;  // cannot happen: joins are checked
  g.protocol_name = protocol;
  g.state = group_state::completing_rebalance;
  log().info("group {}: generation {} with {} member(s), protocol {}, leader {}", g.id(),
             g.generation, g.members.size(), protocol, leader->id);
  for (auto& [id, m] : g.members) {
    if (!m.awaiting_join) continue;
    m.is_new = false;
    out.reply(std::move(m.awaiting_join), current_join_result(g, m));
    m.awaiting_join = nullptr;
    touch_session(g, m);
  }
}

join_result group_coordinator::current_join_result(const group& g, const member& m) const {
  join_result r;
  r.generation = g.generation;
  r.protocol_name = g.protocol_name.value_or(std::string());
  r.leader = g.leader.value_or(std::string());
  r.member_id = m.id;
  if (g.is_leader(m.id)) {
    for (const auto& [id, other] : g.members) {
      join_member jm;
      jm.member_id = id;
      jm.group_instance_id = other.instance_id;
      if (const auto* md = other.metadata_for(r.protocol_name)) jm.metadata = *md;
      r.members.push_back(std::move(jm));
    }
  }
  return r;
}

errc group_coordinator::validate_member(group& g, const std::string& member_id,
                                        const std::optional<std::string>& instance_id) const {
  if (instance_id) {
    auto it = g.static_members.find(*instance_id);
    if (it != g.static_members.end() && it->second != member_id) return errc::fenced_instance_id;
  }
  if (!g.has(member_id)) return errc::unknown_member_id;
  return errc::ok;
}

void group_coordinator::remove_member(group& g, const std::string& member_id, errc reason,
                                      outbox& out) {
  auto node = g.members.extract(member_id);
  if (node.empty()) return;
  member& m = node.mapped();
  if (m.instance_id) {
    auto it = g.static_members.find(*m.instance_id);
    if (it != g.static_members.end() && it->second == member_id) g.static_members.erase(it);
  }
  if (m.awaiting_join) {
    join_result r;
    r.error = reason;
    r.member_id = member_id;
    out.reply(std::move(m.awaiting_join), std::move(r));
  }
  if (m.awaiting_sync) {
    sync_result r;
    r.error = reason;
    out.reply(std::move(m.awaiting_sync), std::move(r));
  }
  if (g.leader == member_id) g.leader.reset();
  switch (g.state) {
    case group_state::stable:
    case group_state::completing_rebalance:
      prepare_rebalance(g, out);
      break;
    case group_state::preparing_rebalance:
      maybe_complete_join(g, out, false);
      break;
    case group_state::empty:
    case group_state::dead:
      break;
  }
}

void group_coordinator::fail_pending_syncs(group& g, errc e, outbox& out) {
  for (auto& [id, m] : g.members) {
    m.assignment.clear();
    if (!m.awaiting_sync) continue;
    sync_result r;
    r.error = e;
    out.reply(std::move(m.awaiting_sync), std::move(r));
    m.awaiting_sync = nullptr;
  }
}

// ---- SyncGroup / Heartbeat / LeaveGroup ------------------------------------------------------

void group_coordinator::sync(sync_request req, std::function<void(sync_result)> done) {
  auto fail = [&](errc e) {
    sync_result r;
    r.error = e;
    done(std::move(r));
  };
  if (_stopped.load()) return fail(errc::coordinator_not_available);
  auto g = find_group(req.group_id);
  if (!g) return fail(errc::unknown_member_id);
  outbox out;
  {
    std::lock_guard lock(g->mutex);
    auto reject = [&](errc e) {
      sync_result r;
      r.error = e;
      out.reply(std::move(done), std::move(r));
    };
    errc e = g->state == group_state::dead ? errc::coordinator_not_available
                                           : validate_member(*g, req.member_id, req.group_instance_id);
    if (e == errc::ok && req.generation != g->generation) e = errc::illegal_generation;
    if (e != errc::ok) {
      reject(e);
    } else if (g->state == group_state::preparing_rebalance) {
      reject(errc::rebalance_in_progress);
    } else if (g->state == group_state::stable) {
      member& m = *g->find(req.member_id);
      touch_session(*g, m);
      sync_result r;
      r.assignment = m.assignment;
      out.reply(std::move(done), std::move(r));
    } else if (g->state == group_state::completing_rebalance) {
      member& m = *g->find(req.member_id);
      if (m.awaiting_sync) {
        sync_result r;
        r.error = errc::rebalance_in_progress;
        out.reply(std::move(m.awaiting_sync), std::move(r));
      }
      m.awaiting_sync = std::move(done);
      touch_session(*g, m);
      if (g->is_leader(m.id)) {
        for (auto& [id, other] : g->members) other.assignment.clear();
        for (auto& [id, bytes] : req.assignments) {
          if (auto* target = g->find(id)) target->assignment = std::move(bytes);
        }
        if (errc we = write_group_metadata(*g, out); we != errc::ok) {
          fail_pending_syncs(*g, we, out);
          prepare_rebalance(*g, out);
        } else {
          g->state = group_state::stable;
          for (auto& [id, other] : g->members) {
            if (!other.awaiting_sync) continue;
            out.add([done = std::move(other.awaiting_sync), assignment = other.assignment](errc flushed) mutable {
              sync_result r;
              r.error = flushed;
              if (flushed == errc::ok) r.assignment = std::move(assignment);
              done(std::move(r));
            });
            other.awaiting_sync = nullptr;
          }
        }
      }
    } else {
      reject(errc::unknown_member_id);
    }
  }
  deliver(std::move(out));
}

errc group_coordinator::heartbeat(const heartbeat_request& req) {
  if (_stopped.load()) return errc::coordinator_not_available;
  auto g = find_group(req.group_id);
  if (!g) return errc::unknown_member_id;
  std::lock_guard lock(g->mutex);
  if (g->state == group_state::dead) return errc::coordinator_not_available;
  if (errc e = validate_member(*g, req.member_id, req.group_instance_id); e != errc::ok) return e;
  if (req.generation != g->generation) return errc::illegal_generation;
  member& m = *g->find(req.member_id);
  touch_session(*g, m);
  if (g->state == group_state::preparing_rebalance) return errc::rebalance_in_progress;
  return errc::ok;
}

void group_coordinator::leave(std::string group_id, std::vector<member_identity> identities,
                              std::function<void(leave_result)> done) {
  leave_result result;
  if (_stopped.load()) {
    result.error = errc::coordinator_not_available;
    return done(std::move(result));
  }
  auto g = find_group(group_id);
  if (!g) {
    result.members.assign(identities.size(), errc::unknown_member_id);
    return done(std::move(result));
  }
  outbox out;
  {
    std::lock_guard lock(g->mutex);
    if (g->state == group_state::dead) {
      result.error = errc::coordinator_not_available;
    } else {
      for (const auto& who : identities) {
        if (who.group_instance_id) {
          auto it = g->static_members.find(*who.group_instance_id);
          if (it == g->static_members.end()) {
            result.members.push_back(errc::unknown_member_id);
          } else if (!who.member_id.empty() && it->second != who.member_id) {
            result.members.push_back(errc::fenced_instance_id);
          } else {
            std::string id = it->second;
            log().info("group {}: static member {} ({}) left", g->id(), *who.group_instance_id, id);
            remove_member(*g, id, errc::unknown_member_id, out);
            result.members.push_back(errc::ok);
          }
        } else if (g->pending.erase(who.member_id) > 0) {
          maybe_complete_join(*g, out, false);
          result.members.push_back(errc::ok);
        } else if (!g->has(who.member_id)) {
          result.members.push_back(errc::unknown_member_id);
        } else {
          log().info("group {}: member {} left", g->id(), who.member_id);
          remove_member(*g, who.member_id, errc::unknown_member_id, out);
          result.members.push_back(errc::ok);
        }
      }
    }
    out.reply(std::move(done), std::move(result));
  }
  deliver(std::move(out));
}

// ---- offsets ---------------------------------------------------------------------------------

void group_coordinator::commit_offsets(offset_commit_request req,
                                       std::function<void(offset_commit_result)> done) {
  offset_commit_result result(req.offsets.size(), errc::ok);
  auto fail_all = [&](errc e) {
    std::fill(result.begin(), result.end(), e);
    done(std::move(result));
  };
  if (_stopped.load()) return fail_all(errc::coordinator_not_available);
  if (req.group_id.empty()) return fail_all(errc::invalid_group_id);
  auto g = find_group(req.group_id);
  if (!g) {
    // Only a commit outside group management (generation -1) may create a group.
    if (req.generation >= 0) return fail_all(errc::illegal_generation);
    g = get_or_create_group(req.group_id);
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
      e = validate_member(*g, req.member_id, req.group_instance_id);
      if (e == errc::ok && req.generation != g->generation) e = errc::illegal_generation;
      // KIP-447: a transactional commit is fenced by generation and member only; the group
      // need not be stable (the transaction aborts if the member was in fact replaced).
      if (e == errc::ok && !req.transaction && g->state == group_state::completing_rebalance) {
        e = errc::rebalance_in_progress;
      }
      if (e == errc::ok) touch_session(*g, *g->find(req.member_id));
    } else if (req.transaction) {
      // TxnOffsetCommit below v3 (kafkajs) carries no member: the producer's epoch fences it.
    } else {
      e = errc::unknown_member_id;  // no member fields, but the group has members
    }
    std::vector<core::record> records;
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
      committed_offset value{entry.offset, entry.leader_epoch, entry.metadata, now};
      records.push_back(offset_record(g->id(), entry.tp, &value));
      accepted.emplace_back(i, std::move(value));
    }
    if (!records.empty()) {
      if (errc we = append(*g, std::move(records), out, req.transaction); we != errc::ok) {
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
  deliver(std::move(out));
}

offset_fetch_result group_coordinator::fetch_offsets(const offset_fetch_request& req) {
  offset_fetch_result result;
  auto g = find_group(req.group_id);
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

void group_coordinator::delete_offsets(std::string group_id,
                                       std::vector<core::topic_partition> partitions,
                                       std::function<void(offset_delete_result)> done) {
  offset_delete_result result;
  auto g = _stopped.load() ? nullptr : find_group(group_id);
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
      std::vector<core::record> tombstones;
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
            tombstones.push_back(offset_record(g->id(), tp, nullptr));
            doomed.push_back(tp);
          }
        }
      }
      if (!tombstones.empty()) {
        if (errc we = append(*g, std::move(tombstones), out); we != errc::ok) {
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
  deliver(std::move(out));
}

// ---- admin -----------------------------------------------------------------------------------

void group_coordinator::delete_groups(std::vector<std::string> group_ids,
                                      std::function<void(std::vector<errc>)> done) {
  auto results = std::make_shared<std::vector<errc>>(group_ids.size(), errc::ok);
  outbox out;
  for (size_t i = 0; i < group_ids.size(); ++i) {
    errc& r = (*results)[i];
    if (_stopped.load()) {
      r = errc::coordinator_not_available;
      continue;
    }
    if (group_ids[i].empty()) {
      r = errc::invalid_group_id;
      continue;
    }
    auto g = find_group(group_ids[i]);
    if (!g) {
      r = errc::group_id_not_found;
      continue;
    }
    std::lock_guard lock(g->mutex);
    if (g->state == group_state::dead) {
      r = errc::group_id_not_found;
    } else if (g->state != group_state::empty) {
      r = errc::non_empty_group;
    } else {
      std::vector<core::record> tombstones;
      for (const auto& [tp, v] : g->offsets) tombstones.push_back(offset_record(g->id(), tp, nullptr));
      core::record gone;
      gone.key = encode_key(group_key{g->id()});
      gone.ts = core::wall_clock_now();
      tombstones.push_back(std::move(gone));
      r = append(*g, std::move(tombstones), out);
      if (r == errc::ok) {
        g->state = group_state::dead;
        g->offsets.clear();
        g->pending.clear();
        forget_group(g);
        log().info("group {} deleted", g->id());
      }
    }
  }
  out.add([done = std::move(done), results](errc flushed) mutable {
    if (flushed != errc::ok) {
      for (auto& r : *results) {
        if (r == errc::ok) r = flushed;
      }
    }
    done(std::move(*results));
  });
  deliver(std::move(out));
}

std::vector<group_description> group_coordinator::describe_groups(const std::vector<std::string>& group_ids) {
  std::vector<group_description> out;
  for (const auto& id : group_ids) {
    group_description d;
    d.group_id = id;
    if (id.empty()) {
      d.error = errc::invalid_group_id;
      out.push_back(std::move(d));
      continue;
    }
    auto g = find_group(id);
    if (!g) {  // Kafka describes an unknown group as Dead, without an error
      out.push_back(std::move(d));
      continue;
    }
    std::lock_guard lock(g->mutex);
    d.state = g->state;
    d.protocol_type = g->protocol_type;
    const bool stable = g->state == group_state::stable;
    if (stable) d.protocol_name = g->protocol_name.value_or(std::string());
    if (g->state != group_state::dead) {
      for (const auto& [mid, m] : g->members) {
        described_member dm;
        dm.member_id = mid;
        dm.group_instance_id = m.instance_id;
        dm.client_id = m.client_id;
        dm.client_host = m.client_host;
        if (stable) {
          if (const auto* md = m.metadata_for(d.protocol_name)) dm.metadata = *md;
          dm.assignment = m.assignment;
        }
        d.members.push_back(std::move(dm));
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

std::vector<group_listing> group_coordinator::list_groups(const std::vector<group_state>& states) {
  std::vector<std::shared_ptr<group>> all;
  {
    std::lock_guard lock(_mutex);
    for (const auto& [id, g] : _groups) all.push_back(g);
  }
  std::vector<group_listing> out;
  for (const auto& g : all) {
    std::lock_guard lock(g->mutex);
    if (g->state == group_state::dead) continue;
    if (!states.empty() && std::find(states.begin(), states.end(), g->state) == states.end()) continue;
    out.push_back({g->id(), g->protocol_type, g->state});
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
  return out;
}

// ---- transactional offsets -------------------------------------------------------------------

void group_coordinator::complete_transactional_offsets(const std::string& group_id,
                                                       core::producer_id producer, bool commit) {
  auto g = find_group(group_id);
  if (!g) return;
  std::lock_guard lock(g->mutex);
  auto node = g->pending_txn_offsets.extract(producer);
  if (node.empty() || !commit || g->state == group_state::dead) return;
  for (auto& [tp, v] : node.mapped()) g->offsets[tp] = std::move(v);
}

// ---- timers ----------------------------------------------------------------------------------

void group_coordinator::touch_session(group& g, member& m) {
  m.session_deadline_ms = _sched.now_ms() + m.session_timeout_ms;
  arm_session_timer(g, m);
}

void group_coordinator::arm_session_timer(group& g, member& m) {
  if (m.session_timer_armed && m.session_timer_due_ms <= m.session_deadline_ms) return;
  m.session_timer_armed = true;
  m.session_timer_due_ms = m.session_deadline_ms;
  const uint64_t seq = ++m.session_timer_seq;
  auto delay = std::max<int64_t>(0, m.session_deadline_ms - _sched.now_ms());
  _sched.run_after(std::chrono::milliseconds(delay),
                   [this, wg = g.weak_from_this(), id = m.id, inc = m.incarnation, seq] {
                     on_session_timer(wg, id, inc, seq);
                   });
}

void group_coordinator::on_session_timer(const std::weak_ptr<group>& wg, const std::string& member_id,
                                         uint64_t incarnation, uint64_t seq) {
  if (_stopped.load()) return;
  auto g = wg.lock();
  if (!g) return;
  outbox out;
  {
    std::lock_guard lock(g->mutex);
    member* m = g->find(member_id);
    if (m == nullptr || m->incarnation != incarnation || m->session_timer_seq != seq) return;
    m->session_timer_armed = false;
    if (g->state == group_state::dead) return;
    const int64_t now = _sched.now_ms();
    if (m->awaiting_join || m->awaiting_sync) {
      // A member parked in JoinGroup/SyncGroup cannot heartbeat; its request keeps it alive.
      touch_session(*g, *m);
      return;
    }
    if (now < m->session_deadline_ms) {
      arm_session_timer(*g, *m);
      return;
    }
    log().info("group {}: member {} expired after {} ms without a heartbeat", g->id(), member_id,
               m->session_timeout_ms);
    remove_member(*g, member_id, errc::unknown_member_id, out);
  }
  deliver(std::move(out));
}

void group_coordinator::arm_pending_timer(group& g, const std::string& member_id,
                                          uint64_t incarnation, int64_t delay_ms) {
  _sched.run_after(std::chrono::milliseconds(std::max<int64_t>(0, delay_ms)),
                   [this, wg = g.weak_from_this(), member_id, incarnation] {
                     on_pending_timer(wg, member_id, incarnation);
                   });
}

void group_coordinator::on_pending_timer(const std::weak_ptr<group>& wg, const std::string& member_id,
                                         uint64_t incarnation) {
  if (_stopped.load()) return;
  auto g = wg.lock();
  if (!g) return;
  outbox out;
  {
    std::lock_guard lock(g->mutex);
    auto it = g->pending.find(member_id);
    if (it == g->pending.end() || it->second.incarnation != incarnation) return;
    const int64_t now = _sched.now_ms();
    if (now < it->second.deadline_ms) {
      arm_pending_timer(*g, member_id, incarnation, it->second.deadline_ms - now);
      return;
    }
    g->pending.erase(it);
    maybe_complete_join(*g, out, false);
    if (g->state == group_state::empty && g->members.empty() && g->pending.empty() &&
        g->offsets.empty() && !g->persisted) {
      forget_group(g);  // a join that never came back leaves nothing behind
    }
  }
  deliver(std::move(out));
}

void group_coordinator::arm_join_timer(group& g) {
  const uint64_t seq = ++g.join_timer_seq;
  auto delay = std::max<int64_t>(0, g.join_deadline_ms - _sched.now_ms());
  _sched.run_after(std::chrono::milliseconds(delay),
                   [this, wg = g.weak_from_this(), seq] { on_join_timer(wg, seq); });
}

void group_coordinator::on_join_timer(const std::weak_ptr<group>& wg, uint64_t seq) {
  if (_stopped.load()) return;
  auto g = wg.lock();
  if (!g) return;
  outbox out;
  {
    std::lock_guard lock(g->mutex);
    if (g->join_timer_seq != seq || g->state != group_state::preparing_rebalance) return;
    if (_sched.now_ms() < g->join_deadline_ms) {
      arm_join_timer(*g);
      return;
    }
    maybe_complete_join(*g, out, true);
  }
  deliver(std::move(out));
}

// ---- persistence -----------------------------------------------------------------------------

errc group_coordinator::write_group_metadata(group& g, outbox& out) {
  core::record r;
  r.key = encode_key(group_key{g.id()});
  r.value = encode_value(to_value(g));
  r.ts = core::wall_clock_now();
  std::vector<core::record> records;
  records.push_back(std::move(r));
  errc e = append(g, std::move(records), out);
  if (e == errc::ok) g.persisted = true;
  return e;
}

errc group_coordinator::append(const group& g, std::vector<core::record> records, outbox& out,
                               const std::optional<txn_producer>& txn) {
  const auto& plog = _partition_logs.at(static_cast<size_t>(partition_for(g.id())));
  protocol::record_batch_options options;
  if (txn) {
    options.transactional = true;
    options.producer_id = txn->id;
    options.producer_epoch = txn->epoch;
    options.base_sequence = 0;  // the coordinator's batches are not sequence-checked
  }
  auto batch = protocol::encode_record_batch(records, options);
  if (!batch) {
    log().error("group {}: could not encode a batch: {}", g.id(), batch.error().message());
    return errc::storage_error;
  }
  auto appended = plog->append(batch.value(), storage::append_origin::coordinator);
  if (!appended) {
    log().error("group {}: append to {}-{} failed: {}", g.id(), plog->tp().topic,
                plog->tp().partition.value(), appended.error().message());
    return appended.error() == storage::errc::message_too_large ? errc::record_too_large
                                                                : errc::storage_error;
  }
  if (appended.value().flush_required &&
      std::find(out.flush.begin(), out.flush.end(), plog) == out.flush.end()) {
    out.flush.push_back(plog);
  }
  return errc::ok;
}

void group_coordinator::deliver(outbox&& out) {
  if (out.flush.empty()) {
    for (auto& reply : out.replies) reply(errc::ok);
    return;
  }
  // The flush policy wants these records durable before anyone hears of them.
  _sched.run_blocking([flush = std::move(out.flush), replies = std::move(out.replies)]() mutable {
    errc result = errc::ok;
    for (const auto& plog : flush) {
      if (auto r = plog->flush(); !r) {
        log().error("flush of {}-{} failed: {}", plog->tp().topic, plog->tp().partition.value(),
                    r.error().message());
        result = errc::storage_error;
      }
    }
    for (auto& reply : replies) reply(result);
  });
}

// ---- misc ------------------------------------------------------------------------------------

coordinator_stats group_coordinator::stats() {
  std::vector<std::shared_ptr<group>> all;
  {
    std::lock_guard lock(_mutex);
    for (const auto& [id, g] : _groups) all.push_back(g);
  }
  coordinator_stats s;
  for (const auto& g : all) {
    std::lock_guard lock(g->mutex);
    if (g->state == group_state::dead) continue;
    ++s.groups;
    s.members += g->members.size();
  }
  s.rebalances = _rebalances.load();
  return s;
}

std::vector<group_snapshot> group_coordinator::snapshot() {
  std::vector<std::shared_ptr<group>> all;
  {
    std::lock_guard lock(_mutex);
    for (const auto& [id, g] : _groups) all.push_back(g);
  }
  std::vector<group_snapshot> out;
  for (const auto& g : all) {
    std::lock_guard lock(g->mutex);
    if (g->state == group_state::dead) continue;
    group_snapshot s;
    s.group_id = g->id();
    s.state = g->state;
    s.members = g->members.size();
    for (const auto& [tp, v] : g->offsets) s.committed.emplace_back(tp, v.offset);
    out.push_back(std::move(s));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.group_id < b.group_id; });
  return out;
}

void group_coordinator::shutdown() {
  if (_stopped.exchange(true)) return;
  std::vector<std::shared_ptr<group>> all;
  {
    std::lock_guard lock(_mutex);
    for (const auto& [id, g] : _groups) all.push_back(g);
  }
  for (const auto& g : all) {
    std::lock_guard lock(g->mutex);
    for (auto& [id, m] : g->members) {
      m.awaiting_join = nullptr;
      m.awaiting_sync = nullptr;
    }
  }
}

}  // namespace sluice::broker::group
