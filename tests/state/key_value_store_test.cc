// The key-value store contract, run against every implementation (store_envs.h).

#include "state/key_value_store.h"
#include "state/errc.h"
#include "tests/state/store_envs.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace sluice::state::testing {
namespace {

template <class Env>
class key_value_store_test : public ::testing::Test {
 protected:
  void SetUp() override { store = env.kv(); }
  void TearDown() override {
    if (store && store->is_open()) {
      EXPECT_TRUE(store->close());
    }
  }
  void put(std::string_view k, std::string_view v) { ASSERT_TRUE(store->put(b(k), b(v), t0)); }
  std::optional<std::string> get(std::string_view k) {
    auto r = store->get(b(k));
    EXPECT_TRUE(r);
    if (!r || !r.value()) return std::nullopt;
    return str(*r.value());
  }

  Env env;
  std::unique_ptr<key_value_store> store;
};

TYPED_TEST_SUITE(key_value_store_test, store_env_types, env_names);

TYPED_TEST(key_value_store_test, put_get_overwrite_remove) {
  auto& s = *this->store;
  EXPECT_EQ(this->get("a"), std::nullopt);
  this->put("a", "1");
  EXPECT_EQ(this->get("a"), "1");
  this->put("a", "2");
  EXPECT_EQ(this->get("a"), "2");
  auto removed = s.remove(b("a"), t0);
  ASSERT_TRUE(removed);
  ASSERT_TRUE(removed.value());
  EXPECT_EQ(str(*removed.value()), "2");
  EXPECT_EQ(this->get("a"), std::nullopt);
  auto again = s.remove(b("a"), t0);
  ASSERT_TRUE(again);
  EXPECT_FALSE(again.value());
}

TYPED_TEST(key_value_store_test, empty_value_is_not_absence) {
  this->put("k", "");
  auto r = this->store->get(b("k"));
  ASSERT_TRUE(r);
  ASSERT_TRUE(r.value().has_value());
  EXPECT_TRUE(r.value()->empty());
  EXPECT_EQ(drain(this->store->all()), (kv_list{{"k", ""}}));
}

TYPED_TEST(key_value_store_test, put_if_absent_keeps_existing) {
  auto& s = *this->store;
  auto first = s.put_if_absent(b("k"), b("v1"), t0);
  ASSERT_TRUE(first);
  EXPECT_FALSE(first.value());
  auto second = s.put_if_absent(b("k"), b("v2"), t0);
  ASSERT_TRUE(second);
  ASSERT_TRUE(second.value());
  EXPECT_EQ(str(*second.value()), "v1");
  EXPECT_EQ(this->get("k"), "v1");
}

TYPED_TEST(key_value_store_test, put_all_applies_puts_and_deletes_in_order) {
  this->put("gone", "x");
  const bytes k1 = b("k1"), k2 = b("k2"), gone = b("gone"), v1 = b("v1"), v2 = b("v2"),
              v3 = b("v3");
  const key_value_write writes[] = {
      {k1, bytes_view(v1)}, {k2, bytes_view(v2)}, {gone, std::nullopt}, {k1, bytes_view(v3)}};
  ASSERT_TRUE(this->store->put_all(writes, t0));
  EXPECT_EQ(drain(this->store->all()), (kv_list{{"k1", "v3"}, {"k2", "v2"}}));
}

// Keys that trip signed-char or length-first orderings.
const std::vector<std::string> tricky_keys = {std::string(),
                                              std::string("\x00", 1),
                                              std::string("\x00\x00", 2),
                                              "a",
                                              "ab",
                                              "abc",
                                              "b",
                                              "\x7f",
                                              "\x80",
                                              "\xfe\xff",
                                              "\xff",
                                              std::string("\xff\x00", 2),
                                              "\xff\xff"};

TYPED_TEST(key_value_store_test, iterates_in_unsigned_lexicographic_order) {
  // Insert in a scrambled order.
  std::vector<std::string> keys = tricky_keys;
  std::reverse(keys.begin(), keys.end());
  std::rotate(keys.begin(), keys.begin() + 5, keys.end());
  for (auto& k : keys) this->put(k, "v" + k);

  kv_list expected;
  for (auto& k : tricky_keys) expected.emplace_back(k, "v" + k);
  EXPECT_EQ(drain(this->store->all()), expected);
  EXPECT_EQ(drain(this->store->all(iteration_order::reverse)), reversed(expected));
}

TYPED_TEST(key_value_store_test, range_is_inclusive_both_ends_and_reversible) {
  for (auto& k : tricky_keys) this->put(k, k);
  auto& s = *this->store;
  EXPECT_EQ(drain(s.range(b("a"), b("b"))),
            (kv_list{{"a", "a"}, {"ab", "ab"}, {"abc", "abc"}, {"b", "b"}}));
  EXPECT_EQ(drain(s.range(b("a"), b("b"), iteration_order::reverse)),
            (kv_list{{"b", "b"}, {"abc", "abc"}, {"ab", "ab"}, {"a", "a"}}));
  // Bounds that are not keys.
  EXPECT_EQ(drain(s.range(b("aa"), b("abz"))), (kv_list{{"ab", "ab"}, {"abc", "abc"}}));
  // High bytes sort after low ones.
  EXPECT_EQ(drain(s.range(b("\x80"), b("\xff"))),
            (kv_list{{"\x80", "\x80"}, {"\xfe\xff", "\xfe\xff"}, {"\xff", "\xff"}}));
  // from > to is empty, from == to is a point.
  EXPECT_TRUE(drain(s.range(b("b"), b("a"))).empty());
  EXPECT_EQ(drain(s.range(b("ab"), b("ab"))), (kv_list{{"ab", "ab"}}));
  // The empty key is the smallest.
  EXPECT_EQ(drain(s.range(b(""), b(std::string("\x00", 1)))).size(), 2u);
}

TYPED_TEST(key_value_store_test, prefix_scan_matches_exactly_the_prefix) {
  for (auto& k : tricky_keys) this->put(k, k);
  this->put("ac", "ac");
  this->put("\xff\xff\x01", "x");
  auto& s = *this->store;
  EXPECT_EQ(drain(s.prefix_scan(b("ab"))), (kv_list{{"ab", "ab"}, {"abc", "abc"}}));
  EXPECT_EQ(drain(s.prefix_scan(b("a"), iteration_order::reverse)),
            (kv_list{{"ac", "ac"}, {"abc", "abc"}, {"ab", "ab"}, {"a", "a"}}));
  // A prefix of 0xff bytes has no successor key: the scan runs to the end.
  EXPECT_EQ(drain(s.prefix_scan(b("\xff\xff"))),
            (kv_list{{"\xff\xff", "\xff\xff"}, {"\xff\xff\x01", "x"}}));
  EXPECT_EQ(drain(s.prefix_scan(b("\xff"))).size(), 4u);
  EXPECT_EQ(drain(s.prefix_scan(b(""))).size(), tricky_keys.size() + 2);
  EXPECT_TRUE(drain(s.prefix_scan(b("zz"))).empty());
}

TYPED_TEST(key_value_store_test, approximate_num_entries_counts_distinct_inserts) {
  for (int i = 0; i < 100; ++i) this->put("key" + std::to_string(i), "v");
  ASSERT_TRUE(this->store->flush());  // a cache above counts nothing it has not written
  auto n = this->store->approximate_num_entries();
  ASSERT_TRUE(n);
  EXPECT_EQ(n.value(), 100u);
}

TYPED_TEST(key_value_store_test, writes_during_iteration_are_safe) {
  for (int i = 0; i < 50; ++i) this->put("k" + std::to_string(100 + i), "v");
  auto it = this->store->all().value();
  int seen = 0;
  while (it.valid()) {
    // Delete the current entry and overwrite it: the iterator must neither crash nor skip.
    const std::string key = str(it.key());
    EXPECT_EQ(str(it.value()), "v");
    ASSERT_TRUE(this->store->remove(b(key), t0));
    ++seen;
    it.next();
  }
  EXPECT_TRUE(it.status());
  EXPECT_EQ(seen, 50);
  EXPECT_TRUE(drain(this->store->all()).empty());
}

TYPED_TEST(key_value_store_test, closed_store_reports_store_closed) {
  auto& s = *this->store;
  ASSERT_TRUE(s.close());
  EXPECT_FALSE(s.is_open());
  EXPECT_EQ(s.get(b("a")).error(), errc::store_closed);
  EXPECT_EQ(s.put(b("a"), b("1"), t0).error(), errc::store_closed);
  EXPECT_EQ(s.all().error(), errc::store_closed);
  EXPECT_EQ(s.begin_batch().error(), errc::store_closed);
  EXPECT_TRUE(s.close());  // idempotent
}

TYPED_TEST(key_value_store_test, batch_is_visible_to_reads_and_abort_rolls_back) {
  auto& s = *this->store;
  this->put("a", "committed");
  this->put("c", "committed");
  ASSERT_TRUE(s.flush());  // the runtime flushes before batches begin and commit
  ASSERT_TRUE(s.begin_batch());
  EXPECT_TRUE(s.batch_active());
  EXPECT_EQ(s.begin_batch().error(), errc::invalid_state);
  this->put("a", "pending");
  this->put("b", "pending");
  ASSERT_TRUE(s.remove(b("c"), t0));
  EXPECT_EQ(this->get("a"), "pending");
  EXPECT_EQ(this->get("c"), std::nullopt);
  EXPECT_EQ(drain(s.all()), (kv_list{{"a", "pending"}, {"b", "pending"}}));
  EXPECT_EQ(drain(s.all(iteration_order::reverse)), (kv_list{{"b", "pending"}, {"a", "pending"}}));
  EXPECT_EQ(drain(s.range(b("b"), b("z"))), (kv_list{{"b", "pending"}}));
  ASSERT_TRUE(s.abort_batch());
  EXPECT_FALSE(s.batch_active());
  EXPECT_EQ(drain(s.all()), (kv_list{{"a", "committed"}, {"c", "committed"}}));
  EXPECT_EQ(s.abort_batch().error(), errc::invalid_state);
}

TYPED_TEST(key_value_store_test, commit_applies_batch_with_position) {
  auto& s = *this->store;
  EXPECT_EQ(s.committed_offset().value(), std::nullopt);
  ASSERT_TRUE(s.begin_batch());
  this->put("a", "1");
  const bytes k = b("b"), v = b("2");
  const key_value_write w[] = {{k, bytes_view(v)}};
  ASSERT_TRUE(s.put_all(w, t0));
  EXPECT_EQ(s.committed_offset().value(), std::nullopt);
  ASSERT_TRUE(s.flush());
  ASSERT_TRUE(s.commit_batch(offset(42)));
  EXPECT_FALSE(s.batch_active());
  EXPECT_EQ(s.committed_offset().value(), offset(42));
  EXPECT_EQ(drain(s.all()), (kv_list{{"a", "1"}, {"b", "2"}}));
  // Without a batch only the position is recorded.
  this->put("c", "3");
  ASSERT_TRUE(s.flush());
  ASSERT_TRUE(s.commit_batch(offset(50)));
  EXPECT_EQ(s.committed_offset().value(), offset(50));
  EXPECT_EQ(this->get("c"), "3");
}

TYPED_TEST(key_value_store_test, restore_batch_applies_records_and_position) {
  auto& s = *this->store;
  this->put("stale", "x");
  ASSERT_TRUE(s.flush());
  const bytes a = b("a"), one = b("1"), two = b("2"), stale = b("stale");
  const changelog_record records[] = {
      {a, bytes_view(one)}, {stale, std::nullopt}, {a, bytes_view(two)}};
  ASSERT_TRUE(s.restore_batch(records, offset(3)));
  EXPECT_EQ(drain(s.all()), (kv_list{{"a", "2"}}));
  EXPECT_EQ(s.committed_offset().value(), offset(3));
  ASSERT_TRUE(s.begin_batch());
  EXPECT_EQ(s.restore_batch(records, offset(4)).error(), errc::invalid_state);
  ASSERT_TRUE(s.abort_batch());
}

TYPED_TEST(key_value_store_test, flush_keeps_contents) {
  this->put("a", "1");
  ASSERT_TRUE(this->store->flush());
  EXPECT_EQ(this->get("a"), "1");
  EXPECT_EQ(this->store->name(), "kv");
}

}  // namespace
}  // namespace sluice::state::testing
