#include "broker/group/membership.h"

#include "broker/group/logger.h"

#include <algorithm>
#include <random>

namespace sluice::broker::group {
namespace {

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

/// SyncGroup v5+ (KIP-559): a protocol type or name the request gives must be the group's
/// (Kafka compares only when both sides have one).
bool matches_group_protocol(const group& g, const sync_request& req) {
  auto consistent = [](const std::optional<std::string>& asked, const std::optional<std::string>& actual) {
    return !asked || !actual || *asked == *actual;
  };
  const std::optional<std::string> type =
      g.protocol_type.empty() ? std::nullopt : std::optional<std::string>(g.protocol_type);
  return consistent(req.protocol_type, type) && consistent(req.protocol_name, g.protocol_name);
}

/// A successful SyncGroup answer without its assignment: the group's protocol type and name.
sync_result synced(const group& g) {
  sync_result r;
  r.protocol_type = g.protocol_type;
  r.protocol_name = g.protocol_name.value_or(std::string());
  return r;
}

}  // namespace

membership::membership(group_registry& groups, group_log& log, scheduler& sched,
                       const coordinator_config& config, const std::atomic<bool>& stopped)
    : _groups(groups), _log(log), _sched(sched), _config(config), _stopped(stopped) {}

std::string membership::new_member_id(std::string_view client_id) {
  // Kafka's form, client id + "-" + UUID; the client id part is capped so that an id always
  // fits the int16-length strings of the protocol and of the log format.
  return std::string(client_id.substr(0, max_client_id_in_member_id)) + "-" + random_uuid();
}

// ---- JoinGroup -------------------------------------------------------------------------------

void membership::join(join_request req, std::function<void(join_result)> done) {
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
  if (req.reason) {
    // KIP-800: Kafka logs the client's reason with the rebalance it causes; we log every join
    // that carries one (a rejoin names what made the client rejoin).
    log().info("group {}: JoinGroup from client {} (member '{}'); client reason: {}", req.group_id,
               req.client_id, req.member_id, *req.reason);
  }
  auto g = req.member_id.empty() ? _groups.get_or_create(req.group_id) : _groups.find(req.group_id);
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
  _log.deliver(std::move(out));
}

void membership::join_new_member(group& g, join_request& req,
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

void membership::join_known_member(group& g, join_request& req,
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
      if (m.only_selected_protocol) {
        // A member replayed after a restart: now its whole list is known again.
        m.protocols = req.protocols;
        m.only_selected_protocol = false;
      }
      touch_session(g, m);
      out.reply(std::move(done), current_join_result(g, m));
      return;
    case group_state::empty:
    case group_state::dead:
      return reject(errc::unknown_member_id);
  }
}

void membership::replace_static_member(group& g, const std::string& old_id,
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
        if (errc e = _log.write_group_metadata(g, out); e != errc::ok) {
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
        if (req.supports_skip_assignment) {
          // KIP-814 (JoinGroup v9+): a returning static leader learns that it leads, with the
          // member list, but must keep the stored assignment instead of assigning again.
          r = current_join_result(g, placed);
          r.skip_assignment = g.is_leader(new_id);
        } else {
          r.generation = g.generation;
          r.protocol_type = g.protocol_type;
          r.protocol_name = *g.protocol_name;
          r.leader = previous_leader.value_or(std::string());
          r.member_id = new_id;
        }
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

void membership::update_member(member& m, const join_request& req) {
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.protocol_type = req.protocol_type;
  m.protocols = req.protocols;
  m.only_selected_protocol = false;
}

member& membership::add_member(group& g, const join_request& req, std::string id,
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

void membership::rebalance_after_join(group& g, outbox& out) {
  if (g.state == group_state::preparing_rebalance) {
    maybe_complete_join(g, out, false);
  } else {
    prepare_rebalance(g, out);
  }
}

void membership::prepare_rebalance(group& g, outbox& out) {
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

void membership::maybe_complete_join(group& g, outbox& out, bool deadline_passed) {
  if (g.state != group_state::preparing_rebalance) return;
  if (g.initial_delay && !deadline_passed) return;  // the initial delay runs its course
  if (deadline_passed || g.all_members_joined()) complete_join(g, out);
}

void membership::complete_join(group& g, outbox& out) {
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
    if (errc e = _log.write_group_metadata(g, out); e != errc::ok) {
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

join_result membership::current_join_result(const group& g, const member& m) const {
  join_result r;
  r.generation = g.generation;
  r.protocol_type = g.protocol_type;
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

errc membership::validate_member(group& g, const std::string& member_id,
                                        const std::optional<std::string>& instance_id) const {
  if (instance_id) {
    auto it = g.static_members.find(*instance_id);
    if (it != g.static_members.end() && it->second != member_id) return errc::fenced_instance_id;
  }
  if (!g.has(member_id)) return errc::unknown_member_id;
  return errc::ok;
}

void membership::remove_member(group& g, const std::string& member_id, errc reason,
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

void membership::fail_pending_syncs(group& g, errc e, outbox& out) {
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

void membership::sync(sync_request req, std::function<void(sync_result)> done) {
  auto fail = [&](errc e) {
    sync_result r;
    r.error = e;
    done(std::move(r));
  };
  if (_stopped.load()) return fail(errc::coordinator_not_available);
  auto g = _groups.find(req.group_id);
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
    if (e == errc::ok && !matches_group_protocol(*g, req)) e = errc::inconsistent_group_protocol;
    if (e != errc::ok) {
      reject(e);
    } else if (g->state == group_state::preparing_rebalance) {
      reject(errc::rebalance_in_progress);
    } else if (g->state == group_state::stable) {
      member& m = *g->find(req.member_id);
      touch_session(*g, m);
      sync_result r = synced(*g);
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
        if (errc we = _log.write_group_metadata(*g, out); we != errc::ok) {
          fail_pending_syncs(*g, we, out);
          prepare_rebalance(*g, out);
        } else {
          g->state = group_state::stable;
          for (auto& [id, other] : g->members) {
            if (!other.awaiting_sync) continue;
            sync_result answer = synced(*g);
            answer.assignment = other.assignment;
            out.add([done = std::move(other.awaiting_sync), answer = std::move(answer)](errc flushed) mutable {
              if (flushed != errc::ok) {
                sync_result failed;
                failed.error = flushed;
                return done(std::move(failed));
              }
              done(std::move(answer));
            });
            other.awaiting_sync = nullptr;
          }
        }
      }
    } else {
      reject(errc::unknown_member_id);
    }
  }
  _log.deliver(std::move(out));
}

errc membership::heartbeat(const heartbeat_request& req) {
  if (_stopped.load()) return errc::coordinator_not_available;
  auto g = _groups.find(req.group_id);
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

void membership::leave(std::string group_id, std::vector<member_identity> identities,
                              std::function<void(leave_result)> done) {
  leave_result result;
  if (_stopped.load()) {
    result.error = errc::coordinator_not_available;
    return done(std::move(result));
  }
  auto g = _groups.find(group_id);
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
            log().info("group {}: static member {} ({}) left; client reason: {}", g->id(),
                       *who.group_instance_id, id, who.reason.value_or("not provided"));
            remove_member(*g, id, errc::unknown_member_id, out);
            result.members.push_back(errc::ok);
          }
        } else if (g->pending.erase(who.member_id) > 0) {
          log().info("group {}: pending member {} left; client reason: {}", g->id(), who.member_id,
                     who.reason.value_or("not provided"));
          maybe_complete_join(*g, out, false);
          result.members.push_back(errc::ok);
        } else if (!g->has(who.member_id)) {
          result.members.push_back(errc::unknown_member_id);
        } else {
          log().info("group {}: member {} left; client reason: {}", g->id(), who.member_id,
                     who.reason.value_or("not provided"));
          remove_member(*g, who.member_id, errc::unknown_member_id, out);
          result.members.push_back(errc::ok);
        }
      }
    }
    out.reply(std::move(done), std::move(result));
  }
  _log.deliver(std::move(out));
}

}  // namespace sluice::broker::group
