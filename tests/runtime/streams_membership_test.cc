// The pure parts of the instance's group membership: a stream thread's task inbox and the
// partitions of a task. The membership itself runs against a broker:
// tests/integration/streams_membership_test.cc.

#include "runtime/detail/streams_membership.h"

#include "dsl/streams.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::runtime::detail {
namespace {

using dsl::task_id;

task_id t(int32_t sub, int32_t p) { return {sub, partition_id{p}}; }

TEST(task_inbox, a_thread_takes_the_newest_posted_set_once) {
  task_inbox inbox;
  EXPECT_TRUE(inbox.settled());
  EXPECT_FALSE(inbox.take());
  inbox.post({t(0, 0)});
  const uint64_t v2 = inbox.post({t(0, 1), t(0, 2)});  // replaces the one not taken yet
  EXPECT_FALSE(inbox.settled());
  auto taken = inbox.take();
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->version, v2);
  EXPECT_EQ(taken->active, (std::set<task_id>{t(0, 1), t(0, 2)}));
  EXPECT_FALSE(inbox.take()) << "taken once";
  EXPECT_FALSE(inbox.settled()) << "taken is not applied";
  inbox.applied(taken->version);
  EXPECT_TRUE(inbox.settled());
  EXPECT_EQ(inbox.posted(), (std::set<task_id>{t(0, 1), t(0, 2)}));
}

TEST(task_inbox, an_older_version_applied_late_does_not_settle_a_newer_post) {
  task_inbox inbox;
  const uint64_t v1 = inbox.post({t(0, 0)});
  ASSERT_TRUE(inbox.take());
  const uint64_t v2 = inbox.post({});
  inbox.applied(v1);
  EXPECT_FALSE(inbox.settled());
  ASSERT_TRUE(inbox.take());
  inbox.applied(v2);
  inbox.applied(v1);  // never goes back
  EXPECT_TRUE(inbox.settled());
}

TEST(task_partitions, a_task_reads_its_partition_of_every_source_that_has_it) {
  dsl::streams_builder b;
  auto a = b.stream<std::string, std::string>("a");
  auto c = b.stream<std::string, std::string>("c");
  a.merge(c).to("out");
  // A second sub-topology behind a repartition topic.
  b.stream<std::string, std::string>("d").select_key([](const std::string&, const std::string& v) { return v; })
      .group_by_key()
      .count()
      .to_stream()
      .to("counts");
  const dsl::topology topology = b.build();
  topic_layout layout;
  layout.partitions = {{"a", 4}, {"c", 2}, {"d", 3}};
  for (const auto& s : topology.subtopologies()) {
    for (const auto& src : s.sources) {
      if (src.internal) layout.partitions[src.resolve("app")] = 3;
    }
  }
  ASSERT_GE(topology.subtopologies().size(), 3u);
  const auto& first = topology.subtopologies()[0];
  std::vector<core::topic_partition> want = {{"a", partition_id{1}}, {"c", partition_id{1}}};
  EXPECT_EQ(task_partitions(topology, layout, "app", {first.id, partition_id{1}}), want);
  want = {{"a", partition_id{3}}};
  EXPECT_EQ(task_partitions(topology, layout, "app", {first.id, partition_id{3}}), want)
      << "c has two partitions";
  // The aggregating sub-topology reads its repartition topic under its full name.
  const auto& last = topology.subtopologies().back();
  ASSERT_EQ(last.sources.size(), 1u);
  ASSERT_TRUE(last.sources[0].internal);
  want = {{last.sources[0].resolve("app"), partition_id{2}}};
  EXPECT_EQ(task_partitions(topology, layout, "app", {last.id, partition_id{2}}), want);
  EXPECT_TRUE(task_partitions(topology, layout, "app", {99, partition_id{0}}).empty()) << "no such sub-topology";
}

}  // namespace
}  // namespace sluice::runtime::detail
