// The session store contract, run against every implementation (store_envs.h).

#include "state/session_store.h"
#include "state/changelog_format.h"
#include "state/errc.h"
#include "tests/state/store_envs.h"

#include <gtest/gtest.h>

namespace sluice::state::testing {
namespace {

session_store_options opts(std::int64_t retention, std::int64_t segment) {
  session_store_options o;
  o.retention = core::millis(retention);
  o.segment_interval = core::millis(segment);
  return o;
}

session_window win(std::int64_t start, std::int64_t end) {
  return {ms(start), ms(end)};
}

template <class Env>
class session_store_test : public ::testing::Test {
 protected:
  void TearDown() override {
    if (store && store->is_open()) {
      EXPECT_TRUE(store->close());
    }
  }
  void open(const session_store_options& o) { store = env.session(o); }
  void put(std::string_view k, std::int64_t start, std::int64_t end, std::string_view v) {
    auto r = store->put(b(k), win(start, end), b(v), t0);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_TRUE(r.value());
  }
  std::optional<std::string> fetch(std::string_view k, std::int64_t start, std::int64_t end) {
    auto r = store->fetch_session(b(k), win(start, end));
    EXPECT_TRUE(r);
    if (!r || !r.value()) return std::nullopt;
    return str(*r.value());
  }

  Env env;
  std::unique_ptr<session_store> store;
};

TYPED_TEST_SUITE(session_store_test, store_env_types, env_names);

TYPED_TEST(session_store_test, put_fetch_session_remove) {
  this->open(opts(100'000, 1'000));
  this->put("a", 0, 10, "s1");
  this->put("a", 0, 20, "s2");
  EXPECT_EQ(this->fetch("a", 0, 10), "s1");
  EXPECT_EQ(this->fetch("a", 0, 20), "s2");
  EXPECT_EQ(this->fetch("a", 5, 10), std::nullopt);
  ASSERT_TRUE(this->store->remove(b("a"), win(0, 10), t0));
  EXPECT_EQ(this->fetch("a", 0, 10), std::nullopt);
  EXPECT_EQ(this->fetch("a", 0, 20), "s2");
}

TYPED_TEST(session_store_test, find_sessions_selects_overlapping_candidates) {
  this->open(opts(100'000, 1'000));
  this->put("a", 0, 10, "early");
  this->put("a", 20, 30, "mid");
  this->put("a", 1990, 2500, "long");
  this->put("a", 4000, 4000, "late");
  this->put("ab", 20, 30, "prefix-key");
  // A record at t=25 with gap 20 merges with sessions ending ≥ 5 and starting ≤ 45.
  EXPECT_EQ(drain(this->store->find_sessions(b("a"), ms(5), ms(45))),
            (session_list{{"a", 0, 10, "early"}, {"a", 20, 30, "mid"}}));
  // Sessions are ordered by end, then start.
  EXPECT_EQ(drain(this->store->find_sessions(b("a"), ms(11), ms(3000))),
            (session_list{{"a", 20, 30, "mid"}, {"a", 1990, 2500, "long"}}));
  EXPECT_EQ(drain(this->store->find_sessions(b("a"), ms(11), ms(3000), iteration_order::reverse)),
            (session_list{{"a", 1990, 2500, "long"}, {"a", 20, 30, "mid"}}));
  EXPECT_EQ(drain(this->store->fetch(b("a"))).size(), 4u);
  EXPECT_EQ(drain(this->store->fetch(b("ab"))), (session_list{{"ab", 20, 30, "prefix-key"}}));
}

TYPED_TEST(session_store_test, key_range_queries_order_by_key_then_end) {
  this->open(opts(100'000, 1'000));
  this->put("b", 0, 2500, "b1");
  this->put("a", 0, 1500, "a1");
  this->put("b", 0, 100, "b0");
  this->put("c", 0, 50, "c0");
  this->put("a", 0, 50, "a0");
  const session_list expected = {
      {"a", 0, 50, "a0"}, {"a", 0, 1500, "a1"}, {"b", 0, 100, "b0"}, {"b", 0, 2500, "b1"}};
  EXPECT_EQ(drain(this->store->fetch(b("a"), b("b"))), expected);
  EXPECT_EQ(drain(this->store->fetch(b("a"), b("b"), iteration_order::reverse)),
            reversed(expected));
  EXPECT_EQ(drain(this->store->find_sessions(b("a"), b("c"), ms(100), ms(0))),
            (session_list{{"a", 0, 1500, "a1"}, {"b", 0, 100, "b0"}, {"b", 0, 2500, "b1"}}));
}

TYPED_TEST(session_store_test, retention_by_session_end) {
  this->open(opts(1'000, 100));
  this->put("k", 0, 50, "old");
  this->put("k", 0, 700, "spans");
  this->put("k", 1600, 1650, "new");  // live from 651
  EXPECT_EQ(drain(this->store->fetch(b("k"))),
            (session_list{{"k", 0, 700, "spans"}, {"k", 1600, 1650, "new"}}));
  EXPECT_EQ(this->fetch("k", 0, 50), std::nullopt);
  EXPECT_EQ(this->store->segment_count(), 2u);
  auto r = this->store->put(b("k"), win(600, 650), b("dropped"), t0);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r.value());
  EXPECT_EQ(this->store->dropped_records(), 1u);
  EXPECT_EQ(this->store->observed_stream_time(), ms(1650));
}

TYPED_TEST(session_store_test, rejects_malformed_windows) {
  this->open(opts(1'000, 100));
  EXPECT_EQ(this->store->put(b("k"), win(10, 5), b("v"), t0).error(), errc::invalid_argument);
  EXPECT_EQ(this->store->put(b("k"), win(-1, 5), b("v"), t0).error(), errc::invalid_argument);
  EXPECT_EQ(this->store->fetch_session(b("k"), win(10, 5)).error(), errc::invalid_argument);
}

TYPED_TEST(session_store_test, batch_and_restore) {
  this->open(opts(100'000, 1'000));
  this->put("k", 0, 10, "committed");
  ASSERT_TRUE(this->store->begin_batch());
  this->put("k", 20, 30, "pending");
  ASSERT_TRUE(this->store->remove(b("k"), win(0, 10), t0));
  EXPECT_EQ(drain(this->store->fetch(b("k"))), (session_list{{"k", 20, 30, "pending"}}));
  ASSERT_TRUE(this->store->abort_batch());
  EXPECT_EQ(drain(this->store->fetch(b("k"))), (session_list{{"k", 0, 10, "committed"}}));

  const bytes key = encode_session_key(b("r"), ms(5), ms(15));
  const bytes value = b("restored");
  const changelog_record records[] = {{key, bytes_view(value)}};
  ASSERT_TRUE(this->store->restore_batch(records, offset(9)));
  EXPECT_EQ(this->fetch("r", 5, 15), "restored");
  EXPECT_EQ(this->store->committed_offset().value(), offset(9));
}

}  // namespace
}  // namespace sluice::state::testing
