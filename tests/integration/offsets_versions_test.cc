// The newest versions of the offset and group-deletion APIs, sent raw (librdkafka 2.0.2 stops
// at OffsetCommit v7 / OffsetFetch v7 / DeleteGroups v1): OffsetCommit and OffsetFetch v10 by
// topic id (unknown ids answered UNKNOWN_TOPIC_ID), OffsetFetch v8's batch of groups,
// OffsetCommit v9's GROUP_ID_NOT_FOUND, and flexible DeleteGroups v2.

#include "tests/integration/broker_fixture.h"

#include "core/protocol/delete_groups.h"
#include "core/protocol/delete_topics.h"
#include "core/protocol/metadata.h"
#include "core/protocol/offset_commit.h"
#include "core/protocol/offset_fetch.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::testing {
namespace {

namespace protocol = ::sluice::protocol;
using core::partition_id;
using protocol::error_code;

using commit_request = protocol::offset_commit_request;
using commit_response = protocol::offset_commit_response;
using fetch_request = protocol::offset_fetch_request;
using fetch_response = protocol::offset_fetch_response;


class offsets_versions : public broker_test {
 protected:
  /// The topic's id, as Metadata v12 reports it.
  protocol::uuid id_of(raw_client& c, const std::string& t) {
    protocol::metadata_request md;
    md.topics.emplace().push_back({t, {}});
    auto answer = c.call<protocol::metadata_response>(protocol::api_key::metadata, 12, md);
    EXPECT_TRUE(answer);
    if (!answer || answer->topics.size() != 1) return {};
    EXPECT_EQ(answer->topics[0].error_code, error_code::none);
    return answer->topics[0].topic_id;
  }

  /// A commit outside group management (generation -1) of `offsets` (partition, offset).
  static commit_request simple_commit(const std::string& group,
                                      std::vector<std::pair<int32_t, int64_t>> offsets) {
    commit_request m;
    m.group_id = group;
    auto& t = m.topics.emplace_back();
    for (auto [p, o] : offsets) {
      t.partitions.push_back({partition_id{p}, core::offset{o}, -1, "meta-" + std::to_string(o)});
    }
    return m;
  }

