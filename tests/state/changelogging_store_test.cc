// Change-logging decorators: exactly which records reach the sink, their byte layout, and that
// replaying the log through restore_batch rebuilds the same store.

#include "state/changelog_format.h"
#include "state/changelogging_key_value_store.h"
#include "state/changelogging_session_store.h"
#include "state/changelogging_window_store.h"
#include "state/stores.h"
#include "tests/state/store_envs.h"

#include <gtest/gtest.h>

namespace sluice::state::testing {
namespace {

using change = recording_sink::change;

change put_change(bytes key, std::string_view value, std::int64_t ts) {
  return {std::move(key), b(value), ms(ts)};
}
change tombstone(bytes key, std::int64_t ts) {
  return {std::move(key), std::nullopt, ms(ts)};
}

/// Replays recorded changes into a store the way the runtime restores one.
template <class Store>
void replay(Store& store, const std::vector<change>& changes) {
  std::vector<changelog_record> records;
  for (const auto& c : changes) {
    records.push_back({c.key, c.value ? std::optional<bytes_view>(*c.value) : std::nullopt});
  }
  ASSERT_TRUE(store.restore_batch(records, offset(static_cast<std::int64_t>(changes.size()))));
}

TEST(changelogging_key_value_store, logs_each_effective_write_with_the_record_time) {
  recording_sink sink;
  timestamp now{};  // the record timestamp the writes are made with
  changelogging_key_value_store s(make_in_memory_key_value_store("kv"), sink);
  now = ms(10);
  ASSERT_TRUE(s.put(b("a"), b("1"), now));
  now = ms(11);
  ASSERT_TRUE(s.put_if_absent(b("a"), b("ignored"), now));  // not stored: not logged
  ASSERT_TRUE(s.put_if_absent(b("b"), b("2"), now));
  now = ms(12);
  ASSERT_TRUE(s.remove(b("a"), now));
  ASSERT_TRUE(s.remove(b("never-there"), now));  // nothing removed: not logged
  const bytes c = b("c"), b_key = b("b"), three = b("3");
  const key_value_write writes[] = {{c, bytes_view(three)}, {b_key, std::nullopt}};
  now = ms(13);
  ASSERT_TRUE(s.put_all(writes, now));
  EXPECT_EQ(sink.changes,
            (std::vector<change>{put_change(b("a"), "1", 10), put_change(b("b"), "2", 11),
                                 tombstone(b("a"), 12), put_change(b("c"), "3", 13),
                                 tombstone(b("b"), 13)}));
  // Restoration is not logged again.
  const changelog_record restored[] = {{c, std::nullopt}};
  ASSERT_TRUE(s.restore_batch(restored, offset(1)));
  EXPECT_EQ(sink.changes.size(), 5u);
}

TEST(changelogging_window_store, window_keys_follow_the_documented_byte_layout) {
  recording_sink sink;
  timestamp now{};  // the record timestamp the writes are made with
  window_store_options o;
  o.retention = core::millis(1000);
  o.segment_interval = core::millis(100);
  changelogging_window_store s(make_in_memory_window_store("w", o), sink);
  now = ms(7);
  ASSERT_TRUE(s.put(b("k"), b("v"), ms(0x0102030405), now));
  // key | window start int64 BE | seqnum uint32 BE
  const bytes expected_key = {std::byte{'k'},  std::byte{0},    std::byte{0},    std::byte{0},
                              std::byte{0x01}, std::byte{0x02}, std::byte{0x03}, std::byte{0x04},
                              std::byte{0x05}, std::byte{0},    std::byte{0},    std::byte{0},
                              std::byte{0}};
  ASSERT_EQ(sink.changes.size(), 1u);
  EXPECT_EQ(sink.changes[0], put_change(expected_key, "v", 7));
  // Expired: dropped and not logged.
  auto dropped = s.put(b("k"), b("old"), ms(5), now);
  ASSERT_TRUE(dropped);
  EXPECT_FALSE(dropped.value().stored);
  EXPECT_EQ(sink.changes.size(), 1u);
  ASSERT_TRUE(s.remove(b("k"), ms(0x0102030405), now));
  EXPECT_EQ(sink.changes.back(), tombstone(expected_key, 7));
}

TEST(changelogging_window_store, duplicates_carry_their_sequence_numbers) {
  recording_sink sink;
  timestamp now{};  // the record timestamp the writes are made with
  window_store_options o;
  o.retain_duplicates = true;
  changelogging_window_store s(make_in_memory_window_store("w", o), sink);
  ASSERT_TRUE(s.put(b("k"), b("a"), ms(100), now));
  ASSERT_TRUE(s.put(b("k"), b("b"), ms(100), now));
  ASSERT_TRUE(s.remove(b("k"), ms(100), now));  // ignored with duplicates: not logged
  EXPECT_EQ(sink.changes,
            (std::vector<change>{put_change(encode_window_key(b("k"), ms(100), 0), "a", 0),
                                 put_change(encode_window_key(b("k"), ms(100), 1), "b", 0)}));
  // The log rebuilds the store, duplicates included.
  auto rebuilt = make_in_memory_window_store("w2", o);
  replay(*rebuilt, sink.changes);
  EXPECT_EQ(drain(rebuilt->all()), drain(s.all()));
}

TEST(changelogging_session_store, session_keys_are_key_end_start) {
  recording_sink sink;
  timestamp now{};  // the record timestamp the writes are made with
  changelogging_session_store s(make_in_memory_session_store("s", {}), sink);
  ASSERT_TRUE(s.put(b("k"), {ms(1), ms(2)}, b("v"), now));
  const bytes expected_key = {
      std::byte{'k'}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0},
      std::byte{0},   std::byte{0}, std::byte{2}, std::byte{0}, std::byte{0}, std::byte{0},
      std::byte{0},   std::byte{0}, std::byte{0}, std::byte{0}, std::byte{1}};
  ASSERT_EQ(sink.changes.size(), 1u);
  EXPECT_EQ(sink.changes[0].key, expected_key);
  ASSERT_TRUE(s.remove(b("k"), {ms(1), ms(2)}, now));
  EXPECT_EQ(sink.changes.back(), tombstone(expected_key, 0));
}

TEST(changelogging, replaying_the_log_rebuilds_each_store_kind) {
  rocksdb_env env;
  recording_sink kv_sink, w_sink, s_sink;
  timestamp now{};  // the record timestamp the writes are made with
  changelogging_key_value_store kv(env.kv("kv"), kv_sink);
  window_store_options wo;
  wo.retention = core::millis(500);
  wo.segment_interval = core::millis(100);
  changelogging_window_store w(env.window(wo, "w"), w_sink);
  changelogging_session_store s(env.session({}, "s"), s_sink);
  for (int i = 0; i < 200; ++i) {
    const auto key = "k" + std::to_string(i % 17);
    now = ms(i);
    ASSERT_TRUE(kv.put(b(key), b(std::to_string(i)), now));
    if (i % 5 == 0) {
      ASSERT_TRUE(kv.remove(b(key), now));
    }
    ASSERT_TRUE(w.put(b(key), b(std::to_string(i)), ms(i * 10), now));
    if (i % 7 == 0) {
      ASSERT_TRUE(w.remove(b(key), ms(i * 10), now));
    }
    ASSERT_TRUE(s.put(b(key), {ms(i), ms(i + 3)}, b(std::to_string(i)), now));
  }
  auto kv2 = make_in_memory_key_value_store("kv2");
  replay(*kv2, kv_sink.changes);
  EXPECT_EQ(drain(kv2->all()), drain(kv.all()));
  auto w2 = make_in_memory_window_store("w2", wo);
  replay(*w2, w_sink.changes);
  EXPECT_EQ(drain(w2->all()), drain(w.all()));
  EXPECT_EQ(w2->observed_stream_time(), w.observed_stream_time());
  auto s2 = make_in_memory_session_store("s2", {});
  replay(*s2, s_sink.changes);
  EXPECT_EQ(drain(s2->fetch(b("k0"), b("k9"))), drain(s.fetch(b("k0"), b("k9"))));
  ASSERT_TRUE(kv.close());
  ASSERT_TRUE(w.close());
  ASSERT_TRUE(s.close());
}

}  // namespace
}  // namespace sluice::state::testing
