// The group coordinator's state machine, driven through its API with a manual clock: join
// phases, leader election, protocol selection, SyncGroup, heartbeats and fencing, session
// expiry, LeaveGroup, static membership, committed offsets and the admin calls.

#include "broker/group/group_coordinator.h"

#include "broker/group/log_format.h"
#include "core/protocol/records.h"
#include "tests/broker/group/group_test_util.h"
#include "tests/core/protocol/golden.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <set>

namespace sluice::broker::group::test {
namespace {

using join_capture = capture<join_result>;
using sync_capture = capture<sync_result>;

class coordinator_test : public ::testing::Test, protected coordinator_storage {
 protected:
  void SetUp() override {
    config.initial_rebalance_delay_ms = 0;
    open();
    ASSERT_TRUE(logs->create_topic("orders", 3, {}));
    ASSERT_TRUE(logs->create_topic("payments", 2, {}));
  }
  void TearDown() override { close(); }

  void open() {
    open_logs();
    auto c = group_coordinator::open(*logs, appends, config);
    ASSERT_TRUE(c) << c.error().message();
    coord = std::move(c).value();
  }
  void close() {
    if (coord) coord->shutdown();
    coord.reset();
    close_logs();
  }
  void reopen() {
    close();
    open();
  }

  join_request make_join(const std::string& group, const std::string& member_id = "",
                         std::optional<std::string> instance = std::nullopt,
                         std::vector<protocol_metadata> protocols = {}) {
    join_request r;
    r.group_id = group;
    r.member_id = member_id;
    r.group_instance_id = std::move(instance);
    r.client_id = "client";
    r.client_host = "/127.0.0.1";
    r.session_timeout_ms = 10000;
    r.rebalance_timeout_ms = 30000;
    r.protocol_type = "consumer";
    r.protocols = protocols.empty()
                      ? std::vector<protocol_metadata>{{"range", subscription({"orders"})},
                                                       {"roundrobin", subscription({"orders"})}}
                      : std::move(protocols);
    return r;
  }

  /// Starts a join and returns its capture (it may stay pending while the join phase runs).
  join_capture& join(join_request r) {
    auto& c = joins.emplace_back();
    coord->join(std::move(r), c.fn());
    return c;
  }

  /// A dynamic member's two-step join (MEMBER_ID_REQUIRED, then with the id). Returns the
  /// capture of the second join.
  join_capture& join_dynamic(const std::string& group, std::vector<protocol_metadata> protocols = {}) {
    auto& first = join(make_join(group, "", std::nullopt, protocols));
    EXPECT_TRUE(first.ready());
    EXPECT_EQ(first->error, errc::member_id_required);
    EXPECT_FALSE(first->member_id.empty());
    return join(make_join(group, first->member_id, std::nullopt, protocols));
  }

  sync_capture& sync(const std::string& group, int32_t generation, const std::string& member,
                     std::vector<std::pair<std::string, core::bytes>> assignments = {},
                     std::optional<std::string> instance = std::nullopt) {
    auto& c = syncs.emplace_back();
    coord->sync({group, generation, member, std::move(instance), std::move(assignments)}, c.fn());
    return c;
  }

  errc heartbeat(const std::string& group, int32_t generation, const std::string& member,
                 std::optional<std::string> instance = std::nullopt) {
    return coord->heartbeat({group, generation, member, std::move(instance)});
  }

  leave_result leave(const std::string& group, std::vector<member_identity> who) {
    capture<leave_result> c;
    coord->leave(group, std::move(who), c.fn());
    EXPECT_TRUE(c.ready());
    return *c;
  }

  offset_commit_result commit(offset_commit_request r) {
    capture<offset_commit_result> c;
    coord->commit_offsets(std::move(r), c.fn());
    EXPECT_TRUE(c.ready());
    return *c;
  }

  offset_commit_request simple_commit(const std::string& group, int64_t offset,
                                      std::optional<std::string> metadata = std::nullopt) {
    offset_commit_request r;
    r.group_id = group;
    r.offsets.push_back({{"orders", core::partition_id{0}}, offset, -1, std::move(metadata)});
    return r;
  }

  group_description describe(const std::string& group) { return coord->describe_groups({group}).at(0); }

  /// One member joined and synced: returns (member id, generation).
  std::pair<std::string, int32_t> stable_single(const std::string& group) {
    auto& j = join_dynamic(group);
    EXPECT_TRUE(j.ready());
    EXPECT_EQ(j->error, errc::ok);
    auto& s = sync(group, j->generation, j->member_id, {{j->member_id, bytes_of("all")}});
    EXPECT_TRUE(s.ready());
    EXPECT_EQ(s->error, errc::ok);
    return {j->member_id, j->generation};
  }