  static fetch_request::offset_fetch_request_group fetch_group(
      const std::string& group,
      std::optional<std::vector<fetch_request::offset_fetch_request_topics>> topics) {
    fetch_request::offset_fetch_request_group g;
    g.group_id = group;
    g.topics = std::move(topics);
    return g;
  }
};

protocol::uuid unknown_id() {
  protocol::uuid id;
  id.value.fill(0x5a);
  return id;
}

TEST_F(offsets_versions, commit_v10_and_fetch_v10_name_topics_by_id) {
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  raw_client c(options().port);
  const auto id = id_of(c, t);
  ASSERT_NE(id, protocol::uuid{});

  auto commit = simple_commit("by-id", {{0, 10}, {1, 20}, {7, 30}});
  commit.topics[0].topic_id = id;
  auto committed = c.call<commit_response>(protocol::api_key::offset_commit, 10, commit);
  ASSERT_TRUE(committed);
  ASSERT_EQ(committed->topics.size(), 1u);
  EXPECT_EQ(committed->topics[0].topic_id, id);
  EXPECT_EQ(committed->topics[0].name, "");  // not on the wire in v10
  ASSERT_EQ(committed->topics[0].partitions.size(), 3u);
  EXPECT_EQ(committed->topics[0].partitions[0].error_code, error_code::none);
  EXPECT_EQ(committed->topics[0].partitions[1].error_code, error_code::none);
  // A partition the topic does not have: its id is known, so UNKNOWN_TOPIC_OR_PARTITION.
  EXPECT_EQ(committed->topics[0].partitions[2].partition_index, partition_id{7});
  EXPECT_EQ(committed->topics[0].partitions[2].error_code, error_code::unknown_topic_or_partition);

  // Read back by id, listed and "all"; and by name (v8), which sees the same offsets.
  fetch_request fetch;
  fetch.groups.push_back(
      fetch_group("by-id", std::vector<fetch_request::offset_fetch_request_topics>{
                               {"", id, {partition_id{1}, partition_id{0}}}}));
  fetch.groups.push_back(fetch_group("by-id", std::nullopt));
  auto fetched = c.call<fetch_response>(protocol::api_key::offset_fetch, 10, fetch);
  ASSERT_TRUE(fetched);
  ASSERT_EQ(fetched->groups.size(), 2u);
  for (const auto& g : fetched->groups) {
    EXPECT_EQ(g.group_id, "by-id");
    EXPECT_EQ(g.error_code, error_code::none);
    ASSERT_EQ(g.topics.size(), 1u);
    EXPECT_EQ(g.topics[0].topic_id, id);
    ASSERT_EQ(g.topics[0].partitions.size(), 2u);
  }
  const auto& listed = fetched->groups[0].topics[0].partitions;  // request order: 1, 0
  EXPECT_EQ(listed[0].partition_index, partition_id{1});
  EXPECT_EQ(listed[0].committed_offset, core::offset{20});
  EXPECT_EQ(listed[0].metadata, "meta-20");
  EXPECT_EQ(listed[1].committed_offset, core::offset{10});
  const auto& all = fetched->groups[1].topics[0].partitions;  // sorted
  EXPECT_EQ(all[0].partition_index, partition_id{0});
  EXPECT_EQ(all[0].committed_offset, core::offset{10});
  EXPECT_EQ(all[1].committed_offset, core::offset{20});

  fetch_request by_name;
  by_name.groups.push_back(fetch_group(
      "by-id",
      std::vector<fetch_request::offset_fetch_request_topics>{{t, {}, {partition_id{0}}}}));
  auto named = c.call<fetch_response>(protocol::api_key::offset_fetch, 8, by_name);
  ASSERT_TRUE(named);
  ASSERT_EQ(named->groups.size(), 1u);
  ASSERT_EQ(named->groups[0].topics.size(), 1u);
  EXPECT_EQ(named->groups[0].topics[0].name, t);
  EXPECT_EQ(named->groups[0].topics[0].partitions.at(0).committed_offset, core::offset{10});
}

TEST_F(offsets_versions, unknown_topic_ids_are_answered_unknown_topic_id) {
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  raw_client c(options().port);
  const auto id = id_of(c, t);

  // Every topic unknown: answered without the coordinator, so no group is created.
  auto commit = simple_commit("never-created", {{0, 5}, {1, 6}});
  commit.topics[0].topic_id = unknown_id();
  auto refused = c.call<commit_response>(protocol::api_key::offset_commit, 10, commit);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->topics.size(), 1u);
  EXPECT_EQ(refused->topics[0].topic_id, unknown_id());
  ASSERT_EQ(refused->topics[0].partitions.size(), 2u);
  for (const auto& p : refused->topics[0].partitions)
    EXPECT_EQ(p.error_code, error_code::unknown_topic_id);
  protocol::delete_groups_request del{{"never-created"}};
  auto deleted = c.call<protocol::delete_groups_response>(protocol::api_key::delete_groups, 2, del);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->results.at(0).error_code, error_code::group_id_not_found);

  // A known and an unknown topic in one commit: each answered on its own.
  auto mixed = simple_commit("mixed", {{0, 8}});
  mixed.topics[0].topic_id = id;
  mixed.topics.push_back(
      {"", unknown_id(), {{partition_id{0}, core::offset{9}, -1, std::nullopt}}});
  auto answer = c.call<commit_response>(protocol::api_key::offset_commit, 10, mixed);
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->topics.size(), 2u);
  EXPECT_EQ(answer->topics[0].partitions.at(0).error_code, error_code::none);
  EXPECT_EQ(answer->topics[1].topic_id, unknown_id());
  EXPECT_EQ(answer->topics[1].partitions.at(0).error_code, error_code::unknown_topic_id);

  // OffsetFetch v10: the unknown id comes after the known topics, -1 with UNKNOWN_TOPIC_ID.
  fetch_request fetch;
  fetch.groups.push_back(fetch_group(
      "mixed",
      std::vector<fetch_request::offset_fetch_request_topics>{
          {"", unknown_id(), {partition_id{0}, partition_id{3}}}, {"", id, {partition_id{0}}}}));
  auto fetched = c.call<fetch_response>(protocol::api_key::offset_fetch, 10, fetch);
  ASSERT_TRUE(fetched);
  ASSERT_EQ(fetched->groups.size(), 1u);
  const auto& g = fetched->groups[0];
  EXPECT_EQ(g.error_code, error_code::none);
  ASSERT_EQ(g.topics.size(), 2u);
  EXPECT_EQ(g.topics[0].topic_id, id);
  EXPECT_EQ(g.topics[0].partitions.at(0).committed_offset, core::offset{8});
  EXPECT_EQ(g.topics[0].partitions.at(0).error_code, error_code::none);
  EXPECT_EQ(g.topics[1].topic_id, unknown_id());
  ASSERT_EQ(g.topics[1].partitions.size(), 2u);
  for (const auto& p : g.topics[1].partitions) {
    EXPECT_EQ(p.committed_offset, core::offset{-1});
    EXPECT_EQ(p.error_code, error_code::unknown_topic_id);
  }
}

