// Log compaction end to end: librdkafka produces the lesson's example into a compacted topic,
// the broker's background cleaner compacts it, and a consumer reading from the beginning sees
// the latest value per key at the original offsets — also after a tombstone and a restart.

#include "tests/integration/broker_fixture.h"

#include "broker/storage/log_manager.h"

#include <thread>

namespace sluice::testing {
namespace {

class compaction : public broker_test {
 protected:
  void SetUp() override {
    _options.cleaner_backoff_ms = 50;
    broker_test::SetUp();
  }

  /// Reads the whole partition from the beginning until it equals `expected` (offset, key,
  /// value) or `timeout` passes; returns the last read.
  std::vector<std::tuple<int64_t, std::string, std::optional<std::string>>> wait_for(
      const std::string& t,
      const std::vector<std::tuple<int64_t, std::string, std::optional<std::string>>>& expected,
      std::chrono::seconds timeout = std::chrono::seconds(30)) {
    std::vector<std::tuple<int64_t, std::string, std::optional<std::string>>> got;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      got.clear();
      for (const auto& r : consume(t, {0}, 100, std::chrono::milliseconds(1500))) {
        got.emplace_back(r.offset, r.key.value_or("<null>"), r.value);
      }
      if (got == expected) break;
    }
    return got;
  }
};

using row = std::tuple<int64_t, std::string, std::optional<std::string>>;

TEST_F(compaction, lesson_example_through_librdkafka) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1,
                         {{"cleanup.policy", "compact"},
                          {"segment.bytes", "100"},  // about one record per segment
                          {"segment.ms", "100"},      // idle active segments roll
                          {"min.cleanable.dirty.ratio", "0.01"},
                          {"delete.retention.ms", "100"}}),
            RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  const char* keys[] = {"user1", "user2", "user1", "user3", "user2", "user1"};
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(produce(*p, t, 0, keys[i], "v" + std::to_string(i + 1)), i);
  }
  const std::vector<row> compacted{{3, "user3", "v4"}, {4, "user2", "v5"}, {5, "user1", "v6"}};
  EXPECT_EQ(wait_for(t, compacted), compacted);

  // A tombstone deletes user1 for good once delete.retention.ms has passed.
  ASSERT_EQ(produce(*p, t, 0, "user1", std::nullopt), 6);
  const std::vector<row> deleted{{3, "user3", "v4"}, {4, "user2", "v5"}};
  EXPECT_EQ(wait_for(t, deleted), deleted);

  // Offsets go on after the gaps, and everything survives a restart.
  ASSERT_EQ(produce(*p, t, 0, "user4", "v8"), 7);
  p.reset();
  stop_broker();
  start_broker();
  const std::vector<row> after{{3, "user3", "v4"}, {4, "user2", "v5"}, {7, "user4", "v8"}};
  EXPECT_EQ(wait_for(t, after, std::chrono::seconds(10)), after);
}

TEST_F(compaction, aborted_transactions_are_removed_and_their_markers_expire) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1,
                         {{"cleanup.policy", "compact"},
                          {"segment.ms", "100"},  // idle active segments roll
                          {"min.cleanable.dirty.ratio", "0.01"},
                          {"delete.retention.ms", "100"}}),
            RdKafka::ERR_NO_ERROR);
  auto p = make_producer({{"transactional.id", t + "-txn"}});
  auto ok = [](RdKafka::Error* e, const char* what) {
    EXPECT_EQ(e, nullptr) << what << ": " << (e ? e->str() : "");
    delete e;
  };
  ok(p->init_transactions(30000), "init");
  ok(p->begin_transaction(), "begin 1");
  ASSERT_EQ(produce(*p, t, 0, "k1", "aborted"), 0);
  ok(p->abort_transaction(30000), "abort");  // marker at 1
  ok(p->begin_transaction(), "begin 2");
  ASSERT_EQ(produce(*p, t, 0, "k2", "committed-2"), 2);
  ASSERT_EQ(produce(*p, t, 0, "k1", "committed-1"), 3);
  ok(p->commit_transaction(30000), "commit");  // marker at 4
  p.reset();

  // Even a read_uncommitted consumer no longer sees the aborted record once the cleaner ran;
  // committed transactional records stay at their offsets.
  const std::vector<row> expected{{2, "k2", "committed-2"}, {3, "k1", "committed-1"}};
  std::vector<row> got;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (got != expected && std::chrono::steady_clock::now() < deadline) {
    got.clear();
    for (const auto& r : consume(t, {0}, 100, std::chrono::milliseconds(1500),
                                 {{"isolation.level", "read_uncommitted"}})) {
      got.emplace_back(r.offset, r.key.value_or("<null>"), r.value);
    }
  }
  EXPECT_EQ(got, expected);
  // The ABORT marker goes after delete.retention.ms, and its aborted-transaction entry with it.
  auto plog = _broker->logs().get({t, core::partition_id{0}});
  ASSERT_TRUE(plog);
  while (!plog->aborted_transactions().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(plog->aborted_transactions().empty());
  EXPECT_EQ(consume(t, {0}, 2, std::chrono::seconds(20), {{"isolation.level", "read_committed"}}).size(), 2u);
}

TEST_F(compaction, delete_topics_are_left_alone_by_the_cleaner) {
  auto plain = topic();
  ASSERT_EQ(create_topic(plain, 1, {{"segment.bytes", "100"}, {"segment.ms", "100"}}),
            RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  for (int i = 0; i < 4; ++i) ASSERT_EQ(produce(*p, plain, 0, "same", std::to_string(i)), i);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // several cleaner passes
  auto got = consume(plain, {0}, 4);
  ASSERT_EQ(got.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(got[i].offset, i);
}

}  // namespace
}  // namespace sluice::testing