  coordinator_config config;
  std::unique_ptr<group_coordinator> coord;
  std::deque<join_capture> joins;
  std::deque<sync_capture> syncs;
};

// ---- JoinGroup -------------------------------------------------------------------------------

TEST_F(coordinator_test, first_join_requires_a_member_id_then_elects_the_member_leader) {
  auto& first = join(make_join("g"));
  ASSERT_TRUE(first.ready());
  EXPECT_EQ(first->error, errc::member_id_required);
  EXPECT_TRUE(first->member_id.starts_with("client-"));
  EXPECT_EQ(first->member_id.size(), std::string("client-").size() + 36);  // client id + UUID

  auto& second = join(make_join("g", first->member_id));
  ASSERT_TRUE(second.ready());
  EXPECT_EQ(second->error, errc::ok);
  EXPECT_EQ(second->generation, 1);
  EXPECT_EQ(second->protocol_name, "range");
  EXPECT_EQ(second->leader, first->member_id);
  EXPECT_EQ(second->member_id, first->member_id);
  ASSERT_EQ(second->members.size(), 1u);
  EXPECT_EQ(second->members[0].metadata, subscription({"orders"}));  // the chosen protocol's
  EXPECT_EQ(describe("g").state, group_state::completing_rebalance);
}

TEST_F(coordinator_test, join_before_v4_gets_a_member_id_without_the_extra_round_trip) {
  auto r = make_join("g");
  r.require_known_member_id = false;
  auto& j = join(std::move(r));
  ASSERT_TRUE(j.ready());
  EXPECT_EQ(j->error, errc::ok);
  EXPECT_EQ(j->leader, j->member_id);
}

TEST_F(coordinator_test, member_ids_from_huge_client_ids_stay_encodable) {
  auto r = make_join("g");
  r.client_id = std::string(32767, 'c');
  r.require_known_member_id = false;
  auto& j = join(r);
  ASSERT_TRUE(j.ready());
  EXPECT_EQ(j->error, errc::ok);
  EXPECT_EQ(j->member_id.size(), 1024u + 37u);
  // The group metadata with that member (and its full client id) is written and read back.
  auto& s = sync("g", j->generation, j->member_id, {{j->member_id, bytes_of("x")}});
  ASSERT_TRUE(s.ready());
  EXPECT_EQ(s->error, errc::ok);
  reopen();
  EXPECT_EQ(describe("g").members.at(0).client_id.size(), 32767u);
}

TEST_F(coordinator_test, session_timeout_outside_the_bounds_is_refused) {
  auto r = make_join("g");
  r.session_timeout_ms = 5999;
  EXPECT_EQ(join(r)->error, errc::invalid_session_timeout);
  r.session_timeout_ms = 1800001;
  EXPECT_EQ(join(r)->error, errc::invalid_session_timeout);
  r.session_timeout_ms = 6000;
  EXPECT_EQ(join(r)->error, errc::member_id_required);
}

TEST_F(coordinator_test, empty_group_id_is_invalid) {
  EXPECT_EQ(join(make_join(""))->error, errc::invalid_group_id);
}

TEST_F(coordinator_test, unknown_member_id_on_an_unknown_group) {
  EXPECT_EQ(join(make_join("nobody", "made-up"))->error, errc::unknown_member_id);
}

TEST_F(coordinator_test, join_responses_are_held_until_every_known_member_rejoins) {
  auto [m1, gen1] = stable_single("g");
  ASSERT_EQ(gen1, 1);
  auto& j2 = join_dynamic("g");
  EXPECT_FALSE(j2.ready()) << "held until m1 rejoins";
  EXPECT_EQ(describe("g").state, group_state::preparing_rebalance);
  EXPECT_EQ(heartbeat("g", gen1, m1), errc::rebalance_in_progress);

  auto& j1 = join(make_join("g", m1));
  ASSERT_TRUE(j1.ready());
  ASSERT_TRUE(j2.ready());
  EXPECT_EQ(j1->generation, 2);
  EXPECT_EQ(j2->generation, 2);
  EXPECT_EQ(j1->leader, m1) << "the old leader stays leader";
  EXPECT_EQ(j2->leader, m1);
  EXPECT_EQ(j1->members.size(), 2u) << "only the leader gets the member list";
  EXPECT_TRUE(j2->members.empty());
  EXPECT_EQ(describe("g").state, group_state::completing_rebalance);
}

TEST_F(coordinator_test, rebalance_timeout_drops_dynamic_members_that_did_not_rejoin) {
  auto [m1, gen1] = stable_single("g");
  auto& j2 = join_dynamic("g");
  EXPECT_FALSE(j2.ready());
  // m1 keeps heartbeating (it is told to rejoin) but never rejoins.
  for (int i = 0; i < 9; ++i) {
    sched.advance(3000);
    EXPECT_EQ(heartbeat("g", gen1, m1), errc::rebalance_in_progress);
  }
  sched.advance(2999);
  EXPECT_FALSE(j2.ready());
  sched.advance(1);  // the 30 s rebalance timeout has passed
  ASSERT_TRUE(j2.ready());
  EXPECT_EQ(j2->error, errc::ok);
  EXPECT_EQ(j2->generation, 2);
  EXPECT_EQ(j2->leader, j2->member_id) << "a new leader among those who rejoined";
  ASSERT_EQ(j2->members.size(), 1u);
  EXPECT_EQ(heartbeat("g", gen1, m1), errc::unknown_member_id);
}

TEST_F(coordinator_test, the_protocol_with_most_first_choice_votes_wins) {
  std::vector<protocol_metadata> a{{"range", {}}, {"roundrobin", {}}};
  std::vector<protocol_metadata> b{{"roundrobin", {}}, {"range", {}}};
  auto r1 = make_join("g", "", std::nullopt, a);
  r1.require_known_member_id = false;
  auto& j1 = join(r1);
  ASSERT_EQ(j1->protocol_name, "range");
  auto& s1 = sync("g", 1, j1->member_id);
  ASSERT_TRUE(s1.ready());
  auto r2 = make_join("g", "", std::nullopt, b);
  r2.require_known_member_id = false;
  auto& j2 = join(r2);
  auto r3 = make_join("g", "", std::nullopt, b);
  r3.require_known_member_id = false;
  auto& j3 = join(r3);
  auto& j1b = join(make_join("g", j1->member_id, std::nullopt, a));
  ASSERT_TRUE(j1b.ready() && j2.ready() && j3.ready());
  EXPECT_EQ(j1b->protocol_name, "roundrobin") << "two votes against one";
  EXPECT_EQ(j2->protocol_name, "roundrobin");
}

TEST_F(coordinator_test, inconsistent_protocols_are_refused) {
  auto [m1, gen1] = stable_single("g");
  auto other = make_join("g", "", std::nullopt, {{"RoundRobinAssigner", {}}});
  EXPECT_EQ(join(other)->error, errc::inconsistent_group_protocol);
  auto wrong_type = make_join("g");
  wrong_type.protocol_type = "connect";
  EXPECT_EQ(join(wrong_type)->error, errc::inconsistent_group_protocol);
  auto none = make_join("h", "", std::nullopt, {});
  none.protocols.clear();
  EXPECT_EQ(join(none)->error, errc::inconsistent_group_protocol);
  EXPECT_EQ(describe("g").state, group_state::stable) << "refused joins change nothing";
}

TEST_F(coordinator_test, initial_rebalance_delay_waits_for_more_members) {
  config.initial_rebalance_delay_ms = 3000;
  reopen();
  auto& j1 = join_dynamic("g");
  EXPECT_FALSE(j1.ready());
  sched.advance(2000);
  auto& j2 = join_dynamic("g");  // extends the delay to 2000 + 3000
  sched.advance(2999);
  EXPECT_FALSE(j1.ready());
  EXPECT_FALSE(j2.ready());
  sched.advance(1);
  ASSERT_TRUE(j1.ready());
  ASSERT_TRUE(j2.ready());
  EXPECT_EQ(j1->generation, 1);
  EXPECT_EQ(j1->members.size() + j2->members.size(), 2u);
}

TEST_F(coordinator_test, retried_join_in_completing_rebalance_gets_the_same_answer) {
  auto& j = join_dynamic("g");
  ASSERT_TRUE(j.ready());
  auto& again = join(make_join("g", j->member_id));
  ASSERT_TRUE(again.ready());
  EXPECT_EQ(again->generation, j->generation);
  EXPECT_EQ(again->members.size(), 1u);
  EXPECT_EQ(describe("g").state, group_state::completing_rebalance);
}

TEST_F(coordinator_test, follower_rejoin_with_same_metadata_in_stable_does_not_rebalance) {
  auto [m1, gen1] = stable_single("g");
  auto& j2 = join_dynamic("g");
  auto& j1 = join(make_join("g", m1));
  ASSERT_TRUE(j1.ready() && j2.ready());
  auto& s2 = sync("g", j2->generation, j2->member_id);
  auto& s1 = sync("g", j1->generation, m1, {{m1, bytes_of("a")}, {j2->member_id, bytes_of("b")}});
  ASSERT_TRUE(s1.ready() && s2.ready());
  auto& again = join(make_join("g", j2->member_id));
  ASSERT_TRUE(again.ready());
  EXPECT_EQ(again->generation, j2->generation);
  EXPECT_TRUE(again->members.empty());
  EXPECT_EQ(describe("g").state, group_state::stable);
  // The leader rejoining asks for a new assignment: that is a rebalance.
  auto& lead = join(make_join("g", m1));
  EXPECT_FALSE(lead.ready());
  EXPECT_EQ(describe("g").state, group_state::preparing_rebalance);
}

// ---- SyncGroup -------------------------------------------------------------------------------

TEST_F(coordinator_test, followers_wait_for_the_leaders_assignment) {
  auto [m1, gen1] = stable_single("g");
  auto& j2 = join_dynamic("g");
  auto r3 = make_join("g");
  r3.require_known_member_id = false;
  auto& j3 = join(r3);
  auto& j1 = join(make_join("g", m1));
  ASSERT_TRUE(j1.ready() && j2.ready() && j3.ready());
  const int32_t gen = j1->generation;

  auto& s2 = sync("g", gen, j2->member_id);
  auto& s3 = sync("g", gen, j3->member_id);
  EXPECT_FALSE(s2.ready());
  EXPECT_FALSE(s3.ready());
  EXPECT_EQ(heartbeat("g", gen, j2->member_id), errc::ok) << "heartbeats are fine while syncing";
  // The leader assigns to itself and j2 only: j3 gets empty bytes.
  auto& s1 = sync("g", gen, m1, {{m1, bytes_of("one")}, {j2->member_id, bytes_of("two")}});
  ASSERT_TRUE(s1.ready() && s2.ready() && s3.ready());
  EXPECT_EQ(s1->assignment, bytes_of("one"));
  EXPECT_EQ(s2->assignment, bytes_of("two"));
  EXPECT_TRUE(s3->assignment.empty());
  EXPECT_EQ(s3->error, errc::ok);
  EXPECT_EQ(describe("g").state, group_state::stable);
  // In Stable a SyncGroup returns the stored assignment at once.
  auto& late = sync("g", gen, j2->member_id);
  ASSERT_TRUE(late.ready());
  EXPECT_EQ(late->assignment, bytes_of("two"));
}

TEST_F(coordinator_test, sync_fencing) {
  auto& j = join_dynamic("g");
  ASSERT_TRUE(j.ready());
  EXPECT_EQ(sync("g", j->generation, "stranger")->error, errc::unknown_member_id);
  EXPECT_EQ(sync("g", j->generation + 1, j->member_id)->error, errc::illegal_generation);
  EXPECT_EQ(sync("nope", 1, j->member_id)->error, errc::unknown_member_id);
  auto& j2 = join_dynamic("g");  // -> PreparingRebalance
  EXPECT_FALSE(j2.ready());
  EXPECT_EQ(sync("g", j->generation, j->member_id)->error, errc::rebalance_in_progress);
}

TEST_F(coordinator_test, a_rebalance_during_completing_rebalance_fails_waiting_syncs) {
  auto [m1, gen1] = stable_single("g");
  auto& j2 = join_dynamic("g");
  auto& j1 = join(make_join("g", m1));
  ASSERT_TRUE(j1.ready() && j2.ready());
  auto& s2 = sync("g", j2->generation, j2->member_id);
  EXPECT_FALSE(s2.ready());
  auto& j3 = join_dynamic("g");  // a newcomer before the leader synced
  ASSERT_TRUE(s2.ready());
  EXPECT_EQ(s2->error, errc::rebalance_in_progress);
  EXPECT_FALSE(j3.ready());
}

// ---- Heartbeat and session expiry ------------------------------------------------------------

TEST_F(coordinator_test, heartbeat_errors) {
  auto [m1, gen] = stable_single("g");
  EXPECT_EQ(heartbeat("g", gen, m1), errc::ok);
  EXPECT_EQ(heartbeat("g", gen, "other"), errc::unknown_member_id);
  EXPECT_EQ(heartbeat("g", gen - 1, m1), errc::illegal_generation);
  EXPECT_EQ(heartbeat("missing", gen, m1), errc::unknown_member_id);
}

TEST_F(coordinator_test, a_silent_member_expires_after_its_session_timeout) {
  auto [m1, gen1] = stable_single("g");
  auto& j2 = join_dynamic("g");
  auto& j1 = join(make_join("g", m1));
  ASSERT_TRUE(j1.ready() && j2.ready());
  const int32_t gen = j1->generation;
  auto& s2 = sync("g", gen, j2->member_id);
  sync("g", gen, m1, {{m1, bytes_of("x")}, {j2->member_id, bytes_of("y")}});
  ASSERT_TRUE(s2.ready());
  // m1 keeps heartbeating every 3 s; j2 goes silent.
  for (int i = 0; i < 3; ++i) {
    sched.advance(3000);
    EXPECT_EQ(heartbeat("g", gen, m1), errc::ok);
  }
  sched.advance(1000);  // j2's 10 s session is over
  EXPECT_EQ(heartbeat("g", gen, m1), errc::rebalance_in_progress);
  EXPECT_EQ(heartbeat("g", gen, j2->member_id), errc::unknown_member_id);
  auto& again = join(make_join("g", m1));
  ASSERT_TRUE(again.ready());
  EXPECT_EQ(again->generation, gen + 1);
  EXPECT_EQ(again->members.size(), 1u);
}

TEST_F(coordinator_test, last_member_expiring_leaves_an_empty_group) {
  auto [m1, gen] = stable_single("g");
  sched.advance(10000);
  auto d = describe("g");
  EXPECT_EQ(d.state, group_state::empty);
  EXPECT_TRUE(d.members.empty());
}

TEST_F(coordinator_test, members_waiting_in_join_do_not_expire) {
  auto [m1, gen1] = stable_single("g");
  auto& j2 = join_dynamic("g");
  // j2 waits in JoinGroup for 25 s (session 10 s) while m1 takes its time to rejoin.
  for (int i = 0; i < 8; ++i) {
    sched.advance(3000);
    heartbeat("g", gen1, m1);
  }
  auto& j1 = join(make_join("g", m1));
  ASSERT_TRUE(j1.ready() && j2.ready());
  EXPECT_EQ(j2->error, errc::ok);
  EXPECT_EQ(j1->members.size(), 2u);
}

TEST_F(coordinator_test, unused_member_id_from_member_id_required_expires) {
  auto [m1, gen1] = stable_single("g");
  auto& first = join(make_join("g"));
  ASSERT_EQ(first->error, errc::member_id_required);
  sched.advance(10001);
  EXPECT_EQ(join(make_join("g", first->member_id))->error, errc::unknown_member_id);
}

// ---- LeaveGroup ------------------------------------------------------------------------------

TEST_F(coordinator_test, leaving_member_triggers_a_rebalance) {
  auto [m1, gen1] = stable_single("g");
  auto& j2 = join_dynamic("g");
  auto& j1 = join(make_join("g", m1));
  ASSERT_TRUE(j1.ready() && j2.ready());
  sync("g", j1->generation, j2->member_id);
  sync("g", j1->generation, m1, {});
  auto r = leave("g", {{j2->member_id, std::nullopt}});
  EXPECT_EQ(r.error, errc::ok);
  ASSERT_EQ(r.members.size(), 1u);
  EXPECT_EQ(r.members[0], errc::ok);
  EXPECT_EQ(heartbeat("g", j1->generation, m1), errc::rebalance_in_progress);
  auto& again = join(make_join("g", m1));
  ASSERT_TRUE(again.ready());
  EXPECT_EQ(again->members.size(), 1u);
}

TEST_F(coordinator_test, leave_batch_form_answers_per_member) {
  auto r1 = make_join("g", "", "instance-a");
  auto& ja = join(r1);
  ASSERT_TRUE(ja.ready());
  ASSERT_EQ(ja->error, errc::ok);
  auto r = leave("g", {{"", "instance-a"}, {"who", std::nullopt}, {"x", "instance-zzz"}});
  EXPECT_EQ(r.error, errc::ok);
  ASSERT_EQ(r.members.size(), 3u);
  EXPECT_EQ(r.members[0], errc::ok);
  EXPECT_EQ(r.members[1], errc::unknown_member_id);
  EXPECT_EQ(r.members[2], errc::unknown_member_id);
  EXPECT_EQ(describe("g").state, group_state::empty);
  auto unknown = leave("nope", {{"m", std::nullopt}});
  ASSERT_EQ(unknown.members.size(), 1u);
  EXPECT_EQ(unknown.members[0], errc::unknown_member_id);
}

TEST_F(coordinator_test, leave_with_a_stale_member_id_for_an_instance_is_fenced) {
  auto& ja = join(make_join("g", "", "instance-a"));
  ASSERT_EQ(ja->error, errc::ok);
  auto r = leave("g", {{"old-id", "instance-a"}});
  ASSERT_EQ(r.members.size(), 1u);
  EXPECT_EQ(r.members[0], errc::fenced_instance_id);
}

TEST_F(coordinator_test, a_member_leaving_during_the_join_phase_lets_it_finish) {
  auto [m1, gen1] = stable_single("g");
  auto& j2 = join_dynamic("g");
  EXPECT_FALSE(j2.ready());
  leave("g", {{m1, std::nullopt}});
  ASSERT_TRUE(j2.ready());
  EXPECT_EQ(j2->error, errc::ok);
  EXPECT_EQ(j2->leader, j2->member_id);
}

// ---- static membership -----------------------------------------------------------------------

TEST_F(coordinator_test, restarted_static_member_rejoins_stable_group_without_rebalance) {
  auto& ja = join(make_join("g", "", "a"));
  ASSERT_TRUE(ja.ready());
  auto& jb = join(make_join("g", "", "b"));
  EXPECT_FALSE(jb.ready());
  auto& ja2 = join(make_join("g", ja->member_id, "a"));
  ASSERT_TRUE(ja2.ready() && jb.ready());
  const int32_t gen = ja2->generation;
  const std::string leader = ja2->leader;
  ASSERT_EQ(leader, ja->member_id);
  ASSERT_EQ(ja2->members.size(), 2u);
  for (const auto& m : ja2->members) EXPECT_TRUE(m.group_instance_id.has_value());
  auto& sb = sync("g", gen, jb->member_id, {}, "b");
  sync("g", gen, leader, {{leader, bytes_of("A")}, {jb->member_id, bytes_of("B")}}, "a");
  ASSERT_TRUE(sb.ready());
  const auto rebalances = coord->stats().rebalances;

  // The leader "a" restarts: a new process, empty member id, same instance id.
  auto& restarted = join(make_join("g", "", "a"));
  ASSERT_TRUE(restarted.ready());
  EXPECT_EQ(restarted->error, errc::ok);
  EXPECT_EQ(restarted->generation, gen) << "no new generation";
  EXPECT_NE(restarted->member_id, leader);
  EXPECT_EQ(restarted->leader, leader) << "the old leader id, so it acts as a follower";
  EXPECT_TRUE(restarted->members.empty());
  EXPECT_EQ(coord->stats().rebalances, rebalances);
  EXPECT_EQ(describe("g").state, group_state::stable);
  auto& s = sync("g", gen, restarted->member_id, {}, "a");
  ASSERT_TRUE(s.ready());
  EXPECT_EQ(s->assignment, bytes_of("A")) << "its previous assignment";
  EXPECT_EQ(heartbeat("g", gen, jb->member_id, "b"), errc::ok) << "b sees no rebalance";

  // The old incarnation is fenced everywhere.
  EXPECT_EQ(heartbeat("g", gen, leader, "a"), errc::fenced_instance_id);
  EXPECT_EQ(sync("g", gen, leader, {}, "a")->error, errc::fenced_instance_id);
  offset_commit_request c = simple_commit("g", 5);
  c.generation = gen;
  c.member_id = leader;
  c.group_instance_id = "a";
  EXPECT_EQ(commit(c).at(0), errc::fenced_instance_id);
  EXPECT_EQ(join(make_join("g", leader, "a"))->error, errc::fenced_instance_id);
}

TEST_F(coordinator_test, static_member_rejoining_during_completing_rebalance_triggers_a_rebalance) {
  auto& ja = join(make_join("g", "", "a"));
  ASSERT_TRUE(ja.ready());
  EXPECT_EQ(describe("g").state, group_state::completing_rebalance);
  auto& again = join(make_join("g", "", "a"));
  // The only member rejoined: the new join phase completes at once with a new generation.
  ASSERT_TRUE(again.ready());
  EXPECT_EQ(again->generation, ja->generation + 1);
  EXPECT_EQ(sync("g", ja->generation, ja->member_id, {}, "a")->error, errc::fenced_instance_id);
}

TEST_F(coordinator_test, static_members_stay_through_a_rebalance_until_their_session_ends) {
  auto& ja = join(make_join("g", "", "a"));
  sync("g", ja->generation, ja->member_id, {{ja->member_id, bytes_of("A")}}, "a");
  auto& jb = join(make_join("g", "", "b"));
  EXPECT_FALSE(jb.ready());
  // "a" stays alive (heartbeats) but never rejoins; after the 30 s rebalance timeout b's join
  // completes and a is still a member, because static members leave only by session expiry.
  for (int i = 0; i < 10 && !jb.ready(); ++i) {
    sched.advance(3000);
    if (!jb.ready()) {
      EXPECT_EQ(heartbeat("g", ja->generation, ja->member_id, "a"), errc::rebalance_in_progress);
    }
  }
  ASSERT_TRUE(jb.ready());
  EXPECT_EQ(jb->leader, jb->member_id);
  ASSERT_EQ(jb->members.size(), 2u) << "the absent static member is still a member";
  EXPECT_EQ(describe("g").members.size(), 2u);
}

TEST_F(coordinator_test, unknown_static_instance_joins_as_new_member_and_rebalances) {
  auto [m1, gen1] = stable_single("g");
  auto& js = join(make_join("g", "", "fresh"));
  EXPECT_FALSE(js.ready());
  EXPECT_EQ(describe("g").state, group_state::preparing_rebalance);
}

// ---- offsets ---------------------------------------------------------------------------------

TEST_F(coordinator_test, simple_commit_creates_the_group_and_fetch_reads_it_back) {
  auto r = commit(simple_commit("manual", 42, "meta"));
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], errc::ok);
  auto f = coord->fetch_offsets({"manual", std::vector<core::topic_partition>{{"orders", core::partition_id{0}},
                                                                              {"orders", core::partition_id{1}}}, false});
  ASSERT_EQ(f.offsets.size(), 2u);
  EXPECT_EQ(f.offsets[0].offset, 42);
  EXPECT_EQ(f.offsets[0].metadata, "meta");
  EXPECT_EQ(f.offsets[1].offset, -1) << "nothing committed: -1 without an error";
  EXPECT_EQ(f.offsets[1].error, errc::ok);
  auto all = coord->fetch_offsets({"manual", std::nullopt, false});
  ASSERT_EQ(all.offsets.size(), 1u);
  EXPECT_EQ(all.offsets[0].tp.topic, "orders");
  EXPECT_EQ(describe("manual").state, group_state::empty);
  auto none = coord->fetch_offsets({"unknown-group", std::nullopt, false});
  EXPECT_TRUE(none.offsets.empty());
}

