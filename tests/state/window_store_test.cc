// The window store contract, run against every implementation (store_envs.h).

#include "state/window_store.h"
#include "state/changelog_format.h"
#include "state/errc.h"
#include "tests/state/store_envs.h"

#include <gtest/gtest.h>

namespace sluice::state::testing {
namespace {

window_store_options opts(std::int64_t retention, std::int64_t segment, bool dups = false) {
  window_store_options o;
  o.retention = core::millis(retention);
  o.segment_interval = core::millis(segment);
  o.retain_duplicates = dups;
  return o;
}

template <class Env>
class window_store_test : public ::testing::Test {
 protected:
  void TearDown() override {
    if (store && store->is_open()) {
      EXPECT_TRUE(store->close());
    }
  }
  void open(const window_store_options& o) { store = env.window(o); }
  void put(std::string_view k, std::int64_t t, std::string_view v) {
    auto r = store->put(b(k), b(v), ms(t), t0);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_TRUE(r.value().stored);
  }
  std::optional<std::string> fetch(std::string_view k, std::int64_t t) {
    auto r = store->fetch(b(k), ms(t));
    EXPECT_TRUE(r);
    if (!r || !r.value()) return std::nullopt;
    return str(*r.value());
  }

  Env env;
  std::unique_ptr<window_store> store;
};

TYPED_TEST_SUITE(window_store_test, store_env_types, env_names);

TYPED_TEST(window_store_test, point_put_fetch_overwrite_remove) {
  this->open(opts(10'000, 1'000));
  this->put("a", 100, "1");
  this->put("a", 200, "2");
  EXPECT_EQ(this->fetch("a", 100), "1");
  EXPECT_EQ(this->fetch("a", 200), "2");
  EXPECT_EQ(this->fetch("a", 300), std::nullopt);
  EXPECT_EQ(this->fetch("b", 100), std::nullopt);
  this->put("a", 100, "1b");
  EXPECT_EQ(this->fetch("a", 100), "1b");
  ASSERT_TRUE(this->store->remove(b("a"), ms(100), t0));
  EXPECT_EQ(this->fetch("a", 100), std::nullopt);
  EXPECT_EQ(this->fetch("a", 200), "2");
}

TYPED_TEST(window_store_test, single_key_fetch_is_time_ordered_across_segments) {
  this->open(opts(100'000, 1'000));
  // Spread over several segments, inserted out of order, plus keys that share a prefix.
  for (std::int64_t t : {4500, 500, 2500, 1500, 3500}) {
    this->put("a", t, "a@" + std::to_string(t));
  }
  this->put("ab", 1500, "ab");
  this->put("", 1500, "empty");
  this->put(std::string("a\x00", 2), 1500, "a0");
  const window_list expected = {
      {"a", 1500, "a@1500"}, {"a", 2500, "a@2500"}, {"a", 3500, "a@3500"}};
  EXPECT_EQ(drain(this->store->fetch(b("a"), ms(1000), ms(3999))), expected);
  EXPECT_EQ(drain(this->store->fetch(b("a"), ms(1000), ms(3999), iteration_order::reverse)),
            reversed(expected));
  // Inclusive bounds.
  EXPECT_EQ(drain(this->store->fetch(b("a"), ms(1500), ms(1500))).size(), 1u);
  EXPECT_TRUE(drain(this->store->fetch(b("a"), ms(1501), ms(2499))).empty());
  EXPECT_TRUE(drain(this->store->fetch(b("a"), ms(3000), ms(2000))).empty());
  EXPECT_EQ(
      drain(this->store->fetch(b("a"), ms(0), ms(std::numeric_limits<std::int64_t>::max()))).size(),
      5u);
  EXPECT_EQ(drain(this->store->fetch(b(""), ms(0), ms(10'000))),
            (window_list{{"", 1500, "empty"}}));
}

TYPED_TEST(window_store_test, key_range_fetch_orders_by_key_then_time) {
  this->open(opts(100'000, 1'000));
  this->put("b", 2500, "b2");
  this->put("a", 2500, "a2");
  this->put("c", 500, "c0");
  this->put("b", 500, "b0");
  this->put("ab", 1500, "ab1");
  this->put("a", 500, "a0");
  this->put("d", 1500, "d1");
  const window_list expected = {{"a", 500, "a0"}, {"a", 2500, "a2"}, {"ab", 1500, "ab1"},
                                {"b", 500, "b0"}, {"b", 2500, "b2"}, {"c", 500, "c0"}};
  EXPECT_EQ(drain(this->store->fetch(b("a"), b("c"), ms(0), ms(5000))), expected);
  EXPECT_EQ(drain(this->store->fetch(b("a"), b("c"), ms(0), ms(5000), iteration_order::reverse)),
            reversed(expected));
  // Time filter applies to every key.
  EXPECT_EQ(drain(this->store->fetch(b("a"), b("c"), ms(1000), ms(2000))),
            (window_list{{"ab", 1500, "ab1"}}));
  EXPECT_TRUE(drain(this->store->fetch(b("c"), b("a"), ms(0), ms(5000))).empty());
}

TYPED_TEST(window_store_test, fetch_all_and_all) {
  this->open(opts(100'000, 1'000));
  this->put("b", 2500, "b2");
  this->put("a", 500, "a0");
  this->put("c", 1500, "c1");
  EXPECT_EQ(drain(this->store->fetch_all(ms(1000), ms(3000))),
            (window_list{{"b", 2500, "b2"}, {"c", 1500, "c1"}}));
  const window_list all = {{"a", 500, "a0"}, {"b", 2500, "b2"}, {"c", 1500, "c1"}};
  EXPECT_EQ(drain(this->store->all()), all);
  EXPECT_EQ(drain(this->store->all(iteration_order::reverse)), reversed(all));
}

TYPED_TEST(window_store_test, retention_hides_expired_and_drops_whole_segments) {
  // Retention 1000, segments of 100: a window is live while start > observed - 1000.
  this->open(opts(1'000, 100));
  for (std::int64_t t = 0; t < 1000; t += 50) this->put("k", t, std::to_string(t));
  ASSERT_TRUE(this->store->flush());  // segments exist once writes reach the store
  EXPECT_EQ(this->store->segment_count(), 10u);
  EXPECT_EQ(this->store->observed_stream_time(), ms(950));
  EXPECT_EQ(drain(this->store->fetch(b("k"), ms(0), ms(2000))).size(), 20u);

  // Stream time 1449: live from 450; segments 0..3 (times < 400) are gone, segment 4 stays
  // but its entry at 400 is hidden.
  this->put("k", 1449, "late-enough");
  ASSERT_TRUE(this->store->flush());
  EXPECT_EQ(this->store->segment_count(), 7u);  // segments 4..9 and 14
  auto all = drain(this->store->all());
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(std::get<1>(all.front()), 450);
  EXPECT_EQ(this->fetch("k", 400), std::nullopt);
  EXPECT_EQ(this->fetch("k", 450), "450");
  EXPECT_TRUE(drain(this->store->fetch(b("k"), ms(0), ms(449))).empty());
  EXPECT_EQ(drain(this->store->fetch_all(ms(0), ms(500))).size(), 2u);  // 450, 500

  // Writes older than the retention are dropped and counted.
  auto r = this->store->put(b("k"), b("too-old"), ms(449), t0);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r.value().stored);
  EXPECT_EQ(this->store->dropped_records(), 1u);
  EXPECT_EQ(this->fetch("k", 449), std::nullopt);
  this->put("k", 450, "still-live");
  EXPECT_EQ(this->fetch("k", 450), "still-live");
}

TYPED_TEST(window_store_test, duplicates_are_retained_in_insertion_order) {
  this->open(opts(10'000, 1'000, true));
  for (int i = 0; i < 3; ++i) {
    auto r = this->store->put(b("k"), b("v" + std::to_string(i)), ms(100), t0);
    ASSERT_TRUE(r);
    EXPECT_TRUE(r.value().stored);
    EXPECT_EQ(r.value().seqnum, static_cast<std::uint32_t>(i));
  }
  this->put("j", 100, "other");
  EXPECT_EQ(drain(this->store->fetch(b("k"), ms(0), ms(1000))),
            (window_list{{"k", 100, "v0"}, {"k", 100, "v1"}, {"k", 100, "v2"}}));
  EXPECT_EQ(drain(this->store->fetch(b("k"), ms(0), ms(1000), iteration_order::reverse)),
            (window_list{{"k", 100, "v2"}, {"k", 100, "v1"}, {"k", 100, "v0"}}));
  EXPECT_EQ(this->fetch("k", 100), "v0");
  // Deletes are ignored with duplicates.
  ASSERT_TRUE(this->store->remove(b("k"), ms(100), t0));
  EXPECT_EQ(drain(this->store->fetch(b("k"), ms(0), ms(1000))).size(), 3u);
  EXPECT_EQ(drain(this->store->all()).size(), 4u);
}

TYPED_TEST(window_store_test, rejects_times_before_the_epoch) {
  this->open(opts(10'000, 1'000));
  EXPECT_EQ(this->store->put(b("k"), b("v"), ms(-1), t0).error(), errc::invalid_argument);
  EXPECT_EQ(this->store->remove(b("k"), ms(-1), t0).error(), errc::invalid_argument);
  EXPECT_EQ(this->fetch("k", -1), std::nullopt);
  // Negative range starts are clamped to the epoch.
  this->put("k", 0, "zero");
  EXPECT_EQ(drain(this->store->fetch(b("k"), ms(-100), ms(10))).size(), 1u);
}

TYPED_TEST(window_store_test, aborted_batch_restores_contents_and_stream_time) {
  this->open(opts(1'000, 100));
  this->put("k", 100, "committed");
  ASSERT_TRUE(this->store->flush());
  ASSERT_TRUE(this->store->begin_batch());
  this->put("k", 200, "pending");
  // Jumps stream time far ahead: 100 is now expired, but its segment must survive the abort.
  this->put("k", 5'000, "pending-late");
  EXPECT_EQ(this->fetch("k", 100), std::nullopt);
  EXPECT_EQ(drain(this->store->all()), (window_list{{"k", 5000, "pending-late"}}));
  ASSERT_TRUE(this->store->abort_batch());
  EXPECT_EQ(this->store->observed_stream_time(), ms(100));
  EXPECT_EQ(drain(this->store->all()), (window_list{{"k", 100, "committed"}}));

  ASSERT_TRUE(this->store->begin_batch());
  this->put("k", 5'000, "late");
  ASSERT_TRUE(this->store->flush());
  ASSERT_TRUE(this->store->commit_batch(offset(7)));
  EXPECT_EQ(this->store->committed_offset().value(), offset(7));
  EXPECT_EQ(drain(this->store->all()), (window_list{{"k", 5000, "late"}}));
  EXPECT_EQ(this->store->segment_count(), 1u);  // expired segments dropped at commit
}

TYPED_TEST(window_store_test, restore_batch_takes_changelog_keys) {
  this->open(opts(10'000, 1'000));
  const bytes k1 = encode_window_key(b("a"), ms(100), 0);
  const bytes k2 = encode_window_key(b("b"), ms(2100), 0);
  const bytes v1 = b("1"), v2 = b("2");
  const changelog_record records[] = {
      {k1, bytes_view(v1)}, {k2, bytes_view(v2)}, {k1, std::nullopt}};
  ASSERT_TRUE(this->store->restore_batch(records, offset(3)));
  EXPECT_EQ(drain(this->store->all()), (window_list{{"b", 2100, "2"}}));
  EXPECT_EQ(this->store->observed_stream_time(), ms(2100));
  EXPECT_EQ(this->store->committed_offset().value(), offset(3));
  const bytes junk = b("short");
  const changelog_record bad[] = {{junk, bytes_view(v1)}};
  EXPECT_EQ(this->store->restore_batch(bad, offset(4)).error(), errc::corruption);
}

TYPED_TEST(window_store_test, restored_duplicates_do_not_collide_with_new_ones) {
  this->open(opts(10'000, 1'000, true));
  const bytes k = encode_window_key(b("k"), ms(100), 41);
  const bytes v = b("restored");
  const changelog_record records[] = {{k, bytes_view(v)}};
  ASSERT_TRUE(this->store->restore_batch(records, offset(1)));
  auto r = this->store->put(b("k"), b("new"), ms(100), t0);
  ASSERT_TRUE(r);
  EXPECT_GT(r.value().seqnum, 41u);
  EXPECT_EQ(drain(this->store->fetch(b("k"), ms(0), ms(1000))),
            (window_list{{"k", 100, "restored"}, {"k", 100, "new"}}));
}

}  // namespace
}  // namespace sluice::state::testing
