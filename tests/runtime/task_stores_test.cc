// task_stores without a broker: how a task's RocksDB stores are committed under each processing
// guarantee. The record collector's producer points at a port nothing listens on, so changelog
// records only queue (never acknowledged): changelog positions stay at the restore position.

#include "runtime/detail/task_stores.h"

#include "state/key_value_store.h"
#include "state/rocksdb_resources.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>

namespace sluice::runtime::detail {
namespace {

constexpr core::timestamp t0{};

bytes b(std::string_view s) {
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  return bytes(p, p + s.size());
}

class task_stores_test : public ::testing::Test {
 protected:
  task_stores_test()
      : _dir(std::filesystem::temp_directory_path() /
             ("sluice-task-stores-" + std::to_string(::getpid()) + "-" +
              ::testing::UnitTest::GetInstance()->current_test_info()->name())),
        _rocksdb(state::rocksdb_resources_config{.memory_budget_bytes = 16u << 20,
                                                 .write_buffer_size = 1u << 20}),
        _collector({{"bootstrap.servers", "127.0.0.1:1"}, {"message.timeout.ms", "600000"}},
                   "test producer", {}) {
    _spec.name = "counts";
    _spec.kind = dsl::store_kind::key_value;
    _spec.subtopology = 0;
  }
  ~task_stores_test() override { std::filesystem::remove_all(_dir); }

  std::unique_ptr<task_stores> make(bool exactly_once) {
    task_stores::resources res{"app", _dir, &_rocksdb, nullptr, &_collector, exactly_once};
    return std::make_unique<task_stores>(dsl::task_id{0, core::partition_id{0}},
                                         std::vector<const dsl::store_spec*>{&_spec}, res);
  }

  state::key_value_store& kv(task_stores& s) {
    return dynamic_cast<state::key_value_store&>(s.store(_spec));
  }

  std::optional<bytes> get(task_stores& s, std::string_view key) { return kv(s).get(b(key)).value(); }

  std::filesystem::path _dir;
  state::rocksdb_resources _rocksdb;
  kafka_record_collector _collector;
  dsl::store_spec _spec;
};

TEST_F(task_stores_test, exactly_once_keeps_writes_out_of_the_store_until_the_commit) {
  {
    auto s = make(true);
    ASSERT_TRUE(s->open());
    ASSERT_TRUE(s->begin_batches());
    ASSERT_TRUE(kv(*s).put(b("a"), b("1"), t0));
    EXPECT_EQ(get(*s, "a"), b("1"));  // the task reads its own pending writes
    ASSERT_TRUE(s->flush());
    ASSERT_TRUE(s->checkpoint());  // the transaction committed: the batch goes down
    ASSERT_TRUE(kv(*s).put(b("b"), b("2"), t0));
    ASSERT_TRUE(s->flush());
    s->close(true);  // not committed: discarded, even by a clean close
  }
  // The checkpoint file records the committed positions (one record was produced, none
  // acknowledged here: the collector has no broker, so the position stays 0).
  EXPECT_EQ(local_task_offset_sums(_dir / "app"), (std::map<dsl::task_id, int64_t>{{{0, core::partition_id{0}}, 0}}));
  auto s = make(true);
  ASSERT_TRUE(s->open());
  ASSERT_EQ(s->changelogs().size(), 1u);
  EXPECT_EQ(s->changelogs()[0].restore_from, 0);
  EXPECT_EQ(get(*s, "a"), b("1"));
  EXPECT_EQ(get(*s, "b"), std::nullopt);
  s->close(false);
}

TEST_F(task_stores_test, exactly_once_dirty_close_rolls_back_to_the_last_commit) {
  {
    auto s = make(true);
    ASSERT_TRUE(s->open());
    ASSERT_TRUE(s->begin_batches());
    ASSERT_TRUE(kv(*s).put(b("a"), b("1"), t0));
    ASSERT_TRUE(s->checkpoint());
    ASSERT_TRUE(kv(*s).put(b("a"), b("2"), t0));
    ASSERT_TRUE(kv(*s).remove(b("a"), t0));
    ASSERT_TRUE(kv(*s).put(b("c"), b("3"), t0));
    s->close(false);
  }
  auto s = make(true);
  ASSERT_TRUE(s->open());
  EXPECT_EQ(get(*s, "a"), b("1"));
  EXPECT_EQ(get(*s, "c"), std::nullopt);
  s->close(false);
}

TEST_F(task_stores_test, at_least_once_writes_go_straight_down_and_a_clean_close_checkpoints) {
  {
    auto s = make(false);
    ASSERT_TRUE(s->open());
    ASSERT_TRUE(kv(*s).put(b("a"), b("1"), t0));
    ASSERT_TRUE(s->flush());
    s->close(true);
  }
  EXPECT_TRUE(std::filesystem::exists(_dir / "app" / "0_0" / ".checkpoint"));
  {
    auto s = make(false);
    ASSERT_TRUE(s->open());
    EXPECT_EQ(get(*s, "a"), b("1"));
    ASSERT_TRUE(kv(*s).put(b("b"), b("2"), t0));
    s->close(false);  // at-least-once: local state ahead of the checkpoint stays
  }
  auto s = make(false);
  ASSERT_TRUE(s->open());
  EXPECT_EQ(get(*s, "b"), b("2"));
  s->close(false);
}

TEST_F(task_stores_test, local_task_offset_sums_reads_every_task_checkpoint) {
  const auto app = _dir / "app";
  auto write = [&](const std::string& task, std::vector<state::checkpoint_entry> entries) {
    std::filesystem::create_directories(app / task);
    ASSERT_TRUE(state::checkpoint_file(app / task / ".checkpoint").write(entries));
  };
  write("0_3", {{"a", {"app-a-changelog", core::partition_id{3}}, core::offset{10}},
                {"b", {"app-b-changelog", core::partition_id{3}}, core::offset{32}}});
  write("12_0", {{"a", {"app-a-changelog", core::partition_id{0}}, core::offset{7}}});
  write("1_1", {});                                     // nothing checkpointed: unknown
  std::filesystem::create_directories(app / "2_2");     // no checkpoint: unknown
  std::filesystem::create_directories(app / "x_1");     // no task id
  std::filesystem::create_directories(app / "3_");      // no task id
  std::filesystem::create_directories(app / "3_4_5");   // no task id
  std::filesystem::create_directories(app / "5_5");
  {
    std::ofstream torn(app / "5_5" / ".checkpoint");
    torn << "sluice-checkpoint 1\n1\n";                 // unreadable: unknown
  }
  EXPECT_EQ(local_task_offset_sums(app),
            (std::map<dsl::task_id, int64_t>{{{0, core::partition_id{3}}, 42},
                                             {{12, core::partition_id{0}}, 7}}));
  EXPECT_TRUE(local_task_offset_sums(_dir / "missing").empty());
}

}  // namespace
}  // namespace sluice::runtime::detail