TEST_F(coordinator_test, commit_validation) {
  auto [m1, gen] = stable_single("g");
  offset_commit_request c = simple_commit("g", 7);
  EXPECT_EQ(commit(c).at(0), errc::unknown_member_id) << "no member fields, group not empty";
  c.generation = gen;
  c.member_id = m1;
  EXPECT_EQ(commit(c).at(0), errc::ok);
  c.generation = gen + 1;
  EXPECT_EQ(commit(c).at(0), errc::illegal_generation);
  c.generation = gen;
  c.member_id = "nobody";
  EXPECT_EQ(commit(c).at(0), errc::unknown_member_id);
  // An unknown group with a generation: from an older incarnation.
  auto stale = simple_commit("elsewhere", 1);
  stale.generation = 3;
  stale.member_id = "m";
  EXPECT_EQ(commit(stale).at(0), errc::illegal_generation);
  // Per-partition checks.
  offset_commit_request bad = simple_commit("simple", 1);
  bad.offsets.push_back({{"no-such-topic", core::partition_id{0}}, 1, -1, std::nullopt});
  bad.offsets.push_back({{"orders", core::partition_id{9}}, 1, -1, std::nullopt});
  bad.offsets.push_back({{"orders", core::partition_id{1}}, 1, -1, std::string(4097, 'm')});
  auto r = commit(bad);
  EXPECT_EQ(r[0], errc::ok);
  EXPECT_EQ(r[1], errc::unknown_topic_or_partition);
  EXPECT_EQ(r[2], errc::unknown_topic_or_partition);
  EXPECT_EQ(r[3], errc::offset_metadata_too_large);
  EXPECT_EQ(commit(simple_commit("", 1)).at(0), errc::invalid_group_id);
}

