// stream_task without a broker: how a task takes its partitions' records, processes them by
// timestamp, and tracks what it may commit across assignment, suspension and resumption.

#include "runtime/detail/stream_task.h"

#include "tests/runtime/task_env.h"

#include <gtest/gtest.h>

namespace sluice::runtime::detail {
namespace {

using testing::task_env;
using testing::tp;
using clock = partition_group::clock;

class stream_task_test : public ::testing::Test {
 protected:
  stream_task_test() : _task(_env.make_task({0, core::partition_id{2}}, {tp("a", 2), tp("b", 2)})) {
    _task->assign(0, 10);
    _task->assign(1, 0);
    EXPECT_TRUE(_task->open());
    _task->start_running();
  }

  int process_all() { return _task->process(1000, clock::now(), std::chrono::milliseconds(0)); }

  task_env _env;
  std::unique_ptr<stream_task> _task;
};

TEST_F(stream_task_test, assign_sets_where_each_input_starts_and_unpauses_it) {
  _task->set_paused(0, true);
  EXPECT_TRUE(_task->inputs()[0].paused);
  _task->assign(0, 42);
  const auto& in = _task->inputs()[0];
  EXPECT_FALSE(in.paused);
  EXPECT_EQ(in.next_expected, 42);
  EXPECT_EQ(in.committed_next, 42);
  // A logical start (beginning or end) leaves the committed position alone and takes anything.
  _task->assign(1, -2);
  EXPECT_EQ(_task->inputs()[1].next_expected, -1);
  EXPECT_EQ(_task->inputs()[1].committed_next, 0);
}

TEST_F(stream_task_test, records_before_the_start_offset_are_duplicates) {
  _task->enqueue(0, core::offset{9}, task_env::record("k", 9, 100));  // before the start: dropped
  _task->enqueue(0, core::offset{10}, task_env::record("k", 10, 100));
  _task->enqueue(0, core::offset{10}, task_env::record("k", 10, 100));  // fetched twice: dropped
  EXPECT_EQ(_task->buffered(), 1u);
  EXPECT_EQ(process_all(), 1);
  EXPECT_EQ(_env.seen, (std::vector<std::pair<std::string, int64_t>>{{"k", 10}}));
}

TEST_F(stream_task_test, records_are_processed_by_lowest_timestamp_across_inputs) {
  _task->enqueue(0, core::offset{10}, task_env::record("a1", 1, 300));
  _task->enqueue(0, core::offset{11}, task_env::record("a2", 2, 500));
  _task->enqueue(1, core::offset{0}, task_env::record("b1", 3, 200));
  _task->enqueue(1, core::offset{1}, task_env::record("b2", 4, 400));
  EXPECT_EQ(process_all(), 4);
  EXPECT_EQ(_env.seen, (std::vector<std::pair<std::string, int64_t>>{{"b1", 3}, {"a1", 1}, {"b2", 4}, {"a2", 2}}));
  EXPECT_EQ(_task->stream_time(), core::from_epoch_ms(500));
}

TEST_F(stream_task_test, commits_cover_what_was_processed_and_only_once) {
  _task->enqueue(0, core::offset{10}, task_env::record("k", 1, 100));
  _task->enqueue(0, core::offset{11}, task_env::record("k", 2, 200));
  EXPECT_TRUE(_task->committable_offsets().empty());
  EXPECT_EQ(_task->process(1, clock::now(), std::chrono::milliseconds(0)), 1);
  EXPECT_TRUE(_task->commit_needed());
  ASSERT_EQ(_task->committable_offsets().size(), 1u);
  EXPECT_EQ(_task->committable_offsets()[0], std::make_pair(tp("a", 2), int64_t{11}));
  ASSERT_TRUE(_task->checkpoint(true));
  EXPECT_FALSE(_task->commit_needed());
  EXPECT_TRUE(_task->committable_offsets().empty());
  // A commit that did not go through leaves the offsets to commit as they were.
  EXPECT_EQ(process_all(), 1);
  ASSERT_TRUE(_task->checkpoint(false));
  EXPECT_EQ(_task->committable_offsets()[0], std::make_pair(tp("a", 2), int64_t{12}));
}

TEST_F(stream_task_test, an_undeserializable_record_goes_to_the_sink_and_counts_as_processed) {
  core::raw_record bad = task_env::record("k", 0, 100);
  bad.value = core::to_bytes("abc");  // not 8 bytes: not an int64
  _task->enqueue(0, core::offset{10}, std::move(bad));
  EXPECT_EQ(process_all(), 1);  // values are decoded when processed
  EXPECT_TRUE(_env.seen.empty());
  ASSERT_EQ(_env.sink.errors.size(), 1u);
  EXPECT_EQ(_env.sink.errors[0], std::make_pair(tp("a", 2), int64_t{10}));
  EXPECT_EQ(_task->committable_offsets()[0], std::make_pair(tp("a", 2), int64_t{11}));
}

TEST_F(stream_task_test, suspension_drops_buffered_records_and_resumption_restarts_from_the_commit) {
  _task->enqueue(0, core::offset{10}, task_env::record("k", 1, 100));
  EXPECT_EQ(process_all(), 1);
  ASSERT_TRUE(_task->checkpoint(true));
  _task->enqueue(0, core::offset{11}, task_env::record("k", 2, 200));
  _task->suspend();
  EXPECT_EQ(_task->current_state(), stream_task::state::suspended);
  EXPECT_EQ(_task->buffered(), 0u);
  _task->resume();
  _task->assign(0, 11);
  EXPECT_EQ(_task->current_state(), stream_task::state::running);
  EXPECT_TRUE(_task->committable_offsets().empty());
  _task->enqueue(0, core::offset{11}, task_env::record("k", 2, 200));  // fetched again
  EXPECT_EQ(process_all(), 1);
  EXPECT_EQ(_env.seen.size(), 2u);
}

TEST_F(stream_task_test, a_record_is_processed_straight_from_poll_only_when_nothing_waits) {
  // Two inputs: the timestamp order across them needs the queues.
  EXPECT_EQ(_task->process_at_once(0, core::offset{10}, task_env::record("k", 1, 100)), stream_task::at_once::queue);
  auto single = _env.make_task({0, core::partition_id{3}}, {tp("a", 3)});
  single->assign(0, 0);
  ASSERT_TRUE(single->open());
  EXPECT_EQ(single->process_at_once(0, core::offset{0}, task_env::record("k", 7, 100)), stream_task::at_once::queue)
      << "not running yet";
  single->start_running();
  EXPECT_EQ(single->process_at_once(0, core::offset{0}, task_env::record("k", 7, 100)), stream_task::at_once::processed);
  EXPECT_EQ(single->process_at_once(0, core::offset{0}, task_env::record("k", 7, 100)), stream_task::at_once::duplicate);
  EXPECT_EQ(_env.seen, (std::vector<std::pair<std::string, int64_t>>{{"k", 7}}));
}

}  // namespace
}  // namespace sluice::runtime::detail
