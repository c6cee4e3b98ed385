// Log compaction: the lesson's example, reads through offset gaps, a large randomized workload
// against a reference map, tombstone expiry, the dirty ratio, batch rewriting rules, the
// produce-side rules of compacted topics, and crashes at every step of the swap protocol.

#include "core/temp_dir.h"
#include "broker/storage/log_cleaner.h"

#include "broker/storage/log_validator.h"
#include "broker/storage/errc.h"
#include "broker/storage/file.h"
#include "broker/storage/partition_log.h"
#include "tests/broker/storage/storage_test_util.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace sluice::broker::storage {
namespace {

namespace fs = std::filesystem;
using core::temp_dir;
using protocol::compression_codec;
using testing::roll;

int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
/// A record as read back: offset, key, value (nullopt = null).
struct stored {
  int64_t offset;
  std::optional<std::string> key;
  std::optional<std::string> value;
  bool operator==(const stored&) const = default;
};

std::ostream& operator<<(std::ostream& os, const stored& s) {
  return os << s.offset << ":" << s.key.value_or("<null>") << "=" << s.value.value_or("<null>");
}

core::raw_record rec(std::optional<std::string> key, std::optional<std::string> value, int64_t ts = 1000) {
  core::raw_record r;
  if (key) r.key = core::to_bytes(*key);
  if (value) r.value = core::to_bytes(*value);
  r.ts = core::from_epoch_ms(ts);
  return r;
}

log_config compact_config() {
  log_config c;
  c.cleanup_compact = true;
  c.cleanup_delete = false;
  c.segment_bytes = 1 << 20;
  c.delete_retention_ms = 24LL * 3600 * 1000;
  c.min_cleanable_dirty_ratio = 0.5;
  c.index_interval_bytes = 256;
  return c;
}

std::unique_ptr<partition_log> open_log(const fs::path& dir, const log_config& c,
                                        bool clean = true) {
  auto l = partition_log::open(dir, {"t", core::partition_id{0}}, c, clean, core::offset{0}, core::offset{0});
  EXPECT_TRUE(l) << l.error().message();
  return l ? std::move(l).value() : nullptr;
}

int64_t append(partition_log& log, std::vector<core::raw_record> records,
               protocol::record_batch_options o = {}) {
  auto batch = protocol::encode_record_batch(records, o);
  EXPECT_TRUE(batch);
  auto r = log.append(batch.value());
  EXPECT_TRUE(r) << r.error().message();
  return r ? r.value().base_offset.value() : -1;
}

/// Every record from the log start, as a consumer sees it (records below the requested offset
/// dropped), reading batch by batch through the index.
std::vector<stored> read_all(const partition_log& log, int64_t from = -1) {
  std::vector<stored> out;
  int64_t offset = from < 0 ? log.log_start_offset().value() : from;
  const int64_t end = log.high_watermark().value();
  while (offset < end) {
    auto r = log.read(core::offset{offset}, 1, core::offset{end});
    EXPECT_TRUE(r) << r.error().message();
    if (!r || r.value().records.empty()) break;
    protocol::batch_iterator it(r.value().records);
    int64_t next = offset;
    for (;;) {
      auto b = it.next();
      EXPECT_TRUE(b);
      if (!b || !b.value()) break;
      auto h = protocol::decode_batch_header(*b.value()).value();
      if (h.is_control()) {  // transaction markers: consumers do not see them as records
        next = h.last_offset().value() + 1;
        continue;
      }
      auto records = protocol::decode_record_batch(*b.value());
      EXPECT_TRUE(records) << records.error().message();
      for (const auto& d : records.value()) {
        int64_t o = h.base_offset.value() + d.offset_delta;
        if (o < offset) continue;
        out.push_back({o, d.record.key ? std::optional(core::to_string(*d.record.key)) : std::nullopt,
                       d.record.value ? std::optional(core::to_string(*d.record.value))
                                      : std::nullopt});
      }
      next = h.last_offset().value() + 1;
    }
    EXPECT_GT(next, offset);
    offset = next;
  }
  return out;
}

clean_stats clean(partition_log& log, bool force = false, int64_t now = -1,
                  const cleaner_options& o = {}) {
  auto r = clean_log(log, now < 0 ? wall_ms() : now, o, force);
  EXPECT_TRUE(r) << r.error().message();
  return r ? r.value() : clean_stats{};
}

// ---- the lesson's example -----------------------------------------------------------------

TEST(log_cleaner, lesson_example_compacts_to_the_latest_value_per_key) {
  temp_dir dir;
  auto c = compact_config();
  c.segment_bytes = 100;  // one batch per segment
  auto log = open_log(dir.path(), c);
  const char* keys[] = {"user1", "user2", "user1", "user3", "user2", "user1"};
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(append(*log, {rec(keys[i], "v" + std::to_string(i + 1))}), i);
  }
  EXPECT_GE(log->segment_count(), 6u);
  roll(*log);  // the last record leaves the active segment

  auto stats = clean(*log);
  EXPECT_TRUE(stats.cleaned);
  const std::vector<stored> expected{
      {3, "user3", "v4"}, {4, "user2", "v5"}, {5, "user1", "v6"}};
  EXPECT_EQ(read_all(*log), expected);
  EXPECT_EQ(log->log_start_offset(), core::offset{3});
  EXPECT_EQ(log->log_end_offset(), core::offset{6});
  EXPECT_EQ(stats.records_removed, 3);