TEST_F(coordinator_test, commits_during_rebalance) {
  auto [m1, gen1] = stable_single("g");
  auto& j2 = join_dynamic("g");
  offset_commit_request c = simple_commit("g", 9);
  c.generation = gen1;
  c.member_id = m1;
  EXPECT_EQ(commit(c).at(0), errc::ok) << "PreparingRebalance: the current generation may commit";
  auto& j1 = join(make_join("g", m1));
  ASSERT_TRUE(j1.ready() && j2.ready());
  c.generation = j1->generation;
  EXPECT_EQ(commit(c).at(0), errc::rebalance_in_progress) << "CompletingRebalance";
}

TEST_F(coordinator_test, require_stable_sees_pending_transactional_offsets) {
  commit(simple_commit("g", 5));
  offset_commit_request t = simple_commit("g", 11);
  t.transaction = txn_producer{core::producer_id{7}, core::producer_epoch{0}};
  EXPECT_EQ(commit(t).at(0), errc::ok);
  std::vector<core::topic_partition> tp{{"orders", core::partition_id{0}}};
  auto unstable = coord->fetch_offsets({"g", tp, true});
  EXPECT_EQ(unstable.offsets.at(0).error, errc::unstable_offset_commit);
  auto relaxed = coord->fetch_offsets({"g", tp, false});
  EXPECT_EQ(relaxed.offsets.at(0).offset, 5) << "pending offsets stay invisible";
  coord->complete_transactional_offsets(coord->partition_for("g"), core::producer_id{7}, true);
  auto after = coord->fetch_offsets({"g", tp, true});
  EXPECT_EQ(after.offsets.at(0).error, errc::ok);
  EXPECT_EQ(after.offsets.at(0).offset, 11);
  // An aborted transaction's offsets disappear.
  offset_commit_request a = simple_commit("g", 99);
  a.transaction = txn_producer{core::producer_id{8}, core::producer_epoch{0}};
  EXPECT_EQ(commit(a).at(0), errc::ok);
  coord->complete_transactional_offsets(coord->partition_for("g"), core::producer_id{8}, false);
  EXPECT_EQ(coord->fetch_offsets({"g", tp, true}).offsets.at(0).offset, 11);
}

