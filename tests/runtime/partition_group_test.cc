#include "runtime/detail/partition_group.h"

#include <gtest/gtest.h>

namespace sluice::runtime::detail {
namespace {

using namespace std::chrono_literals;
using clock = partition_group::clock;

dsl::pending_record at(int64_t ts, int64_t off) {
  dsl::pending_record p;
  p.rec.ts = core::from_epoch_ms(ts);
  p.off = core::offset{off};
  return p;
}

TEST(partition_group, picks_the_lowest_timestamp_among_the_queue_heads) {
  partition_group g(3);
  g.push(0, at(30, 0));
  g.push(0, at(10, 1));  // behind the head of its queue: waits its turn
  g.push(1, at(20, 0));
  g.push(2, at(25, 0));
  const auto now = clock::now();
  std::vector<std::pair<std::size_t, int64_t>> order;
  while (auto i = g.next(now, 0ms)) {
    order.emplace_back(*i, core::to_epoch_ms(g.pop(*i).rec.ts));
  }
  EXPECT_EQ(order, (std::vector<std::pair<std::size_t, int64_t>>{{1, 20}, {2, 25}, {0, 30}, {0, 10}}));
  EXPECT_TRUE(g.empty());
}

TEST(partition_group, ties_go_to_the_first_partition_and_order_within_a_partition_is_kept) {
  partition_group g(2);
  g.push(1, at(5, 0));
  g.push(0, at(5, 0));
  g.push(0, at(5, 1));
  const auto now = clock::now();
  EXPECT_EQ(g.next(now, 0ms), 0u);
  EXPECT_EQ(g.pop(0).off, core::offset{0});
  EXPECT_EQ(g.next(now, 0ms), 0u);
  EXPECT_EQ(g.pop(0).off, core::offset{1});
  EXPECT_EQ(g.next(now, 0ms), 1u);
  EXPECT_EQ(g.total(), 1u);
}

TEST(partition_group, with_max_idle_it_waits_for_empty_partitions_then_gives_up) {
  partition_group g(2);
  g.push(0, at(100, 0));
  const auto t0 = clock::now();
  EXPECT_EQ(g.next(t0, 50ms), std::nullopt);          // partition 1 may still bring earlier data
  EXPECT_EQ(g.next(t0 + 20ms, 50ms), std::nullopt);
  EXPECT_EQ(g.next(t0 + 50ms, 50ms), 0u);             // waited long enough
  // Data on every partition: no waiting, lowest first.
  g.push(1, at(50, 0));
  EXPECT_EQ(g.next(t0 + 51ms, 50ms), 1u);
  (void)g.pop(1);
  // Partition 1 empty again: the wait starts over.
  EXPECT_EQ(g.next(t0 + 60ms, 50ms), std::nullopt);
  EXPECT_EQ(g.next(t0 + 110ms, 50ms), 0u);
}

TEST(partition_group, without_max_idle_it_processes_what_it_has) {
  partition_group g(2);
  g.push(1, at(7, 0));
  EXPECT_EQ(g.next(clock::now(), 0ms), 1u);
}

TEST(partition_group, clear_drops_everything) {
  partition_group g(2);
  g.push(0, at(1, 0));
  g.push(1, at(2, 0));
  g.clear();
  EXPECT_TRUE(g.empty());
  EXPECT_EQ(g.size(0), 0u);
  EXPECT_EQ(g.next(clock::now(), 0ms), std::nullopt);
}

}  // namespace
}  // namespace sluice::runtime::detail
