/// How `assign_tasks` decides, step by step (names as in Kafka Streams where they exist):
///
/// 1. Lags and caught-up clients. A client's lag for a stateful task is its `lags` entry (0 for
///    a task it ran actively, `no_state_lag` without state). It is *caught up* when the lag is
///    at most `acceptable.recovery.lag`, or always when that is unbounded — Kafka's rule. When
///    no client has state for a task, no client is more caught up than another: whoever the
///    target names takes it at once, as in Kafka, where such a task's lag is its whole
///    changelog on every client.
/// 2. Target for stateful actives. Each task first goes to its previous active owner if that
///    client is still here; a task without one goes to the client with the best state for it
///    (caught up, else the least lag), then the least loaded. Then tasks move from heavier to
///    lighter clients until balanced (header: Kafka's criterion); the tasks moved first are
///    those the destination is caught up for, then those the source is not caught up for, then
///    those the destination has the most state for, then the lowest id. Moving the same tasks
///    from one rebalance to the next is what lets a warm-up finish.
/// 3. Movements. A target owner that is not caught up, while another client is more caught up
///    (Kafka's "taskIsNotCaughtUpOnClientAndOtherMoreCaughtUpClientsExist"), does not get the
///    task: it stays with a caught-up client — its previous owner if still here (a running
///    task is caught up; it just keeps running), else the least loaded caught-up one — or, if
///    nobody is caught up, with the most caught-up client. The target is remembered: it gets a replica in step 4 or 5. Every
///    movement makes `probing_rebalance_needed` true, warm-up or not.
/// 4. Standbys. `num.standby.replicas` per stateful task (fewer when there are not that many
///    other clients; nothing is logged, the caller may), never on its active client: caught-up clients first, then the task's movement target (it
///    needs the state anyway), then the least lag; ties to the least loaded (active + standby
///    per thread).
/// 5. Warm-ups. Movements in Kafka's priority order — fewest caught-up clients first (the
///    tasks whose state is least replicated), then the target's lag (keeps a warm-up that is
///    under way ahead of a new one), then task id — give their target a warm-up replica unless
///    it already has the task as standby, `max.warmup.replicas` in total.
/// 6. Stateless actives: to their previous owner, the rest to the least loaded; then balanced
///    on each client's total active count (stateful actives stay put).
///
/// Deviations from Kafka's HighAvailabilityTaskAssignor, on purpose:
/// - Kafka's target is a round-robin over the sorted clients, balanced afterwards; it ignores
///   previous owners and relies on the movements for stickiness, so an assignment that is
///   balanced but not the round-robin one is shuffled through warm-ups and probing
///   rebalances. Here the target is sticky (step 2), in the order of Kafka's (legacy)
///   StickyTaskAssignor, and a balanced stable group keeps everything without any warm-up.
/// - Kafka places standbys by load, balances them, then moves those on clients that are not
///   caught up back to caught-up ones with warm-ups (standby movements, sharing the warm-up
///   budget). Here standbys go to the clients with state in the first place (step 4), so they
///   never need warm-ups and the budget serves actives only.
/// - Kafka, to keep a task off a target that is not caught up, first swaps it with a caught-up
///   standby holder (the target takes over that standby); here the previous owner keeps it (no
///   hand-over at all), and the target ranks right after the caught-up clients for the task's
///   standbys (step 4), so it needs no warm-up whenever a standby slot is left for it.
/// - Stateless tasks are sticky to their previous owner (Kafka: least loaded, not sticky).
/// - No rack awareness and no client tags.

#include "runtime/detail/task_assignor.h"

#include "core/assert.h"

#include <algorithm>
#include <compare>
#include <cstddef>
#include <numeric>
#include <string_view>
#include <tuple>

namespace sluice::runtime::detail {
namespace {

using dsl::task_id;

constexpr std::size_t none = static_cast<std::size_t>(-1);

/// count / capacity, compared exactly by cross-multiplying (capacities are ≥ 1). 1/2 and 2/4
/// are equivalent, not equal: a weak order, and no `==`.
struct ratio {
  int64_t num = 0;
  int64_t den = 1;

