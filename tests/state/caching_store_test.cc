// Caching decorators and the shared record cache: folding, flush order and listener values,
// reads through the cache, eviction under a shared budget, and batch interplay.

#include "state/caching_key_value_store.h"
#include "state/caching_window_store.h"
#include "state/changelogging_key_value_store.h"
#include "state/errc.h"
#include "state/record_cache.h"
#include "state/stores.h"
#include "tests/state/store_envs.h"

#include <gtest/gtest.h>

namespace sluice::state::testing {
namespace {

struct flushed {
  std::string key;
  std::optional<std::string> new_value;
  std::optional<std::string> old_value;
  std::int64_t ts;
  bool operator==(const flushed&) const = default;
};

std::optional<std::string> opt_str(std::optional<bytes_view> v) {
  if (!v) return std::nullopt;
  return str(*v);
}

/// caching(changelogging(in-memory)) with a recorded listener and changelog.
class caching_kv_test : public ::testing::Test {
 protected:
  explicit caching_kv_test(std::size_t budget = std::size_t{1} << 20) : cache(budget) {}

  std::unique_ptr<caching_key_value_store> make(const std::string& name, bool send_old = true) {
    auto below = std::make_unique<changelogging_key_value_store>(
        make_in_memory_key_value_store(name), sink);
    auto store = std::make_unique<caching_key_value_store>(std::move(below), cache);
    store->set_flush_listener(
        [this, name](bytes_view k, std::optional<bytes_view> nv, std::optional<bytes_view> ov,
                     timestamp ts) {
          listened.push_back(
              {name + ":" + str(k), opt_str(nv), opt_str(ov), core::to_epoch_ms(ts)});
        },
        send_old);
    return store;
  }