TEST_F(offsets_versions, a_deleted_topic_takes_its_committed_offsets_along) {
  // As Kafka's onPartitionsDeleted: a group's offsets of a deleted topic are tombstoned, so a
  // topic created again under the name starts without them (before, OffsetFetch answered the
  // old offsets, stored by name, for the new topic).
  const auto t = topic();
  const auto other = topic("kept");
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(other, 1), RdKafka::ERR_NO_ERROR);
  auto fetch_all = [&](raw_client& c) {
    fetch_request fetch;
    fetch.groups.push_back(fetch_group("deleted-topic", std::nullopt));
    auto answer = c.call<fetch_response>(protocol::api_key::offset_fetch, 8, fetch);
    EXPECT_TRUE(answer);
    std::map<std::string, size_t> topics;  // topic -> partitions with an offset
    if (answer && answer->groups.size() == 1) {
      for (const auto& topic : answer->groups[0].topics) topics[topic.name] = topic.partitions.size();
    }
    return topics;
  };
  {
    raw_client c(options().port);
    auto commit = simple_commit("deleted-topic", {{0, 10}, {1, 20}});
    commit.topics[0].name = t;
    commit.topics.push_back({other, {}, {{partition_id{0}, core::offset{5}, -1, std::nullopt}}});
    auto committed = c.call<commit_response>(protocol::api_key::offset_commit, 8, commit);
    ASSERT_TRUE(committed);
    EXPECT_EQ(fetch_all(c), (std::map<std::string, size_t>{{t, 2}, {other, 1}}));

    protocol::delete_topics_request del;
    del.timeout_ms = 10000;
    del.topics = {{t, protocol::uuid{}}};
    auto deleted = c.call<protocol::delete_topics_response>(protocol::api_key::delete_topics, 6, del);
    ASSERT_TRUE(deleted);
    EXPECT_EQ(deleted->responses.at(0).error_code, error_code::none);
    ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
    EXPECT_EQ(fetch_all(c), (std::map<std::string, size_t>{{other, 1}}));
  }
  // The tombstones are in __consumer_offsets: a restart does not bring the offsets back.
  stop_broker();
  start_broker();
  raw_client c(options().port);
  EXPECT_EQ(fetch_all(c), (std::map<std::string, size_t>{{other, 1}}));
}

