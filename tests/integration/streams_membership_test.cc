// The instance's group membership end to end (runtime/detail/streams_membership.h): one
// classic consumer-group member per instance, protocol type "consumer", protocol "sluice",
// tasks placed by the leader (sticky, balanced by threads) and moved cooperatively.

#include "tests/integration/streams_fixture.h"

#include "core/protocol/consumer_protocol.h"
#include "core/protocol/describe_groups.h"
#include "core/murmur2.h"
#include "dsl/streams.h"

#include <map>
#include <set>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

topology passthrough(const std::string& in, const std::string& out) {
  streams_builder b;
  b.stream<std::string, std::string>(in).map_values([](const std::string& v) { return "seen " + v; }).to(out);
  return b.build();
}

class streams_membership_test : public streams_test {
 protected:
  std::optional<protocol::describe_groups_response::described_group> describe(const std::string& group) {
    protocol::describe_groups_request req;
    req.groups = {group};
    auto r = raw().call<protocol::describe_groups_response>(protocol::api_key::describe_groups, 5, req);
    if (!r || r->groups.size() != 1) return std::nullopt;
    return r->groups[0];
  }
};

TEST_F(streams_membership_test, each_instance_is_one_consumer_group_member_that_kafka_tools_can_read) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 4), RdKafka::ERR_NO_ERROR);
  // Two threads per instance, still one member each.
  streams a(passthrough(in, out), app_config("a", {{"num.stream.threads", "2"}}));
  streams b(passthrough(in, out), app_config("b", {{"num.stream.threads", "2"}}));
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] {
    return a.state() == streams_state::running && b.state() == streams_state::running &&
           tasks_of(a).size() == 2 && tasks_of(b).size() == 2;
  }));
  auto group = describe(application_id());
  ASSERT_TRUE(group);
  EXPECT_EQ(group->group_state, "Stable");
  EXPECT_EQ(group->protocol_type, "consumer");
  EXPECT_EQ(group->protocol_data, "sluice");
  ASSERT_EQ(group->members.size(), 2u);
  // What kafka-consumer-groups --describe shows: each member's partitions, from the standard
  // ConsumerProtocolAssignment; together every partition once.
  std::multiset<int32_t> partitions;
  for (const auto& m : group->members) {
    auto sub = protocol::consumer_protocol_subscription::decode(m.member_metadata);
    ASSERT_TRUE(sub);
    EXPECT_EQ(sub.value().topics, std::vector<std::string>{in});
    auto assignment = protocol::consumer_protocol_assignment::decode(m.member_assignment);
    ASSERT_TRUE(assignment);
    ASSERT_EQ(assignment.value().assigned_partitions.size(), 1u);
    EXPECT_EQ(assignment.value().assigned_partitions[0].topic, in);
    EXPECT_EQ(assignment.value().assigned_partitions[0].partitions.size(), 2u);
    for (auto p : assignment.value().assigned_partitions[0].partitions) partitions.insert(p.value());
  }
  EXPECT_EQ(partitions, (std::multiset<int32_t>{0, 1, 2, 3}));
  // The threads of one instance share its tasks.
  for (const streams* app : {&a, &b}) {
    for (const auto& t : app->metadata()) EXPECT_EQ(t.active_tasks.size(), 1u) << t.thread_name;
  }
  std::vector<keyed> records;
  for (int i = 0; i < 40; ++i) records.push_back({"k" + std::to_string(i), std::to_string(i), i});
  produce_all(in, records);
  EXPECT_EQ(read_all(out, 40).size(), 40u);
  EXPECT_TRUE(a.close(30s));
  EXPECT_TRUE(b.close(30s));
}

