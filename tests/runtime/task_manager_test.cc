// task_manager without a broker: assignment changes turned into task lifecycles, the routing
// of partitions to tasks, processing, commits and back-pressure.

#include "runtime/detail/task_manager.h"

#include "runtime/detail/back_pressure.h"
#include "tests/runtime/task_env.h"

#include <gtest/gtest.h>

namespace sluice::runtime::detail {
namespace {

using testing::recording_partitions;
using testing::task_env;
using testing::tp;
using clock = partition_group::clock;

/// Records the offsets it was asked to commit; answers `accept`.
class recording_committer final : public offset_committer {
 public:
  bool commit_offsets(const std::vector<std::pair<core::topic_partition, int64_t>>& offsets) override {
    commits.push_back(offsets);
    return accept;
  }
  std::vector<std::vector<std::pair<core::topic_partition, int64_t>>> commits;
  bool accept = true;
};

class task_manager_test : public ::testing::Test {
 protected:
  task_manager_test()
      : _tasks(_env.layout, _env.factory(), _partitions, [this](stream_task& t) { closed.push_back(t.id()); }) {}

  void assign(std::vector<int32_t> partitions) {
    std::map<core::topic_partition, int64_t> start;
    for (int32_t p : partitions) {
      start[tp("a", p)] = 0;
      start[tp("b", p)] = 0;
    }
    _tasks.assign(start);
  }
  void run_all() {
    _tasks.open_created([](stream_task&) -> result<void> {
      ADD_FAILURE() << "a stateless task was sent to restoration";
      return core::success();
    });
  }
  stream_task* task(int32_t partition) {
    auto it = _tasks.tasks().find({0, core::partition_id{partition}});
    return it == _tasks.tasks().end() ? nullptr : it->second.get();
  }

