// The runtime's own consumer-group member (runtime/detail/group_member.h) against a real
// sluice-broker in-process: leadership and assignments, rebalances seen through heartbeats,
// offsets under the member's generation (and a stale one), static membership (a restart
// without a rebalance, fencing of a second live instance), leaving, DescribeGroups as
// librdkafka and the raw protocol see the group, and the exactly-once assumption: a librdkafka
// transactional producer commits offsets with this member's generation and member id, and is
// refused once the generation has moved on.

#include "tests/integration/broker_fixture.h"

#include "core/protocol/consumer_protocol.h"
#include "core/protocol/describe_groups.h"
#include "runtime/detail/group_member.h"
#include "core/config.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
using runtime::detail::client_errc;
using runtime::detail::group_assignor;
using runtime::detail::group_event;
using runtime::detail::group_generation;
using runtime::detail::group_member;
using runtime::detail::group_member_metadata;
using runtime::detail::group_member_options;
using runtime::detail::group_protocol;
using runtime::detail::kafka_error;
using runtime::detail::offset_and_metadata;
using protocol::error_code;
using clock_type = std::chrono::steady_clock;

constexpr const char* protocol_name = "sluice-streams";

/// Polls `done` every 20 ms until it holds or `timeout` passes.
template <class F>
bool eventually(F done, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = clock_type::now() + timeout;
  while (!done()) {
    if (clock_type::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

/// The leader's assignor for the tests: the partitions of one topic round-robin over the
/// members sorted by id, as ConsumerProtocolAssignment v3 with the member id as user data. It
/// remembers what it handed out last.
class recording_assignor {
 public:
  recording_assignor(std::string topic, int partitions) : _topic(std::move(topic)), _partitions(partitions) {}

  group_assignor fn() {
    return [this](const std::string& protocol, const std::vector<group_member_metadata>& members) {
      std::vector<std::string> ids;
      for (const auto& m : members) ids.push_back(m.member_id);
      std::sort(ids.begin(), ids.end());
      std::map<std::string, protocol::consumer_protocol_assignment> plan;
      for (const auto& id : ids) {
        plan[id].assigned_partitions.push_back({_topic, {}});
        plan[id].user_data = core::bytes(reinterpret_cast<const std::byte*>(id.data()),
                                         reinterpret_cast<const std::byte*>(id.data()) + id.size());
      }
      for (int p = 0; p < _partitions; ++p) {
        plan[ids[static_cast<size_t>(p) % ids.size()]].assigned_partitions[0].partitions.push_back(
            core::partition_id{p});
      }
      std::map<std::string, core::bytes> out;
      for (const auto& [id, a] : plan) out[id] = a.to_bytes(3);
      std::lock_guard lock(_mutex);
      _protocol = protocol;
      _members = members;
      _last = out;
      ++_calls;
      return out;
    };
  }

  std::map<std::string, core::bytes> last() const {
    std::lock_guard lock(_mutex);
    return _last;
  }
  std::vector<group_member_metadata> members() const {
    std::lock_guard lock(_mutex);
    return _members;
  }
  std::string protocol() const {
    std::lock_guard lock(_mutex);
    return _protocol;
  }
  int calls() const {
    std::lock_guard lock(_mutex);
    return _calls;
  }

 private:
  std::string _topic;
  int _partitions;
  mutable std::mutex _mutex;
  std::map<std::string, core::bytes> _last;
  std::vector<group_member_metadata> _members;
  std::string _protocol;
  int _calls = 0;
};

/// The partitions an assignment payload gives.
std::set<int32_t> partitions_of(const core::bytes& assignment) {
  std::set<int32_t> out;
  auto a = protocol::consumer_protocol_assignment::decode(assignment);
  EXPECT_TRUE(a) << "the assignment does not decode";
  if (!a) return out;
  for (const auto& tp : a.value().assigned_partitions) {
    for (auto p : tp.partitions) out.insert(p.value());
  }
  return out;
}

/// Whether a commit's answer has every partition committed.
bool all_committed(const std::map<core::topic_partition, std::error_code>& answer) {
  if (answer.empty()) return false;
  for (const auto& [tp, e] : answer) {
    if (e) return false;
  }
  return true;
}

/// Records the heartbeat thread's events.
struct event_log {
  std::mutex mutex;
  std::vector<group_event> events;
  std::function<void(group_event)> callback() {
    return [this](group_event e) {
      std::lock_guard lock(mutex);
      events.push_back(e);
    };
  }
  size_t count(group_event e) {
    std::lock_guard lock(mutex);
    return static_cast<size_t>(std::count(events.begin(), events.end(), e));
  }
  size_t size() {
    std::lock_guard lock(mutex);
    return events.size();
  }
};

/// Keeps a member in the group on a thread of its own: joins, and joins again whenever its
/// heartbeats ask for it, until destroyed (the member's owner thread meanwhile).
class driver {
 public:
  driver(group_member& m, std::vector<group_protocol> protocols, group_assignor assign)
      : _thread([this, &m, protocols = std::move(protocols), assign = std::move(assign)] {
          while (!_stop) {
            if (m.fenced()) return;
            if (m.joined() && !m.rejoin_needed()) {
              std::this_thread::sleep_for(20ms);
              continue;
            }
            auto r = m.join(protocols, assign, 30s);
            std::lock_guard lock(_mutex);
            if (r) {
              _last = r.value();
            } else {
              ++_failures;
              std::this_thread::sleep_for(100ms);
            }
          }
        }) {}
  ~driver() {
    _stop = true;
    _thread.join();
  }
  std::optional<group_generation> last() const {
    std::lock_guard lock(_mutex);
    return _last;
  }
  int failures() const {
    std::lock_guard lock(_mutex);
    return _failures;
  }

 private:
  std::atomic<bool> _stop{false};
  mutable std::mutex _mutex;
  std::optional<group_generation> _last;
  int _failures = 0;
  std::thread _thread;
};

/// True once every member is joined in one generation with no rebalance pending, three checks
/// in a row 300 ms apart (a pending rebalance shows in a heartbeat within that time).
bool settled(const std::vector<group_member*>& members, std::chrono::milliseconds timeout = 30s) {
  int quiet = 0;
  return eventually(
      [&] {
        const int32_t g = members.front()->generation();
        bool ok = g >= 0;
        for (auto* m : members) ok = ok && m->joined() && !m->rejoin_needed() && m->generation() == g;
        quiet = ok ? quiet + 1 : 0;
        if (quiet < 3) std::this_thread::sleep_for(300ms);
        return quiet >= 3;
      },
      timeout);
}

TEST(group_member_options, bad_settings_name_their_keys) {
  auto expect_problem = [](group_member_options o, std::string_view words) {
    try {
      group_member m(std::move(o));
      ADD_FAILURE() << "accepted; expected: " << words;
    } catch (const core::config_exception& e) {
      EXPECT_NE(std::string_view(e.what()).find(words), std::string_view::npos) << e.what();
    }
  };
  group_member_options good;
  good.bootstrap_servers = "127.0.0.1:9092";
  good.group_id = "g";
  auto o = good;
  o.group_id.clear();
  expect_problem(o, "group.id");
  o = good;
  o.bootstrap_servers = "";
  expect_problem(o, "bootstrap.servers");
  o = good;
  o.heartbeat_interval = o.session_timeout;
  expect_problem(o, "heartbeat.interval.ms must be lower than session.timeout.ms");
  o = good;
  o.request_timeout = 0ms;
  expect_problem(o, "request.timeout.ms");
  o = good;
  o.group_instance_id = "";
  expect_problem(o, "group.instance.id");
  EXPECT_NO_THROW(group_member{good}) << "nothing is sent before join";
}

class group_member_test : public broker_test {
 protected:
  void SetUp() override {
    _options.groups.initial_rebalance_delay_ms = 0;
    broker_test::SetUp();
  }

  group_member_options options_for(const std::string& group, std::optional<std::string> instance = std::nullopt) {
    group_member_options o;
    o.bootstrap_servers = bootstrap();
    o.group_id = group;
    o.group_instance_id = std::move(instance);
    o.client_id = "gm-test";
    o.session_timeout = 10s;
    o.rebalance_timeout = 10s;
    o.heartbeat_interval = 200ms;
    o.request_timeout = 10s;
    o.retry_backoff = 50ms;
    return o;
  }

  /// The member's one protocol: a ConsumerProtocolSubscription v3 of `topic`.
  static std::vector<group_protocol> protocols_for(const std::string& topic) {
    protocol::consumer_protocol_subscription s;
    s.topics = {topic};
    s.rack_id = "rack-1";
    return {{protocol_name, s.to_bytes(3)}};
  }

  std::map<core::topic_partition, std::error_code> commit(group_member& m, const std::string& topic,
                                                         std::map<int32_t, int64_t> offsets) {
    std::map<core::topic_partition, offset_and_metadata> request;
    for (auto [p, o] : offsets) request[{topic, core::partition_id{p}}] = {core::offset{o}, "m" + std::to_string(o), -1};
    auto r = m.commit_offsets(request);
    EXPECT_TRUE(r) << m.last_error();
    return r ? r.value() : std::map<core::topic_partition, std::error_code>{};
  }

  std::map<int32_t, int64_t> fetch(group_member& m, const std::string& topic, int partitions) {
    std::vector<core::topic_partition> tps;
    for (int p = 0; p < partitions; ++p) tps.push_back({topic, core::partition_id{p}});
    auto r = m.fetch_offsets(tps);
    EXPECT_TRUE(r) << m.last_error();
    std::map<int32_t, int64_t> out;
    if (!r) return out;
    for (const auto& [tp, c] : r.value()) {
      EXPECT_FALSE(c.error) << tp << ": " << c.error.message();
      out[tp.partition.value()] = c.offset.value();
    }
    return out;
  }
};

TEST_F(group_member_test, a_single_member_leads_and_gets_what_it_assigned) {
  const std::string t = topic();
  ASSERT_EQ(create_topic(t, 3), RdKafka::ERR_NO_ERROR);
  recording_assignor assignor(t, 3);
  event_log events;
  auto o = options_for(topic("group"));
  o.on_event = events.callback();
  group_member m(o);
  EXPECT_EQ(m.generation(), -1);

  auto joined = m.join(protocols_for(t), assignor.fn());
  ASSERT_TRUE(joined) << m.last_error();
  const auto& g = joined.value();
  EXPECT_GE(g.generation, 1);
  EXPECT_TRUE(g.leader);
  EXPECT_FALSE(g.skip_assignment);
  EXPECT_EQ(g.protocol_name, protocol_name);
  EXPECT_EQ(g.member_id.rfind("gm-test-", 0), 0u) << "the broker's id: client id + UUID";
  EXPECT_EQ(m.generation(), g.generation);
  EXPECT_EQ(m.member_id(), g.member_id);
  EXPECT_TRUE(m.joined());

  // The leader saw itself with its subscription, and got back exactly what it assigned.
  ASSERT_EQ(assignor.members().size(), 1u);
  EXPECT_EQ(assignor.members()[0].member_id, g.member_id);
  EXPECT_FALSE(assignor.members()[0].group_instance_id);
  auto subscription = protocol::consumer_protocol_subscription::decode(assignor.members()[0].metadata);
  ASSERT_TRUE(subscription);
  EXPECT_EQ(subscription.value().topics, std::vector<std::string>{t});
  EXPECT_EQ(subscription.value().rack_id, "rack-1");
  EXPECT_EQ(assignor.protocol(), protocol_name);
  EXPECT_TRUE(core::equal(g.assignment, assignor.last().at(g.member_id)));
  EXPECT_EQ(partitions_of(g.assignment), (std::set<int32_t>{0, 1, 2}));

  // Heartbeats keep it in the group: nothing to report over a few intervals.
  std::this_thread::sleep_for(1s);
  EXPECT_FALSE(m.rejoin_needed());
  EXPECT_FALSE(m.membership_lost());
  EXPECT_EQ(events.size(), 0u);
  EXPECT_EQ(m.generation(), g.generation);
}

TEST_F(group_member_test, a_second_member_makes_the_first_rejoin_through_its_heartbeats) {
  const std::string t = topic();
  ASSERT_EQ(create_topic(t, 4), RdKafka::ERR_NO_ERROR);
  recording_assignor assignor(t, 4);
  event_log events;
  auto o1 = options_for(topic("group"));
  o1.on_event = events.callback();
  group_member first(o1);
  group_member second(options_for(topic("group")));

  auto g1 = first.join(protocols_for(t), assignor.fn());
  ASSERT_TRUE(g1) << first.last_error();

  // The second member's JoinGroup waits for the first to rejoin, which its heartbeats ask for.
  auto second_join = std::async(std::launch::async, [&] { return second.join(protocols_for(t), assignor.fn()); });
  ASSERT_TRUE(eventually([&] { return first.rejoin_needed(); })) << "no REBALANCE_IN_PROGRESS seen";
  EXPECT_EQ(events.count(group_event::rejoin_needed), 1u);
  EXPECT_FALSE(first.membership_lost());
  auto g2_first = first.join(protocols_for(t), assignor.fn());
  ASSERT_TRUE(g2_first) << first.last_error();
  auto g2_second = second_join.get();
  ASSERT_TRUE(g2_second) << second.last_error();

  EXPECT_GT(g2_first.value().generation, g1.value().generation);
  EXPECT_EQ(g2_first.value().generation, g2_second.value().generation);
  EXPECT_FALSE(first.rejoin_needed());
  EXPECT_NE(g2_first.value().leader, g2_second.value().leader) << "exactly one leader";
  EXPECT_TRUE(g2_first.value().leader) << "the old leader rejoined, so it keeps leading";
  ASSERT_EQ(assignor.members().size(), 2u);
  const auto plan = assignor.last();
  for (const auto* g : {&g2_first.value(), &g2_second.value()}) {
    ASSERT_TRUE(plan.contains(g->member_id));
    EXPECT_TRUE(core::equal(g->assignment, plan.at(g->member_id))) << "the leader's bytes reach " << g->member_id;
    auto a = protocol::consumer_protocol_assignment::decode(g->assignment);
    ASSERT_TRUE(a);
    EXPECT_EQ(core::to_string(*a.value().user_data), g->member_id);
  }
  std::set<int32_t> all = partitions_of(g2_first.value().assignment);
  const auto other = partitions_of(g2_second.value().assignment);
  EXPECT_EQ(all.size(), 2u);
  EXPECT_EQ(other.size(), 2u);
  all.insert(other.begin(), other.end());
  EXPECT_EQ(all, (std::set<int32_t>{0, 1, 2, 3}));
  EXPECT_TRUE(settled({&first, &second}));
}

TEST_F(group_member_test, cancel_ends_a_join_parked_for_the_rebalance_while_commits_go_on) {
  const std::string t = topic();
  ASSERT_EQ(create_topic(t, 3), RdKafka::ERR_NO_ERROR);
  recording_assignor assignor(t, 3);
  auto o = options_for(topic("group"));
  o.rebalance_timeout = 60s;  // a parked JoinGroup would wait this long
  group_member first(o);
  group_member second(o);
  group_member third(o);
  ASSERT_TRUE(first.join(protocols_for(t), assignor.fn())) << first.last_error();
  auto second_join = std::async(std::launch::async, [&] { return second.join(protocols_for(t), assignor.fn()); });
  ASSERT_TRUE(eventually([&] { return first.rejoin_needed(); }));
  ASSERT_TRUE(first.join(protocols_for(t), assignor.fn())) << first.last_error();
  ASSERT_TRUE(second_join.get()) << second.last_error();

  // A third member starts a rebalance; `first` rejoins and parks, waiting for `second`.
  auto third_join = std::async(std::launch::async, [&] { return third.join(protocols_for(t), assignor.fn()); });
  ASSERT_TRUE(eventually([&] { return first.rejoin_needed(); }));
  auto parked = std::async(std::launch::async, [&] { return first.join(protocols_for(t), assignor.fn()); });
  ASSERT_EQ(parked.wait_for(1s), std::future_status::timeout) << "the JoinGroup did not park";
  // Meanwhile the offsets connection answers.
  std::map<core::topic_partition, offset_and_metadata> request{{{t, core::partition_id{0}}, {core::offset{5}, {}, -1}}};
  EXPECT_TRUE(first.commit_offsets(request)) << first.last_error();

  const auto started = clock_type::now();
  first.cancel();
  ASSERT_EQ(parked.wait_for(5s), std::future_status::ready) << "cancel did not end the JoinGroup";
  EXPECT_LT(clock_type::now() - started, 2s);
  auto r = parked.get();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), client_errc::cancelled);
  EXPECT_FALSE(first.join(protocols_for(t), assignor.fn())) << "cancelled for good";
  EXPECT_TRUE(first.leave()) << first.last_error() << ": leave has its own connection";

  // The others complete the rebalance without it.
  ASSERT_TRUE(second.join(protocols_for(t), assignor.fn())) << second.last_error();
  ASSERT_TRUE(third_join.get()) << third.last_error();
  EXPECT_EQ(assignor.members().size(), 2u);
}

TEST_F(group_member_test, an_expected_rebalance_is_seen_at_once_through_quicker_heartbeats) {
  const std::string t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  recording_assignor assignor(t, 2);
  auto o = options_for(topic("group"));
  o.session_timeout = 30s;
  o.heartbeat_interval = 10s;  // the rebalance would be seen 10 s late
  group_member first(o);
  group_member second(o);
  ASSERT_TRUE(first.join(protocols_for(t), assignor.fn())) << first.last_error();
  first.expect_rebalance(20ms, 5s);
  const auto started = clock_type::now();
  auto second_join = std::async(std::launch::async, [&] { return second.join(protocols_for(t), assignor.fn()); });
  ASSERT_TRUE(eventually([&] { return first.rejoin_needed(); }, 5s));
  EXPECT_LT(clock_type::now() - started, 3s);
  ASSERT_TRUE(first.join(protocols_for(t), assignor.fn())) << first.last_error();
  ASSERT_TRUE(second_join.get()) << second.last_error();
}

TEST_F(group_member_test, commits_and_fetches_offsets_with_its_generation) {
  const std::string t = topic();
  ASSERT_EQ(create_topic(t, 3), RdKafka::ERR_NO_ERROR);
  recording_assignor assignor(t, 3);
  group_member m(options_for(topic("group")));
  ASSERT_TRUE(m.join(protocols_for(t), assignor.fn())) << m.last_error();

  auto committed = commit(m, t, {{0, 5}, {1, 7}});
  ASSERT_EQ(committed.size(), 2u);
  for (const auto& [tp, e] : committed) EXPECT_FALSE(e) << tp << ": " << e.message();

  std::vector<core::topic_partition> tps{{t, core::partition_id{0}}, {t, core::partition_id{1}},
                                         {t, core::partition_id{2}}};
  auto fetched = m.fetch_offsets(tps);
  ASSERT_TRUE(fetched) << m.last_error();
  ASSERT_EQ(fetched.value().size(), 3u);
  EXPECT_EQ(fetched.value().at(tps[0]).offset.value(), 5);
  EXPECT_EQ(fetched.value().at(tps[0]).metadata, "m5");
  EXPECT_EQ(fetched.value().at(tps[1]).offset.value(), 7);
  EXPECT_EQ(fetched.value().at(tps[2]).offset.value(), -1) << "never committed";
  EXPECT_FALSE(fetched.value().at(tps[2]).error);

  // A partition the broker does not have is answered per partition.
  auto unknown = m.commit_offsets({{{topic("missing"), core::partition_id{0}}, {core::offset{1}, std::nullopt, -1}}});
  ASSERT_TRUE(unknown) << m.last_error();
  EXPECT_EQ(unknown.value().begin()->second, kafka_error(error_code::unknown_topic_or_partition));
}

TEST_F(group_member_test, a_commit_with_a_stale_generation_fails_with_illegal_generation) {
  // A static member that does not rejoin stays in the group (until its session ends) while the
  // group moves to the next generation without it: its generation is stale.
  const std::string t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  recording_assignor assignor(t, 2);
  event_log events;
  auto o = options_for(topic("group"), "stale-a");
  o.rebalance_timeout = 2s;
  o.on_event = events.callback();
  group_member stale(o);
  auto old = stale.join(protocols_for(t), assignor.fn());
  ASSERT_TRUE(old) << stale.last_error();
  EXPECT_TRUE(all_committed(commit(stale, t, {{0, 3}}))) << "its own generation commits";

  auto o2 = options_for(topic("group"));
  o2.rebalance_timeout = 2s;
  group_member next(o2);
  auto joined = next.join(protocols_for(t), assignor.fn());  // the join phase ends at the rebalance timeout
  ASSERT_TRUE(joined) << next.last_error();
  EXPECT_GT(joined.value().generation, old.value().generation);
  EXPECT_TRUE(joined.value().leader);
  EXPECT_EQ(assignor.members().size(), 2u) << "the static member is still a member";

  auto refused = commit(stale, t, {{0, 9}});
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(refused.begin()->second, kafka_error(error_code::illegal_generation)) << refused.begin()->second.message();
  // Its heartbeats learn the same: the membership is lost.
  ASSERT_TRUE(eventually([&] { return stale.membership_lost(); }));
  EXPECT_TRUE(stale.rejoin_needed());
  EXPECT_FALSE(stale.joined());
  EXPECT_EQ(events.count(group_event::membership_lost), 1u);
  EXPECT_TRUE(all_committed(commit(next, t, {{0, 11}}))) << "the current generation commits";
  EXPECT_EQ(fetch(next, t, 1)[0], 11);
}

TEST_F(group_member_test, a_static_member_restarts_without_a_rebalance) {
  const std::string t = topic();
  ASSERT_EQ(create_topic(t, 4), RdKafka::ERR_NO_ERROR);
  recording_assignor assignor(t, 4);
  const std::string group = topic("group");
  auto a = std::make_unique<group_member>(options_for(group, "instance-a"));
  event_log b_events;
  auto ob = options_for(group);
  ob.on_event = b_events.callback();
  group_member b(ob);
  std::string old_id;
  core::bytes old_assignment;
  int32_t generation = -1;
  {
    // The static member joins first and leads; the dynamic one joins after.
    driver da(*a, protocols_for(t), assignor.fn());
    ASSERT_TRUE(settled({a.get()}));
    driver db(b, protocols_for(t), assignor.fn());
    ASSERT_TRUE(settled({a.get(), &b}));
    ASSERT_TRUE(da.last());
    ASSERT_TRUE(da.last()->leader);
    old_id = da.last()->member_id;
    old_assignment = da.last()->assignment;
    generation = a->generation();
  }
  const size_t events_before = b_events.size();
  const int assignments_before = assignor.calls();

  // The process ends without leaving (a static member's leave() sends nothing either)...
  ASSERT_TRUE(a->leave());
  a.reset();
  // ... and its next incarnation, with the same instance id, takes the membership over.
  group_member again(options_for(group, "instance-a"));
  auto back = again.join(protocols_for(t), assignor.fn());
  ASSERT_TRUE(back) << again.last_error();
  EXPECT_EQ(back.value().generation, generation) << "no new generation";
  EXPECT_NE(back.value().member_id, old_id) << "a new member id for the instance";
  EXPECT_TRUE(core::equal(back.value().assignment, old_assignment)) << "the stored assignment comes back";
  // JoinGroup v9 (KIP-814): the returning static leader learns that it leads, but keeps the
  // stored assignment instead of assigning again.
  EXPECT_TRUE(back.value().leader);
  EXPECT_TRUE(back.value().skip_assignment);
  EXPECT_EQ(assignor.calls(), assignments_before) << "nobody assigned again";

  // The other member sees nothing: no rebalance through several heartbeats.
  std::this_thread::sleep_for(1500ms);
  EXPECT_FALSE(b.rejoin_needed());
  EXPECT_TRUE(b.joined());
  EXPECT_EQ(b.generation(), generation);
  EXPECT_EQ(b_events.size(), events_before);
  EXPECT_TRUE(again.joined());
  EXPECT_FALSE(again.rejoin_needed());
  EXPECT_TRUE(all_committed(commit(again, t, {{0, 1}})));
}

TEST_F(group_member_test, a_second_live_member_with_the_same_instance_id_fences_the_first) {
  const std::string t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  recording_assignor assignor(t, 1);
  const std::string group = topic("group");
  event_log events;
  auto o = options_for(group, "twin");
  o.on_event = events.callback();
  group_member first(o);
  ASSERT_TRUE(first.join(protocols_for(t), assignor.fn())) << first.last_error();

  group_member second(options_for(group, "twin"));
  auto taken = second.join(protocols_for(t), assignor.fn());
  ASSERT_TRUE(taken) << second.last_error();
  EXPECT_EQ(taken.value().generation, first.generation());

  ASSERT_TRUE(eventually([&] { return first.fenced(); })) << "the old member's heartbeat is fenced";
  EXPECT_EQ(events.count(group_event::fenced), 1u);
  EXPECT_FALSE(first.joined());
  auto refused = first.join(protocols_for(t), assignor.fn());
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), client_errc::fatal_membership);
  EXPECT_NE(first.last_error().find("twin"), std::string::npos) << first.last_error();
  auto commit_refused = commit(first, t, {{0, 4}});
  EXPECT_EQ(commit_refused.begin()->second, kafka_error(error_code::fenced_instance_id));
  EXPECT_TRUE(all_committed(commit(second, t, {{0, 4}})));
  std::this_thread::sleep_for(600ms);
  EXPECT_FALSE(second.rejoin_needed());
  EXPECT_FALSE(second.fenced());
}

