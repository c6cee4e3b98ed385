#include "runtime/detail/task_assignor.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace sluice::dsl {
// Readable task ids in failure messages ("0_3").
void PrintTo(const task_id& t, std::ostream* os) { *os << t.to_string(); }
}  // namespace sluice::dsl

namespace sluice::runtime::detail {
namespace {

using dsl::task_id;
using task_set = std::set<task_id>;

task_id t(int32_t subtopology, int32_t partition) { return {subtopology, partition_id{partition}}; }

/// Tasks `sub`_0 .. `sub`_(n-1).
task_set range(int32_t sub, int32_t n) {
  task_set s;
  for (int32_t p = 0; p < n; ++p) s.insert(t(sub, p));
  return s;
}

task_set join(const task_set& a, const task_set& b) {
  task_set s = a;
  s.insert(b.begin(), b.end());
  return s;
}

client_state client(std::string id, int threads, task_set active = {}, task_set standby = {},
                    std::map<task_id, int64_t> lags = {}) {
  return client_state{std::move(id), threads, std::move(active), std::move(standby), std::move(lags)};
}

/// `lag` for every task of `tasks`.
std::map<task_id, int64_t> lags_of(const task_set& tasks, int64_t lag) {
  std::map<task_id, int64_t> m;
  for (const auto& x : tasks) m[x] = lag;
  return m;
}

std::size_t total_warmups(const task_assignment& a) {
  std::size_t n = 0;
  for (const auto& [id, c] : a.clients) n += c.warmup.size();
  return n;
}

/// The client that runs `x` actively ("" if none, "?" if several).
std::string owner_of(const task_assignment& a, const task_id& x) {
  std::string owner;
  for (const auto& [id, c] : a.clients) {
    if (c.active.contains(x)) owner = owner.empty() ? id : "?";
  }
  return owner;
}

// ---------------------------------------------------------------------------------------------
// assign_tasks

TEST(task_assignor, a_stable_balanced_group_keeps_everything) {
  const task_set stateful = range(0, 6);
  const task_set all = join(stateful, range(1, 3));
  // Each client runs two stateful tasks and one stateless; the next client keeps the standbys.
  const std::vector<client_state> clients = {
      client("a", 1, {t(0, 0), t(0, 1), t(1, 0)}, {t(0, 4), t(0, 5)}, lags_of({t(0, 4), t(0, 5)}, 7)),
      client("b", 1, {t(0, 2), t(0, 3), t(1, 1)}, {t(0, 0), t(0, 1)}, lags_of({t(0, 0), t(0, 1)}, 0)),
      client("c", 1, {t(0, 4), t(0, 5), t(1, 2)}, {t(0, 2), t(0, 3)}, lags_of({t(0, 2), t(0, 3)}, 3)),
  };
  const auto a = assign_tasks(clients, all, stateful, {.num_standby_replicas = 1});

  for (const auto& c : clients) {
    EXPECT_EQ(a.clients.at(c.process_id).active, c.previous_active) << c.process_id;
    EXPECT_EQ(a.clients.at(c.process_id).standby, c.previous_standby) << c.process_id;
    EXPECT_TRUE(a.clients.at(c.process_id).warmup.empty()) << c.process_id;
  }
  EXPECT_FALSE(a.probing_rebalance_needed);
}

TEST(task_assignor, a_new_empty_client_gets_warmups_not_actives) {
  const task_set stateful = range(0, 4);
  const std::vector<client_state> clients = {client("a", 1, stateful), client("b", 1)};
  const auto a = assign_tasks(clients, stateful, stateful, {});

  // Balance wants two tasks on b, but b would restore them from scratch while a runs them now.
  EXPECT_EQ(a.clients.at("a").active, stateful);
  EXPECT_TRUE(a.clients.at("b").active.empty());
  EXPECT_EQ(a.clients.at("b").warmup, (task_set{t(0, 0), t(0, 1)}));
  EXPECT_TRUE(a.clients.at("b").standby.empty());
  EXPECT_TRUE(a.probing_rebalance_needed);
}

TEST(task_assignor, a_caught_up_warmup_becomes_active_at_the_next_rebalance) {
  const task_set stateful = range(0, 4);
  // The probing rebalance after the test above: b's warm-ups are within the acceptable lag.
  const std::vector<client_state> clients = {
      client("a", 1, stateful),
      client("b", 1, {}, {t(0, 0), t(0, 1)}, {{t(0, 0), 120}, {t(0, 1), 0}}),
  };
  const auto a = assign_tasks(clients, stateful, stateful, {});

  EXPECT_EQ(a.clients.at("a").active, (task_set{t(0, 2), t(0, 3)}));
  EXPECT_EQ(a.clients.at("b").active, (task_set{t(0, 0), t(0, 1)}));
  EXPECT_EQ(total_warmups(a), 0u);
  EXPECT_FALSE(a.probing_rebalance_needed);
}

TEST(task_assignor, a_warmup_still_behind_keeps_warming_the_same_tasks) {
  const task_set stateful = range(0, 4);
  const std::vector<client_state> clients = {
      client("a", 1, stateful),
      // Half-way: finite lags, still above acceptable.recovery.lag.
      client("b", 1, {}, {t(0, 2), t(0, 3)}, {{t(0, 2), 50'000}, {t(0, 3), 40'000}}),
  };
  const auto a = assign_tasks(clients, stateful, stateful, {});

  EXPECT_EQ(a.clients.at("a").active, stateful);
  EXPECT_EQ(a.clients.at("b").warmup, (task_set{t(0, 2), t(0, 3)}));
  EXPECT_TRUE(a.probing_rebalance_needed);
}

TEST(task_assignor, nobody_caught_up_means_the_most_caught_up_client_runs_the_task) {
  // Neither is within the acceptable lag, but a is closer: it runs the task, b warms up
  // (Kafka's KAFKA-13600 fallback).
  const task_set stateful = {t(0, 0), t(0, 1)};
  const std::vector<client_state> clients = {
      client("a", 1, {}, {}, {{t(0, 0), 20'000}, {t(0, 1), 20'000}}),
      client("b", 1, {}, {}, {{t(0, 0), 90'000}}),
  };
  const auto a = assign_tasks(clients, stateful, stateful, {});

  // Balance sends one task to b: the one b has some state for.
  EXPECT_EQ(owner_of(a, t(0, 0)), "a");
  EXPECT_EQ(owner_of(a, t(0, 1)), "a");
  EXPECT_EQ(a.clients.at("b").warmup, (task_set{t(0, 0)}));
  EXPECT_TRUE(a.probing_rebalance_needed);
}

TEST(task_assignor, without_state_anywhere_the_balanced_target_is_taken_at_once) {
  const task_set stateful = range(0, 6);
  const std::vector<client_state> clients = {client("a", 1), client("b", 1), client("c", 1)};
  const auto a = assign_tasks(clients, stateful, stateful, {.num_standby_replicas = 1});

  for (const auto& [id, c] : a.clients) {
    EXPECT_EQ(c.active.size(), 2u) << id;
    EXPECT_EQ(c.standby.size(), 2u) << id;
  }
  EXPECT_EQ(total_warmups(a), 0u);
  EXPECT_FALSE(a.probing_rebalance_needed);
}

TEST(task_assignor, the_target_takes_the_standby_slot_instead_of_a_warmup) {
  // Two clients, one standby: b is the only place for the standbys, so the task b should run
  // later is kept there as a standby, and no warm-up is spent on it.
  const task_set stateful = {t(0, 0), t(0, 1)};
  const std::vector<client_state> clients = {client("a", 1, stateful), client("b", 1)};
  const auto a = assign_tasks(clients, stateful, stateful, {.num_standby_replicas = 1});

  EXPECT_EQ(a.clients.at("a").active, stateful);
  EXPECT_TRUE(a.clients.at("a").standby.empty());
  EXPECT_EQ(a.clients.at("b").standby, stateful);
  EXPECT_TRUE(a.clients.at("b").warmup.empty());
  EXPECT_TRUE(a.probing_rebalance_needed);
}

TEST(task_assignor, standbys_go_to_the_clients_with_the_least_lag) {
  const task_set stateful = {t(0, 0)};
  const std::vector<client_state> clients = {
      client("a", 1, stateful),
      client("b", 1, {}, {}, {{t(0, 0), 50'000}}),
      client("c", 1),
      client("d", 1, {}, {}, {{t(0, 0), 20'000}}),
      client("e", 1, {}, {}, {{t(0, 0), 9'000}}),  // caught up
  };
  const auto a = assign_tasks(clients, stateful, stateful, {.num_standby_replicas = 3});

  EXPECT_EQ(owner_of(a, t(0, 0)), "a");
  EXPECT_EQ(a.clients.at("e").standby, stateful);
  EXPECT_EQ(a.clients.at("d").standby, stateful);
  EXPECT_EQ(a.clients.at("b").standby, stateful);
  EXPECT_TRUE(a.clients.at("c").standby.empty());
  EXPECT_FALSE(a.probing_rebalance_needed);
}

TEST(task_assignor, standbys_go_to_movement_targets_then_to_the_least_loaded) {
  const task_set stateful = range(0, 4);
  const std::vector<client_state> clients = {
      client("a", 1, {t(0, 0), t(0, 1)}),
      client("b", 1, {t(0, 2), t(0, 3)}),
      client("c", 2),  // two threads, nothing yet
  };
  const auto a = assign_tasks(clients, stateful, stateful, {.num_standby_replicas = 1});

  // Balance wants 0_0 and 0_2 on c; they stay where they run and c keeps their standbys
  // (so no warm-up is spent). 0_1 and 0_3 have nobody with state either: their standbys go
  // to the lightest client per thread, c again.
  EXPECT_EQ(a.clients.at("a").active, (task_set{t(0, 0), t(0, 1)}));
  EXPECT_EQ(a.clients.at("b").active, (task_set{t(0, 2), t(0, 3)}));
  EXPECT_EQ(a.clients.at("c").standby, stateful);
  EXPECT_EQ(total_warmups(a), 0u);
  EXPECT_TRUE(a.probing_rebalance_needed);
}

TEST(task_assignor, standbys_are_capped_by_the_number_of_other_clients) {
  const task_set stateful = range(0, 3);
  const std::vector<client_state> clients = {client("a", 1, stateful), client("b", 1, {}, stateful, lags_of(stateful, 0))};
  const auto a = assign_tasks(clients, stateful, stateful, {.num_standby_replicas = 3});

  for (const auto& x : stateful) {
    std::size_t n = 0;
    for (const auto& [id, c] : a.clients) n += c.standby.contains(x) ? 1 : 0;
    EXPECT_EQ(n, 1u) << x.to_string();
    // Never active and standby on one client.
    for (const auto& [id, c] : a.clients) EXPECT_FALSE(c.active.contains(x) && c.standby.contains(x));
  }
}

TEST(task_assignor, max_warmup_replicas_bounds_the_warmups_of_one_rebalance) {
  const task_set stateful = range(0, 10);
  const std::vector<client_state> clients = {client("a", 1, stateful), client("b", 1), client("c", 1)};
  for (const int max_warmups : {0, 1, 3}) {
    const auto a = assign_tasks(clients, stateful, stateful, {.max_warmup_replicas = max_warmups});
    EXPECT_EQ(total_warmups(a), static_cast<std::size_t>(max_warmups));
    EXPECT_EQ(a.clients.at("a").active, stateful);  // nobody else could run them now
    EXPECT_TRUE(a.probing_rebalance_needed);         // even with no warm-up to wait for
  }
}

TEST(task_assignor, balance_is_weighted_by_threads) {
  const task_set stateful = range(0, 12);
  const task_set stateless = range(1, 6);
  const std::vector<client_state> clients = {client("a", 2), client("b", 4)};
  const auto a = assign_tasks(clients, join(stateful, stateless), stateful, {});

  const auto& small = a.clients.at("a").active;
  const auto& big = a.clients.at("b").active;
  const auto stateful_on = [&](const task_set& s) {
    return std::count_if(s.begin(), s.end(), [&](const task_id& x) { return stateful.contains(x); });
  };
  EXPECT_EQ(stateful_on(small), 4);
  EXPECT_EQ(stateful_on(big), 8);
  EXPECT_EQ(small.size(), 6u);
  EXPECT_EQ(big.size(), 12u);
}

TEST(task_assignor, a_client_leaving_hands_its_tasks_to_the_standby_holders) {
  const task_set stateful = range(0, 6);
  // Each client's tasks have their standby on the next client, all caught up.
  const client_state a = client("a", 1, {t(0, 0), t(0, 1)}, {t(0, 4), t(0, 5)}, lags_of({t(0, 4), t(0, 5)}, 10));
  const client_state b = client("b", 1, {t(0, 2), t(0, 3)}, {t(0, 0), t(0, 1)}, lags_of({t(0, 0), t(0, 1)}, 10));
  const client_state c = client("c", 1, {t(0, 4), t(0, 5)}, {t(0, 2), t(0, 3)}, lags_of({t(0, 2), t(0, 3)}, 10));
  const std::vector<client_state> survivors = {b, c};  // a is gone
  const auto r = assign_tasks(survivors, stateful, stateful, {.num_standby_replicas = 1});

  // a's tasks fail over to b, which has their state: no restore, no warm-up.
  EXPECT_EQ(owner_of(r, t(0, 0)), "b");
  EXPECT_EQ(owner_of(r, t(0, 1)), "b");
  // Balance moves one of b's own tasks to c, which holds its standby: also without a restore.
  EXPECT_EQ(r.clients.at("b").active.size(), 3u);
  EXPECT_EQ(r.clients.at("c").active.size(), 3u);
  EXPECT_FALSE(r.probing_rebalance_needed);
  EXPECT_EQ(total_warmups(r), 0u);
  // One standby per task, on the other survivor.
  for (const auto& x : stateful) {
    const std::string other = owner_of(r, x) == "b" ? "c" : "b";
    EXPECT_TRUE(r.clients.at(other).standby.contains(x)) << x.to_string();
  }
}

TEST(task_assignor, a_client_leaving_without_standbys_moves_its_tasks_at_once) {
  const task_set stateful = range(0, 4);
  const std::vector<client_state> survivors = {client("b", 1, {t(0, 2), t(0, 3)})};
  const auto r = assign_tasks(survivors, stateful, stateful, {});
  // Nobody has a's state: restoring on b is the best there is.
  EXPECT_EQ(r.clients.at("b").active, stateful);
  EXPECT_FALSE(r.probing_rebalance_needed);
}

TEST(task_assignor, stateless_tasks_are_balanced_and_sticky) {
  const task_set stateless = range(0, 9);
  const std::vector<client_state> clients = {
      client("a", 1, {t(0, 0), t(0, 1), t(0, 2), t(0, 3), t(0, 4)}),
      client("b", 1, {t(0, 5), t(0, 6), t(0, 7), t(0, 8)}),
      client("c", 1),
  };
  const auto r = assign_tasks(clients, stateless, {}, {.num_standby_replicas = 1});

  for (const auto& c : clients) {
    const auto& got = r.clients.at(c.process_id);
    EXPECT_EQ(got.active.size(), 3u) << c.process_id;
    EXPECT_TRUE(got.standby.empty() && got.warmup.empty()) << c.process_id;
    if (!c.previous_active.empty()) {
      EXPECT_TRUE(std::includes(c.previous_active.begin(), c.previous_active.end(), got.active.begin(),
                                got.active.end()))
          << c.process_id << " kept only its own tasks";
    }
  }
  EXPECT_FALSE(r.probing_rebalance_needed);
}

TEST(task_assignor, stateless_tasks_even_out_the_total_active_load) {
  const task_set stateful = range(0, 4);
  const task_set stateless = range(1, 4);
  // a runs every stateful task and nobody else has their state: they stay on a for now, and
  // the stateless tasks go to b.
  const std::vector<client_state> clients = {client("a", 1, stateful), client("b", 1)};
  const auto r = assign_tasks(clients, join(stateful, stateless), stateful, {});
  EXPECT_EQ(r.clients.at("a").active, stateful);
  EXPECT_EQ(r.clients.at("b").active, stateless);
}

TEST(task_assignor, the_same_input_gives_the_same_output_in_any_client_order) {
  const task_set stateful = range(0, 8);
  const task_set all = join(stateful, range(1, 5));
  std::vector<client_state> clients = {
      client("p3", 2, {t(0, 0), t(0, 1), t(1, 0)}, {t(0, 4)}, {{t(0, 4), 30'000}}),
      client("p1", 1, {t(0, 2)}, {t(0, 0)}, {{t(0, 0), 5}}),
      client("p2", 3),
      client("p0", 1, {t(0, 3), t(1, 3)}, {}, {{t(0, 7), 11'000}}),
  };
  const assignment_config config{.num_standby_replicas = 1, .max_warmup_replicas = 1};
  const auto first = assign_tasks(clients, all, stateful, config);
  EXPECT_EQ(assign_tasks(clients, all, stateful, config), first);
  std::mt19937 rng(7);
  for (int i = 0; i < 10; ++i) {
    std::shuffle(clients.begin(), clients.end(), rng);
    EXPECT_EQ(assign_tasks(clients, all, stateful, config), first);
  }
}

TEST(task_assignor, tasks_outside_the_task_set_are_ignored_and_no_clients_assign_nothing) {
  const task_set stateful = {t(0, 0)};
  const std::vector<client_state> clients = {
      client("a", 0, {t(0, 0), t(9, 9)}, {t(8, 8)}, {{t(7, 7), 0}}),  // capacity 0 counts as 1
  };
  const auto r = assign_tasks(clients, stateful, join(stateful, {t(5, 5)}), {.num_standby_replicas = 2});
  EXPECT_EQ(r.clients.at("a").active, stateful);
  EXPECT_TRUE(r.clients.at("a").standby.empty());
  EXPECT_TRUE(assign_tasks({}, stateful, stateful, {}).clients.empty());
}

/// Plays rebalances until the group is stable: each client runs what it was given, every
/// replica it keeps is caught up by the next rebalance, dropped state falls far behind.
/// Returns the number of rebalances (0: not stable after 30) and leaves `clients` in the state
/// the last one produced; checks the high-availability rule on the way.
int64_t lag_of(const client_state& c, const task_id& x) {
  if (c.previous_active.contains(x)) return 0;
  const auto it = c.lags.find(x);
  return it == c.lags.end() ? no_state_lag : it->second;
}

int play_until_stable(std::vector<client_state>& clients, const task_set& all, const task_set& stateful,
                      const assignment_config& config, task_assignment& last) {
  for (int round = 1; round <= 30; ++round) {
    const auto target = assign_tasks(clients, all, stateful, config);
    last = withhold_until_revoked(target, clients);
    for (const auto& x : stateful) {
      const std::string owner = owner_of(target, x);
      EXPECT_NE(owner, "") << x.to_string();
      const auto caught_up = [&](const client_state& c) {
        return lag_of(c, x) <= config.acceptable_recovery_lag;
      };
      if (std::any_of(clients.begin(), clients.end(), caught_up)) {
        const auto& c = *std::find_if(clients.begin(), clients.end(),
                                      [&](const client_state& c) { return c.process_id == owner; });
        EXPECT_TRUE(caught_up(c)) << "round " << round << ": " << x.to_string() << " given to " << owner
                                  << ", who is not caught up";
      }
    }
    const bool stable = !last.probing_rebalance_needed && !last.followup_rebalance_needed;
    for (auto& c : clients) {
      const auto& got = last.clients.at(c.process_id);
      for (auto& [x, lag] : c.lags) lag = 1'000'000;
      c.previous_active = got.active;
      c.previous_standby = join(got.standby, got.warmup);
      for (const auto& x : got.active) c.lags[x] = 0;
      for (const auto& x : c.previous_standby) c.lags[x] = 0;
    }
    if (stable) return round;
  }
  return 0;
}

TEST(task_assignor, rebalances_converge_through_warmups_to_the_balanced_target) {
  const task_set stateful = range(0, 6);
  std::vector<client_state> clients = {client("a", 1, stateful), client("b", 1)};
  task_assignment last;
  // One warm-up per rebalance: three warm-ups, each followed by the cooperative hand-over.
  const int rounds = play_until_stable(clients, stateful, stateful, {.max_warmup_replicas = 1}, last);
  ASSERT_GT(rounds, 0) << "no stable assignment after 30 rebalances";
  EXPECT_LE(rounds, 8);
  EXPECT_EQ(last.clients.at("a").active.size(), 3u);
  EXPECT_EQ(last.clients.at("b").active.size(), 3u);
}

TEST(task_assignor, rebalances_converge_with_standbys_and_a_joining_client) {
  const task_set stateful = range(0, 8);
  const task_set all = join(stateful, range(1, 4));
  std::vector<client_state> clients = {client("a", 2, all), client("b", 1), client("c", 1)};
  task_assignment last;
  const int rounds = play_until_stable(clients, all, stateful, {.num_standby_replicas = 1}, last);
  ASSERT_GT(rounds, 0) << "no stable assignment after 30 rebalances";
  EXPECT_EQ(last.clients.at("a").active.size(), 6u);
  EXPECT_EQ(last.clients.at("b").active.size(), 3u);
  EXPECT_EQ(last.clients.at("c").active.size(), 3u);
  // Stable means stable: the group in the state it ended in gets the same assignment again.
  EXPECT_EQ(assign_tasks(clients, all, stateful, {.num_standby_replicas = 1}).clients, last.clients);
  std::size_t standbys = 0;
  for (const auto& [id, c] : last.clients) standbys += c.standby.size();
  EXPECT_EQ(standbys, stateful.size());
}

// ---------------------------------------------------------------------------------------------
// withhold_until_revoked

TEST(task_assignor, cooperative_step_withholds_tasks_another_client_still_runs) {
  const task_set stateful = range(0, 4);
  // b keeps caught-up standbys of 0_2 and 0_3: balance moves them to b at once.
  std::vector<client_state> clients = {
      client("a", 1, stateful),
      client("b", 1, {}, {t(0, 2), t(0, 3)}, lags_of({t(0, 2), t(0, 3)}, 0)),
  };
  const auto target = assign_tasks(clients, stateful, stateful, {});
  ASSERT_EQ(target.clients.at("b").active, (task_set{t(0, 2), t(0, 3)}));
  EXPECT_FALSE(target.followup_rebalance_needed);

  const auto first = withhold_until_revoked(target, clients);
  EXPECT_EQ(first.clients.at("a").active, (task_set{t(0, 0), t(0, 1)}));  // a revokes 0_2, 0_3
  EXPECT_TRUE(first.clients.at("b").active.empty());
  EXPECT_EQ(first.clients.at("b").withheld, (task_set{t(0, 2), t(0, 3)}));
  EXPECT_EQ(first.clients.at("b").standby, (task_set{t(0, 2), t(0, 3)}));  // state stays open
  EXPECT_TRUE(first.followup_rebalance_needed);

  // The follow-up rebalance: a has revoked them (its state of them is still fresh).
  clients[0] = client("a", 1, {t(0, 0), t(0, 1)}, {}, lags_of({t(0, 2), t(0, 3)}, 0));
  const auto second = withhold_until_revoked(assign_tasks(clients, stateful, stateful, {}), clients);
  EXPECT_EQ(second.clients.at("a").active, (task_set{t(0, 0), t(0, 1)}));
  EXPECT_EQ(second.clients.at("b").active, (task_set{t(0, 2), t(0, 3)}));
  EXPECT_TRUE(second.clients.at("b").withheld.empty());
  EXPECT_FALSE(second.followup_rebalance_needed);
}

TEST(task_assignor, cooperative_step_assigns_the_tasks_of_a_departed_client_at_once) {
  const task_set all = range(0, 4);
  // a ran 0_0 and 0_1 and left the group: nobody has to revoke them.
  const std::vector<client_state> survivors = {client("b", 1, {t(0, 2), t(0, 3)})};
  const auto r = withhold_until_revoked(assign_tasks(survivors, all, {}, {}), survivors);
  EXPECT_EQ(r.clients.at("b").active, all);
  EXPECT_TRUE(r.clients.at("b").withheld.empty());
  EXPECT_FALSE(r.followup_rebalance_needed);
}

TEST(task_assignor, cooperative_step_does_not_keep_a_standby_that_was_never_there) {
  // Stateless moves: withheld, nothing kept meanwhile.
  const task_set all = range(0, 4);
  const std::vector<client_state> clients = {client("a", 1, all), client("b", 1)};
  const auto r = withhold_until_revoked(assign_tasks(clients, all, {}, {}), clients);
  EXPECT_EQ(r.clients.at("a").active.size(), 2u);
  EXPECT_TRUE(r.clients.at("b").active.empty());
  EXPECT_EQ(r.clients.at("b").withheld.size(), 2u);
  EXPECT_TRUE(r.clients.at("b").standby.empty());
  EXPECT_TRUE(r.followup_rebalance_needed);
}

// ---------------------------------------------------------------------------------------------
// assign_to_threads

std::vector<std::size_t> active_counts(const std::vector<thread_tasks>& threads) {
  std::vector<std::size_t> n;
  for (const auto& th : threads) n.push_back(th.active.size());
  return n;
}

TEST(task_assignor, threads_keep_their_tasks) {
  const std::vector<thread_tasks> previous = {
      {{t(0, 0), t(1, 1)}, {t(0, 3)}},
      {{t(0, 1), t(1, 0)}, {t(0, 2)}},
  };
  const auto got = assign_to_threads({t(0, 0), t(0, 1), t(1, 0), t(1, 1)}, {t(0, 2), t(0, 3)}, previous, 2);
  EXPECT_EQ(got, previous);
}

TEST(task_assignor, threads_are_balanced_active_first_then_standbys) {
  const auto got = assign_to_threads(range(0, 7), range(1, 2), {}, 3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(active_counts(got), (std::vector<std::size_t>{3, 2, 2}));
  // The standbys go to the threads with fewer tasks.
  EXPECT_TRUE(got[0].standby.empty());
  EXPECT_EQ(got[1].standby.size() + got[2].standby.size(), 2u);
  EXPECT_EQ(got[1].standby.size(), 1u);
  // Subtopology 0's tasks spread round the threads.
  EXPECT_EQ(got[0].active, (task_set{t(0, 0), t(0, 3), t(0, 6)}));
}

TEST(task_assignor, an_overloaded_thread_sheds_only_what_balance_needs) {
  const std::vector<thread_tasks> previous = {{range(0, 4), {}}, {{}, {}}};
  const auto got = assign_to_threads(range(0, 4), {}, previous, 2);
  EXPECT_EQ(active_counts(got), (std::vector<std::size_t>{2, 2}));
  EXPECT_TRUE(std::includes(previous[0].active.begin(), previous[0].active.end(), got[0].active.begin(),
                            got[0].active.end()));
}

TEST(task_assignor, a_new_active_goes_to_the_thread_that_kept_its_standby) {
  const std::vector<thread_tasks> previous = {{{t(0, 0)}, {}}, {{t(0, 1)}, {t(0, 2)}}, {{t(0, 3)}, {}}};
  // 0_2 became active, 0_3 became a standby.
  const auto got = assign_to_threads({t(0, 0), t(0, 1), t(0, 2)}, {t(0, 3)}, previous, 3);
  // Balance allows one active each: 0_2 cannot join 0_1 on thread 1 — one of them moves to
  // thread 2, which has nothing active; the standby 0_3 stays on thread 2.
  EXPECT_EQ(active_counts(got), (std::vector<std::size_t>{1, 1, 1}));
  EXPECT_EQ(got[0].active, (task_set{t(0, 0)}));
  EXPECT_EQ(got[1].active, (task_set{t(0, 1)}));  // the active that was there stays
  EXPECT_EQ(got[2].active, (task_set{t(0, 2)}));
  EXPECT_EQ(got[2].standby, (task_set{t(0, 3)}));

  // When balance allows, 0_2 goes where its standby was.
  const auto kept = assign_to_threads({t(0, 0), t(0, 2)}, {}, previous, 2);
  EXPECT_EQ(kept[0].active, (task_set{t(0, 0)}));
  EXPECT_EQ(kept[1].active, (task_set{t(0, 2)}));
}

TEST(task_assignor, fewer_threads_redistribute_only_the_lost_threads_tasks) {
  const std::vector<thread_tasks> previous = {
      {{t(0, 0), t(0, 3)}, {}}, {{t(0, 1), t(0, 4)}, {}}, {{t(0, 2), t(0, 5)}, {}}};
  const auto got = assign_to_threads(range(0, 6), {}, previous, 2);
  EXPECT_EQ(active_counts(got), (std::vector<std::size_t>{3, 3}));
  EXPECT_TRUE(got[0].active.contains(t(0, 0)) && got[0].active.contains(t(0, 3)));
  EXPECT_TRUE(got[1].active.contains(t(0, 1)) && got[1].active.contains(t(0, 4)));
}

// ---------------------------------------------------------------------------------------------
// Properties over random groups

struct random_case {
  std::vector<client_state> clients;
  task_set tasks;
  task_set stateful;
  assignment_config config;
};

random_case make_case(std::mt19937& rng, bool everyone_caught_up, bool equal_capacity) {
  const auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };
  random_case rc;
  const int m = uniform(1, 6);
  const int threads = uniform(1, 3);
  std::set<std::string> ids;
  while (static_cast<int>(ids.size()) < m) ids.insert("p" + std::to_string(uniform(0, 99)));
  for (const auto& id : ids) rc.clients.push_back(client(id, equal_capacity ? threads : uniform(1, 4)));
  std::shuffle(rc.clients.begin(), rc.clients.end(), rng);

  const int subtopologies = uniform(1, 3);
  for (int s = 0; s < subtopologies; ++s) {
    const bool stateful = chance(0.6);
    const int partitions = uniform(1, 8);
    for (int p = 0; p < partitions; ++p) {
      rc.tasks.insert(t(s, p));
      if (stateful) rc.stateful.insert(t(s, p));
    }
  }
  for (const auto& x : rc.tasks) {
    const int owner = uniform(0, m + 1);  // m and m + 1: its owner left
    if (owner < m && chance(0.8)) rc.clients[static_cast<std::size_t>(owner)].previous_active.insert(x);
    if (!rc.stateful.contains(x)) continue;
    for (auto& c : rc.clients) {
      if (c.previous_active.contains(x) || !chance(0.4)) continue;
      c.lags[x] = uniform(0, 30'000);
      if (chance(0.5)) c.previous_standby.insert(x);
    }
  }
  rc.config.num_standby_replicas = uniform(0, 3);
  rc.config.max_warmup_replicas = uniform(0, 3);
  if (everyone_caught_up) rc.config.acceptable_recovery_lag = no_state_lag;
  return rc;
}

/// Kafka's balance criterion: no task moving between two clients would bring them closer.
void expect_balanced(const std::map<std::string, int64_t>& counts, const std::map<std::string, int64_t>& capacity,
                     const std::string& what) {
  for (const auto& [a, ca] : counts) {
    for (const auto& [b, cb] : counts) {
      if (a == b) continue;
      const int64_t ka = capacity.at(a);
      const int64_t kb = capacity.at(b);
      const bool improves = ca * kb > cb * ka && (ca - 1) * kb >= (cb + 1) * ka;
      EXPECT_FALSE(improves) << what << ": " << a << " has " << ca << " on " << ka << " threads, " << b << " has "
                             << cb << " on " << kb;
    }
  }
}

void check_invariants(const random_case& rc, const task_assignment& r, bool everyone_caught_up,
                      bool equal_capacity) {
  const std::size_t m = rc.clients.size();
  ASSERT_EQ(r.clients.size(), m);
  std::map<task_id, int> active_times;
  std::map<task_id, std::size_t> standby_times;
  std::size_t warmups = 0;
  std::map<std::string, int64_t> stateful_count;
  std::map<std::string, int64_t> total_count;
  std::map<std::string, int64_t> capacity;
  for (const auto& c : rc.clients) {
    const auto& a = r.clients.at(c.process_id);
    capacity[c.process_id] = std::max(1, c.capacity);
    for (const auto& x : a.active) {
      ++active_times[x];
      ++total_count[c.process_id];
      if (rc.stateful.contains(x)) ++stateful_count[c.process_id];
      EXPECT_FALSE(a.standby.contains(x) || a.warmup.contains(x)) << c.process_id << " " << x.to_string();
    }
    for (const auto& x : a.standby) {
      ++standby_times[x];
      EXPECT_TRUE(rc.stateful.contains(x)) << x.to_string();
      EXPECT_FALSE(a.warmup.contains(x)) << c.process_id << " " << x.to_string();
    }
    for (const auto& x : a.warmup) EXPECT_TRUE(rc.stateful.contains(x)) << x.to_string();
    warmups += a.warmup.size();
    stateful_count.try_emplace(c.process_id, 0);
    total_count.try_emplace(c.process_id, 0);
  }
  for (const auto& x : rc.tasks) EXPECT_EQ(active_times[x], 1) << x.to_string();
  EXPECT_EQ(active_times.size(), rc.tasks.size());
  const auto replicas = std::min<std::size_t>(static_cast<std::size_t>(rc.config.num_standby_replicas), m - 1);
  for (const auto& x : rc.stateful) EXPECT_EQ(standby_times[x], replicas) << x.to_string();
  EXPECT_LE(warmups, static_cast<std::size_t>(rc.config.max_warmup_replicas));
  if (warmups > 0) {
    EXPECT_TRUE(r.probing_rebalance_needed);
  }

  // High availability: the active owner is caught up whenever some client is.
  for (const auto& x : rc.stateful) {
    const auto caught_up = [&](const client_state& c) { return lag_of(c, x) <= rc.config.acceptable_recovery_lag; };
    if (std::none_of(rc.clients.begin(), rc.clients.end(), caught_up)) continue;
    const std::string owner = owner_of(r, x);
    const auto& c = *std::find_if(rc.clients.begin(), rc.clients.end(),
                                  [&](const client_state& c) { return c.process_id == owner; });
    EXPECT_TRUE(caught_up(c)) << x.to_string() << " on " << owner;
  }

  if (everyone_caught_up) {
    EXPECT_FALSE(r.probing_rebalance_needed);
    EXPECT_EQ(warmups, 0u);
    expect_balanced(stateful_count, capacity, "stateful actives");
    expect_balanced(total_count, capacity, "all actives");
    if (equal_capacity) {
      const auto [lo, hi] = std::minmax_element(total_count.begin(), total_count.end(),
                                                [](const auto& a, const auto& b) { return a.second < b.second; });
      EXPECT_LE(hi->second - lo->second, 1);
    }
  }
}

void check_cooperative(const random_case& rc, const task_assignment& target, const task_assignment& coop) {
  bool withheld_any = false;
  std::map<task_id, int> active_times;
  for (const auto& c : rc.clients) {
    const auto& before = target.clients.at(c.process_id);
    const auto& after = coop.clients.at(c.process_id);
    EXPECT_EQ(join(after.active, after.withheld), before.active) << c.process_id;
    withheld_any = withheld_any || !after.withheld.empty();
    for (const auto& x : after.active) {
      ++active_times[x];
      // Taken at once only from nobody: its own, or no live client ran it.
      const bool others_ran = std::any_of(rc.clients.begin(), rc.clients.end(), [&](const client_state& o) {
        return o.process_id != c.process_id && o.previous_active.contains(x);
      });
      EXPECT_TRUE(c.previous_active.contains(x) || !others_ran) << c.process_id << " " << x.to_string();
    }
    for (const auto& x : after.withheld) {
      EXPECT_FALSE(c.previous_active.contains(x));
      EXPECT_EQ(after.standby.contains(x), before.standby.contains(x) || c.previous_standby.contains(x));
    }
  }
  for (const auto& [x, n] : active_times) EXPECT_EQ(n, 1) << x.to_string();
  EXPECT_EQ(coop.followup_rebalance_needed, withheld_any);
  EXPECT_EQ(coop.probing_rebalance_needed, target.probing_rebalance_needed);
}

TEST(task_assignor, random_groups_keep_every_invariant) {
  std::mt19937 rng(20241124);
  for (int i = 0; i < 400; ++i) {
    const bool everyone_caught_up = i % 3 == 0;
    const bool equal_capacity = i % 2 == 0;
    auto rc = make_case(rng, everyone_caught_up, equal_capacity);
    SCOPED_TRACE("case " + std::to_string(i));
    const auto r = assign_tasks(rc.clients, rc.tasks, rc.stateful, rc.config);
    check_invariants(rc, r, everyone_caught_up, equal_capacity);
    check_cooperative(rc, r, withhold_until_revoked(r, rc.clients));
    std::shuffle(rc.clients.begin(), rc.clients.end(), rng);
    EXPECT_EQ(assign_tasks(rc.clients, rc.tasks, rc.stateful, rc.config), r) << "depends on client order";
    if (HasFailure()) return;
  }
}

TEST(task_assignor, random_thread_distributions_are_complete_balanced_and_sticky) {
  std::mt19937 rng(441);
  const auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int i = 0; i < 300; ++i) {
    SCOPED_TRACE("case " + std::to_string(i));
    const int n = uniform(1, 5);
    task_set active;
    task_set standby;
    const int tasks = uniform(0, 20);
    for (int p = 0; p < tasks; ++p) (uniform(0, 2) == 0 ? standby : active).insert(t(uniform(0, 2), p));
    std::vector<thread_tasks> previous(static_cast<std::size_t>(uniform(0, 6)));
    for (auto& th : previous) {
      const int had = uniform(0, 5);
      for (int k = 0; k < had; ++k) {
        (uniform(0, 1) == 0 ? th.active : th.standby).insert(t(uniform(0, 2), uniform(0, 19)));
      }
    }
    const auto got = assign_to_threads(active, standby, previous, n);
    ASSERT_EQ(got.size(), static_cast<std::size_t>(n));
    task_set seen_active;
    task_set seen_standby;
    std::size_t lo = SIZE_MAX;
    std::size_t hi = 0;
    for (const auto& th : got) {
      for (const auto& x : th.active) EXPECT_TRUE(seen_active.insert(x).second) << x.to_string();
      for (const auto& x : th.standby) EXPECT_TRUE(seen_standby.insert(x).second) << x.to_string();
      lo = std::min(lo, th.active.size());
      hi = std::max(hi, th.active.size());
    }
    EXPECT_EQ(seen_active, active);
    EXPECT_EQ(seen_standby, standby);
    EXPECT_LE(hi - lo, 1u);
    // Totals are as even as standbys alone can make them: a thread two tasks above another has
    // no standby that could move.
    for (const auto& a : got) {
      for (const auto& b : got) {
        if (a.active.size() + a.standby.size() >= b.active.size() + b.standby.size() + 2) {
          EXPECT_TRUE(a.standby.empty());
        }
      }
    }
    // Handing the result back in changes nothing.
    EXPECT_EQ(assign_to_threads(active, standby, got, n), got);
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace sluice::runtime::detail