  friend std::weak_ordering operator<=>(ratio a, ratio b) noexcept {
    return a.num * b.den <=> b.num * a.den;
  }
};

/// A client (capacity = its threads) or a thread (capacity 1) as `balance` sees it.
struct bin {
  int64_t capacity = 1;
  /// Every task it holds, movable or not.
  int64_t count = 0;
  /// Indexes of the tasks `balance` may move away from it.
  std::set<std::size_t> movable;

  ratio load() const noexcept { return {count, capacity}; }
};

/// Kafka's criterion: moving one task from `from` to `to` helps when `from` is heavier and is
/// not lighter than `to` afterwards. Each such move lowers Σ count² / capacity, so moving while
/// it holds ends.
bool should_move(const bin& from, const bin& to) {
  return from.load() > to.load() &&
         ratio{from.count - 1, from.capacity} >= ratio{to.count + 1, to.capacity};
}

void place(std::vector<bin>& bins, std::vector<std::size_t>& owner, std::size_t task,
           std::size_t where) {
  owner[task] = where;
  ++bins[where].count;
  bins[where].movable.insert(task);
}

/// Moves movable tasks from heavier to lighter bins until `should_move` holds for no pair: the
/// heaviest source with something to give, towards the lightest destination it may give to
/// (ties by index). Of the source's movable tasks the one with the lowest `cost(task, from, to)`
/// moves.
template <class Cost>
void balance(std::vector<bin>& bins, std::vector<std::size_t>& owner, const Cost& cost) {
  std::vector<std::size_t> heaviest(bins.size());
  std::vector<std::size_t> lightest(bins.size());
  for (;;) {
    std::iota(heaviest.begin(), heaviest.end(), std::size_t{0});
    std::iota(lightest.begin(), lightest.end(), std::size_t{0});
    std::stable_sort(heaviest.begin(), heaviest.end(),
                     [&](std::size_t a, std::size_t b) { return bins[a].load() > bins[b].load(); });
    std::stable_sort(lightest.begin(), lightest.end(),
                     [&](std::size_t a, std::size_t b) { return bins[a].load() < bins[b].load(); });
    bool moved = false;
    for (const std::size_t from : heaviest) {
      if (bins[from].movable.empty()) continue;
      for (const std::size_t to : lightest) {
        if (to == from || !should_move(bins[from], bins[to])) continue;
        const auto& candidates = bins[from].movable;
        const std::size_t task = *std::min_element(
            candidates.begin(), candidates.end(),
            [&](std::size_t a, std::size_t b) { return cost(a, from, to) < cost(b, from, to); });
        bins[from].movable.erase(task);
        --bins[from].count;
        place(bins, owner, task, to);
        moved = true;
        break;
      }
      if (moved) break;
    }
    if (!moved) return;
  }
}

/// The index of `t` in the sorted `tasks`, or `none`.
std::size_t index_of(const std::vector<task_id>& tasks, const task_id& t) {
  const auto it = std::lower_bound(tasks.begin(), tasks.end(), t);
  return it != tasks.end() && *it == t ? static_cast<std::size_t>(it - tasks.begin()) : none;
}

/// A stateful task whose target owner is not caught up (step 3).
struct movement {
  std::size_t task = 0;
  std::size_t target = 0;
  std::size_t caught_up_clients = 0;
};

}  // namespace

task_assignment assign_tasks(std::span<const client_state> input,
                             const std::set<task_id>& tasks,
                             const std::set<task_id>& stateful_ids,
                             const assignment_config& config) {
  task_assignment result;
  if (input.empty()) return result;

  std::vector<const client_state*> clients;
  clients.reserve(input.size());
  for (const auto& c : input) clients.push_back(&c);
  std::sort(clients.begin(), clients.end(),
            [](const client_state* a, const client_state* b) { return a->process_id < b->process_id; });
  for (std::size_t c = 1; c < clients.size(); ++c) {
    SLUICE_ASSERT(clients[c - 1]->process_id != clients[c]->process_id,
                  "assign_tasks: two clients with the same process id");
  }
  const std::size_t m = clients.size();
  std::vector<int64_t> capacity(m);
  for (std::size_t c = 0; c < m; ++c) capacity[c] = std::max(1, clients[c]->capacity);

  std::vector<task_id> stateful;
  std::vector<task_id> stateless;
  for (const auto& t : tasks) (stateful_ids.contains(t) ? stateful : stateless).push_back(t);
  const std::size_t ns = stateful.size();

  // Step 1: lags, caught-up clients.
  const int64_t acceptable = std::max<int64_t>(0, config.acceptable_recovery_lag);
  std::vector<std::vector<int64_t>> lag(ns, std::vector<int64_t>(m, no_state_lag));
  std::vector<std::size_t> previous_owner(ns, none);
  for (std::size_t c = 0; c < m; ++c) {
    for (const auto& [t, records] : clients[c]->lags) {
      if (const std::size_t i = index_of(stateful, t); i != none) lag[i][c] = std::max<int64_t>(0, records);
    }
    for (const auto& t : clients[c]->previous_active) {
      if (const std::size_t i = index_of(stateful, t); i != none) {
        lag[i][c] = 0;
        if (previous_owner[i] == none) previous_owner[i] = c;
      }
    }
  }
  const auto caught_up = [&](std::size_t t, std::size_t c) { return lag[t][c] <= acceptable; };
  const auto ran = [&](std::size_t c, const task_id& t) { return clients[c]->previous_active.contains(t); };

  // Step 2: the balanced, sticky target.
  std::vector<bin> bins(m);
  for (std::size_t c = 0; c < m; ++c) bins[c].capacity = capacity[c];
  std::vector<std::size_t> owner(ns, none);
  for (std::size_t t = 0; t < ns; ++t) {
    if (previous_owner[t] != none) place(bins, owner, t, previous_owner[t]);
  }
  for (std::size_t t = 0; t < ns; ++t) {
    if (owner[t] != none) continue;
    const auto key = [&](std::size_t c) {
      return std::tuple(caught_up(t, c) ? 0 : lag[t][c], ratio{bins[c].count + 1, capacity[c]}, lag[t][c], c);
    };
    std::size_t best = 0;
    for (std::size_t c = 1; c < m; ++c) {
      if (key(c) < key(best)) best = c;
    }
    place(bins, owner, t, best);
  }
  balance(bins, owner, [&](std::size_t t, std::size_t from, std::size_t to) {
    return std::tuple(caught_up(t, to) ? 0 : 1, caught_up(t, from) ? 1 : 0, lag[t][to], t);
  });

  // Step 3: movements.
  std::vector<int64_t> active_count(m);
  for (std::size_t c = 0; c < m; ++c) active_count[c] = bins[c].count;
  std::vector<movement> movements;
  for (std::size_t t = 0; t < ns; ++t) {
    const std::size_t target = owner[t];
    if (caught_up(t, target)) continue;
    const int64_t best_lag = *std::min_element(lag[t].begin(), lag[t].end());
    if (best_lag >= lag[t][target]) continue;
    std::size_t caught_up_clients = 0;
    for (std::size_t c = 0; c < m; ++c) caught_up_clients += caught_up(t, c) ? 1 : 0;
    movements.push_back({t, target, caught_up_clients});
  }
  std::sort(movements.begin(), movements.end(), [&](const movement& a, const movement& b) {
    return std::tuple(a.caught_up_clients, lag[a.task][a.target], a.task) <
           std::tuple(b.caught_up_clients, lag[b.task][b.target], b.task);
  });
  std::vector<std::size_t> warm_target(ns, none);
  for (const auto& mv : movements) {
    const std::size_t t = mv.task;
    const bool any_caught_up = mv.caught_up_clients > 0;
    const auto key = [&](std::size_t c) {
      return std::tuple(any_caught_up ? 0 : lag[t][c], ran(c, stateful[t]) ? 0 : 1,
                        ratio{active_count[c] + 1, capacity[c]}, lag[t][c], c);
    };
    std::size_t source = none;
    for (std::size_t c = 0; c < m; ++c) {
      if (c == mv.target) continue;
      if (any_caught_up ? !caught_up(t, c) : lag[t][c] >= lag[t][mv.target]) continue;
      if (source == none || key(c) < key(source)) source = c;
    }
    SLUICE_ASSERT(source != none, "assign_tasks: a movement without a more caught-up client");
    owner[t] = source;
    --active_count[mv.target];
    ++active_count[source];
    warm_target[t] = mv.target;
  }

  std::vector<client_assignment> out(m);
  for (std::size_t t = 0; t < ns; ++t) out[owner[t]].active.insert(stateful[t]);

  // Step 4: standbys.
  const auto replicas = static_cast<std::size_t>(std::max(0, config.num_standby_replicas));
  const std::size_t wanted = std::min(replicas, m - 1);
  if (wanted > 0) {
    std::vector<int64_t> assigned = active_count;
    std::vector<std::size_t> candidates;
    candidates.reserve(m);
    for (std::size_t t = 0; t < ns; ++t) {
      candidates.clear();
      for (std::size_t c = 0; c < m; ++c) {
        if (c != owner[t]) candidates.push_back(c);
      }
      const auto key = [&](std::size_t c) {
        const bool ok = caught_up(t, c);
        return std::tuple(ok ? 0 : (c == warm_target[t] ? 1 : 2), ok ? 0 : lag[t][c],
                          ratio{assigned[c] + 1, capacity[c]}, c);
      };
      std::partial_sort(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(wanted),
                        candidates.end(), [&](std::size_t a, std::size_t b) { return key(a) < key(b); });
      for (std::size_t i = 0; i < wanted; ++i) {
        out[candidates[i]].standby.insert(stateful[t]);
        ++assigned[candidates[i]];
      }
    }
  }

  // Step 5: warm-ups.
  int64_t budget = std::max(0, config.max_warmup_replicas);
  for (const auto& mv : movements) {
    if (budget == 0) break;
    const task_id& t = stateful[mv.task];
    if (out[mv.target].standby.contains(t)) continue;
    out[mv.target].warmup.insert(t);
    --budget;
  }
  result.probing_rebalance_needed = !movements.empty();

  // Step 6: stateless actives.
  std::vector<bin> totals(m);
  for (std::size_t c = 0; c < m; ++c) totals[c] = bin{capacity[c], active_count[c], {}};
  std::vector<std::size_t> stateless_owner(stateless.size(), none);
  for (std::size_t t = 0; t < stateless.size(); ++t) {
    for (std::size_t c = 0; c < m; ++c) {
      if (ran(c, stateless[t])) {
        place(totals, stateless_owner, t, c);
        break;
      }
    }
  }
  for (std::size_t t = 0; t < stateless.size(); ++t) {
    if (stateless_owner[t] != none) continue;
    std::size_t best = 0;
    for (std::size_t c = 1; c < m; ++c) {
      if (ratio{totals[c].count + 1, capacity[c]} < ratio{totals[best].count + 1, capacity[best]}) best = c;
    }
    place(totals, stateless_owner, t, best);
  }
  balance(totals, stateless_owner, [&](std::size_t t, std::size_t from, std::size_t to) {
    return std::tuple(ran(to, stateless[t]) ? 0 : 1, ran(from, stateless[t]) ? 1 : 0, t);
  });
  for (std::size_t t = 0; t < stateless.size(); ++t) out[stateless_owner[t]].active.insert(stateless[t]);

  for (std::size_t c = 0; c < m; ++c) result.clients.emplace(clients[c]->process_id, std::move(out[c]));
  return result;
}

task_assignment withhold_until_revoked(task_assignment target, std::span<const client_state> clients) {
  std::map<task_id, std::vector<std::string_view>> owners;
  std::map<std::string_view, const client_state*> by_id;
  for (const auto& c : clients) {
    by_id.emplace(c.process_id, &c);
    for (const auto& t : c.previous_active) owners[t].push_back(c.process_id);
  }
  for (auto& entry : target.clients) {
    const std::string& id = entry.first;  // not a structured binding: lambdas capture it (clang 14)
    client_assignment& a = entry.second;
    const auto self = by_id.find(id);
    const client_state* me = self == by_id.end() ? nullptr : self->second;
    for (auto it = a.active.begin(); it != a.active.end();) {
      const task_id t = *it;
      const auto o = owners.find(t);
      const bool mine = me != nullptr && me->previous_active.contains(t);
      const bool theirs = o != owners.end() &&
                          std::any_of(o->second.begin(), o->second.end(),
                                      [&](std::string_view p) { return p != id; });
      if (mine || !theirs) {
        ++it;
        continue;
      }
      it = a.active.erase(it);
      a.withheld.insert(t);
      // Keep its state open meanwhile: an active task closed now would restore again.
      if (me != nullptr && me->previous_standby.contains(t)) a.standby.insert(t);
      target.followup_rebalance_needed = true;
    }
  }
  return target;
}

std::vector<thread_tasks> assign_to_threads(const std::set<task_id>& active,
                                            const std::set<task_id>& standby,
                                            std::span<const thread_tasks> previous,
                                            int num_threads) {
  const auto n = static_cast<std::size_t>(std::max(1, num_threads));
  const std::size_t known = std::min(n, previous.size());
  const auto had_active = [&](std::size_t i, const task_id& t) {
    return i < known && previous[i].active.contains(t);
  };
  const auto had_standby = [&](std::size_t i, const task_id& t) {
    return i < known && previous[i].standby.contains(t);
  };
  // The thread that had `t` in the preferred role, else in the other one, else none.
  const auto previous_thread = [&](const task_id& t, bool as_active) {
    for (const bool first : {true, false}) {
      const bool want_active = first == as_active;
      for (std::size_t i = 0; i < known; ++i) {
        if (want_active ? had_active(i, t) : had_standby(i, t)) return i;
      }
    }
    return none;
  };

  std::vector<thread_tasks> out(n);
  std::vector<bin> threads(n);
  // Fills `threads` with `list` (on top of what they hold), sticky, then balances; `as_active`
  // says which previous role a thread should have had to be preferred.
  const auto distribute = [&](const std::vector<task_id>& list, bool as_active) {
    for (auto& b : threads) b.movable.clear();
    std::vector<std::size_t> owner(list.size(), none);
    for (std::size_t t = 0; t < list.size(); ++t) {
      if (const std::size_t p = previous_thread(list[t], as_active); p != none) place(threads, owner, t, p);
    }
    for (std::size_t t = 0; t < list.size(); ++t) {
      if (owner[t] != none) continue;
      std::size_t best = 0;
      for (std::size_t i = 1; i < n; ++i) {
        if (threads[i].count < threads[best].count) best = i;
      }
      place(threads, owner, t, best);
    }
    const auto preference = [&](std::size_t i, const task_id& t) {
      const bool same = as_active ? had_active(i, t) : had_standby(i, t);
      const bool other = as_active ? had_standby(i, t) : had_active(i, t);
      return same ? 0 : other ? 1 : 2;
    };
    // Move first to a thread that had the task (in the same role best), and first a task its
    // source did not have (then one it had in the other role).
    balance(threads, owner, [&](std::size_t t, std::size_t from, std::size_t to) {
      return std::tuple(preference(to, list[t]), 2 - preference(from, list[t]), t);
    });
    return owner;
  };

  const std::vector<task_id> actives(active.begin(), active.end());
  const auto active_owner = distribute(actives, true);
  for (std::size_t t = 0; t < actives.size(); ++t) out[active_owner[t]].active.insert(actives[t]);

  std::vector<task_id> standbys;
  for (const auto& t : standby) {
    if (!active.contains(t)) standbys.push_back(t);
  }
  const auto standby_owner = distribute(standbys, false);
  for (std::size_t t = 0; t < standbys.size(); ++t) out[standby_owner[t]].standby.insert(standbys[t]);
  return out;
}

}  // namespace sluice::runtime::detail