  // New records keep their offsets after the gap; a second pass changes nothing.
  EXPECT_EQ(append(*log, {rec("user2", "v7")}), 6);
  ASSERT_TRUE(log->close());
  log.reset();
  log = open_log(dir.path(), c);
  auto after = expected;
  after.push_back({6, "user2", "v7"});
  EXPECT_EQ(read_all(*log), after);
  roll(*log);
  clean(*log, true);
  EXPECT_EQ(read_all(*log),
            (std::vector<stored>{{3, "user3", "v4"}, {5, "user1", "v6"}, {6, "user2", "v7"}}));
}

TEST(log_cleaner, reads_through_offset_gaps_find_the_next_record) {
  temp_dir dir;
  auto c = compact_config();
  c.segment_bytes = 600;
  auto log = open_log(dir.path(), c);
  // Batches of 5 records; key i % 7, so most offsets are superseded.
  std::map<int64_t, std::string> truth;
  int64_t offset = 0;
  for (int b = 0; b < 30; ++b) {
    std::vector<core::raw_record> rs;
    for (int i = 0; i < 5; ++i, ++offset) rs.push_back(rec("k" + std::to_string(offset % 7), "v" + std::to_string(offset)));
    append(*log, rs);
  }
  roll(*log);
  clean(*log, true);
  auto all = read_all(*log);
  ASSERT_EQ(all.size(), 7u);
  for (const auto& s : all) EXPECT_EQ(s.value, "v" + std::to_string(s.offset));
  // A read at any offset starts at the first record at or after it.
  for (int64_t o = log->log_start_offset().value(); o < log->log_end_offset().value(); ++o) {
    auto from = read_all(*log, o);
    ASSERT_FALSE(from.empty()) << o;
    auto expected = std::find_if(all.begin(), all.end(), [o](const stored& s) { return s.offset >= o; });
    ASSERT_NE(expected, all.end());
    EXPECT_EQ(from.front(), *expected) << "read at " << o;
  }
  // Offsets by time still work (every record has timestamp 1000).
  auto ts = log->offset_for_timestamp(1000);
  ASSERT_TRUE(ts);
  EXPECT_EQ(ts.value().offset, core::offset{all.front().offset});
}

// ---- randomized workload against a reference map -----------------------------------------

TEST(log_cleaner, randomized_workload_matches_a_reference_map) {
  temp_dir dir;
  auto c = compact_config();
  c.segment_bytes = 32 * 1024;
  c.min_cleanable_dirty_ratio = 0.3;
  auto log = open_log(dir.path(), c);
  std::mt19937 rng(20240611);
  const compression_codec codecs[] = {compression_codec::none, compression_codec::gzip,
                                      compression_codec::snappy, compression_codec::lz4,
                                      compression_codec::zstd};
  std::map<std::string, std::optional<std::string>> latest;  // reference: key -> last value
  std::map<int64_t, stored> appended;                         // every record ever written
  int64_t offset = 0;
  int passes = 0;
  cleaner_options small_map;
  small_map.dedupe_buffer_bytes = 16 * 1024;  // several passes per clean: exercises the limit
  for (int round = 0; round < 400; ++round) {
    std::vector<core::raw_record> rs;
    const int n = 1 + static_cast<int>(rng() % 20);
    for (int i = 0; i < n; ++i, ++offset) {
      std::string key = "key-" + std::to_string(rng() % 600);
      std::optional<std::string> value;
      if (rng() % 10 != 0) value = "value-" + std::to_string(offset) + std::string(rng() % 64, 'x');
      rs.push_back(rec(key, value, 1000 + offset));
      latest[key] = value;
      appended[offset] = {offset, key, value};
    }
    protocol::record_batch_options o;
    o.codec = codecs[rng() % 5];
    append(*log, rs, o);
    if (round % 50 == 49) {
      roll(*log);
      auto s = clean(*log, false, -1, round % 100 == 99 ? small_map : cleaner_options{});
      passes += s.cleaned ? 1 : 0;
    }
  }
  roll(*log);
  clean(*log, true);
  ++passes;
  EXPECT_GE(passes, 3);

  auto check = [&](const partition_log& l) {
    auto all = read_all(l);
    std::map<std::string, int> seen;
    int64_t prev = -1;
    std::map<std::string, std::optional<std::string>> last;
    for (const auto& s : all) {
      EXPECT_GT(s.offset, prev);
      prev = s.offset;
      // Every surviving record is exactly what was written at its offset.
      EXPECT_EQ(appended.at(s.offset), s);
      ++seen[*s.key];
      last[*s.key] = s.value;
    }
    // Everything is in closed segments and cleaned: one record per key, the latest one.
    for (const auto& [k, n] : seen) EXPECT_EQ(n, 1) << k;
    EXPECT_EQ(last, latest);
  };
  check(*log);
  const auto size_after = log->size_bytes();
  // A crash now (no close) and recovery change nothing.
  log.reset();
  log = open_log(dir.path(), c, false);
  check(*log);
  EXPECT_EQ(log->size_bytes(), size_after);
  EXPECT_EQ(log->log_end_offset(), core::offset{offset});
}

// ---- tombstones and the dirty ratio -------------------------------------------------------

