#include "core/protocol/records.h"

#include "core/protocol/errc.h"
#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

core::raw_record make_record(std::optional<std::string_view> key, std::optional<std::string_view> value,
                         int64_t ts_ms, core::headers hdrs = {}) {
  core::raw_record r;
  if (key) r.key = core::to_bytes(*key);
  if (value) r.value = core::to_bytes(*value);
  r.ts = core::from_epoch_ms(ts_ms);
  r.hdrs = std::move(hdrs);
  return r;
}

// One record, key "k", value "v", timestamp 1000, header h=x; not idempotent.
// The CRC was computed independently (bitwise CRC-32C over bytes 21..end).
const core::bytes golden_batch = hex(
    "00 00 00 00 00 00 00 00"   // base_offset 0
    "00 00 00 3e"               // batch_length 62
    "00 00 00 00"               // partition_leader_epoch 0
    "02"                        // magic 2
    "85 d4 93 6f"               // crc
    "00 00"                     // attributes: no codec, CreateTime
    "00 00 00 00"               // last_offset_delta 0
    "00 00 00 00 00 00 03 e8"   // base_timestamp 1000
    "00 00 00 00 00 00 03 e8"   // max_timestamp 1000
    "ff ff ff ff ff ff ff ff"   // producer_id -1
    "ff ff"                     // producer_epoch -1
    "ff ff ff ff"               // base_sequence -1
    "00 00 00 01"               // record_count 1
    "18"                        // record length 12 (zigzag)
    "00"                        //   attributes
    "00"                        //   timestamp_delta 0
    "00"                        //   offset_delta 0
    "02 'k'"                    //   key length 1, "k"
    "02 'v'"                    //   value length 1, "v"
    "02"                        //   header count 1
    "02 'h'"                    //     key "h"
    "02 'x'");                  //     value "x"

TEST(records, encodes_the_golden_batch) {
  const core::raw_record rec = make_record("k", "v", 1000, {{"h", core::to_bytes("x")}});
  auto batch = encode_record_batch(std::span(&rec, 1), {});
  ASSERT_TRUE(batch);
  EXPECT_EQ(batch.value(), golden_batch) << dump(batch.value());
}

TEST(records, decodes_the_golden_batch) {
  auto h = validate_batch(golden_batch);
  ASSERT_TRUE(h) << h.error().message();
  EXPECT_EQ(h.value().crc, 0x85d4936fu);
  EXPECT_EQ(h.value().record_count, 1);
  EXPECT_EQ(h.value().size_bytes(), golden_batch.size());
  EXPECT_EQ(h.value().codec(), compression_codec::none);
  EXPECT_FALSE(h.value().is_transactional());
  EXPECT_FALSE(h.value().is_control());
  EXPECT_EQ(h.value().producer_id, producer_id{-1});
  auto records = decode_record_batch(golden_batch);
  ASSERT_TRUE(records) << records.error().message();
  ASSERT_EQ(records.value().size(), 1u);
  const auto& d = records.value()[0];
  EXPECT_EQ(d.offset_delta, 0);
  EXPECT_EQ(d.record, make_record("k", "v", 1000, {{"h", core::to_bytes("x")}}));
}

// COMMIT marker for producer 7 epoch 1, coordinator epoch 0, written at 2000.
const core::bytes golden_commit_marker = hex(
    "00 00 00 00 00 00 00 00"   // base_offset
    "00 00 00 42"               // batch_length 66
    "00 00 00 00"               // partition_leader_epoch
    "02"                        // magic
    "75 eb 43 6a"               // crc
    "00 30"                     // attributes: transactional | control
    "00 00 00 00"               // last_offset_delta
    "00 00 00 00 00 00 07 d0"   // base_timestamp 2000
    "00 00 00 00 00 00 07 d0"   // max_timestamp 2000
    "00 00 00 00 00 00 00 07"   // producer_id 7
    "00 01"                     // producer_epoch 1
    "ff ff ff ff"               // base_sequence -1
    "00 00 00 01"               // record_count 1
    "20"                        // record length 16
    "00 00 00"                  //   attributes, timestamp_delta, offset_delta
    "08 00 00 00 01"            //   key: 4 bytes, version 0, type 1 (COMMIT)
    "0c 00 00 00 00 00 00"      //   value: 6 bytes, version 0, coordinator_epoch 0
    "00");                      //   no headers