TEST_F(streams_membership_test, a_joining_instance_takes_tasks_from_the_others_who_keep_the_rest) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 6), RdKafka::ERR_NO_ERROR);
  streams a(passthrough(in, out), app_config("a"));
  streams b(passthrough(in, out), app_config("b"));
  a.start();
  b.start();
  ASSERT_TRUE(eventually([&] { return tasks_of(a).size() == 3 && tasks_of(b).size() == 3; }));
  const auto a_before = tasks_of(a), b_before = tasks_of(b);
  std::vector<keyed> records;
  for (int i = 0; i < 60; ++i) records.push_back({"k" + std::to_string(i), std::to_string(i), i});
  produce_all(in, records);
  ASSERT_EQ(read_all(out, 60).size(), 60u);

  streams c(passthrough(in, out), app_config("c"));
  c.start();
  // The tasks c gets are first revoked by their owners, then handed over in a follow-up
  // rebalance; a and b keep two of their own each (sticky).
  ASSERT_TRUE(eventually([&] {
    return a.state() == streams_state::running && b.state() == streams_state::running &&
           c.state() == streams_state::running && tasks_of(a).size() == 2 && tasks_of(b).size() == 2 &&
           tasks_of(c).size() == 2;
  }));
  for (const auto& t : tasks_of(a)) EXPECT_TRUE(a_before.contains(t)) << t;
  for (const auto& t : tasks_of(b)) EXPECT_TRUE(b_before.contains(t)) << t;
  std::set<std::string> all;
  for (const streams* app : {&a, &b, &c}) {
    for (const auto& t : tasks_of(*app)) EXPECT_TRUE(all.insert(t).second) << t << " runs twice";
  }
  EXPECT_EQ(all.size(), 6u);
  // Everything committed before the move is not processed again.
  for (int i = 60; i < 120; ++i) records.push_back({"k" + std::to_string(i), std::to_string(i), i});
  produce_all(in, std::vector<keyed>(records.begin() + 60, records.end()));
  EXPECT_EQ(read_all(out, 120).size(), 120u);
  EXPECT_TRUE(read_all(out, 121, 2s).size() == 120u) << "no record twice";

  // c leaves: its tasks go back at once (it left the group), balanced 3/3.
  EXPECT_TRUE(c.close(30s));
  ASSERT_TRUE(eventually([&] {
    return tasks_of(a).size() == 3 && tasks_of(b).size() == 3 && a.state() == streams_state::running &&
           b.state() == streams_state::running;
  }));
  EXPECT_TRUE(a.close(30s));
  EXPECT_TRUE(b.close(30s));
}

TEST_F(streams_membership_test, any_instance_says_which_instance_holds_a_key_of_a_store) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 4), RdKafka::ERR_NO_ERROR);
  streams a(count_per_key(in, out), app_config("a", {{"application.server", "127.0.0.1:7001"}}));
  streams b(count_per_key(in, out), app_config("b", {{"application.server", "127.0.0.1:7002"}}));
  streams c(count_per_key(in, out), app_config("c"));  // no endpoint: not listed
  a.start();
  b.start();
  c.start();
  // Owner of each input partition, from the instances' own task lists.
  std::map<int32_t, std::string> owner;
  ASSERT_TRUE(eventually([&] {
    for (const streams* app : {&a, &b, &c}) {
      if (app->state() != streams_state::running) return false;
    }
    owner.clear();
    for (const auto& [app, name] : {std::pair{&a, "a"}, std::pair{&b, "b"}, std::pair{&c, "c"}}) {
      for (const auto& t : app->metadata()) {
        for (const auto& task : t.active_tasks) {
          for (const auto& tp : task.partitions) owner[tp.partition.value()] = name;
        }
      }
    }
    // The metadata of every instance reflects the same, final assignment.
    return owner.size() == 4 && a.all_metadata().size() == 2 && b.all_metadata().size() == 2 &&
           c.all_metadata().size() == 2 && tasks_of(a).size() + tasks_of(b).size() + tasks_of(c).size() == 4 &&
           [&] {
             std::size_t listed = 0;
             for (const auto& md : c.all_metadata()) listed += md.active_partitions.size();
             return listed == tasks_of(a).size() + tasks_of(b).size();
           }();
  }));
  const host_info host_a{"127.0.0.1", 7001}, host_b{"127.0.0.1", 7002};
  const core::serdes::string key_serde;
  for (int i = 0; i < 20; ++i) {
    const std::string key = "page-" + std::to_string(i);
    const auto bytes = key_serde.serialize(key).value();
    const int32_t partition = core::partition_for_key(bytes, 4);
    for (const streams* app : {&a, &b, &c}) {
      auto md = app->query_metadata_for_key("counts", key, core::serde<std::string>(key_serde));
      ASSERT_TRUE(md);
      EXPECT_EQ(md->partition.value(), partition) << key;
      EXPECT_TRUE(md->standbys.empty());
      const std::string& o = owner.at(partition);
      if (o == "a") {
        EXPECT_EQ(md->active, host_a) << key;
      } else if (o == "b") {
        EXPECT_EQ(md->active, host_b) << key;
      } else {
        EXPECT_FALSE(md->active) << key << ": c has no application.server";
      }
    }
  }
  EXPECT_FALSE(a.query_metadata_for_key("no-such-store", core::bytes_view{}));
  for (const auto& md : b.all_metadata()) {
    EXPECT_TRUE(md.host == host_a || md.host == host_b);
    const std::set<std::string> want = md.active_partitions.empty() ? std::set<std::string>{} : std::set<std::string>{"counts"};
    EXPECT_EQ(md.stores, want);
    for (const auto& tp : md.active_partitions) EXPECT_EQ(owner.at(tp.partition.value()), md.host == host_a ? "a" : "b");
  }
  EXPECT_TRUE(a.close(30s));
  EXPECT_TRUE(b.close(30s));
  EXPECT_TRUE(c.close(30s));
}

}  // namespace
}  // namespace sluice::testing