TEST(log_cleaner, tombstones_stay_for_delete_retention_ms_then_go) {
  temp_dir dir;
  auto c = compact_config();
  c.delete_retention_ms = 60'000;
  auto log = open_log(dir.path(), c);
  append(*log, {rec("a", "1"), rec("b", "1")});
  append(*log, {rec("a", std::nullopt), rec("c", "1")});
  roll(*log);
  const int64_t now = wall_ms();

  auto first = clean(*log, false, now);
  EXPECT_TRUE(first.cleaned);
  EXPECT_EQ(first.tombstones_removed, 0);
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{1, "b", "1"}, {2, "a", std::nullopt}, {3, "c", "1"}}));

  // Nothing dirty and the tombstone not due: no pass.
  EXPECT_FALSE(clean(*log, false, now + 30'000).cleaned);
  // Once delete.retention.ms has passed since its segment was written, the tombstone is due
  // and goes, even though nothing is dirty.
  auto second = clean(*log, false, now + 61'000);
  EXPECT_TRUE(second.cleaned);
  EXPECT_EQ(second.tombstones_removed, 1);
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{1, "b", "1"}, {3, "c", "1"}}));
}

TEST(log_cleaner, offsets_are_never_reused_when_the_tail_is_compacted_away) {
  temp_dir dir;
  auto c = compact_config();
  c.delete_retention_ms = 0;
  auto log = open_log(dir.path(), c);
  append(*log, {rec("a", "1")});
  append(*log, {rec("a", std::nullopt)});
  roll(*log);
  auto s = clean(*log, true, wall_ms() + 10);
  EXPECT_EQ(s.tombstones_removed, 1);
  EXPECT_TRUE(read_all(*log).empty());
  EXPECT_EQ(log->log_start_offset(), core::offset{2});
  EXPECT_EQ(log->log_end_offset(), core::offset{2});
  log.reset();  // crash
  log = open_log(dir.path(), c, false);
  EXPECT_EQ(log->log_end_offset(), core::offset{2});
  EXPECT_EQ(log->log_start_offset(), core::offset{2});
  EXPECT_EQ(append(*log, {rec("b", "1")}), 2);
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{2, "b", "1"}}));
}

TEST(log_cleaner, a_tombstone_after_a_kept_transactional_record_stays) {
  temp_dir dir;
  auto c = compact_config();
  c.delete_retention_ms = 0;
  auto log = open_log(dir.path(), c);
  protocol::record_batch_options txn;
  txn.transactional = true;
  txn.producer_id = core::producer_id{7};
  txn.producer_epoch = core::producer_epoch{0};
  txn.base_sequence = 0;
  append(*log, {rec("a", "in-txn")}, txn);
  append(*log, {rec("a", std::nullopt)});
  append(*log, {rec("b", std::nullopt)});
  // Committed: the cleaner never cleans at or after the last stable offset.
  ASSERT_TRUE(log->append_marker(core::producer_id{7}, core::producer_epoch{0}, true, 0));
  roll(*log);
  clean(*log, true, wall_ms() + 10);
  // The transactional record is kept intact, so a's tombstone must stay; b's goes.
  auto all = read_all(*log);
  EXPECT_EQ(all, (std::vector<stored>{{0, "a", "in-txn"}, {1, "a", std::nullopt}}));
}

/// Control batches in the log, as (offset, is_abort).
std::vector<std::pair<int64_t, bool>> markers_in(const partition_log& log) {
  std::vector<std::pair<int64_t, bool>> out;
  auto r = log.read(log.log_start_offset(), 1 << 20, log.high_watermark());
  EXPECT_TRUE(r);
  protocol::batch_iterator it(r.value().records);
  for (;;) {
    auto b = it.next();
    if (!b || !b.value()) break;
    auto h = protocol::decode_batch_header(*b.value()).value();
    if (!h.is_control()) continue;
    auto records = protocol::decode_record_batch(*b.value()).value();
    auto type = protocol::decode_control_record_key(*records.at(0).record.key).value();
    out.emplace_back(h.base_offset.value(), type == protocol::control_record_type::abort);
  }
  return out;
}

protocol::record_batch_options txn_options(int64_t pid, int32_t seq) {
  protocol::record_batch_options o;
  o.transactional = true;
  o.producer_id = core::producer_id{pid};
  o.producer_epoch = core::producer_epoch{0};
  o.base_sequence = seq;
  return o;
}

