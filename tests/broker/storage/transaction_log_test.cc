// partition_log with idempotent and transactional producers: sequence checks on append,
// markers, the last stable offset, read_committed reads, the aborted-transaction index and
// producer-state snapshots across restarts and torn tails.

#include "broker/storage/errc.h"
#include "broker/storage/file.h"
#include "broker/storage/partition_log.h"
#include "tests/broker/storage/storage_test_util.h"

#include <algorithm>
#include <fstream>

namespace sluice::broker::storage {
namespace {

using testing::temp_dir;
using testing::values_in;

/// A producer batch of `count` records with values "<tag><i>".
core::bytes pbatch(int64_t pid, int16_t epoch, int32_t seq, int count, const std::string& tag,
                   bool transactional = false, int32_t max_bytes_padding = 0) {
  std::vector<core::raw_record> records;
  for (int i = 0; i < count; ++i) {
    core::raw_record r;
    r.key = core::to_bytes("k" + std::to_string(i));
    r.value = core::to_bytes(tag + std::to_string(i) + std::string(static_cast<size_t>(max_bytes_padding), 'x'));
    r.ts = core::from_epoch_ms(1'000'000 + i);
    records.push_back(std::move(r));
  }
  protocol::record_batch_options o;
  o.producer_id = core::producer_id{pid};
  o.producer_epoch = core::producer_epoch{epoch};
  o.base_sequence = seq;
  o.transactional = transactional;
  auto b = protocol::encode_record_batch(records, o);
  EXPECT_TRUE(b);
  return std::move(b).value();
}

std::unique_ptr<partition_log> open_log(const std::filesystem::path& dir, log_config c = {},
                                        bool clean = true, int64_t recovery_point = 0) {
  auto l = partition_log::open(dir, {"t", core::partition_id{0}}, c, clean, core::offset{recovery_point}, core::offset{0});
  EXPECT_TRUE(l) << l.error().message();
  return std::move(l).value();
}

std::vector<std::string> read_values(const partition_log& log, int64_t from, int64_t upto) {
  auto r = log.read(core::offset{from}, 1 << 20, core::offset{upto});
  EXPECT_TRUE(r);
  // Only data batches: markers have no printable value.
  std::vector<std::string> out;
  protocol::batch_iterator it(r.value().records);
  for (;;) {
    auto next = it.next();
    if (!next || !next.value()) break;
    auto h = protocol::decode_batch_header(*next.value());
    if (h.value().is_control()) continue;
    for (auto& v : values_in(*next.value())) out.push_back(v);
  }
  return out;
}

TEST(transaction_log, idempotent_append_deduplicates_retries_with_original_offsets) {
  temp_dir d;
  auto log = open_log(d.path());
  auto a = log->append(pbatch(1, 0, 0, 2, "a"));
  auto b = log->append(pbatch(1, 0, 2, 3, "b"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(b.value().base_offset, core::offset{2});
  EXPECT_FALSE(b.value().duplicate);
  auto retry = log->append(pbatch(1, 0, 0, 2, "a"));
  ASSERT_TRUE(retry);
  EXPECT_TRUE(retry.value().duplicate);
  EXPECT_EQ(retry.value().base_offset, core::offset{0});
  EXPECT_EQ(retry.value().last_offset, core::offset{1});
  EXPECT_EQ(log->log_end_offset(), core::offset{5});  // nothing appended
  EXPECT_EQ(log->append(pbatch(1, 0, 7, 1, "c")).error(), errc::out_of_order_sequence);
  EXPECT_EQ(log->append(pbatch(1, -1 + 0, 5, 1, "c")).error(), errc::invalid_producer_epoch);
  EXPECT_EQ(log->log_end_offset(), core::offset{5});
  EXPECT_EQ(read_values(*log, 0, 5), (std::vector<std::string>{"a0", "a1", "b0", "b1", "b2"}));
}

TEST(transaction_log, coordinator_batches_skip_sequences_but_open_transactions) {
  temp_dir d;
  auto log = open_log(d.path());
  ASSERT_TRUE(log->append(pbatch(3, 0, 0, 1, "x")));
  // base_sequence -1 with a producer id is refused from a client, accepted from a coordinator.
  auto coordinator = pbatch(4, 1, -1, 1, "o", true);
  EXPECT_EQ(log->append(coordinator).error(), errc::invalid_batch);
  auto r = log->append(coordinator, append_origin::coordinator);
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(log->last_stable_offset(), core::offset{1});
  ASSERT_TRUE(log->append_marker(core::producer_id{4}, core::producer_epoch{1}, true, 0));
  EXPECT_EQ(log->last_stable_offset(), core::offset{3});
}

TEST(transaction_log, lso_follows_the_oldest_open_transaction_of_interleaved_producers) {
  temp_dir d;
  auto log = open_log(d.path());
  ASSERT_TRUE(log->append(pbatch(9, 0, 0, 2, "plain")));           // 0-1
  EXPECT_EQ(log->last_stable_offset(), core::offset{2});
  ASSERT_TRUE(log->append(pbatch(1, 0, 0, 1, "p1-", true)));       // 2
  ASSERT_TRUE(log->append(pbatch(2, 0, 0, 2, "p2-", true)));       // 3-4
  ASSERT_TRUE(log->append(pbatch(1, 0, 1, 1, "p1b", true)));       // 5
  ASSERT_TRUE(log->append(pbatch(3, 0, 0, 1, "p3-", true)));       // 6
  EXPECT_EQ(log->last_stable_offset(), core::offset{2});
  EXPECT_EQ(log->high_watermark(), core::offset{7});
  auto m = log->append_marker(core::producer_id{2}, core::producer_epoch{0}, false, 5);  // 7: abort p2
  ASSERT_TRUE(m);
  EXPECT_EQ(m.value().base_offset, core::offset{7});
  EXPECT_EQ(log->last_stable_offset(), core::offset{2});  // p1 still open
  ASSERT_TRUE(log->append_marker(core::producer_id{1}, core::producer_epoch{0}, true, 5));  // 8: commit p1
  EXPECT_EQ(log->last_stable_offset(), core::offset{6});  // p3 still open
  ASSERT_TRUE(log->append_marker(core::producer_id{3}, core::producer_epoch{0}, false, 5));  // 9: abort p3
  EXPECT_EQ(log->last_stable_offset(), core::offset{10});
  EXPECT_EQ(log->high_watermark(), core::offset{10});
  auto aborted = log->aborted_transactions();
  ASSERT_EQ(aborted.size(), 2u);
  EXPECT_EQ(aborted[0], (aborted_txn_entry{2, 3, 7, 2}));
  // DeleteRecords past the first offset of an open transaction: the LSO does not stay below
  // the log start.
  {
    temp_dir d2;
    auto other = open_log(d2.path());
    ASSERT_TRUE(other->append(pbatch(1, 0, 0, 2, "open", true)));
    ASSERT_TRUE(other->append(pbatch(2, 0, 0, 2, "plain")));
    EXPECT_EQ(other->last_stable_offset(), core::offset{0});
    ASSERT_TRUE(other->delete_records_before(core::offset{1}));
    EXPECT_EQ(other->last_stable_offset(), core::offset{1});
  }
  EXPECT_EQ(aborted[1], (aborted_txn_entry{3, 6, 9, 10}));
  // A marker for a producer without an open transaction is still written, fencing its epoch.
  ASSERT_TRUE(log->append_marker(core::producer_id{1}, core::producer_epoch{2}, false, 6));
  EXPECT_EQ(log->log_end_offset(), core::offset{11});
  EXPECT_EQ(log->aborted_transactions().size(), 2u);
  EXPECT_EQ(log->append(pbatch(1, 0, 2, 1, "late", true)).error(), errc::invalid_producer_epoch);
}

TEST(transaction_log, read_committed_lists_aborted_transactions_of_the_data_returned) {
  temp_dir d;
  auto log = open_log(d.path());
  ASSERT_TRUE(log->append(pbatch(1, 0, 0, 2, "a", true)));   // 0-1 aborted
  ASSERT_TRUE(log->append(pbatch(2, 0, 0, 1, "c", true)));   // 2   committed
  ASSERT_TRUE(log->append_marker(core::producer_id{1}, core::producer_epoch{0}, false, 0));  // 3
  ASSERT_TRUE(log->append_marker(core::producer_id{2}, core::producer_epoch{0}, true, 0));   // 4
  ASSERT_TRUE(log->append(pbatch(1, 0, 2, 1, "d", true)));   // 5 aborted
  ASSERT_TRUE(log->append_marker(core::producer_id{1}, core::producer_epoch{0}, false, 0));  // 6
  ASSERT_TRUE(log->append(pbatch(9, 0, 0, 1, "open", true)));  // 7: open
  EXPECT_EQ(log->last_stable_offset(), core::offset{7});

  auto all = log->read(core::offset{0}, 1 << 20, log->last_stable_offset(), true);
  ASSERT_TRUE(all);
  EXPECT_EQ(all.value().aborted,
            (std::vector<aborted_txn>{{core::producer_id{1}, core::offset{0}}, {core::producer_id{1}, core::offset{5}}}));
  // Nothing of the open transaction is returned below the LSO.
  EXPECT_EQ(read_values(*log, 0, log->last_stable_offset().value()),
            (std::vector<std::string>{"a0", "a1", "c0", "d0"}));
  // From offset 4: the first abort's marker (3) is behind the fetch offset.
  auto later = log->read(core::offset{4}, 1 << 20, log->last_stable_offset(), true);
  EXPECT_EQ(later.value().aborted, (std::vector<aborted_txn>{{core::producer_id{1}, core::offset{5}}}));
  // Data ending before offset 5 does not list the transaction that starts there.
  auto first_batch_only = log->read(core::offset{0}, 1, log->last_stable_offset(), true);
  EXPECT_EQ(first_batch_only.value().aborted, (std::vector<aborted_txn>{{core::producer_id{1}, core::offset{0}}}));
  // read_uncommitted lists nothing.
  EXPECT_TRUE(log->read(core::offset{0}, 1 << 20, log->high_watermark()).value().aborted.empty());
  // read_slice (the Fetch path, which sends the batches from the file) lists the same.
  const int64_t lso = log->last_stable_offset().value();
  EXPECT_EQ(log->read_slice(core::offset{0}, 1 << 20, core::offset{lso}, true).value().aborted, all.value().aborted);
  EXPECT_EQ(log->read_slice(core::offset{4}, 1 << 20, core::offset{lso}, true).value().aborted, later.value().aborted);
  EXPECT_EQ(log->read_slice(core::offset{0}, 1, core::offset{lso}, true).value().aborted, first_batch_only.value().aborted);
  EXPECT_TRUE(log->read_slice(core::offset{0}, 1 << 20, log->high_watermark()).value().aborted.empty());
}

TEST(transaction_log, marker_bytes_are_exact) {
  temp_dir d;
  auto log = open_log(d.path());
  ASSERT_TRUE(log->append_marker(core::producer_id{0x0102030405060708}, core::producer_epoch{0x0a0b}, false, 0x11223344));
  auto r = log->read(core::offset{0}, 1 << 20, core::offset{1});
  ASSERT_TRUE(r);
  auto records = protocol::decode_record_batch(r.value().records);
  ASSERT_TRUE(records);
  auto h = protocol::decode_batch_header(r.value().records).value();
  EXPECT_EQ(h.attributes, 0x30);
  EXPECT_EQ(h.base_sequence, -1);
  EXPECT_EQ(h.record_count, 1);
  EXPECT_EQ(h.producer_id.value(), 0x0102030405060708);
  EXPECT_EQ(h.producer_epoch.value(), 0x0a0b);
  ASSERT_EQ(records.value().size(), 1u);
  EXPECT_EQ(*records.value()[0].record.key, core::to_bytes(std::string("\0\0\0\0", 4)));
  EXPECT_EQ(*records.value()[0].record.value, core::to_bytes(std::string("\0\0\x11\x22\x33\x44", 6)));
}

TEST(transaction_log, state_and_aborted_index_survive_clean_restart_and_segment_deletion) {
  temp_dir d;
  log_config c;
  c.segment_bytes = 100;  // one batch per segment
  {
    auto log = open_log(d.path(), c);
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(log->append(pbatch(1, 0, i, 1, "v", true)));
    ASSERT_TRUE(log->append_marker(core::producer_id{1}, core::producer_epoch{0}, false, 1));
    ASSERT_TRUE(log->append(pbatch(2, 0, 0, 1, "open", true)));
    ASSERT_TRUE(log->flush());
    EXPECT_GT(log->segment_count(), 1u);
    ASSERT_TRUE(log->close());
  }
  bool has_txnindex = false;
  for (const auto& e : std::filesystem::directory_iterator(d.path())) {
    if (e.path().extension() == ".txnindex" && std::filesystem::file_size(e.path()) == 34) has_txnindex = true;
  }
  EXPECT_TRUE(has_txnindex);
  auto log = open_log(d.path(), c);
  EXPECT_EQ(log->last_stable_offset(), core::offset{7});
  ASSERT_EQ(log->aborted_transactions().size(), 1u);
  EXPECT_EQ(log->aborted_transactions()[0].first_offset, 0);
  EXPECT_EQ(log->append(pbatch(1, 0, 6, 1, "v", true)).value().base_offset, core::offset{8});
  EXPECT_TRUE(log->append(pbatch(1, 0, 6, 1, "v", true)).value().duplicate);
  // Deleting the segments deletes their aborted-transaction entries.
  ASSERT_TRUE(log->delete_records_before(core::offset{8}));
  EXPECT_TRUE(log->aborted_transactions().empty());
}

TEST(transaction_log, unclean_restart_replays_after_torn_tail_and_still_deduplicates) {
  temp_dir d;
  log_config c;
  c.segment_bytes = 500;
  core::bytes retried = pbatch(5, 0, 0, 0 + 1, "r");
  {
    auto log = open_log(d.path(), c);
    int32_t seq = 0;
    for (int i = 0; i < 8; ++i, ++seq) ASSERT_TRUE(log->append(pbatch(1, 0, seq, 1, "v", true)));
    ASSERT_TRUE(log->append_marker(core::producer_id{1}, core::producer_epoch{0}, false, 1));  // 8
    ASSERT_TRUE(log->flush());  // writes the roll snapshots
    ASSERT_TRUE(log->append(pbatch(7, 0, 0, 1, "t", true)));  // 9: open txn
    ASSERT_TRUE(log->append(pbatch(1, 0, seq, 1, "w", true)));  // 10
    ASSERT_TRUE(log->append_marker(core::producer_id{1}, core::producer_epoch{0}, false, 1));  // 11: second abort
    ASSERT_TRUE(log->append(retried));  // 12
    ASSERT_TRUE(log->append(pbatch(5, 0, 1, 1, "torn")));  // 13: will be torn
    ASSERT_TRUE(log->flush());
    // No close(): a crash. Tear the last batch.
  }
  std::filesystem::path last;
  for (const auto& e : std::filesystem::directory_iterator(d.path())) {
    if (e.path().extension() == ".log" && (last.empty() || e.path() > last)) last = e.path();
  }
  std::filesystem::resize_file(last, std::filesystem::file_size(last) - 5);
  // Segments before the last one are trusted; the last one is scanned, truncated and its
  // producer state replayed from the snapshot taken when it was rolled.
  const int64_t last_base = std::stoll(last.stem().string());
  ASSERT_GT(last_base, 0);
  ASSERT_TRUE(std::filesystem::exists(d.path() / (last.stem().string() + ".snapshot")));
  auto log = open_log(d.path(), c, false, last_base);
  EXPECT_EQ(log->log_end_offset(), core::offset{13});
  EXPECT_EQ(log->last_stable_offset(), core::offset{9});  // producer 7's transaction is still open
  auto aborted = log->aborted_transactions();
  ASSERT_EQ(aborted.size(), 2u);
  EXPECT_EQ(aborted[0].first_offset, 0);
  EXPECT_EQ(aborted[0].last_offset, 8);
  EXPECT_EQ(aborted[1].first_offset, 10);
  EXPECT_EQ(aborted[1].last_offset, 11);
  // The retry of a batch written before the crash is a duplicate; the torn one is appended.
  auto again = log->append(retried);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again.value().duplicate);
  EXPECT_EQ(again.value().base_offset, core::offset{12});
  auto torn = log->append(pbatch(5, 0, 1, 1, "torn"));
  ASSERT_TRUE(torn);
  EXPECT_FALSE(torn.value().duplicate);
  EXPECT_EQ(torn.value().base_offset, core::offset{13});
  EXPECT_EQ(log->append(pbatch(1, 0, 20, 1, "x", true)).error(), errc::out_of_order_sequence);
  EXPECT_TRUE(log->append(pbatch(1, 0, 5, 1, "v", true)).value().duplicate);  // in the window
  EXPECT_FALSE(log->append(pbatch(1, 0, 9, 1, "x", true)).value().duplicate);
}

TEST(transaction_log, damaged_snapshot_falls_back_to_an_older_one_or_the_log) {
  temp_dir d;
  log_config c;
  c.segment_bytes = 300;
  {
    auto log = open_log(d.path(), c);
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->append(pbatch(1, 0, i, 1, "v")));
    ASSERT_TRUE(log->close());
  }
  // Damage every snapshot: the state is rebuilt from the log itself.
  for (const auto& e : std::filesystem::directory_iterator(d.path())) {
    if (e.path().extension() != ".snapshot") continue;
    std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(10);
    f.put('\x7f');
  }
  auto log = open_log(d.path(), c);
  const auto state = log->producers();
  const auto* p = state.find(core::producer_id{1});
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->batches.back().last_sequence, 9);
  EXPECT_TRUE(log->append(pbatch(1, 0, 9, 1, "v")).value().duplicate);
}

TEST(transaction_log, retention_expires_idle_producers_whose_data_is_gone) {
  temp_dir d;
  log_config c;
  c.segment_bytes = 100;  // one batch per segment
  c.producer_id_expiration_ms = 60'000;
  auto log = open_log(d.path(), c);
  ASSERT_TRUE(log->append(pbatch(1, 0, 0, 1, "gone")));  // 0
  ASSERT_TRUE(log->append(pbatch(2, 0, 0, 1, "kept")));  // 1
  ASSERT_TRUE(log->append(pbatch(3, 0, 0, 1, "tail")));  // 2 (active segment)
  ASSERT_TRUE(log->delete_records_before(core::offset{1}));
  // The batches' timestamps are from 1970: every producer is idle. Only producer 1's data is
  // all below the log start.
  ASSERT_TRUE(log->enforce_retention(2'000'000'000'000));
  auto state = log->producers();
  EXPECT_EQ(state.find(core::producer_id{1}), nullptr);
  EXPECT_NE(state.find(core::producer_id{2}), nullptr);
  EXPECT_NE(state.find(core::producer_id{3}), nullptr);
  // An expired producer is unknown again: any sequence is accepted.
  EXPECT_FALSE(log->append(pbatch(1, 0, 17, 1, "back")).value().duplicate);
  EXPECT_EQ(log->append(pbatch(2, 0, 5, 1, "gap")).error(), errc::out_of_order_sequence);
  // Not before producer.id.expiration.ms of idleness.
  ASSERT_TRUE(log->delete_records_before(core::offset{3}));
  ASSERT_TRUE(log->enforce_retention(1'000'000 + 30'000));
  EXPECT_NE(log->producers().find(core::producer_id{2}), nullptr);
}

TEST(transaction_log, torn_or_missing_txnindex_is_rebuilt_from_the_log) {
  temp_dir d;
  log_config c;
  c.segment_bytes = 100;  // one batch per segment
  std::vector<aborted_txn_entry> expected;
  {
    auto log = open_log(d.path(), c);
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(log->append(pbatch(1, 0, i, 1, "a", true)));
      ASSERT_TRUE(log->append_marker(core::producer_id{1}, core::producer_epoch{0}, false, 0));
    }
    expected = log->aborted_transactions();
    ASSERT_EQ(expected.size(), 3u);
    ASSERT_TRUE(log->close());
  }
  // Tear one index file, delete another; the clean-shutdown snapshot is newer than both.
  std::vector<std::filesystem::path> indexes;
  for (const auto& e : std::filesystem::directory_iterator(d.path())) {
    if (e.path().extension() == ".txnindex" && std::filesystem::file_size(e.path()) == 34) {
      indexes.push_back(e.path());
    }
  }
  std::sort(indexes.begin(), indexes.end());
  ASSERT_EQ(indexes.size(), 3u);
  std::filesystem::resize_file(indexes[0], 20);
  std::filesystem::remove(indexes[2]);
  auto log = open_log(d.path(), c);
  EXPECT_EQ(log->aborted_transactions(), expected);
  EXPECT_EQ(std::filesystem::file_size(indexes[0]), 34u);  // rewritten whole
  EXPECT_TRUE(std::filesystem::exists(indexes[2]));
  // A read returns one segment's batches here: the aborted list covers just that data.
  EXPECT_EQ(log->read(core::offset{0}, 1 << 20, log->last_stable_offset(), true).value().aborted,
            (std::vector<aborted_txn>{{core::producer_id{1}, core::offset{0}}}));
  EXPECT_EQ(log->read(core::offset{4}, 1 << 20, log->last_stable_offset(), true).value().aborted,
            (std::vector<aborted_txn>{{core::producer_id{1}, core::offset{4}}}));
}

TEST(transaction_log, active_producers_report_what_describe_producers_shows) {
  temp_dir d;
  using core::offset;
  using core::producer_epoch;
  using core::producer_id;
  std::vector<active_producer> last;
  {
    auto log = open_log(d.path());
    EXPECT_TRUE(log->active_producers().empty());
    ASSERT_TRUE(log->append(testing::make_batch(2)));               // 0..1: no producer id, not tracked
    ASSERT_TRUE(log->append(pbatch(1, 0, 0, 3, "i")));              // 2..4: idempotent, sequences 0..2
    ASSERT_TRUE(log->append(pbatch(2, 4, 0, 2, "t", true)));        // 5..6: opens producer 2's transaction
    ASSERT_TRUE(log->append(pbatch(2, 4, 2, 3, "t", true)));        // 7..9: sequences 2..4
    // By producer id; the timestamps are each one's newest batch's max timestamp.
    EXPECT_EQ(log->active_producers(),
              (std::vector<active_producer>{
                  {producer_id{1}, producer_epoch{0}, 2, 1'000'002, -1, offset{-1}},
                  {producer_id{2}, producer_epoch{4}, 4, 1'000'002, -1, offset{5}}}));

    // A commit marker ends the transaction, records the coordinator epoch and stamps the
    // producer with the marker's (broker clock) timestamp; the sequence history stays.
    const int64_t before = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
    ASSERT_TRUE(log->append_marker(producer_id{2}, producer_epoch{4}, true, 7));
    auto after_commit = log->active_producers();
    ASSERT_EQ(after_commit.size(), 2u);
    EXPECT_EQ(after_commit[1].last_sequence, 4);
    EXPECT_EQ(after_commit[1].coordinator_epoch, 7);
    EXPECT_EQ(after_commit[1].current_txn_start_offset, offset{-1});
    EXPECT_GE(after_commit[1].last_timestamp, before);

    // A marker with a bumped epoch (transaction version 2, or a fencing abort) restarts the
    // sequence history: no last sequence in the new epoch.
    ASSERT_TRUE(log->append_marker(producer_id{2}, producer_epoch{5}, false, 8));
    auto bumped = log->active_producers();
    ASSERT_EQ(bumped.size(), 2u);
    EXPECT_EQ(bumped[1].producer_epoch, producer_epoch{5});
    EXPECT_EQ(bumped[1].last_sequence, -1);
    EXPECT_EQ(bumped[1].coordinator_epoch, 8);
    // A new transaction of producer 1 opens at its first batch.
    ASSERT_TRUE(log->append(pbatch(1, 1, 0, 1, "j", true)));        // 12
    last = log->active_producers();
    ASSERT_EQ(last.size(), 2u);
    EXPECT_EQ(last[0].producer_epoch, producer_epoch{1});
    EXPECT_EQ(last[0].last_sequence, 0);
    EXPECT_EQ(last[0].current_txn_start_offset, offset{12});
    ASSERT_TRUE(log->close());
  }
  // The same answer after a restart (snapshot and replay).
  EXPECT_EQ(open_log(d.path())->active_producers(), last);
}

}  // namespace
}  // namespace sluice::broker::storage
