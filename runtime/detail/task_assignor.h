#pragma once
/// The high-availability task assignor (Kafka Streams' HighAvailabilityTaskAssignor, KIP-441)
/// as pure logic: given every application instance of a group (a *client*: one process, one
/// group member, `num.stream.threads` threads), what each holds of every task's state and what
/// each ran before, it decides which client runs each task actively, which clients keep standby
/// replicas, and which clients warm a task's state up so that it can take the task over later.
/// Nothing here talks to a broker: the consumer-group member that elects itself leader gathers
/// the inputs from the members' subscriptions and sends the result back in their assignments.
///
///     assign_tasks(clients, tasks, stateful)          ─▶ task_assignment (per client: active,
///       1 caught-up clients per stateful task               standby, warmup; probing flag)
///       2 balanced target for stateful actives (sticky)
///       3 movements: a target owner that is not caught up waits; the task stays on a
///         caught-up client and the target warms up (≤ max_warmup_replicas in total)
///       4 standbys, by state (caught-up clients first), then load
///       5 stateless actives, balanced on the total active load (sticky)
///     withhold_until_revoked(assignment, clients)     ─▶ the cooperative (KIP-429) step
///     assign_to_threads(active, standby, previous, n) ─▶ one client's tasks over its threads
///
/// High availability: a task whose state would have to be restored from the changelog is not
/// given to a client while another client could run it at once. The new owner first gets a
/// warm-up replica (a standby that exists only to catch up) and `probing_rebalance_needed` asks
/// the group to rebalance again later (Kafka's `probing.rebalance.interval.ms`); by then the
/// warm-up is caught up and the task moves without a pause.
///
/// Balance: a client's load is its tasks per thread. Balanced means, as in Kafka Streams, that
/// no single task moving from a heavier client to a lighter one would leave the two closer:
/// moving one from `a` to `b` helps only while `(count_a - 1) / threads_a ≥ (count_b + 1) /
/// threads_b`. With equal thread counts the clients' task counts differ by at most one.
///
/// Determinism: the result depends on the inputs only — not on the order of `clients`, never
/// on hash order; ties go to the lower task id, then the lower `process_id`.
///
/// Thread safety: pure functions of their arguments.