  recording_sink sink;
  timestamp now{};  // the record timestamp the writes are made with
  record_cache cache;
  std::vector<flushed> listened;
};

TEST_F(caching_kv_test, folds_repeated_updates_and_forwards_only_the_latest) {
  auto s = make("s");
  for (int i = 1; i <= 3; ++i) {
    now = ms(i);
    ASSERT_TRUE(s->put(b("k"), b(std::to_string(i)), now));
  }
  EXPECT_EQ(s->dirty_entries(), 1u);
  EXPECT_TRUE(sink.changes.empty());
  EXPECT_TRUE(listened.empty());
  // Reads see the dirty value.
  EXPECT_EQ(str(*s->get(b("k")).value()), "3");
  now = ms(99);
  ASSERT_TRUE(s->flush());
  EXPECT_EQ(listened, (std::vector<flushed>{{"s:k", "3", std::nullopt, 3}}));
  // One changelog record, stamped with the time of the write that produced it.
  ASSERT_EQ(sink.changes.size(), 1u);
  EXPECT_EQ(sink.changes[0], (recording_sink::change{b("k"), b("3"), ms(3)}));
  EXPECT_EQ(cache.stats().overwrites, 2u);

  ASSERT_TRUE(s->put(b("k"), b("4"), now));
  ASSERT_TRUE(s->flush());
  EXPECT_EQ(listened.back(), (flushed{"s:k", "4", "3", 99}));
  ASSERT_TRUE(s->close());
}

TEST_F(caching_kv_test, flush_writes_in_key_order) {
  auto s = make("s", false);
  for (auto k : {"m", "b", "z", "a", "\xff", "c"}) ASSERT_TRUE(s->put(b(k), b("v"), now));
  ASSERT_TRUE(s->flush());
  std::vector<std::string> order;
  for (auto& f : listened) order.push_back(f.key);
  EXPECT_EQ(order, (std::vector<std::string>{"s:a", "s:b", "s:c", "s:m", "s:z", "s:\xff"}));
  for (auto& f : listened) EXPECT_EQ(f.old_value, std::nullopt);  // not requested
  ASSERT_TRUE(s->close());
}

TEST_F(caching_kv_test, deletes_hide_values_and_unknown_deletes_are_not_forwarded) {
  auto s = make("s");
  ASSERT_TRUE(s->put(b("a"), b("1"), now));
  ASSERT_TRUE(s->put(b("b"), b("2"), now));
  ASSERT_TRUE(s->flush());
  listened.clear();
  ASSERT_TRUE(s->remove(b("a"), now));
  ASSERT_TRUE(s->put(b("c"), b("3"), now));
  EXPECT_EQ(s->get(b("a")).value(), std::nullopt);
  EXPECT_EQ(drain(s->all()), (kv_list{{"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(drain(s->all(iteration_order::reverse)), (kv_list{{"c", "3"}, {"b", "2"}}));
  // Put then delete of a key the store below never saw: nothing to forward or log.
  ASSERT_TRUE(s->put(b("tmp"), b("x"), now));
  ASSERT_TRUE(s->remove(b("tmp"), now));
  const auto logged_before = sink.changes.size();
  ASSERT_TRUE(s->flush());
  EXPECT_EQ(listened,
            (std::vector<flushed>{{"s:a", std::nullopt, "1", 0}, {"s:c", "3", std::nullopt, 0}}));
  EXPECT_EQ(sink.changes.size(), logged_before + 2);  // tombstone for a, c
  ASSERT_TRUE(s->close());
}

TEST_F(caching_kv_test, listener_writes_during_flush_stay_dirty_for_the_next_flush) {
  auto s = make("s");
  auto* raw = s.get();
  s->set_flush_listener(
      [&](bytes_view k, std::optional<bytes_view>, std::optional<bytes_view>, timestamp) {
        listened.push_back({str(k), std::nullopt, std::nullopt, 0});
        if (str(k) == "a") {
          ASSERT_TRUE(raw->put(b("derived"), b("x"), now));
        }
      },
      false);
  ASSERT_TRUE(s->put(b("a"), b("1"), now));
  ASSERT_TRUE(s->flush());
  EXPECT_EQ(s->dirty_entries(), 1u);
  ASSERT_TRUE(s->flush());
  EXPECT_EQ(s->dirty_entries(), 0u);
  ASSERT_EQ(listened.size(), 2u);
  EXPECT_EQ(listened[1].key, "derived");
  ASSERT_TRUE(s->close());
}

class small_cache_test : public caching_kv_test {
 protected:
  // Room for about four entries of one-byte keys and values.
  small_cache_test() : caching_kv_test(4 * (record_cache::entry_overhead + 2)) {}
};

TEST_F(small_cache_test, eviction_writes_back_least_recently_used_entries) {
  auto s = make("s", false);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(s->put(b(std::string(1, static_cast<char>('a' + i))), b("v"), now));
    EXPECT_LE(cache.size_bytes(), cache.max_bytes());
  }
  EXPECT_EQ(cache.entry_count(), 4u);
  EXPECT_EQ(cache.stats().evictions, 6u);
  std::vector<std::string> evicted;
  for (auto& f : listened) evicted.push_back(f.key);
  EXPECT_EQ(evicted, (std::vector<std::string>{"s:a", "s:b", "s:c", "s:d", "s:e", "s:f"}));
  // Everything is still readable, from the cache or from below.
  EXPECT_EQ(drain(s->all()).size(), 10u);
  ASSERT_TRUE(s->close());
}

TEST_F(small_cache_test, stores_share_one_budget_and_lru_order) {
  auto first = make("first", false);
  auto second = make("second", false);
  for (auto k : {"a", "b", "c", "d"}) ASSERT_TRUE(first->put(b(k), b("v"), now));
  // Touch "a" so that it is the most recently used of first's entries.
  ASSERT_TRUE(first->get(b("a")));
  ASSERT_TRUE(second->put(b("x"), b("v"), now));
  ASSERT_TRUE(second->put(b("y"), b("v"), now));
  // The two least recently used entries overall — first's b and c — made room.
  EXPECT_EQ(listened, (std::vector<flushed>{{"first:b", "v", std::nullopt, 0},
                                            {"first:c", "v", std::nullopt, 0}}));
  EXPECT_EQ(first->dirty_entries(), 2u);
  EXPECT_EQ(second->dirty_entries(), 2u);
  ASSERT_TRUE(first->close());
  ASSERT_TRUE(second->close());
  EXPECT_EQ(cache.entry_count(), 0u);
}

TEST_F(caching_kv_test, zero_budget_writes_through) {
  ASSERT_TRUE(cache.resize(0));
  auto s = make("s", false);
  ASSERT_TRUE(s->put(b("a"), b("1"), now));
  EXPECT_EQ(s->dirty_entries(), 0u);
  EXPECT_EQ(listened.size(), 1u);
  EXPECT_EQ(sink.changes.size(), 1u);
  EXPECT_EQ(str(*s->get(b("a")).value()), "1");
  ASSERT_TRUE(s->close());
}

TEST_F(caching_kv_test, shrinking_the_budget_evicts) {
  auto s = make("s", false);
  for (auto k : {"a", "b", "c"}) ASSERT_TRUE(s->put(b(k), b("v"), now));
  EXPECT_TRUE(listened.empty());
  ASSERT_TRUE(cache.resize(record_cache::entry_overhead + 2));
  EXPECT_EQ(listened.size(), 2u);
  EXPECT_EQ(cache.entry_count(), 1u);
  ASSERT_TRUE(s->close());
}

TEST_F(caching_kv_test, batches_require_a_flushed_cache_and_abort_drops_it) {
  auto s = make("s");
  ASSERT_TRUE(s->put(b("a"), b("committed"), now));
  EXPECT_EQ(s->begin_batch().error(), errc::invalid_state);
  ASSERT_TRUE(s->flush());
  ASSERT_TRUE(s->begin_batch());
  ASSERT_TRUE(s->put(b("a"), b("pending"), now));
  EXPECT_EQ(s->commit_batch(offset(1)).error(), errc::invalid_state);
  listened.clear();
  ASSERT_TRUE(s->abort_batch());
  EXPECT_EQ(s->dirty_entries(), 0u);
  EXPECT_TRUE(listened.empty());
  EXPECT_EQ(str(*s->get(b("a")).value()), "committed");

  ASSERT_TRUE(s->begin_batch());
  ASSERT_TRUE(s->put(b("a"), b("new"), now));
  ASSERT_TRUE(s->flush());  // into the pending batch, forwarded downstream
  ASSERT_TRUE(s->commit_batch(offset(2)));
  EXPECT_EQ(s->committed_offset().value(), offset(2));
  EXPECT_EQ(str(*s->get(b("a")).value()), "new");
  ASSERT_TRUE(s->close());
}

TEST_F(caching_kv_test, close_flushes_unless_a_batch_is_open) {
  auto below = make_in_memory_key_value_store("s");
  auto* raw_below = below.get();
  caching_key_value_store s(std::move(below), cache);
  ASSERT_TRUE(s.put(b("a"), b("1"), now));
  EXPECT_EQ(raw_below->get(b("a")).value(), std::nullopt);
  ASSERT_TRUE(s.close());
  EXPECT_FALSE(s.is_open());
  EXPECT_EQ(cache.entry_count(), 0u);
}

TEST(caching_window_store_test, folds_per_window_and_forwards_window_starts) {
  record_cache cache(1 << 20);
  timestamp now{};  // the record timestamp the writes are made with
  window_store_options o;
  o.retention = core::millis(1000);
  o.segment_interval = core::millis(100);
  caching_window_store s(make_in_memory_window_store("w", o), cache);
  std::vector<
      std::tuple<std::string, std::int64_t, std::optional<std::string>, std::optional<std::string>>>
      seen;
  s.set_flush_listener(
      [&](bytes_view k, timestamp start, std::optional<bytes_view> nv, std::optional<bytes_view> ov,
          timestamp) {
        seen.emplace_back(str(k), core::to_epoch_ms(start), opt_str(nv), opt_str(ov));
      },
      true);
  ASSERT_TRUE(s.put(b("k"), b("1"), ms(100), now));
  ASSERT_TRUE(s.put(b("k"), b("2"), ms(100), now));
  ASSERT_TRUE(s.put(b("k"), b("x"), ms(200), now));
  ASSERT_TRUE(s.put(b("j"), b("y"), ms(100), now));
  EXPECT_EQ(str(*s.fetch(b("k"), ms(100)).value()), "2");
  EXPECT_EQ(drain(s.fetch(b("j"), b("k"), ms(0), ms(1000))),
            (window_list{{"j", 100, "y"}, {"k", 100, "2"}, {"k", 200, "x"}}));
  ASSERT_TRUE(s.flush());
  using row = decltype(seen)::value_type;
  EXPECT_EQ(seen, (std::vector<row>{{"j", 100, "y", std::nullopt},
                                    {"k", 100, "2", std::nullopt},
                                    {"k", 200, "x", std::nullopt}}));
  // Stream time moves on in the cache: 100 and 200 expire before they are written again.
  ASSERT_TRUE(s.put(b("k"), b("3"), ms(100), now));
  ASSERT_TRUE(s.put(b("late"), b("z"), ms(1250), now));
  EXPECT_EQ(s.fetch(b("k"), ms(100)).value(), std::nullopt);
  EXPECT_EQ(drain(s.all()), (window_list{{"late", 1250, "z"}}));
  auto dropped = s.put(b("k"), b("4"), ms(200), now);
  ASSERT_TRUE(dropped);
  EXPECT_FALSE(dropped.value().stored);
  ASSERT_TRUE(s.close());
}

TEST(caching_window_store_test, refuses_stores_with_duplicates) {
  record_cache cache(1024);
  timestamp now{};  // the record timestamp the writes are made with
  window_store_options o;
  o.retain_duplicates = true;
  EXPECT_THROW(caching_window_store(make_in_memory_window_store("w", o), cache),
               std::invalid_argument);
}

}  // namespace
}  // namespace sluice::state::testing