TEST(records, control_batch_bytes_are_exact) {
  auto commit = encode_control_batch(control_record_type::commit, producer_id{7},
                                     producer_epoch{1}, 0, core::from_epoch_ms(2000));
  ASSERT_TRUE(commit);
  EXPECT_EQ(commit.value(), golden_commit_marker) << dump(commit.value());

  auto h = validate_batch(golden_commit_marker).value();
  EXPECT_TRUE(h.is_control());
  EXPECT_TRUE(h.is_transactional());
  auto records = decode_record_batch(golden_commit_marker).value();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(decode_control_record_key(*records[0].record.key).value(),
            control_record_type::commit);

  auto abort = encode_control_batch(control_record_type::abort, producer_id{7},
                                    producer_epoch{1}, 5, core::from_epoch_ms(2000));
  auto abort_records = decode_record_batch(abort.value()).value();
  // kafkajs recognises an abort marker by exactly these key bytes.
  EXPECT_EQ(*abort_records[0].record.key, hex("00 00 00 00"));
  EXPECT_EQ(*abort_records[0].record.value, hex("00 00 00 00 00 05"));
  EXPECT_EQ(decode_control_record_key(hex("00 00 00 00")).value(), control_record_type::abort);
  EXPECT_FALSE(decode_control_record_key(hex("00 01 00 00")));     // version 1
  EXPECT_FALSE(decode_control_record_key(hex("00 00 00 02")));     // unknown type
  EXPECT_FALSE(decode_control_record_key(hex("00 00 00 00 00")));  // size 5
}

std::vector<core::raw_record> assorted_records() {
  std::vector<core::raw_record> v;
  v.push_back(make_record("key-1", "value-1", 1'700'000'000'000));
  v.push_back(make_record(std::nullopt, "no key", 1'700'000'000'005));
  v.push_back(make_record("tombstone", std::nullopt, 1'699'999'999'990));  // earlier: delta < 0
  v.push_back(make_record("", "", 1'700'000'000'001));                     // empty, not null
  v.push_back(make_record(std::nullopt, std::nullopt, 1'700'000'000'002));
  v.push_back(make_record("h", "headers", 1'700'000'000'003,
                          {{"trace", core::to_bytes("abc")},
                           {"null-value", std::nullopt},
                           {"trace", core::to_bytes("repeated key")},
                           {"", core::bytes{}}}));
  core::bytes big(100000);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<std::byte>(i * 7);
  core::raw_record large = make_record("large", std::nullopt, 1'700'000'000'004);
  large.value = big;
  v.push_back(large);
  return v;
}

TEST(records, round_trip_with_every_codec) {
  const auto recs = assorted_records();
  for (auto codec : {compression_codec::none, compression_codec::gzip, compression_codec::snappy,
                     compression_codec::lz4, compression_codec::zstd}) {
    SCOPED_TRACE(std::string(name(codec)));
    record_batch_options o;
    o.codec = codec;
    o.base_offset = offset{1000};
    o.producer_id = producer_id{42};
    o.producer_epoch = producer_epoch{3};
    o.base_sequence = 17;
    o.transactional = true;
    auto batch = encode_record_batch(recs, o);
    ASSERT_TRUE(batch) << batch.error().message();
    auto h = validate_batch(batch.value());
    ASSERT_TRUE(h) << h.error().message();
    EXPECT_EQ(h.value().codec(), codec);
    EXPECT_EQ(h.value().base_offset, offset{1000});
    EXPECT_EQ(h.value().last_offset(), offset{1006});
    EXPECT_EQ(h.value().last_offset_delta, 6);
    EXPECT_EQ(h.value().record_count, 7);
    EXPECT_EQ(h.value().base_timestamp, 1'700'000'000'000);
    EXPECT_EQ(h.value().max_timestamp, 1'700'000'000'005);
    EXPECT_EQ(h.value().producer_id, producer_id{42});
    EXPECT_EQ(h.value().producer_epoch, producer_epoch{3});
    EXPECT_EQ(h.value().base_sequence, 17);
    EXPECT_TRUE(h.value().is_transactional());
    if (codec != compression_codec::none) {
      EXPECT_LT(batch.value().size(), 100000u);  // the large value compresses
    }
    auto decoded = decode_record_batch(batch.value());
    ASSERT_TRUE(decoded) << decoded.error().message();
    ASSERT_EQ(decoded.value().size(), recs.size());
    for (size_t i = 0; i < recs.size(); ++i) {
      EXPECT_EQ(decoded.value()[i].offset_delta, static_cast<int32_t>(i));
      EXPECT_EQ(decoded.value()[i].record, recs[i]) << "record " << i;
    }
    EXPECT_EQ(decoded.value()[2].timestamp_delta, -10);
  }
}