TEST_F(coordinator_test, transactional_commit_is_fenced_by_generation_but_not_by_rebalance) {
  auto [m1, gen1] = stable_single("g");
  auto& j2 = join_dynamic("g");
  auto& j1 = join(make_join("g", m1));
  ASSERT_TRUE(j1.ready() && j2.ready());
  offset_commit_request t = simple_commit("g", 4);
  t.transaction = txn_producer{core::producer_id{3}, core::producer_epoch{1}};
  t.member_id = m1;
  t.generation = j1->generation;
  EXPECT_EQ(commit(t).at(0), errc::ok) << "CompletingRebalance does not block a transactional commit";
  t.generation = gen1;
  EXPECT_EQ(commit(t).at(0), errc::illegal_generation);
  t.generation = j1->generation;
  t.member_id = "someone-else";
  EXPECT_EQ(commit(t).at(0), errc::unknown_member_id);
  // kafkajs (TxnOffsetCommit v1) sends no member: the producer epoch fences it, not the group.
  offset_commit_request anonymous = simple_commit("g", 6);
  anonymous.transaction = txn_producer{core::producer_id{3}, core::producer_epoch{1}};
  EXPECT_EQ(commit(anonymous).at(0), errc::ok);
}

TEST_F(coordinator_test, transactional_offsets_are_resolved_by_markers_after_a_restart) {
  std::vector<core::topic_partition> tp{{"orders", core::partition_id{0}}};
  offset_commit_request committed = simple_commit("g", 21);
  committed.transaction = txn_producer{core::producer_id{7}, core::producer_epoch{2}};
  ASSERT_EQ(commit(committed).at(0), errc::ok);
  offset_commit_request aborted = simple_commit("h", 31);
  aborted.transaction = txn_producer{core::producer_id{8}, core::producer_epoch{0}};
  ASSERT_EQ(commit(aborted).at(0), errc::ok);
  offset_commit_request open_txn = simple_commit("k", 41);
  open_txn.transaction = txn_producer{core::producer_id{9}, core::producer_epoch{0}};
  ASSERT_EQ(commit(open_txn).at(0), errc::ok);
  // What the transaction coordinator does on EndTxn: a marker into the group's partition.
  auto marker = [&](const std::string& group, int64_t pid, int16_t epoch, bool commit) {
    auto plog = logs->get({"__consumer_offsets", core::partition_id{coord->partition_for(group)}});
    ASSERT_TRUE(plog);
    ASSERT_TRUE(plog->append_marker(core::producer_id{pid}, core::producer_epoch{epoch}, commit, 0));
  };
  marker("g", 7, 2, true);
  marker("h", 8, 0, false);
  reopen();
  EXPECT_EQ(coord->fetch_offsets({"g", tp, true}).offsets.at(0).offset, 21) << "committed by its marker";
  EXPECT_EQ(coord->fetch_offsets({"h", tp, false}).offsets.at(0).offset, -1) << "dropped by its marker";
  EXPECT_EQ(coord->fetch_offsets({"h", tp, true}).offsets.at(0).error, errc::ok);
  EXPECT_EQ(coord->fetch_offsets({"k", tp, true}).offsets.at(0).error, errc::unstable_offset_commit)
      << "no marker yet: still pending after the restart";
  coord->complete_transactional_offsets(coord->partition_for("k"), core::producer_id{9}, true);
  EXPECT_EQ(coord->fetch_offsets({"k", tp, true}).offsets.at(0).offset, 41);
}