TEST(log_cleaner, aborted_records_are_removed_committed_kept_abort_markers_go_after_retention) {
  temp_dir dir;
  auto c = compact_config();
  c.delete_retention_ms = 60'000;
  auto log = open_log(dir.path(), c);
  append(*log, {rec("a", "aborted-1"), rec("x", "aborted-2")}, txn_options(1, 0));  // 0-1
  append(*log, {rec("b", "committed")}, txn_options(2, 0));                           // 2
  append(*log, {rec("c", "plain")});                                                 // 3
  append(*log, {rec("a", "aborted-3")}, txn_options(1, 2));                          // 4
  ASSERT_TRUE(log->append_marker(core::producer_id{1}, core::producer_epoch{0}, false, 0));                // 5
  ASSERT_TRUE(log->append_marker(core::producer_id{2}, core::producer_epoch{0}, true, 0));                 // 6
  append(*log, {rec("a", "after")}, txn_options(1, 3));                              // 7: committed
  ASSERT_TRUE(log->append_marker(core::producer_id{1}, core::producer_epoch{0}, true, 0));                 // 8
  roll(*log);
  ASSERT_EQ(log->aborted_transactions().size(), 1u);
  const int64_t now = wall_ms();

  auto first = clean(*log, true, now);
  EXPECT_TRUE(first.cleaned);
  EXPECT_EQ(first.aborted_records_removed, 3);
  EXPECT_EQ(first.markers_removed, 0);
  EXPECT_EQ(read_all(*log),
            (std::vector<stored>{{2, "b", "committed"}, {3, "c", "plain"}, {7, "a", "after"}}));
  // The ABORT marker stays (readers may be between the aborted records and it), and with it
  // its aborted-transaction entry.
  EXPECT_EQ(markers_in(*log), (std::vector<std::pair<int64_t, bool>>{{5, true}, {6, false}, {8, false}}));
  EXPECT_EQ(log->aborted_transactions().size(), 1u);
  auto r = log->read(core::offset{0}, 1 << 20, log->last_stable_offset(), true);
  EXPECT_EQ(r.value().aborted, (std::vector<aborted_txn>{{core::producer_id{1}, core::offset{0}}}));

  // delete.retention.ms later the marker is due (no data of its transaction is left).
  EXPECT_FALSE(clean(*log, false, now + 30'000).cleaned);
  auto second = clean(*log, false, now + 61'000);
  EXPECT_TRUE(second.cleaned);
  EXPECT_EQ(second.markers_removed, 1);
  EXPECT_EQ(markers_in(*log), (std::vector<std::pair<int64_t, bool>>{{6, false}, {8, false}}));
  EXPECT_TRUE(log->aborted_transactions().empty());
  EXPECT_EQ(read_all(*log),
            (std::vector<stored>{{2, "b", "committed"}, {3, "c", "plain"}, {7, "a", "after"}}));
  // A restart agrees: no aborted transaction, no open one, sequences continue.
  ASSERT_TRUE(log->close());
  log = open_log(dir.path(), c);
  EXPECT_TRUE(log->aborted_transactions().empty());
  EXPECT_EQ(log->last_stable_offset(), log->high_watermark());
  EXPECT_EQ(append(*log, {rec("d", "next")}, txn_options(1, 4)), 9);
}

TEST(log_cleaner, never_cleans_at_or_after_the_last_stable_offset) {
  temp_dir dir;
  auto c = compact_config();
  auto log = open_log(dir.path(), c);
  append(*log, {rec("k", "1")});
  roll(*log);
  append(*log, {rec("t", "open")}, txn_options(3, 0));  // 1: an open transaction
  append(*log, {rec("k", "2")});
  roll(*log);
  append(*log, {rec("k", "3")});
  roll(*log);
  // Only the first segment lies below the LSO (1); alone it has nothing to compact.
  auto before = clean(*log, true);
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{0, "k", "1"}, {1, "t", "open"}, {2, "k", "2"},
                                                 {3, "k", "3"}}));
  EXPECT_EQ(before.end_offset, 1);
  ASSERT_TRUE(log->append_marker(core::producer_id{3}, core::producer_epoch{0}, true, 0));  // 4
  roll(*log);
  auto after = clean(*log, true);
  EXPECT_TRUE(after.cleaned);
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{1, "t", "open"}, {3, "k", "3"}}));
}

TEST(log_cleaner, honours_min_cleanable_dirty_ratio) {
  temp_dir dir;
  auto c = compact_config();
  c.min_cleanable_dirty_ratio = 0.9;
  c.segment_bytes = 400;
  auto log = open_log(dir.path(), c);
  for (int i = 0; i < 40; ++i) append(*log, {rec("k" + std::to_string(i % 4), std::to_string(i))});
  roll(*log);
  EXPECT_TRUE(clean(*log).cleaned);  // all dirty: ratio 1
  for (int i = 0; i < 2; ++i) append(*log, {rec("k0", "late" + std::to_string(i))});
  roll(*log);
  auto before = read_all(*log);
  EXPECT_FALSE(clean(*log).cleaned);  // a small dirty share
  EXPECT_EQ(read_all(*log), before);
  EXPECT_TRUE(clean(*log, true).cleaned);
  EXPECT_EQ(read_all(*log).size(), 4u);
}

TEST(log_cleaner, never_touches_the_active_segment_or_a_delete_only_log) {
  temp_dir dir;
  auto c = compact_config();
  auto log = open_log(dir.path(), c);
  append(*log, {rec("a", "1")});
  append(*log, {rec("a", "2")});
  EXPECT_FALSE(clean(*log, true).cleaned);  // everything is still in the active segment
  EXPECT_EQ(read_all(*log).size(), 2u);

  temp_dir dir2;
  auto d = compact_config();
  d.cleanup_compact = false;
  d.cleanup_delete = true;
  auto plain = open_log(dir2.path(), d);
  append(*plain, {rec("a", "1")});
  append(*plain, {rec("a", "2")});
  roll(*plain);
  EXPECT_FALSE(clean(*plain, true).cleaned);
  EXPECT_EQ(read_all(*plain).size(), 2u);
}

// ---- rewriting rules ----------------------------------------------------------------------