TEST(records, log_append_time_uses_max_timestamp) {
  const std::vector<core::raw_record> recs = {make_record("a", "1", 10), make_record("b", "2", 30)};
  record_batch_options o;
  o.ts_type = timestamp_type::log_append_time;
  auto batch = encode_record_batch(recs, o).value();
  EXPECT_EQ(validate_batch(batch).value().ts_type(), timestamp_type::log_append_time);
  auto decoded = decode_record_batch(batch).value();
  EXPECT_EQ(decoded[0].record.ts, core::from_epoch_ms(30));
  EXPECT_EQ(decoded[1].record.ts, core::from_epoch_ms(30));
}

TEST(records, crc_covers_attributes_onward_only) {
  core::bytes batch = golden_batch;
  // base_offset and partition_leader_epoch are outside the CRC: the broker rewrites them.
  set_base_offset(batch, offset{123456789});
  set_partition_leader_epoch(batch, 7);
  auto h = validate_batch(batch);
  ASSERT_TRUE(h);
  EXPECT_EQ(h.value().base_offset, offset{123456789});
  EXPECT_EQ(h.value().partition_leader_epoch, 7);
  // Any byte from the attributes on is covered.
  for (size_t i = batch_crc_start; i < batch.size(); ++i) {
    core::bytes flipped = batch;
    flipped[i] ^= std::byte{0x01};
    EXPECT_EQ(validate_batch(flipped).error(), errc::corrupt_batch) << "byte " << i;
    EXPECT_EQ(record_batch_reader::open(flipped).error(), errc::corrupt_batch) << "byte " << i;
  }
  // A wrong CRC field itself is detected too.
  core::bytes bad_crc = batch;
  bad_crc[17] ^= std::byte{0x80};
  EXPECT_EQ(validate_batch(bad_crc).error(), errc::corrupt_batch);
  // Reading without CRC verification (a client that trusts the broker) still works.
  batch_read_options trusting;
  trusting.verify_crc = false;
  EXPECT_TRUE(record_batch_reader::open(bad_crc, trusting));
}

TEST(records, header_checks) {
  EXPECT_EQ(decode_batch_header(bytes_view(golden_batch).first(60)).error(), errc::corrupt_batch);
  EXPECT_TRUE(decode_batch_header(bytes_view(golden_batch).first(61)));
  core::bytes magic1 = golden_batch;
  magic1[16] = std::byte{1};
  EXPECT_EQ(decode_batch_header(magic1).error(), errc::corrupt_batch);
  core::bytes short_length = golden_batch;
  short_length[11] = std::byte{48};  // batch_length 48 < 49
  EXPECT_EQ(decode_batch_header(short_length).error(), errc::corrupt_batch);
  // validate_batch wants exactly one batch.
  core::bytes longer = golden_batch;
  longer.push_back(std::byte{0});
  EXPECT_EQ(validate_batch(longer).error(), errc::corrupt_batch);
  EXPECT_EQ(validate_batch(bytes_view(golden_batch).first(golden_batch.size() - 1)).error(),
            errc::corrupt_batch);
}

TEST(records, truncation_at_every_byte_fails_cleanly) {
  for (auto codec : {compression_codec::none, compression_codec::zstd}) {
    record_batch_options o;
    o.codec = codec;
    const auto batch = encode_record_batch(assorted_records(), o).value();
    for (size_t n = 0; n < batch.size(); n += (n < 200 ? 1 : 101)) {
      const auto prefix = bytes_view(batch).first(n);
      EXPECT_FALSE(validate_batch(prefix)) << n;
      EXPECT_FALSE(decode_record_batch(prefix)) << n;
    }
  }
}

/// Rewrites the record_count field and fixes the CRC, to test the record-level checks.
core::bytes with_record_count(core::bytes batch, int32_t count) {
  for (int i = 0; i < 4; ++i) {
    batch[57 + i] = static_cast<std::byte>((static_cast<uint32_t>(count) >> (24 - 8 * i)) & 0xff);
  }
  const uint32_t crc = compute_batch_crc(batch);
  for (int i = 0; i < 4; ++i) batch[17 + i] = static_cast<std::byte>((crc >> (24 - 8 * i)) & 0xff);
  return batch;
}