  task_env _env;
  recording_partitions _partitions;
  task_manager _tasks;
  std::vector<dsl::task_id> closed;
};

TEST_F(task_manager_test, an_assignment_creates_one_task_per_partition_and_routes_co_partitioned_inputs_to_it) {
  const auto version = _tasks.routing_version();
  assign({0, 1});
  EXPECT_GT(_tasks.routing_version(), version);
  ASSERT_EQ(_tasks.tasks().size(), 2u);
  ASSERT_NE(task(1), nullptr);
  for (const auto& topic : {"a", "b"}) {
    const auto* refs = _tasks.route(tp(topic, 1));
    ASSERT_NE(refs, nullptr);
    ASSERT_EQ(refs->size(), 1u);
    EXPECT_EQ((*refs)[0].task, task(1));
  }
  EXPECT_EQ(_tasks.route(tp("a", 2)), nullptr);
  // Not running yet: every input is paused until its task runs.
  EXPECT_TRUE(_tasks.any_created());
  EXPECT_FALSE(_tasks.all_running());
  EXPECT_TRUE(_partitions.paused.at(tp("a", 0)));
  run_all();
  EXPECT_TRUE(_tasks.all_running());
  EXPECT_FALSE(_partitions.paused.at(tp("a", 0)));
  EXPECT_FALSE(task(0)->inputs()[0].paused);
}

TEST_F(task_manager_test, partitions_of_topics_no_sub_topology_reads_are_ignored) {
  _tasks.assign({{tp("a", 0), 0}, {tp("b", 0), 0}, {tp("elsewhere", 0), 0}});
  EXPECT_EQ(_tasks.tasks().size(), 1u);
  EXPECT_EQ(_tasks.route(tp("elsewhere", 0)), nullptr);
}

TEST_F(task_manager_test, a_committed_revocation_suspends_and_the_same_assignment_resumes_the_same_tasks) {
  assign({0, 1});
  run_all();
  stream_task* before = task(0);
  _tasks.revoke(true);
  EXPECT_EQ(before->current_state(), stream_task::state::suspended);
  EXPECT_TRUE(closed.empty());
  EXPECT_EQ(_tasks.route(tp("a", 0)), nullptr);
  // Partition 0 comes back, 1 moved away, 2 is new.
  assign({0, 2});
  EXPECT_EQ(task(0), before);
  EXPECT_EQ(before->current_state(), stream_task::state::running);
  EXPECT_EQ(closed, (std::vector<dsl::task_id>{{0, core::partition_id{1}}}));
  ASSERT_NE(task(2), nullptr);
  EXPECT_EQ(task(2)->current_state(), stream_task::state::created);
}

TEST_F(task_manager_test, a_revocation_without_a_commit_closes_every_task) {
  assign({0, 1});
  run_all();
  _tasks.revoke(false);
  EXPECT_TRUE(_tasks.tasks().empty());
  EXPECT_EQ(closed.size(), 2u);
}

TEST_F(task_manager_test, delivered_records_are_processed_and_their_offsets_committed_once) {
  assign({0});
  run_all();
  back_pressure pressure(1 << 20, 0);
  const auto* refs = _tasks.route(tp("a", 0));
  ASSERT_NE(refs, nullptr);
  EXPECT_EQ(_tasks.deliver(*refs, core::offset{0}, task_env::record("x", 1, 100), pressure), 0);  // queued
  EXPECT_EQ(_tasks.deliver(*_tasks.route(tp("b", 0)), core::offset{0}, task_env::record("y", 2, 50), pressure), 0);
  EXPECT_TRUE(_tasks.processable(clock::now(), std::chrono::milliseconds(0)));
  EXPECT_EQ(_tasks.process(100, 10, clock::now(), std::chrono::milliseconds(0)), 2);
  EXPECT_EQ(_env.seen, (std::vector<std::pair<std::string, int64_t>>{{"y", 2}, {"x", 1}}));

  recording_committer committer;
  EXPECT_EQ(_tasks.commit(false, false, committer), std::optional<bool>(true));
  ASSERT_EQ(committer.commits.size(), 1u);
  EXPECT_EQ(committer.commits[0],
            (std::vector<std::pair<core::topic_partition, int64_t>>{{tp("a", 0), 1}, {tp("b", 0), 1}}));
  EXPECT_EQ(_tasks.commit(false, false, committer), std::nullopt) << "nothing new to commit";
  // `all` commits every running task, `force` even with no task: an open transaction's output.
  EXPECT_EQ(_tasks.commit(true, false, committer), std::optional<bool>(true));
  _tasks.revoke(true);
  EXPECT_EQ(_tasks.commit(false, true, committer), std::optional<bool>(true));
  EXPECT_EQ(committer.commits.size(), 3u);
}

TEST_F(task_manager_test, a_refused_commit_leaves_the_offsets_to_commit) {
  assign({0});
  run_all();
  back_pressure pressure(1 << 20, 0);
  _tasks.deliver(*_tasks.route(tp("a", 0)), core::offset{0}, task_env::record("x", 1, 100), pressure);
  _tasks.process(100, 10, clock::now(), std::chrono::milliseconds(0));
  recording_committer committer;
  committer.accept = false;
  EXPECT_EQ(_tasks.commit(false, false, committer), std::optional<bool>(false));
  committer.accept = true;
  EXPECT_EQ(_tasks.commit(false, false, committer), std::optional<bool>(true));
  ASSERT_EQ(committer.commits.size(), 2u);
  EXPECT_EQ(committer.commits[1], committer.commits[0]);
}

TEST_F(task_manager_test, back_pressure_pauses_a_full_partition_and_resumes_it_once_drained) {
  assign({0});
  run_all();
  back_pressure pressure(1 << 20, 2);  // two records per partition
  const auto* refs = _tasks.route(tp("a", 0));
  _tasks.deliver(*refs, core::offset{0}, task_env::record("x", 1, 100), pressure);
  EXPECT_FALSE(task(0)->inputs()[0].paused);
  _tasks.deliver(*refs, core::offset{1}, task_env::record("x", 2, 101), pressure);
  EXPECT_TRUE(task(0)->inputs()[0].paused);
  EXPECT_TRUE(_partitions.paused.at(tp("a", 0)));
  _tasks.process(100, 10, clock::now(), std::chrono::milliseconds(0));
  pressure.resume_drained(_tasks);
  EXPECT_FALSE(task(0)->inputs()[0].paused);
  EXPECT_FALSE(_partitions.paused.at(tp("a", 0)));
}

TEST_F(task_manager_test, over_the_thread_share_every_partition_with_buffered_records_pauses) {
  assign({0, 1});
  run_all();
  back_pressure pressure(1, 0);  // a one-byte share: anything buffered is too much
  _tasks.deliver(*_tasks.route(tp("a", 0)), core::offset{0}, task_env::record("x", 1, 100), pressure);
  _tasks.deliver(*_tasks.route(tp("b", 1)), core::offset{0}, task_env::record("y", 1, 100), pressure);
  pressure.limit(_tasks);
  EXPECT_TRUE(_partitions.paused.at(tp("a", 0)));
  EXPECT_TRUE(_partitions.paused.at(tp("b", 1)));
  EXPECT_FALSE(_partitions.paused.at(tp("b", 0))) << "nothing buffered: keeps fetching";
}

TEST_F(task_manager_test, close_all_closes_every_task_and_forgets_the_routing) {
  assign({0, 1});
  run_all();
  _tasks.close_all(true);
  EXPECT_TRUE(_tasks.tasks().empty());
  EXPECT_EQ(closed.size(), 2u);
  EXPECT_EQ(_tasks.route(tp("a", 0)), nullptr);
}

}  // namespace
}  // namespace sluice::runtime::detail
