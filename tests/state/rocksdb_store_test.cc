// What only the RocksDB stores promise: persistence across reopen and crashes, the atomic
// commit of batch and position, on-disk compatibility checks, and the shared memory budget.

#include "state/changelog_format.h"
#include "state/errc.h"
#include "state/rocksdb_resources.h"
#include "state/stores.h"
#include "tests/state/store_envs.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

namespace sluice::state::testing {
namespace {

window_store_options window_opts(bool dups = false) {
  window_store_options o;
  o.retention = core::millis(1'000);
  o.segment_interval = core::millis(100);
  o.retain_duplicates = dups;
  return o;
}

std::string wal_name(wal_mode m) {
  switch (m) {
    case wal_mode::buffered: return "buffered";
    case wal_mode::unsynced: return "unsynced";
    case wal_mode::disabled: return "disabled";
  }
  return "unknown";
}

class rocksdb_persistence_test : public ::testing::TestWithParam<wal_mode> {
 protected:
  rocksdb_store_options store_opts() const {
    rocksdb_store_options o;
    o.wal = GetParam();
    return o;
  }
  std::unique_ptr<key_value_store> open_kv() {
    auto r = open_rocksdb_key_value_store("kv", dir.path(), resources, store_opts());
    EXPECT_TRUE(r) << r.error().message();
    return r ? std::move(r).value() : nullptr;
  }
  std::unique_ptr<window_store> open_window(bool dups = false) {
    auto r =
        open_rocksdb_window_store("win", dir.path(), window_opts(dups), resources, store_opts());
    EXPECT_TRUE(r) << r.error().message();
    return r ? std::move(r).value() : nullptr;
  }

  temp_dir dir;
  rocksdb_resources resources{small_rocksdb_config()};
};

INSTANTIATE_TEST_SUITE_P(wal, rocksdb_persistence_test,
                         ::testing::Values(wal_mode::buffered, wal_mode::unsynced, wal_mode::disabled),
                         [](const auto& info) { return wal_name(info.param); });

TEST_P(rocksdb_persistence_test, key_value_contents_and_position_survive_reopen) {
  {
    auto kv = open_kv();
    ASSERT_TRUE(kv->put(b("a"), b("1"), t0));
    ASSERT_TRUE(kv->put(b("b"), b("2"), t0));
    ASSERT_TRUE(kv->commit_batch(offset(12)));
    ASSERT_TRUE(kv->begin_batch());
    ASSERT_TRUE(kv->put(b("c"), b("never committed"), t0));
    ASSERT_TRUE(kv->close());  // discards the open batch
    EXPECT_EQ(resources.open_stores(), 0u);
  }
  auto kv = open_kv();
  EXPECT_TRUE(kv->persistent());
  EXPECT_EQ(drain(kv->all()), (kv_list{{"a", "1"}, {"b", "2"}}));
  EXPECT_EQ(kv->committed_offset().value(), offset(12));
  ASSERT_TRUE(kv->close());
}

TEST_P(rocksdb_persistence_test, window_segments_and_stream_time_survive_reopen) {
  {
    auto w = open_window();
    for (std::int64_t t = 0; t <= 1500; t += 100) ASSERT_TRUE(w->put(b("k"), b("v"), ms(t), t0));
    // Live from 501: segments 5..15 (segment 5 only partly live).
    EXPECT_EQ(w->segment_count(), 11u);
    ASSERT_TRUE(w->close());
  }
  auto w = open_window();
  EXPECT_EQ(w->observed_stream_time(), ms(1500));
  EXPECT_EQ(w->segment_count(), 11u);
  auto all = drain(w->all());
  ASSERT_EQ(all.size(), 10u);
  EXPECT_EQ(std::get<1>(all.front()), 600);
  // Still expired after the restart.
  auto r = w->put(b("k"), b("late"), ms(500), t0);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r.value().stored);
  ASSERT_TRUE(w->close());
}

TEST_P(rocksdb_persistence_test, duplicate_sequence_numbers_are_not_reused_after_reopen) {
  {
    auto w = open_window(true);
    ASSERT_TRUE(w->put(b("k"), b("first"), ms(100), t0));
    ASSERT_TRUE(w->put(b("k"), b("second"), ms(100), t0));
    ASSERT_TRUE(w->close());
  }
  auto w = open_window(true);
  auto r = w->put(b("k"), b("third"), ms(100), t0);
  ASSERT_TRUE(r);
  EXPECT_GE(r.value().seqnum, 2u);
  EXPECT_EQ(drain(w->fetch(b("k"), ms(0), ms(1000))),
            (window_list{{"k", 100, "first"}, {"k", 100, "second"}, {"k", 100, "third"}}));
  ASSERT_TRUE(w->close());
}

/// A directory shared with the re-executed child of a "threadsafe" death test: the parent
/// creates it and exports its path; the child (which re-runs the test body) finds the path in
/// its environment instead of creating another.
class shared_crash_dir {
 public:
  explicit shared_crash_dir(std::string variable) : _variable(std::move(variable)) {
    if (const char* inherited = std::getenv(_variable.c_str())) {
      _path = inherited;
    } else {
      _owned.emplace();
      _path = _owned->path();
      ::setenv(_variable.c_str(), _path.c_str(), 1);
    }
  }
  ~shared_crash_dir() {
    if (_owned) ::unsetenv(_variable.c_str());
  }
  const std::filesystem::path& path() const { return _path; }