TEST_F(coordinator_test, offset_delete) {
  capture<offset_delete_result> missing;
  coord->delete_offsets("none", {{"orders", core::partition_id{0}}}, missing.fn());
  EXPECT_EQ(missing->error, errc::group_id_not_found);

  auto [m1, gen] = stable_single("g");
  offset_commit_request c = simple_commit("g", 3);
  c.generation = gen;
  c.member_id = m1;
  c.offsets.push_back({{"payments", core::partition_id{1}}, 4, -1, std::nullopt});
  commit(c);
  capture<offset_delete_result> active;
  coord->delete_offsets("g", {{"orders", core::partition_id{0}}, {"payments", core::partition_id{1}},
                              {"ghost", core::partition_id{0}}}, active.fn());
  ASSERT_TRUE(active.ready());
  EXPECT_EQ(active->error, errc::ok);
  ASSERT_EQ(active->partitions.size(), 3u);
  EXPECT_EQ(active->partitions[0], errc::group_subscribed_to_topic) << "the member consumes orders";
  EXPECT_EQ(active->partitions[1], errc::ok);
  EXPECT_EQ(active->partitions[2], errc::unknown_topic_or_partition);
  auto left = coord->fetch_offsets({"g", std::nullopt, false});
  ASSERT_EQ(left.offsets.size(), 1u);
  EXPECT_EQ(left.offsets[0].tp.topic, "orders");
}

// ---- admin -----------------------------------------------------------------------------------

TEST_F(coordinator_test, delete_groups) {
  auto [m1, gen] = stable_single("busy");
  commit(simple_commit("idle", 12));
  capture<std::vector<errc>> r;
  coord->delete_groups({"busy", "idle", "ghost", ""}, r.fn());
  ASSERT_TRUE(r.ready());
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0], errc::non_empty_group);
  EXPECT_EQ((*r)[1], errc::ok);
  EXPECT_EQ((*r)[2], errc::group_id_not_found);
  EXPECT_EQ((*r)[3], errc::invalid_group_id);
  EXPECT_EQ(describe("idle").state, group_state::dead);
  EXPECT_TRUE(coord->fetch_offsets({"idle", std::nullopt, false}).offsets.empty());
  auto listed = coord->list_groups();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].group_id, "busy");
}

TEST_F(coordinator_test, describe_and_list) {
  auto& ja = join(make_join("g", "", "inst-a"));
  auto d = describe("g");
  EXPECT_EQ(d.state, group_state::completing_rebalance);
  EXPECT_EQ(d.protocol_type, "consumer");
  EXPECT_EQ(d.protocol_name, "") << "no protocol data outside Stable";
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_TRUE(d.members[0].metadata.empty());
  sync("g", ja->generation, ja->member_id, {{ja->member_id, bytes_of("assigned")}}, "inst-a");
  d = describe("g");
  EXPECT_EQ(d.state, group_state::stable);
  EXPECT_EQ(to_string(d.state), "Stable");
  EXPECT_EQ(d.protocol_name, "range");
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].member_id, ja->member_id);
  EXPECT_EQ(d.members[0].group_instance_id, "inst-a");
  EXPECT_EQ(d.members[0].client_id, "client");
  EXPECT_EQ(d.members[0].client_host, "/127.0.0.1");
  EXPECT_EQ(d.members[0].metadata, subscription({"orders"}));
  EXPECT_EQ(d.members[0].assignment, bytes_of("assigned"));
  EXPECT_EQ(describe("unknown").state, group_state::dead);
  EXPECT_EQ(describe("unknown").error, errc::ok);

  commit(simple_commit("manual", 1));
  auto all = coord->list_groups();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].group_id, "g");
  EXPECT_EQ(all[0].state, group_state::stable);
  EXPECT_EQ(all[1].group_id, "manual");
  EXPECT_EQ(all[1].protocol_type, "");
  auto empty_only = coord->list_groups({group_state::empty});
  ASSERT_EQ(empty_only.size(), 1u);
  EXPECT_EQ(empty_only[0].group_id, "manual");
  EXPECT_EQ(parse_group_state("stable"), group_state::stable);
  EXPECT_EQ(parse_group_state("CompletingRebalance"), group_state::completing_rebalance);
  EXPECT_FALSE(parse_group_state("Rebalancing"));
}