TEST_F(offsets_versions, fetch_v8_answers_each_group_on_its_own) {
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  raw_client c(options().port);
  auto commit = simple_commit("known", {{0, 42}});
  commit.topics[0].name = t;
  auto committed = c.call<commit_response>(protocol::api_key::offset_commit, 8, commit);
  ASSERT_TRUE(committed);
  EXPECT_EQ(committed->topics.at(0).partitions.at(0).error_code, error_code::none);

  const std::vector<fetch_request::offset_fetch_request_topics> topics{
      {t, {}, {partition_id{0}, partition_id{1}}}};
  for (int16_t v : {8, 9}) {
    SCOPED_TRACE("v" + std::to_string(v));
    fetch_request fetch;
    fetch.require_stable = true;
    fetch.groups = {fetch_group("known", topics), fetch_group("unknown", topics)};
    if (v >= 9) {
      // A classic group ignores a KIP-848 member id and epoch, as in Kafka.
      fetch.groups[0].member_id = "not-a-member";
      fetch.groups[0].member_epoch = 17;
    }
    auto fetched = c.call<fetch_response>(protocol::api_key::offset_fetch, v, fetch);
    ASSERT_TRUE(fetched);
    ASSERT_EQ(fetched->groups.size(), 2u);
    const auto& known = fetched->groups[0];
    EXPECT_EQ(known.group_id, "known");
    EXPECT_EQ(known.error_code, error_code::none);
    ASSERT_EQ(known.topics.size(), 1u);
    EXPECT_EQ(known.topics[0].name, t);
    ASSERT_EQ(known.topics[0].partitions.size(), 2u);
    EXPECT_EQ(known.topics[0].partitions[0].committed_offset, core::offset{42});
    EXPECT_EQ(known.topics[0].partitions[0].metadata, "meta-42");
    EXPECT_EQ(known.topics[0].partitions[1].committed_offset, core::offset{-1});
    // An unknown group reads as one without offsets: -1 everywhere, no error (Kafka 4.x).
    const auto& unknown = fetched->groups[1];
    EXPECT_EQ(unknown.group_id, "unknown");
    EXPECT_EQ(unknown.error_code, error_code::none);
    ASSERT_EQ(unknown.topics.size(), 1u);
    for (const auto& p : unknown.topics[0].partitions) {
      EXPECT_EQ(p.committed_offset, core::offset{-1});
      EXPECT_EQ(p.error_code, error_code::none);
    }
  }
}

TEST_F(offsets_versions, commit_with_a_generation_to_an_unknown_group) {
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  raw_client c(options().port);
  auto commit = simple_commit("no-such-group", {{0, 1}});
  commit.topics[0].name = t;
  commit.generation_id_or_member_epoch = 3;
  commit.member_id = "m";
  // v9+: GROUP_ID_NOT_FOUND; up to v8: ILLEGAL_GENERATION (Kafka keeps the old answer there).
  for (int16_t v : {7, 8, 9}) {
    auto answer = c.call<commit_response>(protocol::api_key::offset_commit, v, commit);
    ASSERT_TRUE(answer) << "v" << v;
    EXPECT_EQ(answer->topics.at(0).partitions.at(0).error_code,
              v >= 9 ? error_code::group_id_not_found : error_code::illegal_generation)
        << "v" << v;
  }
}

TEST_F(offsets_versions, delete_groups_v2) {
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  raw_client c(options().port);
  auto commit = simple_commit("doomed", {{0, 7}});
  commit.topics[0].name = t;
  ASSERT_TRUE(c.call<commit_response>(protocol::api_key::offset_commit, 9, commit));

  protocol::delete_groups_request del{{"doomed", "", "never-there"}};
  auto deleted = c.call<protocol::delete_groups_response>(protocol::api_key::delete_groups, 2, del);
  ASSERT_TRUE(deleted);
  ASSERT_EQ(deleted->results.size(), 3u);
  EXPECT_EQ(deleted->results[0].group_id, "doomed");
  EXPECT_EQ(deleted->results[0].error_code, error_code::none);
  EXPECT_EQ(deleted->results[1].error_code, error_code::invalid_group_id);
  EXPECT_EQ(deleted->results[2].group_id, "never-there");
  EXPECT_EQ(deleted->results[2].error_code, error_code::group_id_not_found);

  // Its offsets went with it.
  fetch_request fetch;
  fetch.groups.push_back(fetch_group("doomed", std::nullopt));
  auto fetched = c.call<fetch_response>(protocol::api_key::offset_fetch, 9, fetch);
  ASSERT_TRUE(fetched);
  ASSERT_EQ(fetched->groups.size(), 1u);
  EXPECT_EQ(fetched->groups[0].error_code, error_code::none);
  EXPECT_TRUE(fetched->groups[0].topics.empty());
  auto again = c.call<protocol::delete_groups_response>(
      protocol::api_key::delete_groups, 2, protocol::delete_groups_request{{"doomed"}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->results.at(0).error_code, error_code::group_id_not_found);
}

}  // namespace
}  // namespace sluice::testing
