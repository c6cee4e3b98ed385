#include "broker/storage/errc.h"
#include "broker/storage/producer_state.h"
#include "core/big_endian.h"
#include "core/crc32c.h"
#include "tests/core/protocol/golden.h"
#include "tests/broker/storage/storage_test_util.h"

#include <limits>

namespace sluice::broker::storage {
namespace {

/// The header of a producer batch of `count` records at `base_offset`.
batch_header header(int64_t pid, int16_t epoch, int32_t seq, int32_t count, int64_t base_offset,
                    bool transactional = false) {
  batch_header h;
  h.producer_id = core::producer_id{pid};
  h.producer_epoch = core::producer_epoch{epoch};
  h.base_sequence = seq;
  h.record_count = count;
  h.last_offset_delta = count - 1;
  h.base_offset = core::offset{base_offset};
  h.max_timestamp = 1000 + base_offset;
  if (transactional) h.attributes = protocol::batch_attribute::transactional;
  return h;
}

TEST(producer_state, unknown_producers_start_anywhere_then_sequences_must_follow) {
  producer_state s;
  auto first = header(7, 0, 42, 3, 0);
  EXPECT_FALSE(s.check(first).value());  // no state: accepted at any sequence
  s.on_append(first);
  EXPECT_FALSE(s.check(header(7, 0, 45, 2, 3)).value());
  EXPECT_EQ(s.check(header(7, 0, 46, 2, 3)).error(), errc::out_of_order_sequence);  // a gap
  EXPECT_EQ(s.check(header(7, 0, 44, 2, 3)).error(), errc::out_of_order_sequence);  // overlaps
  // Another producer id is independent.
  EXPECT_FALSE(s.check(header(8, 0, 0, 1, 3)).value());
}

TEST(producer_state, sequence_wraps_from_int32_max_to_zero) {
  constexpr int32_t max = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(next_sequence(max), 0);
  EXPECT_EQ(last_sequence_of(max - 1, 2), 0);  // max-1, max, 0
  EXPECT_EQ(last_sequence_of(max, 0), max);
  producer_state s;
  s.on_append(header(1, 0, max - 1, 2, 0));
  EXPECT_FALSE(s.check(header(1, 0, 0, 1, 2)).value());
  EXPECT_EQ(s.check(header(1, 0, max, 1, 2)).error(), errc::out_of_order_sequence);
  s.on_append(header(1, 0, 0, 1, 2));
  s.on_append(header(1, 0, 1, 2, 3));
  EXPECT_EQ(s.find(core::producer_id{1})->batches.back().last_sequence, 2);
  EXPECT_FALSE(s.check(header(1, 0, 3, 1, 5)).value());
  // A batch spanning the wrap: max-2, max-1, max, 0.
  producer_state w;
  w.on_append(header(2, 0, max - 2, 4, 0));
  EXPECT_EQ(w.find(core::producer_id{2})->batches.back().last_sequence, 0);
  EXPECT_FALSE(w.check(header(2, 0, 1, 1, 4)).value());
  EXPECT_TRUE(w.check(header(2, 0, max - 2, 4, 0)).value());  // its retry
}

TEST(producer_state, last_sequence_of_a_negative_delta_does_not_overflow) {
  // Found by fuzzing (segment_recovery): replaying a stored batch whose last_offset_delta is
  // negative computed INT32_MAX - delta in int32 (undefined), and answered a wrapped sequence.
  constexpr int32_t max = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(last_sequence_of(max, -150798334), max - 150798334);
  EXPECT_EQ(last_sequence_of(0, -1), -1);
  producer_state s;
  batch_header h = header(3, 0, max, 1, 0);
  h.last_offset_delta = -150798334;
  s.on_append(h);
  EXPECT_EQ(s.find(core::producer_id{3})->batches.back().last_sequence, max - 150798334);
}

TEST(producer_state, epochs_fence_older_and_a_bump_restarts_at_zero) {
  producer_state s;
  s.on_append(header(1, 3, 0, 5, 0));
  EXPECT_EQ(s.check(header(1, 2, 5, 1, 5)).error(), errc::invalid_producer_epoch);
  EXPECT_EQ(s.check(header(1, 4, 5, 1, 5)).error(), errc::out_of_order_sequence);
  EXPECT_FALSE(s.check(header(1, 4, 0, 1, 5)).value());
  s.on_append(header(1, 4, 0, 1, 5));
  EXPECT_EQ(s.find(core::producer_id{1})->epoch, 4);
  EXPECT_EQ(s.check(header(1, 3, 5, 1, 6)).error(), errc::invalid_producer_epoch);
  // A marker with a newer epoch fences the old one; the new epoch starts at sequence 0.
  s.on_marker(core::producer_id{1}, 5, false, 0, 6, 2000, 7);
  EXPECT_EQ(s.check(header(1, 4, 1, 1, 7)).error(), errc::invalid_producer_epoch);
  EXPECT_EQ(s.check(header(1, 5, 3, 1, 7)).error(), errc::out_of_order_sequence);
  EXPECT_FALSE(s.check(header(1, 5, 0, 1, 7)).value());
}

TEST(producer_state, duplicates_of_the_last_five_batches_return_the_original) {
  producer_state s;
  for (int i = 0; i < 7; ++i) s.on_append(header(9, 0, i * 2, 2, 100 + i * 2));
  // Batches 2..6 (sequences 4..13) are remembered; 0 and 1 have left the window.
  for (int i = 2; i < 7; ++i) {
    auto dup = s.check(header(9, 0, i * 2, 2, 0));
    ASSERT_TRUE(dup) << i;
    ASSERT_TRUE(dup.value()) << i;
    EXPECT_EQ(dup.value()->first_offset, 100 + i * 2);
    EXPECT_EQ(dup.value()->last_offset, 101 + i * 2);
  }
  EXPECT_EQ(s.check(header(9, 0, 2, 2, 0)).error(), errc::out_of_order_sequence);
  // Same first sequence but a different length is not a duplicate.
  EXPECT_EQ(s.check(header(9, 0, 12, 1, 0)).error(), errc::out_of_order_sequence);
}

TEST(producer_state, transactions_open_at_their_first_batch_and_end_with_markers) {
  producer_state s;
  EXPECT_FALSE(s.first_unstable_offset());
  s.on_append(header(1, 0, 0, 2, 10, true));
  s.on_append(header(2, 0, 0, 1, 12, true));
  s.on_append(header(1, 0, 2, 1, 13, true));  // still the same transaction
  EXPECT_EQ(s.first_unstable_offset(), 10);
  EXPECT_FALSE(s.on_marker(core::producer_id{1}, 0, true, 3, 14, 0, 15));  // commit
  EXPECT_EQ(s.first_unstable_offset(), 12);
  auto aborted = s.on_marker(core::producer_id{2}, 0, false, 3, 15, 0, 16);
  ASSERT_TRUE(aborted);
  EXPECT_EQ(*aborted, (aborted_txn_entry{2, 12, 15, 16}));
  EXPECT_FALSE(s.first_unstable_offset());
  // Sequences survive the markers.
  EXPECT_FALSE(s.check(header(1, 0, 3, 1, 16)).value());
  EXPECT_EQ(s.check(header(1, 0, 0, 1, 16)).error(), errc::out_of_order_sequence);
  // A marker with no open transaction ends nothing and reports no aborted transaction.
  EXPECT_FALSE(s.on_marker(core::producer_id{1}, 0, false, 3, 16, 0, 17));
  // Coordinator writes (no sequence) still open a transaction.
  s.on_append(header(3, 0, -1, 1, 17, true), false);
  EXPECT_EQ(s.first_unstable_offset(), 17);
  EXPECT_TRUE(s.find(core::producer_id{3})->batches.empty());
  // An unchecked write of an older epoch neither lowers the epoch nor touches the history.
  s.on_append(header(1, 3, 0, 1, 18));
  s.on_append(header(1, 2, 0, 1, 19, true), false);
  EXPECT_EQ(s.find(core::producer_id{1})->epoch, 3);
  EXPECT_EQ(s.find(core::producer_id{1})->batches.size(), 1u);
  EXPECT_EQ(s.find(core::producer_id{1})->txn_first_offset, 19);
}

TEST(producer_state, snapshot_round_trips_and_detects_damage) {
  producer_state s;
  for (int i = 0; i < 6; ++i) s.on_append(header(1, 2, i, 1, i));
  s.on_append(header(5, 0, 0, 3, 6, true));
  s.on_marker(core::producer_id{6}, 4, true, 9, 9, 5000, 10);
  auto bytes = s.serialize(10);
  auto back = producer_state::deserialize(bytes);
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back.value().first, 10);
  EXPECT_EQ(back.value().second, s);
  EXPECT_EQ(back.value().second.first_unstable_offset(), 6);
  EXPECT_EQ(back.value().second.find(core::producer_id{1})->batches.size(), producer_state::max_batches);
  auto damaged = bytes;
  damaged[20] ^= std::byte{1};
  EXPECT_FALSE(producer_state::deserialize(damaged));
  EXPECT_FALSE(producer_state::deserialize(bytes_view(bytes).first(bytes.size() - 1)));
}

TEST(producer_state, snapshot_with_a_producer_listed_twice_is_refused) {
  // Found by fuzzing (producer_snapshot): the second entry of producer 1 replaced the first
  // but left its open transaction (first offset 5) behind, so the first unstable offset — and
  // with it the LSO — stayed at 5 for good. Ids must increase, as serialize() writes them.
  auto snapshot = protocol::test::hex(
      "00 01"                    // version 1
      "00 00 00 00"              // CRC-32C, filled in below
      "00 00 00 00 00 00 00 0a"  // snapshot offset 10
      "00 00 00 02"              // 2 producers
      "00 00 00 00 00 00 00 01 00 00 ff ff ff ff ff ff ff ff ff ff ff ff"  // id 1, epoch 0, -1, -1
      "00 00 00 00 00 00 00 05 00"                                         // open txn at 5, 0 batches
      "00 00 00 00 00 00 00 01 00 00 ff ff ff ff ff ff ff ff ff ff ff ff"  // id 1 again
      "ff ff ff ff ff ff ff ff 00");                                       // no txn, 0 batches
  core::store_be<uint32_t>(snapshot.data() + 2, core::crc32c(bytes_view(snapshot).subspan(6)));
  EXPECT_EQ(producer_state::deserialize(snapshot).error(), errc::corrupt_batch);
  // In increasing order, the same entries are a valid snapshot.
  core::store_be<int64_t>(snapshot.data() + 18 + 31, 2);
  core::store_be<uint32_t>(snapshot.data() + 2, core::crc32c(bytes_view(snapshot).subspan(6)));
  auto ok = producer_state::deserialize(snapshot);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok.value().second.first_unstable_offset(), 5);
}

TEST(producer_state, expires_idle_producers_whose_data_is_gone) {
  producer_state s;
  s.on_append(header(1, 0, 0, 1, 0));              // old data, idle
  s.on_append(header(2, 0, 0, 1, 50));             // data still in the log
  s.on_append(header(3, 0, 0, 1, 1, true));        // open transaction
  EXPECT_EQ(s.expire(10, 10'000, 100), 1u);
  EXPECT_EQ(s.find(core::producer_id{1}), nullptr);
  EXPECT_NE(s.find(core::producer_id{2}), nullptr);
  EXPECT_NE(s.find(core::producer_id{3}), nullptr);
}

}  // namespace
}  // namespace sluice::broker::storage