TEST_F(coordinator_test, snapshot_reports_members_and_committed_offsets) {
  auto [m1, gen] = stable_single("g");
  offset_commit_request c = simple_commit("g", 17);
  c.generation = gen;
  c.member_id = m1;
  commit(c);
  commit(simple_commit("manual", 3));
  auto snap = coord->snapshot();
  ASSERT_EQ(snap.size(), 2u);
  EXPECT_EQ(snap[0].group_id, "g");
  EXPECT_EQ(snap[0].state, group_state::stable);
  EXPECT_EQ(snap[0].members, 1u);
  ASSERT_EQ(snap[0].committed.size(), 1u);
  EXPECT_EQ(snap[0].committed[0].second, 17);
  EXPECT_EQ(snap[1].group_id, "manual");
  EXPECT_EQ(snap[1].members, 0u);
  auto stats = coord->stats();
  EXPECT_EQ(stats.groups, 2u);
  EXPECT_EQ(stats.members, 1u);
  EXPECT_GE(stats.rebalances, 1u);
}

// ---- persistence -----------------------------------------------------------------------------

TEST_F(coordinator_test, offsets_and_group_state_survive_a_restart) {
  auto& ja = join(make_join("g", "", "inst-a"));
  sync("g", ja->generation, ja->member_id, {{ja->member_id, bytes_of("A")}}, "inst-a");
  offset_commit_request c = simple_commit("g", 100, "checkpoint");
  c.generation = ja->generation;
  c.member_id = ja->member_id;
  c.group_instance_id = "inst-a";
  c.offsets.push_back({{"payments", core::partition_id{1}}, 7, 3, std::nullopt});
  ASSERT_EQ(commit(c).at(0), errc::ok);
  commit(simple_commit("manual", 5));
  commit(simple_commit("manual", 6));  // the newest value wins on replay
  commit(simple_commit("gone", 1));
  capture<std::vector<errc>> deleted;
  coord->delete_groups({"gone"}, deleted.fn());
  ASSERT_EQ(deleted->at(0), errc::ok);

  reopen();

  auto f = coord->fetch_offsets({"g", std::nullopt, false});
  ASSERT_EQ(f.offsets.size(), 2u);
  EXPECT_EQ(f.offsets[0].tp, (core::topic_partition{"orders", core::partition_id{0}}));
  EXPECT_EQ(f.offsets[0].offset, 100);
  EXPECT_EQ(f.offsets[0].metadata, "checkpoint");
  EXPECT_EQ(f.offsets[1].offset, 7);
  EXPECT_EQ(f.offsets[1].leader_epoch, 3);
  EXPECT_EQ(coord->fetch_offsets({"manual", std::nullopt, false}).offsets.at(0).offset, 6);
  EXPECT_EQ(describe("gone").state, group_state::dead);

  // The group comes back Stable with its member, generation and assignment: the member just
  // carries on heartbeating.
  auto d = describe("g");
  EXPECT_EQ(d.state, group_state::stable);
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].member_id, ja->member_id);
  EXPECT_EQ(d.members[0].assignment, bytes_of("A"));
  EXPECT_EQ(heartbeat("g", ja->generation, ja->member_id, "inst-a"), errc::ok);
  // A restarted static member still rejoins without a rebalance.
  auto& again = join(make_join("g", "", "inst-a"));
  ASSERT_TRUE(again.ready());
  EXPECT_EQ(again->generation, ja->generation);
  auto& s = sync("g", ja->generation, again->member_id, {}, "inst-a");
  EXPECT_EQ(s->assignment, bytes_of("A"));
}

TEST_F(coordinator_test, a_follower_rejoining_after_a_restart_with_its_whole_protocol_list_does_not_rebalance) {
  auto [m1, gen1] = stable_single("g");
  auto& j2 = join_dynamic("g");
  auto& j1 = join(make_join("g", m1));
  ASSERT_TRUE(j1.ready() && j2.ready());
  sync("g", j2->generation, j2->member_id);
  auto& s1 = sync("g", j1->generation, m1, {{m1, bytes_of("a")}, {j2->member_id, bytes_of("b")}});
  ASSERT_TRUE(s1.ready());
  reopen();  // Kafka's format kept only "range" and its metadata of each member's two protocols
  auto& again = join(make_join("g", j2->member_id));  // offers range and roundrobin again
  ASSERT_TRUE(again.ready());
  EXPECT_EQ(again->error, errc::ok);
  EXPECT_EQ(again->generation, j2->generation) << "the selected protocol is unchanged";
  EXPECT_EQ(describe("g").state, group_state::stable);
  // Different metadata for the selected protocol is a change.
  auto& changed = join(make_join("g", j2->member_id, std::nullopt,
                                 {{"range", subscription({"orders", "payments"})}}));
  EXPECT_FALSE(changed.ready());
  EXPECT_EQ(describe("g").state, group_state::preparing_rebalance);
}

TEST_F(coordinator_test, a_commit_without_metadata_reads_as_empty_metadata_before_and_after_a_restart) {
  commit(simple_commit("g", 3));  // metadata null, as kafkajs sends it
  std::vector<core::topic_partition> tp{{"orders", core::partition_id{0}}};
  EXPECT_EQ(coord->fetch_offsets({"g", tp, false}).offsets.at(0).metadata, "");
  reopen();
  EXPECT_EQ(coord->fetch_offsets({"g", tp, false}).offsets.at(0).metadata, "");
}