 private:
  std::string _variable;
  std::optional<temp_dir> _owned;
  std::filesystem::path _path;
};

/// Crash tests re-run their body in a child process (threadsafe death tests), so their fixture
/// holds nothing that the child would create and never clean up.
class rocksdb_crash_test : public ::testing::TestWithParam<wal_mode> {};

INSTANTIATE_TEST_SUITE_P(wal, rocksdb_crash_test,
                         ::testing::Values(wal_mode::buffered, wal_mode::unsynced, wal_mode::disabled),
                         [](const auto& info) { return wal_name(info.param); });

// kill -9 semantics: the child exits without closing or flushing anything.
TEST_P(rocksdb_crash_test, crash_leaves_exactly_a_committed_state) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // A WAL handed to the OS at every commit (buffered, unsynced) survives a process crash.
  const bool logged = GetParam() != wal_mode::disabled;
  shared_crash_dir crash("SLUICE_STATE_CRASH_DIR_" + wal_name(GetParam()));
  rocksdb_store_options o;
  o.wal = GetParam();
  EXPECT_EXIT(
      {
        rocksdb_resources res(small_rocksdb_config());
        auto kv = open_rocksdb_key_value_store("kv", crash.path(), res, o).value();
        if (!kv->begin_batch()) std::_Exit(2);
        if (!kv->put(b("a"), b("committed"), t0)) std::_Exit(3);
        if (!kv->commit_batch(offset(5))) std::_Exit(4);
        if (!kv->begin_batch()) std::_Exit(5);
        if (!kv->put(b("a"), b("uncommitted"), t0)) std::_Exit(6);
        if (!kv->put(b("b"), b("uncommitted"), t0)) std::_Exit(7);
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");

  rocksdb_resources resources(small_rocksdb_config());
  auto kv = open_rocksdb_key_value_store("kv", crash.path(), resources, o).value();
  auto position = kv->committed_offset().value();
  auto contents = drain(kv->all());
  if (logged) {
    // The commit reached the OS: it survives a process crash; the open batch does not.
    EXPECT_EQ(position, offset(5));
    EXPECT_EQ(contents, (kv_list{{"a", "committed"}}));
  } else {
    // Without a WAL the unflushed commit is lost — together with its position, so the store
    // is still consistent: empty at "no position", to be restored from the changelog start.
    EXPECT_EQ(position, std::nullopt);
    EXPECT_TRUE(contents.empty());
  }
  ASSERT_TRUE(kv->close());
}

TEST_P(rocksdb_crash_test, flushed_direct_writes_survive_a_crash) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  shared_crash_dir crash("SLUICE_STATE_FLUSH_DIR_" + wal_name(GetParam()));
  rocksdb_store_options o;
  o.wal = GetParam();
  EXPECT_EXIT(
      {
        rocksdb_resources res(small_rocksdb_config());
        auto kv = open_rocksdb_key_value_store("kv", crash.path(), res, o).value();
        if (!kv->put(b("a"), b("1"), t0)) std::_Exit(2);
        if (!kv->commit_batch(offset(1))) std::_Exit(3);
        if (!kv->flush()) std::_Exit(4);  // what the runtime does before writing a checkpoint
        std::_Exit(0);
      },
      ::testing::ExitedWithCode(0), "");
  rocksdb_resources resources(small_rocksdb_config());
  auto kv = open_rocksdb_key_value_store("kv", crash.path(), resources, o).value();
  EXPECT_EQ(kv->committed_offset().value(), offset(1));
  EXPECT_EQ(drain(kv->all()), (kv_list{{"a", "1"}}));
  ASSERT_TRUE(kv->close());
}

TEST(rocksdb_store, refuses_another_store_kind_or_segment_interval) {
  temp_dir dir;
  rocksdb_resources res(small_rocksdb_config());
  {
    auto kv = open_rocksdb_key_value_store("s", dir.path(), res).value();
    ASSERT_TRUE(kv->put(b("a"), b("1"), t0));
    ASSERT_TRUE(kv->close());
  }
  auto as_window = open_rocksdb_window_store("s", dir.path(), window_opts(), res);
  ASSERT_FALSE(as_window);
  EXPECT_EQ(as_window.error(), errc::incompatible_store);
  {
    auto w = open_rocksdb_window_store("w", dir.path(), window_opts(), res).value();
    ASSERT_TRUE(w->put(b("a"), b("1"), ms(5), t0));
    ASSERT_TRUE(w->close());
  }
  auto other_interval = window_opts();
  other_interval.segment_interval = core::millis(200);
  auto reopened = open_rocksdb_window_store("w", dir.path(), other_interval, res);
  ASSERT_FALSE(reopened);
  EXPECT_EQ(reopened.error(), errc::incompatible_store);
  session_store_options so;
  so.segment_interval = core::millis(100);
  auto as_session = open_rocksdb_session_store("w", dir.path(), so, res);
  ASSERT_FALSE(as_session);
  EXPECT_EQ(as_session.error(), errc::incompatible_store);
  EXPECT_EQ(res.open_stores(), 0u);
}

TEST(rocksdb_store, second_open_of_an_open_store_fails) {
  temp_dir dir;
  rocksdb_resources res(small_rocksdb_config());
  auto first = open_rocksdb_key_value_store("kv", dir.path(), res).value();
  auto second = open_rocksdb_key_value_store("kv", dir.path(), res);
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), errc::io_error);
  EXPECT_EQ(res.open_stores(), 1u);
  ASSERT_TRUE(first->close());
}