TEST(records, record_count_must_match_the_records) {
  EXPECT_EQ(decode_record_batch(with_record_count(golden_batch, 2)).error(),
            errc::corrupt_batch);  // claims 2, holds 1
  EXPECT_EQ(decode_record_batch(with_record_count(golden_batch, 0)).error(),
            errc::corrupt_batch);  // claims 0, holds bytes
  // A huge claim must not allocate for it.
  EXPECT_EQ(decode_record_batch(with_record_count(golden_batch, INT32_MAX)).error(),
            errc::corrupt_batch);
  EXPECT_EQ(decode_record_batch(with_record_count(golden_batch, -1)).error(),
            errc::corrupt_batch);
}

TEST(records, malformed_record_fields_fail) {
  // Record length larger than the bytes left.
  core::bytes b = golden_batch;
  b[61] = std::byte{0x7e};
  b = with_record_count(b, 1);
  EXPECT_EQ(decode_record_batch(b).error(), errc::corrupt_batch);
  // Key length -2.
  b = golden_batch;
  b[65] = std::byte{0x03};
  b = with_record_count(b, 1);
  EXPECT_EQ(decode_record_batch(b).error(), errc::corrupt_batch);
  // Header count 63 with 4 bytes left.
  b = golden_batch;
  b[69] = std::byte{0x7e};
  b = with_record_count(b, 1);
  EXPECT_EQ(decode_record_batch(b).error(), errc::corrupt_batch);
}

TEST(records, reader_iterates_and_stays_failed) {
  auto rb = record_batch_reader::open(golden_batch);
  ASSERT_TRUE(rb);
  auto first = rb.value().next();
  ASSERT_TRUE(first && first.value());
  auto end = rb.value().next();
  ASSERT_TRUE(end);
  EXPECT_FALSE(end.value());

  const core::bytes claims_two = with_record_count(golden_batch, 2);  // the reader borrows it
  auto bad = record_batch_reader::open(claims_two);
  ASSERT_TRUE(bad);
  EXPECT_TRUE(bad.value().next());
  EXPECT_FALSE(bad.value().next());
  EXPECT_FALSE(bad.value().next());  // sticky
}

TEST(records, decompression_bomb_in_a_batch_is_refused) {
  core::raw_record huge = make_record("z", std::nullopt, 0);
  huge.value = core::bytes(8u << 20, std::byte{0});
  record_batch_options o;
  o.codec = compression_codec::lz4;
  const auto batch = encode_record_batch(std::span(&huge, 1), o).value();
  EXPECT_LT(batch.size(), 100000u);
  batch_read_options limited;
  limited.max_decompressed_size = 1u << 20;
  EXPECT_EQ(record_batch_reader::open(batch, limited).error(), errc::decompressed_too_large);
  EXPECT_TRUE(decode_record_batch(batch, {.verify_crc = true, .max_decompressed_size = 9u << 20}));
}

TEST(records, unknown_codec_bits_are_refused) {
  core::bytes b = golden_batch;
  b[22] = std::byte{0x05};  // attributes codec 5
  b = with_record_count(b, 1);
  EXPECT_EQ(record_batch_reader::open(b).error(), errc::unsupported_compression);
}

TEST(records, empty_record_list_is_an_error) {
  EXPECT_EQ(encode_record_batch({}, {}).error(), errc::invalid_argument);
}

/// A batch whose two record timestamps lie almost 2^64 apart (found by the record_batch fuzz
/// target): INT64_MIN + 10 and INT64_MAX - 10, each base_timestamp 0 plus its delta.
const core::bytes far_apart_timestamps = hex(
    "00 00 00 00 00 00 00 00"  // base_offset
    "00 00 00 55"              // batch_length 85
    "00 00 00 00 02"           // partition_leader_epoch, magic
    "a5 5e 16 30"              // crc
    "00 00 00 00 00 01"        // attributes, last_offset_delta 1
    "00 00 00 00 00 00 00 00"  // base_timestamp 0
    "7f ff ff ff ff ff ff f5"  // max_timestamp INT64_MAX - 10
    "ff ff ff ff ff ff ff ff ff ff ff ff ff ff 00 00 00 02"  // no producer; 2 records
    "22 00 eb ff ff ff ff ff ff ff ff 01 00 02 'k' 02 'v' 00"  // ts delta INT64_MIN + 10
    "22 00 ea ff ff ff ff ff ff ff ff 01 02 02 'k' 02 'w' 00");  // ts delta INT64_MAX - 10

