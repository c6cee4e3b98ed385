#include "broker/group/membership.h"

#include "broker/group/logger.h"

#include <algorithm>

namespace sluice::broker::group {
// ---- start-up --------------------------------------------------------------------------------

size_t membership::resume_loaded_groups() {
  size_t members = 0;
  for (const auto& gp : _groups.all()) {
    group& g = *gp;
    std::lock_guard lock(g.mutex);
    if (g.members.empty() && g.offsets.empty() && g.pending_txn_offsets.empty() && !g.persisted) {
      _groups.forget(gp);
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
  }
  return members;
}

// ---- timers ----------------------------------------------------------------------------------

void membership::touch_session(group& g, member& m) {
  m.session_deadline_ms = _sched.now_ms() + m.session_timeout_ms;
  arm_session_timer(g, m);
}

void membership::arm_session_timer(group& g, member& m) {
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

void membership::on_session_timer(const std::weak_ptr<group>& wg, const std::string& member_id,
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
  _log.deliver(std::move(out));
}

void membership::arm_pending_timer(group& g, const std::string& member_id,
                                          uint64_t incarnation, int64_t delay_ms) {
  _sched.run_after(std::chrono::milliseconds(std::max<int64_t>(0, delay_ms)),
                   [this, wg = g.weak_from_this(), member_id, incarnation] {
                     on_pending_timer(wg, member_id, incarnation);
                   });
}

void membership::on_pending_timer(const std::weak_ptr<group>& wg, const std::string& member_id,
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
      _groups.forget(g);  // a join that never came back leaves nothing behind
    }
  }
  _log.deliver(std::move(out));
}

void membership::arm_join_timer(group& g) {
  const uint64_t seq = ++g.join_timer_seq;
  auto delay = std::max<int64_t>(0, g.join_deadline_ms - _sched.now_ms());
  _sched.run_after(std::chrono::milliseconds(delay),
                   [this, wg = g.weak_from_this(), seq] { on_join_timer(wg, seq); });
}

void membership::on_join_timer(const std::weak_ptr<group>& wg, uint64_t seq) {
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
  _log.deliver(std::move(out));
}

}  // namespace sluice::broker::group