TEST(rocksdb_store, lives_in_task_dir_rocksdb_store_name) {
  temp_dir dir;
  rocksdb_resources res(small_rocksdb_config());
  auto kv = open_rocksdb_key_value_store("my-store", dir.path(), res).value();
  EXPECT_EQ(rocksdb_store_directory(dir.path(), "my-store"), dir.path() / "rocksdb" / "my-store");
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "rocksdb" / "my-store" / "CURRENT"));
  ASSERT_TRUE(kv->close());
}

TEST(rocksdb_store, bad_names_and_options_throw) {
  temp_dir dir;
  rocksdb_resources res(small_rocksdb_config());
  EXPECT_THROW((void)open_rocksdb_key_value_store("a/b", dir.path(), res), std::invalid_argument);
  EXPECT_THROW((void)open_rocksdb_key_value_store("", dir.path(), res), std::invalid_argument);
  EXPECT_THROW((void)make_in_memory_key_value_store(".."), std::invalid_argument);
  window_store_options bad;
  bad.retention = core::millis(0);
  EXPECT_THROW((void)make_in_memory_window_store("w", bad), std::invalid_argument);
}

TEST(rocksdb_resources_test, config_errors_name_the_field) {
  rocksdb_resources_config c;
  c.memory_budget_bytes = 1024;
  try {
    rocksdb_resources r(c);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("memory_budget_bytes"), std::string::npos);
  }
  c = {};
  c.memtable_fraction = 1.5;
  EXPECT_THROW(rocksdb_resources{c}, std::invalid_argument);
}

TEST(rocksdb_resources_test, many_stores_share_one_bounded_budget) {
  temp_dir dir;
  auto config = small_rocksdb_config();  // 16 MiB budget, half for memtables
  rocksdb_resources res(config);
  std::vector<std::unique_ptr<key_value_store>> stores;
  for (int i = 0; i < 8; ++i) {
    stores.push_back(
        open_rocksdb_key_value_store("s" + std::to_string(i), dir.path(), res).value());
  }
  EXPECT_EQ(res.open_stores(), 8u);
  const std::string value(1000, 'x');
  // 8 stores x 3 MB: three times the memtable allowance.
  for (int n = 0; n < 3000; ++n) {
    for (auto& s : stores) ASSERT_TRUE(s->put(b("key" + std::to_string(n)), b(value), t0));
  }
  EXPECT_GT(res.memtable_usage(), 0u);
  EXPECT_LE(res.memtable_usage(), config.memory_budget_bytes);
  // Memtables are charged to the shared block cache.
  EXPECT_GE(res.cache_usage(), res.memtable_usage() / 2);
  for (auto& s : stores) {
    auto v = s->get(b("key42"));
    ASSERT_TRUE(v);
    ASSERT_TRUE(v.value());
    EXPECT_EQ(str(*v.value()), value);
    ASSERT_TRUE(s->close());
  }
  EXPECT_EQ(res.open_stores(), 0u);
  const std::string compression = res.compression_name();
  EXPECT_TRUE(compression == "LZ4" || compression == "Snappy" || compression == "none");
}

}  // namespace
}  // namespace sluice::state::testing