TEST_F(coordinator_test, records_in_every_version_kafka_wrote_are_replayed) {
  // What a Kafka broker of any version may have left in __consumer_offsets, appended by hand:
  // an offset under key type 0 with value v1 (0.9), one under type 1 with value v4 (4.1,
  // with a tagged topic id), group metadata v0 (0.9) and v4 (flexible), a KIP-848 consumer
  // group record (type 3), and a tombstone.
  using protocol::test::hex;
  auto append = [&](const std::string& group, std::vector<std::pair<core::bytes, std::optional<core::bytes>>> kvs) {
    std::vector<core::raw_record> records;
    for (auto& [k, v] : kvs) {
      core::raw_record r;
      r.key = std::move(k);
      r.value = std::move(v);
      records.push_back(std::move(r));
    }
    auto batch = protocol::encode_record_batch(records, {});
    ASSERT_TRUE(batch);
    auto plog = logs->get({"__consumer_offsets", core::partition_id{coord->partition_for(group)}});
    ASSERT_TRUE(plog);
    ASSERT_TRUE(plog->append(batch.value(), storage::append_origin::coordinator));
  };
  append("old", {{hex("00 00 00 03 'old' 00 06 'orders' 00 00 00 01"),  // type 0: old/orders-1
                  hex("00 01 00 00 00 00 00 00 00 0c 00 02 'md'"        // v1: offset 12, "md"
                      "00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 02")},  // commit 1, expire 2
                 {hex("00 02 00 03 'old'"),                             // group metadata v0:
                  hex("00 00 00 08 'consumer' 00 00 00 05 00 05 'range' 00 02 'm0'"
                      "00 00 00 01 00 02 'm0' 00 01 'c' 00 03 '/h0'"    // member m0
                      "00 00 27 10"                                     // session 10000
                      "00 00 00 01 'S' 00 00 00 01 'A'")}});
  append("new", {{hex("00 01 00 03 'new' 00 06 'orders' 00 00 00 02"),  // type 1: new/orders-2
                  hex("00 04 00 00 00 00 00 00 00 0d 00 00 00 04 03 'md'"  // v4: offset 13, epoch 4
                      "00 00 00 00 00 00 00 01 01 00 10"                // tag 0, 16 bytes:
                      "00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff")},
                 {hex("00 03 00 03 'new'"), hex("00 00 00 00 00 07")},   // KIP-848 group epoch: skipped
                 {hex("00 02 00 03 'new'"),                             // group metadata v4: Empty
                  hex("00 04 09 'consumer' 00 00 00 02 00 00 00 00 00 00 00 00 00 07 01 00")},
                 {hex("00 01 00 03 'new' 00 06 'orders' 00 00 00 00"),  // committed and deleted
                  hex("00 03 00 00 00 00 00 00 00 01 ff ff ff ff 00 00 00 00 00 00 00 00 00 00")},
                 {hex("00 01 00 03 'new' 00 06 'orders' 00 00 00 00"), std::nullopt}});
  reopen();
  auto old = coord->fetch_offsets({"old", std::nullopt, false});
  ASSERT_EQ(old.offsets.size(), 1u);
  EXPECT_EQ(old.offsets[0].tp, (core::topic_partition{"orders", core::partition_id{1}}));
  EXPECT_EQ(old.offsets[0].offset, 12);
  EXPECT_EQ(old.offsets[0].metadata, "md");
  auto d = describe("old");
  EXPECT_EQ(d.state, group_state::stable);
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].member_id, "m0");
  EXPECT_EQ(d.members[0].client_host, "/h0");
  EXPECT_EQ(d.members[0].metadata, bytes_of("S"));
  EXPECT_EQ(d.members[0].assignment, bytes_of("A"));
  EXPECT_EQ(heartbeat("old", 5, "m0"), errc::ok);
  auto fresh = coord->fetch_offsets({"new", std::nullopt, false});
  ASSERT_EQ(fresh.offsets.size(), 1u) << "the tombstone removed orders-0";
  EXPECT_EQ(fresh.offsets[0].offset, 13);
  EXPECT_EQ(fresh.offsets[0].leader_epoch, 4);
  EXPECT_EQ(describe("new").state, group_state::empty);
  EXPECT_EQ(describe("new").protocol_type, "consumer");
}

TEST_F(coordinator_test, what_is_written_is_kafkas_format) {
  auto& ja = join(make_join("g", "", "inst-a"));
  sync("g", ja->generation, ja->member_id, {{ja->member_id, bytes_of("A")}}, "inst-a");
  offset_commit_request c = simple_commit("g", 100, "cp");
  c.generation = ja->generation;
  c.member_id = ja->member_id;
  c.group_instance_id = "inst-a";
  ASSERT_EQ(commit(c).at(0), errc::ok);
  auto plog = logs->get({"__consumer_offsets", core::partition_id{coord->partition_for("g")}});
  std::vector<core::raw_record> seen;
  ASSERT_TRUE(storage::replay_log(*plog, [&](protocol::record_batch_reader& r, int64_t) -> result<void> {
    for (;;) {
      SLUICE_TRY(auto rec, r.next());
      if (!rec) return core::success();
      seen.push_back(rec->record);
    }
  }));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(*seen[0].key, encode_key(group_key{"g"}));
  auto gv = decode_group_value(*seen[0].value);
  ASSERT_TRUE(gv);
  EXPECT_EQ(static_cast<uint8_t>((*seen[0].value)[1]), 3) << "GroupMetadataValue v3";
  EXPECT_EQ(gv.value().protocol_name, "range");
  ASSERT_EQ(gv.value().members.size(), 1u);
  EXPECT_EQ(gv.value().members[0].instance_id, "inst-a");
  EXPECT_EQ(gv.value().members[0].subscription, subscription({"orders"})) << "the selected protocol's";
  EXPECT_EQ(gv.value().members[0].assignment, bytes_of("A"));
  EXPECT_EQ(*seen[1].key, encode_key(offset_key{"g", {"orders", core::partition_id{0}}}));
  EXPECT_EQ(static_cast<uint8_t>((*seen[1].value)[1]), 3) << "OffsetCommitValue v3";
  EXPECT_EQ(decode_offset_value(*seen[1].value).value().offset, 100);
}

TEST_F(coordinator_test, members_not_back_after_a_restart_expire) {
  auto [m1, gen] = stable_single("g");
  reopen();
  EXPECT_EQ(describe("g").state, group_state::stable);
  sched.advance(10000);
  EXPECT_EQ(describe("g").state, group_state::empty);
  reopen();
  EXPECT_EQ(describe("g").state, group_state::empty) << "the empty generation was stored";
}

TEST_F(coordinator_test, offset_delete_tombstones_survive_a_restart) {
  commit(simple_commit("g", 3));
  capture<offset_delete_result> r;
  coord->delete_offsets("g", {{"orders", core::partition_id{0}}}, r.fn());
  ASSERT_EQ(r->error, errc::ok);
  reopen();
  EXPECT_TRUE(coord->fetch_offsets({"g", std::nullopt, false}).offsets.empty());
}

TEST_F(coordinator_test, commits_wait_for_the_flush_when_the_policy_asks) {
  log_defaults.flush_interval_messages = 1;
  close();
  open();
  const int before = sched.blocking_runs;
  EXPECT_EQ(commit(simple_commit("g", 1)).at(0), errc::ok);
  EXPECT_EQ(sched.blocking_runs, before + 1) << "answered from the blocking pool after fsync";
}

TEST_F(coordinator_test, groups_map_to_offsets_partitions_by_hash) {
  auto info = logs->topic(std::string(offsets_topic));
  ASSERT_TRUE(info);
  EXPECT_EQ(info->partitions, 4);
  std::set<int32_t> used;
  for (int i = 0; i < 64; ++i) {
    int32_t p = coord->partition_for("group-" + std::to_string(i));
    EXPECT_GE(p, 0);
    EXPECT_LT(p, 4);
    used.insert(p);
  }
  EXPECT_EQ(used.size(), 4u);
  // The records land in that partition.
  ASSERT_EQ(commit(simple_commit("group-7", 1)).at(0), errc::ok);
  auto plog = logs->get({std::string(offsets_topic), core::partition_id{coord->partition_for("group-7")}});
  ASSERT_TRUE(plog);
  EXPECT_EQ(plog->log_end_offset(), core::offset{1});
}

TEST_F(coordinator_test, partition_count_of_an_existing_offsets_topic_is_kept) {
  close();
  config.offsets_topic_partitions = 9;
  open();
  EXPECT_EQ(logs->topic(std::string(offsets_topic))->partitions, 4);
}

}  // namespace
}  // namespace sluice::broker::group::test