TEST(records, timestamps_too_far_apart_to_encode_fail_instead_of_overflowing) {
  // Decoding is fine; re-encoding (recompression, compaction) computed INT64_MAX - 10 -
  // (INT64_MIN + 10) as the second record's delta: undefined, and in practice a wrapped delta
  // that the reader then refuses, so a corrupt batch went to the log.
  auto records = decode_record_batch(far_apart_timestamps);
  ASSERT_TRUE(records) << records.error().message();
  ASSERT_EQ(records.value().size(), 2u);
  EXPECT_EQ(core::to_epoch_ms(records.value()[0].record.ts), INT64_MIN + 10);
  EXPECT_EQ(core::to_epoch_ms(records.value()[1].record.ts), INT64_MAX - 10);
  std::vector<core::raw_record> raw{records.value()[0].record, records.value()[1].record};
  EXPECT_EQ(encode_record_batch(raw, {}).error(), errc::invalid_argument);
  // Either way round.
  std::swap(raw[0], raw[1]);
  EXPECT_EQ(encode_record_batch(raw, {}).error(), errc::invalid_argument);
}

TEST(records, offset_deltas_a_batch_cannot_hold_fail_to_encode) {
  // A stored producer batch keeps its records' offset deltas as sent; re-encoding them (log
  // compaction) used to abort the broker on a SLUICE_ASSERT when they did not increase.
  const std::vector<core::raw_record> raw{make_record("a", "1", 1), make_record("b", "2", 2)};
  record_batch_options o;
  const std::vector<int32_t> decreasing{2, 1};
  o.offset_deltas = decreasing;
  EXPECT_EQ(encode_record_batch(raw, o).error(), errc::invalid_argument);
  const std::vector<int32_t> equal{1, 1};
  o.offset_deltas = equal;
  EXPECT_EQ(encode_record_batch(raw, o).error(), errc::invalid_argument);
  const std::vector<int32_t> increasing{0, 5};
  o.offset_deltas = increasing;
  o.last_offset_delta = 4;  // below the last record's delta
  EXPECT_EQ(encode_record_batch(raw, o).error(), errc::invalid_argument);
  o.last_offset_delta = 5;
  EXPECT_TRUE(encode_record_batch(raw, o));
}

TEST(records, batch_iterator_splits_whole_batches) {
  core::raw_record r1 = make_record("a", "1", 1);
  core::raw_record r2 = make_record("b", "2", 2);
  record_batch_options o;
  const auto b1 = encode_record_batch(std::span(&r1, 1), o).value();
  o.base_offset = offset{1};
  o.codec = compression_codec::gzip;
  const auto b2 = encode_record_batch(std::span(&r2, 1), o).value();
  core::bytes all = b1;
  all.insert(all.end(), b2.begin(), b2.end());
  all.insert(all.end(), b1.begin(), b1.begin() + 20);  // partial tail

  batch_iterator it(all);
  auto x = it.next();
  ASSERT_TRUE(x && x.value());
  EXPECT_TRUE(core::equal(*x.value(), b1));
  auto y = it.next();
  ASSERT_TRUE(y && y.value());
  EXPECT_TRUE(core::equal(*y.value(), b2));
  EXPECT_EQ(decode_record_batch(*y.value()).value()[0].record, r2);
  auto z = it.next();
  ASSERT_TRUE(z);
  EXPECT_FALSE(z.value());
  EXPECT_TRUE(it.partial_tail());
  EXPECT_EQ(it.remaining(), 20u);

  batch_iterator exact(b1);
  EXPECT_TRUE(exact.next().value());
  EXPECT_FALSE(exact.next().value());
  EXPECT_FALSE(exact.partial_tail());

  batch_iterator tiny(bytes_view(b1).first(5));
  EXPECT_FALSE(tiny.next().value());
  EXPECT_TRUE(tiny.partial_tail());

  core::bytes negative = b1;
  negative[8] = std::byte{0xff};  // batch_length negative
  batch_iterator bad(negative);
  EXPECT_EQ(bad.next().error(), errc::corrupt_batch);
}

}  // namespace
}  // namespace sluice::protocol
