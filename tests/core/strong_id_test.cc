#include "core/types.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>

namespace sluice::core {
namespace {

// Distinct id types do not convert into each other or from raw numbers implicitly.
static_assert(!std::is_convertible_v<offset, partition_id>);
static_assert(!std::is_convertible_v<int64_t, offset>);
static_assert(!std::is_convertible_v<offset, int64_t>);
static_assert(std::is_trivially_copyable_v<offset>);
static_assert(sizeof(partition_id) == sizeof(int32_t));

TEST(strong_id, value_ordering_and_default) {
  EXPECT_EQ(offset{}.value(), 0);
  EXPECT_EQ(offset{42}.value(), 42);
  EXPECT_LT(offset{1}, offset{2});
  EXPECT_EQ(partition_id{3}, partition_id{3});
  EXPECT_NE(producer_id{1}, producer_id{2});
  constexpr producer_epoch epoch{7};
  static_assert(epoch.value() == 7);
}

TEST(strong_id, hashable_and_printable) {
  std::unordered_set<offset> seen{offset{1}, offset{2}, offset{1}};
  EXPECT_EQ(seen.size(), 2U);
  std::ostringstream os;
  os << node_id{5} << ' ' << offset{-1};
  EXPECT_EQ(os.str(), "5 -1");
}

TEST(topic_partition, ordered_hashable_printable) {
  const topic_partition a{"orders", partition_id{0}};
  const topic_partition b{"orders", partition_id{1}};
  const topic_partition c{"payments", partition_id{0}};
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_EQ(a, (topic_partition{"orders", partition_id{0}}));
  std::unordered_map<topic_partition, int> counts{{a, 1}, {b, 2}};
  EXPECT_EQ(counts.at(b), 2);
  EXPECT_EQ((std::set<topic_partition>{c, b, a}).begin()->partition, partition_id{0});
  std::ostringstream os;
  os << b;
  EXPECT_EQ(os.str(), "orders-1");
}

}  // namespace
}  // namespace sluice::core