TEST(log_cleaner, rewritten_batches_keep_producer_fields_offsets_and_codec) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config());
  protocol::record_batch_options o;
  o.codec = compression_codec::zstd;
  o.producer_id = core::producer_id{42};
  o.producer_epoch = core::producer_epoch{3};
  o.base_sequence = 10;
  append(*log, {rec("k1", "a", 1000), rec("k2", "b", 1001), rec("k1", "c", 1002)}, o);
  append(*log, {rec("k2", "d", 1003)});
  roll(*log);
  clean(*log, true);

  auto r = log->read(core::offset{0}, 1 << 20, log->high_watermark());
  ASSERT_TRUE(r);
  protocol::batch_iterator it(r.value().records);
  auto first = it.next().value().value();
  auto h = protocol::validate_batch(first);
  ASSERT_TRUE(h);
  EXPECT_EQ(h.value().base_offset.value(), 0);
  EXPECT_EQ(h.value().last_offset_delta, 2);  // still spans offsets 0..2
  EXPECT_EQ(h.value().record_count, 1);
  EXPECT_EQ(h.value().codec(), compression_codec::zstd);
  EXPECT_EQ(h.value().producer_id.value(), 42);
  EXPECT_EQ(h.value().producer_epoch.value(), 3);
  EXPECT_EQ(h.value().base_sequence, 10);
  auto records = protocol::decode_record_batch(first).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].offset_delta, 2);
  EXPECT_EQ(core::to_epoch_ms(records[0].record.ts), 1002);
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{2, "k1", "c"}, {3, "k2", "d"}}));
}

TEST(log_cleaner, merges_small_segments_up_to_segment_bytes) {
  temp_dir dir;
  auto c = compact_config();
  c.segment_bytes = 90;  // one ~80-byte batch per segment while producing
  auto log = open_log(dir.path(), c);
  for (int i = 0; i < 20; ++i) append(*log, {rec("k" + std::to_string(i), "v")});
  roll(*log);
  EXPECT_GE(log->closed_segments().size(), 20u);
  auto grown = c;
  grown.segment_bytes = 1 << 20;
  log->set_config(grown);
  auto s = clean(*log, true);
  EXPECT_EQ(s.segments_after, 1u);
  EXPECT_EQ(read_all(*log).size(), 20u);
  log.reset();
  log = open_log(dir.path(), grown, false);
  EXPECT_EQ(read_all(*log).size(), 20u);
}

TEST(log_cleaner, merged_groups_also_fit_segment_index_bytes) {
  // Kafka's groupSegmentsBySize also bounds a group's offset and time indexes: with one entry
  // of each per one-batch segment (index.interval.bytes 0) and 48 bytes of index — six 8-byte
  // offset entries, four 12-byte time entries — segments merge four at a time however large
  // segment.bytes is.
  temp_dir dir;
  auto c = compact_config();
  c.segment_bytes = 90;
  c.index_interval_bytes = 0;
  auto log = open_log(dir.path(), c);
  for (int i = 0; i < 12; ++i) append(*log, {rec("k" + std::to_string(i), "v", 1000)});
  roll(*log);
  auto grown = c;
  grown.segment_bytes = 1 << 20;
  grown.segment_index_bytes = 48;
  log->set_config(grown);
  auto s = clean(*log, true);
  EXPECT_EQ(s.segments_after, 3u);
  EXPECT_EQ(read_all(*log).size(), 12u);
}

// ---- min.compaction.lag.ms and max.compaction.lag.ms ---------------------------------------

TEST(log_cleaner, min_compaction_lag_leaves_young_segments_and_all_after_them_uncompacted) {
  // Kafka's cleanableOffsets: the first dirty segment whose newest record is younger than
  // min.compaction.lag.ms is the first uncleanable offset, even when older ones follow it.
  temp_dir dir;
  auto c = compact_config();
  c.segment_bytes = 100;  // one batch per segment
  c.min_compaction_lag_ms = 3600'000;
  auto log = open_log(dir.path(), c);
  const int64_t now = wall_ms();
  const int64_t old = now - 2 * 3600'000;
  const int64_t young = now - 60'000;
  append(*log, {rec("a", "1", old)});    // 0
  append(*log, {rec("a", "2", old)});    // 1
  append(*log, {rec("b", "1", old)});    // 2
  append(*log, {rec("a", "3", young)});  // 3: uncleanable from here
  append(*log, {rec("b", "2", old)});    // 4: old, but after a young segment
  append(*log, {rec("a", "4", young)});  // 5
  roll(*log);
  auto stats = clean(*log, true, now);
  EXPECT_TRUE(stats.cleaned);
  EXPECT_EQ(stats.end_offset, 3);  // the checkpoint stops at the young segment
  // Only a=1 went: a=3 and b=2 were not in the key map, so a=2 and b=1 stay.
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{1, "a", "2"},
                                                 {2, "b", "1"},
                                                 {3, "a", "3"},
                                                 {4, "b", "2"},
                                                 {5, "a", "4"}}));
  // Two hours later everything is old enough.
  clean(*log, true, now + 2 * 3600'000);
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{4, "b", "2"}, {5, "a", "4"}}));
}

TEST(log_cleaner, min_compaction_lag_zero_cleans_everything_closed) {
  temp_dir dir;
  auto c = compact_config();
  c.segment_bytes = 100;
  auto log = open_log(dir.path(), c);
  const int64_t now = wall_ms();
  append(*log, {rec("a", "1", now)});
  append(*log, {rec("a", "2", now)});
  roll(*log);
  clean(*log, true, now);
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{1, "a", "2"}}));
}