TEST_F(group_member_test, leaving_makes_the_remaining_member_rebalance) {
  const std::string t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  recording_assignor assignor(t, 2);
  const std::string group = topic("group");
  group_member a(options_for(group));
  group_member b(options_for(group));
  int32_t generation = -1;
  {
    driver da(a, protocols_for(t), assignor.fn());
    driver db(b, protocols_for(t), assignor.fn());
    ASSERT_TRUE(settled({&a, &b}));
    generation = a.generation();
  }
  ASSERT_TRUE(b.leave()) << b.last_error();
  EXPECT_EQ(b.member_id(), "");
  EXPECT_EQ(b.generation(), -1);
  EXPECT_FALSE(b.joined());

  ASSERT_TRUE(eventually([&] { return a.rejoin_needed(); }));
  EXPECT_FALSE(a.membership_lost());
  auto alone = a.join(protocols_for(t), assignor.fn());
  ASSERT_TRUE(alone) << a.last_error();
  EXPECT_GT(alone.value().generation, generation);
  EXPECT_TRUE(alone.value().leader);
  EXPECT_EQ(assignor.members().size(), 1u);
  EXPECT_EQ(partitions_of(alone.value().assignment), (std::set<int32_t>{0, 1}));
}

TEST_F(group_member_test, describe_groups_shows_the_members_and_their_assignments) {
  const std::string t = topic();
  ASSERT_EQ(create_topic(t, 3), RdKafka::ERR_NO_ERROR);
  recording_assignor assignor(t, 3);
  const std::string group = topic("group");
  group_member a(options_for(group, "describe-a"));
  group_member b(options_for(group));
  driver da(a, protocols_for(t), assignor.fn());
  driver db(b, protocols_for(t), assignor.fn());
  ASSERT_TRUE(settled({&a, &b}));
  std::map<std::string, std::set<int32_t>> expected;
  for (const auto& [id, bytes] : assignor.last()) expected[id] = partitions_of(bytes);
  ASSERT_EQ(expected.size(), 2u);

  // The raw protocol: protocol type and name, and the assignment bytes as the leader sent them.
  protocol::describe_groups_request req;
  req.groups = {group};
  auto described = raw().call<protocol::describe_groups_response>(protocol::api_key::describe_groups, 5, req);
  ASSERT_TRUE(described);
  ASSERT_EQ(described->groups.size(), 1u);
  const auto& d = described->groups[0];
  EXPECT_EQ(d.error_code, error_code::none);
  EXPECT_EQ(d.group_state, "Stable");
  EXPECT_EQ(d.protocol_type, "consumer");
  EXPECT_EQ(d.protocol_data, protocol_name);
  ASSERT_EQ(d.members.size(), 2u);
  for (const auto& m : d.members) {
    ASSERT_TRUE(expected.contains(m.member_id)) << m.member_id;
    EXPECT_EQ(partitions_of(m.member_assignment), expected[m.member_id]);
    EXPECT_EQ(m.client_id, "gm-test");
    if (m.member_id == a.member_id()) {
      EXPECT_EQ(m.group_instance_id, "describe-a");
    }
    auto s = protocol::consumer_protocol_subscription::decode(m.member_metadata);
    ASSERT_TRUE(s);
    EXPECT_EQ(s.value().topics, std::vector<std::string>{t});
  }

  // librdkafka's admin API decodes the same assignments (it parses consumer-protocol ones).
  auto p = make_producer();
  rd_kafka_t* rk = p->c_ptr();
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  const char* groups[] = {group.c_str()};
  rd_kafka_DescribeConsumerGroups(rk, groups, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  ASSERT_TRUE(ev);
  size_t n = 0;
  const rd_kafka_ConsumerGroupDescription_t** descs =
      rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
  ASSERT_EQ(n, 1u);
  EXPECT_EQ(rd_kafka_ConsumerGroupDescription_error(descs[0]), nullptr);
  EXPECT_EQ(rd_kafka_ConsumerGroupDescription_state(descs[0]), RD_KAFKA_CONSUMER_GROUP_STATE_STABLE);
  EXPECT_STREQ(rd_kafka_ConsumerGroupDescription_partition_assignor(descs[0]), protocol_name);
  EXPECT_FALSE(rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(descs[0]));
  ASSERT_EQ(rd_kafka_ConsumerGroupDescription_member_count(descs[0]), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const auto* member = rd_kafka_ConsumerGroupDescription_member(descs[0], i);
    const std::string id = rd_kafka_MemberDescription_consumer_id(member);
    ASSERT_TRUE(expected.contains(id)) << id;
    const auto* assigned = rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(member));
    ASSERT_TRUE(assigned);
    std::set<int32_t> got;
    for (int k = 0; k < assigned->cnt; ++k) {
      EXPECT_EQ(std::string(assigned->elems[k].topic), t);
      got.insert(assigned->elems[k].partition);
    }
    EXPECT_EQ(got, expected[id]) << id;
  }
  rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
}

