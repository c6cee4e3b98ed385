// Kafka's delete-retention rule as a pure function of segment sizes and timestamps.

#include "broker/storage/retention.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::broker::storage {
namespace {

log_config delete_policy(int64_t retention_ms, int64_t retention_bytes) {
  log_config c;
  c.cleanup_delete = true;
  c.retention_ms = retention_ms;
  c.retention_bytes = retention_bytes;
  return c;
}

TEST(retention, time_deletes_old_segments_but_never_the_active_one) {
  const std::vector<segment_facts> s{{1000, 10}, {2000, 10}, {3000, 10}};
  EXPECT_EQ(segments_past_retention(s, delete_policy(500, -1), 2600), 2u);
  EXPECT_EQ(segments_past_retention(s, delete_policy(500, -1), 1400), 0u);
  EXPECT_EQ(segments_past_retention(s, delete_policy(0, -1), 1000000), 2u) << "the active segment stays";
  EXPECT_EQ(segments_past_retention(s, delete_policy(-1, -1), 1000000), 0u) << "-1 = keep forever";
}

TEST(retention, a_segment_without_a_timestamp_stops_time_retention) {
  const std::vector<segment_facts> s{{1000, 10}, {-1, 10}, {1000, 10}, {5000, 10}};
  EXPECT_EQ(segments_past_retention(s, delete_policy(100, -1), 10000), 1u);
}

TEST(retention, size_keeps_at_least_the_limit) {
  const std::vector<segment_facts> s{{1, 100}, {2, 100}, {3, 100}, {4, 50}};
  EXPECT_EQ(segments_past_retention(s, delete_policy(-1, 150), 10), 2u) << "150 bytes remain";
  EXPECT_EQ(segments_past_retention(s, delete_policy(-1, 200), 10), 1u) << "250 remain, 150 would be too few";
  EXPECT_EQ(segments_past_retention(s, delete_policy(-1, 0), 10), 3u);
}

TEST(retention, compact_only_topics_are_the_cleaners_job) {
  auto c = delete_policy(0, 0);
  c.cleanup_delete = false;
  const std::vector<segment_facts> s{{1, 100}, {2, 100}};
  EXPECT_EQ(segments_past_retention(s, c, 1000000), 0u);
}

}  // namespace
}  // namespace sluice::broker::storage