TEST(log_cleaner, max_compaction_lag_cleans_overdue_dirt_below_the_dirty_ratio) {
  temp_dir dir;
  auto c = compact_config();
  c.segment_bytes = 100;
  auto log = open_log(dir.path(), c);
  const int64_t now = wall_ms();
  for (int i = 0; i < 4; ++i) append(*log, {rec("k" + std::to_string(i), "old", now - 3600'000)});
  roll(*log);
  ASSERT_TRUE(clean(*log, false, now).cleaned);  // all dirty: cleaned, checkpoint at 4
  append(*log, {rec("k0", "new", now - 10 * 60'000)});  // ten minutes old
  roll(*log);
  // One dirty segment of five: below min.cleanable.dirty.ratio (0.5).
  EXPECT_FALSE(clean(*log, false, now).cleaned);
  c.max_compaction_lag_ms = 3600'000;  // not overdue yet
  log->set_config(c);
  EXPECT_FALSE(clean(*log, false, now).cleaned);
  c.max_compaction_lag_ms = 60'000;  // overdue: its first batch is older than a minute
  log->set_config(c);
  auto stats = clean(*log, false, now);
  EXPECT_TRUE(stats.cleaned);
  EXPECT_TRUE(stats.forced_by_max_lag);
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{1, "k1", "old"},
                                                 {2, "k2", "old"},
                                                 {3, "k3", "old"},
                                                 {4, "k0", "new"}}));
  // Nothing dirty is left: no forced pass.
  EXPECT_FALSE(clean(*log, false, now).cleaned);
}

TEST(log_cleaner, max_compaction_lag_rolls_an_idle_compacted_active_segment) {
  // Kafka's maxSegmentMs: a compacted log's active segment rolls at max.compaction.lag.ms
  // when that is below segment.ms, so its records can be cleaned in time.
  temp_dir dir;
  auto c = compact_config();
  c.segment_ms = 3600'000;
  c.max_compaction_lag_ms = 50;
  auto log = open_log(dir.path(), c);
  append(*log, {rec("a", "1")});
  append(*log, {rec("a", "2")});
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  EXPECT_TRUE(log->roll_if_idle(std::chrono::steady_clock::now()).value());
  clean(*log, false, wall_ms());
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{1, "a", "2"}}));
  // The same settings on a delete-only log: segment.ms alone counts.
  temp_dir dir2;
  auto d = c;
  d.cleanup_compact = false;
  d.cleanup_delete = true;
  auto plain = open_log(dir2.path(), d);
  append(*plain, {rec("a", "1")});
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  EXPECT_FALSE(plain->roll_if_idle(std::chrono::steady_clock::now()).value());
}

TEST(log_cleaner, swapped_out_segments_wait_file_delete_delay_ms) {
  temp_dir dir;
  auto c = compact_config();
  c.segment_bytes = 100;
  c.file_delete_delay_ms = 60'000;
  auto log = open_log(dir.path(), c);
  for (int i = 0; i < 4; ++i) append(*log, {rec("a", std::to_string(i))});
  roll(*log);
  ASSERT_TRUE(log->flush());
  auto slice = log->read_slice(core::offset{0}, 1 << 20, core::offset{4}).value();
  ASSERT_GT(slice.size, 0u);
  clean(*log, true);
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{3, "a", "3"}}));
  // The sources are renamed, and the fetch that held the first one still reads it.
  size_t renamed = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    renamed += e.path().filename().string().ends_with(".log.deleted");
  }
  EXPECT_EQ(renamed, 3u);  // offsets 0-2 were compacted away; the segment of 3 is unchanged
  EXPECT_EQ(log->retired_segment_count(), 3u);
  core::bytes raw(slice.size);
  ASSERT_EQ(::pread(slice.source->log_fd(), raw.data(), raw.size(),
                    static_cast<off_t>(slice.position)),
            static_cast<ssize_t>(raw.size()));
  auto first = protocol::decode_record_batch(raw).value();
  EXPECT_EQ(core::to_string(*first.at(0).record.value), "0");
  ASSERT_TRUE(log->delete_retired_files(std::chrono::steady_clock::now() + std::chrono::hours(1)));
  for (const auto& e : fs::directory_iterator(dir.path())) {
    EXPECT_FALSE(e.path().filename().string().ends_with(".deleted")) << e.path();
  }
  // A restart finds the cleaned log as it was.
  ASSERT_TRUE(log->close());
  log.reset();
  log = open_log(dir.path(), c, false);
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{3, "a", "3"}}));
}

// ---- produce-side rules -------------------------------------------------------------------

TEST(log_validator, compacted_topics_refuse_keyless_records) {
  temp_dir dir;
  auto log = open_log(dir.path(), compact_config());
  auto batch = protocol::encode_record_batch(std::vector{rec("k", "v"), rec(std::nullopt, "v")}, {});
  auto r = log->append(batch.value());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::invalid_record);
  EXPECT_EQ(log->log_end_offset(), core::offset{0});
  EXPECT_EQ(append(*log, {rec("k", "v"), rec("k2", std::nullopt)}), 0);

  auto c = compact_config();
  c.cleanup_compact = false;
  log->set_config(c);
  EXPECT_EQ(append(*log, {rec(std::nullopt, "v")}), 2);
}