#include "dsl/task_metadata.h"

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace sluice::runtime::detail {

/// `lags` value of a task for which a client holds no state (it would restore everything).
/// It is also what an absent entry means.
inline constexpr int64_t no_state_lag = std::numeric_limits<int64_t>::max();

/// One application instance as the group leader sees it: a process with its threads and the
/// state in its state directory.
struct client_state {
  /// Stable identity of the process (kept in its state directory); the tie-break order.
  std::string process_id;
  /// Its `num.stream.threads`: tasks are balanced by tasks per thread. Values below 1 count
  /// as 1.
  int capacity = 1;
  /// The tasks its threads ran actively before this rebalance (all its threads together).
  std::set<dsl::task_id> previous_active;
  /// The standby and warm-up replicas it kept before this rebalance.
  std::set<dsl::task_id> previous_standby;
  /// Per stateful task it holds state for: how many records that state is behind the end of
  /// the task's changelogs (summed over its stores). 0 = caught up. A task it ran actively
  /// counts as 0 whatever is written here (Kafka's "running" sentinel); a task absent from the
  /// map, or `no_state_lag`, means no state at all. Negative values count as 0.
  std::map<dsl::task_id, int64_t> lags;
};

/// The assignor's knobs, with Kafka Streams' names and defaults.
struct assignment_config {
  /// `num.standby.replicas`: hot standbys per stateful task, never on its active client.
  int num_standby_replicas = 0;
  /// `max.warmup.replicas`: warm-up replicas handed out per rebalance, in total. Values below
  /// 0 count as 0 (Kafka requires at least 1).
  int max_warmup_replicas = 2;
  /// `acceptable.recovery.lag`: a client whose state of a task is at most this many records
  /// behind is *caught up* and may run it actively at once. `no_state_lag` = unbounded: every
  /// client is caught up for everything (no warm-ups). Values below 0 count as 0.
  int64_t acceptable_recovery_lag = 10'000;
};

/// One client's tasks in an assignment. The three sets are disjoint.
struct client_assignment {
  /// Tasks it runs.
  std::set<dsl::task_id> active;
  /// Hot standby replicas: `num.standby.replicas` per stateful task over all clients (fewer
  /// when there are not enough clients).
  std::set<dsl::task_id> standby;
  /// Warm-up replicas: kept exactly like standbys, but only so that this client can take the
  /// task over actively in a later rebalance; in addition to the standbys.
  std::set<dsl::task_id> warmup;
  /// Active tasks the target assignment gives this client that another live client still owns:
  /// it gets them once that client has revoked them. Filled by `withhold_until_revoked` only.
  std::set<dsl::task_id> withheld;

  bool operator==(const client_assignment&) const = default;
};

/// The assignor's answer for the whole group.
struct task_assignment {
  /// Per `process_id`: every client of the input, even those given nothing.
  std::map<std::string, client_assignment> clients;
  /// Some task is not yet where the balanced target wants it (its target owner is warming up,
  /// or waits for a warm-up slot): rebalance again after `probing.rebalance.interval.ms`.
  bool probing_rebalance_needed = false;
  /// The cooperative step withheld a task: rebalance again as soon as the owners have revoked
  /// what they lost (Kafka asks for it at once).
  bool followup_rebalance_needed = false;

  bool operator==(const task_assignment&) const = default;
};

/// Assigns `tasks` to `clients` (the algorithm is described in task_assignor.cc). Tasks in
/// `stateful` have state stores and get standbys and warm-ups; the others are stateless.
/// Previous tasks and lags of tasks not in `tasks` are ignored, as are ids in `stateful` that
/// are not in `tasks`. No clients: an empty assignment.
/// REQUIRES: the process ids are distinct.
task_assignment assign_tasks(std::span<const client_state> clients,
                             const std::set<dsl::task_id>& tasks,
                             const std::set<dsl::task_id>& stateful,
                             const assignment_config& config);

/// The cooperative rebalance step (KIP-429): a consumer may take a partition only after its
/// previous owner has given it up, so an active task that some *other* live client (one of
/// `clients`, with the task in its `previous_active`) still runs is taken out of the new
/// owner's `active` and put in its `withheld`; the previous owner simply does not find it in
/// its own new `active`, revokes it, and the follow-up rebalance hands it over. Meanwhile a
/// withheld task the new owner already kept as a standby stays its standby, so that its state
/// is not closed. A task whose previous owner left the group moves at once. Sets
/// `followup_rebalance_needed` when anything was withheld.
task_assignment withhold_until_revoked(task_assignment target,
                                       std::span<const client_state> clients);

/// The tasks of one stream thread of a client: what it had before (input of
/// `assign_to_threads`) or what it gets.
struct thread_tasks {
  std::set<dsl::task_id> active;
  /// Standbys and warm-ups alike: a thread keeps both the same way.
  std::set<dsl::task_id> standby;

  bool operator==(const thread_tasks&) const = default;
};

/// Distributes one client's tasks over its `num_threads` threads (values below 1 count as 1):
/// active tasks first, balanced by count (threads differ by at most one), then standbys,
/// balanced by each thread's total count as far as standbys alone can even it out. Sticky: a
/// task stays on the thread that had it (a new active preferably on the thread that kept its
/// standby, and the reverse) unless balance needs it elsewhere. `previous[i]` is thread i's
/// previous tasks; entries for threads at or beyond `num_threads` are ignored, missing ones are
/// empty. Returns `num_threads` entries.
/// REQUIRES: `active` and `standby` are disjoint.
std::vector<thread_tasks> assign_to_threads(const std::set<dsl::task_id>& active,
                                            const std::set<dsl::task_id>& standby,
                                            std::span<const thread_tasks> previous,
                                            int num_threads);

}  // namespace sluice::runtime::detail
