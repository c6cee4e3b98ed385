// once_filter: each key is reported first exactly once, and the set stays bounded.

#include "core/once_filter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sluice::core {
namespace {

TEST(once_filter, reports_each_key_first_exactly_once) {
  once_filter f;
  EXPECT_TRUE(f.first("client-a Produce v0"));
  EXPECT_FALSE(f.first("client-a Produce v0"));
  EXPECT_TRUE(f.first("client-b Produce v0"));
  EXPECT_TRUE(f.first("client-a Produce v1"));
  EXPECT_FALSE(f.first("client-b Produce v0"));
}

TEST(once_filter, stops_remembering_at_capacity_and_reports_new_keys_as_seen) {
  once_filter f(2);
  EXPECT_TRUE(f.first("a"));
  EXPECT_TRUE(f.first("b"));
  EXPECT_FALSE(f.first("c")) << "full: a new key is not logged";
  EXPECT_FALSE(f.first("a"));
}

TEST(once_filter, one_first_across_threads) {
  once_filter f;
  std::atomic<int> firsts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) firsts += f.first("same") ? 1 : 0;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(firsts.load(), 1);
}

}  // namespace
}  // namespace sluice::core