/// Sends `offset` for partition 0 of `topic` into a transaction of `rk` with the group
/// metadata (group, generation, member id, instance id) and commits it; the error, if any.
rd_kafka_error_t* commit_offsets_in_transaction(rd_kafka_t* rk, const std::string& topic, int64_t offset,
                                                const std::string& group, int32_t generation,
                                                const std::string& member_id) {
  if (rd_kafka_error_t* e = rd_kafka_begin_transaction(rk)) return e;
  rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(offsets, topic.c_str(), 0)->offset = offset;
  rd_kafka_consumer_group_metadata_t* cgmd =
      rd_kafka_consumer_group_metadata_new_with_genid(group.c_str(), generation, member_id.c_str(), nullptr);
  rd_kafka_error_t* e = rd_kafka_send_offsets_to_transaction(rk, offsets, cgmd, 30000);
  rd_kafka_consumer_group_metadata_destroy(cgmd);
  rd_kafka_topic_partition_list_destroy(offsets);
  if (e) return e;
  return rd_kafka_commit_transaction(rk, 30000);
}

TEST_F(group_member_test, a_transactional_producer_commits_offsets_with_the_members_generation) {
  const std::string t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  recording_assignor assignor(t, 1);
  const std::string group = topic("group");
  group_member a(options_for(group));
  auto g1 = a.join(protocols_for(t), assignor.fn());
  ASSERT_TRUE(g1) << a.last_error();

  auto producer = make_producer({{"transactional.id", topic("txn")}});
  rd_kafka_t* rk = producer->c_ptr();
  ASSERT_EQ(rd_kafka_init_transactions(rk, 30000), nullptr);
  {
    rd_kafka_error_t* e = commit_offsets_in_transaction(rk, t, 10, group, a.generation(), a.member_id());
    EXPECT_EQ(e, nullptr) << rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
  }
  EXPECT_EQ(fetch(a, t, 1)[0], 10);

  // A second member joins: the generation moves on.
  group_member b(options_for(group));
  {
    driver da(a, protocols_for(t), assignor.fn());
    driver db(b, protocols_for(t), assignor.fn());
    ASSERT_TRUE(settled({&a, &b}));
  }
  ASSERT_GT(a.generation(), g1.value().generation);

  // The old generation is refused: an abortable error, and nothing is committed.
  {
    rd_kafka_error_t* e = commit_offsets_in_transaction(rk, t, 20, group, g1.value().generation, g1.value().member_id);
    ASSERT_NE(e, nullptr) << "a zombie's offsets were accepted";
    EXPECT_TRUE(rd_kafka_error_txn_requires_abort(e)) << rd_kafka_error_string(e);
    EXPECT_FALSE(rd_kafka_error_is_fatal(e)) << rd_kafka_error_string(e);
    EXPECT_EQ(rd_kafka_error_code(e), RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION) << rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
    rd_kafka_error_t* aborted = rd_kafka_abort_transaction(rk, 30000);
    EXPECT_EQ(aborted, nullptr) << rd_kafka_error_string(aborted);
    rd_kafka_error_destroy(aborted);
  }
  EXPECT_EQ(fetch(a, t, 1)[0], 10) << "the refused transaction committed nothing";

  // The current generation commits again.
  {
    rd_kafka_error_t* e = commit_offsets_in_transaction(rk, t, 30, group, a.generation(), a.member_id());
    EXPECT_EQ(e, nullptr) << rd_kafka_error_string(e);
    rd_kafka_error_destroy(e);
  }
  EXPECT_EQ(fetch(b, t, 1)[0], 30);
}

}  // namespace
}  // namespace sluice::testing