TEST(log_validator, compression_type_recompresses_other_codecs) {
  temp_dir dir;
  auto c = compact_config();
  c.cleanup_compact = false;
  c.compression = compression_codec::gzip;
  auto log = open_log(dir.path(), c);
  protocol::record_batch_options o;
  o.codec = compression_codec::lz4;
  o.producer_id = core::producer_id{5};
  o.producer_epoch = core::producer_epoch{0};
  o.base_sequence = 0;
  append(*log, {rec("a", "1", 1000), rec("b", "2", 999)}, o);
  c.compression = std::nullopt;  // producer
  log->set_config(c);
  o.base_sequence = 2;  // the producer's next sequence
  append(*log, {rec("c", "3")}, o);
  auto r = log->read(core::offset{0}, 1 << 20, log->high_watermark());
  protocol::batch_iterator it(r.value().records);
  auto b1 = protocol::validate_batch(it.next().value().value());
  auto b2 = protocol::validate_batch(it.next().value().value());
  ASSERT_TRUE(b1);
  ASSERT_TRUE(b2);
  EXPECT_EQ(b1.value().codec(), compression_codec::gzip);
  EXPECT_EQ(b1.value().producer_id.value(), 5);
  EXPECT_EQ(b1.value().last_offset_delta, 1);
  EXPECT_EQ(b2.value().codec(), compression_codec::lz4);  // producer: kept as sent
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{0, "a", "1"}, {1, "b", "2"}, {2, "c", "3"}}));
}

TEST(log_cleaner, compact_only_logs_skip_time_and_size_retention) {
  temp_dir dir;
  auto c = compact_config();
  c.retention_ms = 1;
  c.retention_bytes = 1;
  auto log = open_log(dir.path(), c);
  append(*log, {rec("a", "1", 1)});
  roll(*log);
  append(*log, {rec("b", "1", 1)});
  EXPECT_EQ(log->enforce_retention(wall_ms()).value(), 0u);
  c.cleanup_delete = true;  // compact,delete
  log->set_config(c);
  EXPECT_EQ(log->enforce_retention(wall_ms()).value(), 1u);
  EXPECT_EQ(log->log_start_offset(), core::offset{1});
}

// ---- crash safety -------------------------------------------------------------------------

TEST(log_cleaner_crash, an_interrupted_swap_leaves_no_stale_aborted_transaction_entry) {
  temp_dir dir;
  auto c = compact_config();
  c.delete_retention_ms = 0;
  {
    auto log = open_log(dir.path(), c);
    append(*log, {rec("a", "aborted")}, txn_options(1, 0));            // 0
    ASSERT_TRUE(log->append_marker(core::producer_id{1}, core::producer_epoch{0}, false, 0));  // 1
    append(*log, {rec("b", "1")});                                     // 2
    roll(*log);
    ASSERT_TRUE(log->flush());  // the rolled segment's .txnindex is on disk
    ASSERT_EQ(log->aborted_transactions().size(), 1u);
    cleaner_options o;
    o.failpoint = [](clean_stage s) { return s == clean_stage::swap_committed; };
    EXPECT_FALSE(clean_log(*log, wall_ms() + 1000, o, true));  // "crashes" after the commit
  }
  // Start-up finishes the swap: the aborted record and its (expired) marker are gone, and so
  // is the entry — the sources' .txnindex must not be taken for the cleaned segment's.
  auto log = open_log(dir.path(), c, false);
  EXPECT_EQ(read_all(*log), (std::vector<stored>{{2, "b", "1"}}));
  EXPECT_TRUE(log->aborted_transactions().empty());
  for (const auto& e : fs::directory_iterator(dir.path())) {
    if (e.path().extension() != ".txnindex") continue;
    auto log_file = e.path();
    log_file.replace_extension(".log");
    EXPECT_TRUE(fs::exists(log_file)) << "orphan " << e.path();
  }
}

/// A log with several merge groups of mixed content, the same each time: produced into small
/// segments that the cleaner merges three or so at a time.
void fill_for_crash(partition_log& log) {
  for (int i = 0; i < 60; ++i) {
    std::vector<core::raw_record> rs;
    for (int j = 0; j < 3; ++j) {
      const int n = i * 3 + j;
      rs.push_back(rec("k" + std::to_string(n * 7 % 97),
                       n % 13 == 0 ? std::nullopt : std::optional("v" + std::to_string(n))));
    }
    append(log, rs);
  }
  roll(log);
  auto c = log.config();
  c.segment_bytes = 3000;
  log.set_config(c);
}

log_config crash_config() {
  auto c = compact_config();
  c.segment_bytes = 1000;  // ~9 batches per segment while producing
  c.delete_retention_ms = 0;
  return c;
}

/// The expected states: before cleaning and after a complete pass.
std::pair<std::vector<stored>, std::vector<stored>> crash_states() {
  temp_dir dir;
  auto log = open_log(dir.path(), crash_config());
  fill_for_crash(*log);
  auto before = read_all(*log);
  clean(*log, true, wall_ms() + 1000);
  return {before, read_all(*log)};
}

std::map<std::string, std::optional<std::string>> latest_by_key(const std::vector<stored>& v) {
  std::map<std::string, std::optional<std::string>> m;
  for (const auto& s : v) m[*s.key] = s.value;
  return m;
}

const clean_stage all_stages[] = {clean_stage::cleaned_written, clean_stage::swap_committed,
                                  clean_stage::source_deleted, clean_stage::sources_deleted,
                                  clean_stage::swapped};

/// After recovery the log holds, group by group, either the old or the cleaned records: every
/// record is one that was written at that offset, offsets are unique, the latest value of every
/// non-deleted key survives, and one more pass reaches the fully cleaned state.
void check_recovered(const fs::path& dir, const std::vector<stored>& before,
                     const std::vector<stored>& after) {
  auto merged = crash_config();
  merged.segment_bytes = 3000;
  auto log = open_log(dir, merged, false);
  ASSERT_TRUE(log);
  auto now = read_all(*log);
  std::map<int64_t, stored> written;
  for (const auto& s : before) written[s.offset] = s;
  std::set<int64_t> offsets;
  for (const auto& s : now) {
    EXPECT_TRUE(offsets.insert(s.offset).second) << "offset twice: " << s.offset;
    EXPECT_EQ(written.at(s.offset), s);
  }
  // Everything the cleaned state keeps is still there (nothing lost).
  for (const auto& s : after) EXPECT_TRUE(offsets.contains(s.offset)) << "lost " << s;
  auto expected_latest = latest_by_key(before);
  auto recovered_latest = latest_by_key(now);
  for (const auto& [k, v] : expected_latest) {
    if (v) {
      EXPECT_EQ(recovered_latest[k], v) << k;
    }
  }
  // No leftovers of the protocol.
  for (const auto& e : fs::directory_iterator(dir)) {
    EXPECT_NE(e.path().extension(), ".cleaned");
    EXPECT_NE(e.path().extension(), ".swap");
  }
  clean(*log, true, wall_ms() + 1000);
  EXPECT_EQ(read_all(*log), after);
}

/// How often each stage is reached in a full pass over the crash log.
std::map<clean_stage, int> stage_counts() {
  temp_dir dir;
  auto log = open_log(dir.path(), crash_config());
  fill_for_crash(*log);
  std::map<clean_stage, int> counts;
  cleaner_options o;
  o.failpoint = [&](clean_stage s) {
    ++counts[s];
    return false;
  };
  EXPECT_TRUE(clean_log(*log, wall_ms() + 1000, o, true));
  return counts;
}

TEST(log_cleaner_crash, failpoint_at_every_step_recovers_old_or_new_state) {
  auto [before, after] = crash_states();
  ASSERT_LT(after.size(), before.size());
  auto counts = stage_counts();
  for (auto stage : all_stages) {
    SCOPED_TRACE(static_cast<int>(stage));
    // Several groups reach every stage, so the crash hits a pass with finished groups behind it.
    ASSERT_GE(counts[stage], 2);
    temp_dir dir;
    {
      auto log = open_log(dir.path(), crash_config());
      fill_for_crash(*log);
      cleaner_options o;
      int hits = 0;
      // Crash at the last group's `stage`: the earlier groups are complete by then.
      o.failpoint = [&, last = counts[stage]](clean_stage s) { return s == stage && ++hits == last; };
      auto r = clean_log(*log, wall_ms() + 1000, o, true);
      ASSERT_FALSE(r);
      EXPECT_EQ(r.error(), std::errc::interrupted);
      // The log object is abandoned without close(), as a crash would leave it.
    }
    check_recovered(dir.path(), before, after);
  }
}

TEST(log_cleaner_crash, killed_process_at_every_step_recovers_old_or_new_state) {
  auto [before, after] = crash_states();
  auto counts = stage_counts();
  for (auto stage : all_stages) {
    SCOPED_TRACE(static_cast<int>(stage));
    temp_dir dir;
    {
      auto log = open_log(dir.path(), crash_config());
      fill_for_crash(*log);
      ASSERT_TRUE(log->close());
    }
    const int last = counts[stage];
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      // The child cleans and dies abruptly (no destructors, no flush) at the first `stage`.
      auto merged = crash_config();
      merged.segment_bytes = 3000;
      auto l = partition_log::open(dir.path(), {"t", core::partition_id{0}}, merged, true, core::offset{0}, core::offset{0});
      if (!l) ::_exit(3);
      cleaner_options o;
      int hits = 0;
      o.failpoint = [&](clean_stage s) {
        if (s == stage && ++hits == last) ::_exit(0);
        return false;
      };
      (void)clean_log(*l.value(), wall_ms() + 1000, o, true);
      ::_exit(4);  // the stage was never reached
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    ASSERT_EQ(WEXITSTATUS(status), 0);
    check_recovered(dir.path(), before, after);
  }
}

TEST(log_cleaner_crash, a_half_written_cleaned_file_is_discarded) {
  temp_dir dir;
  auto [before, after] = crash_states();
  {
    auto log = open_log(dir.path(), crash_config());
    fill_for_crash(*log);
  }
  // A torn cleaned file (crash during step 1).
  {
    auto f = file::open(dir.path() / "00000000000000000000.cleaned");
    ASSERT_TRUE(f);
    ASSERT_TRUE(f.value().pwrite(0, core::as_bytes("garbage")));
  }
  auto log = open_log(dir.path(), crash_config(), false);
  EXPECT_EQ(read_all(*log), before);
  EXPECT_FALSE(fs::exists(dir.path() / "00000000000000000000.cleaned"));
}

}  // namespace
}  // namespace sluice::broker::storage
