// Producer batches whose records break what their header promises — the append path takes
// record offset deltas and timestamps as sent, as Kafka does — and what the storage paths that
// re-encode records (recompression on append, log compaction) do with them; and a stored
// header no broker writes. Found while fuzzing record batches (tests/fuzz/record_batch.cc).

#include "core/protocol/records.h"
#include "broker/storage/errc.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/record_batch.h"
#include "core/big_endian.h"
#include "tests/core/protocol/golden.h"
#include "tests/broker/storage/storage_test_util.h"

#include <vector>

namespace sluice::broker::storage {
namespace {

using testing::make_batch;
using testing::temp_dir;
using testing::values_in;

const core::topic_partition tp{"t", core::partition_id{0}};

/// Two records whose timestamps are INT64_MIN + 10 and INT64_MAX - 10 (base_timestamp 0 plus
/// their deltas); tests/core/protocol/records_test.cc spells the bytes out field by field.
const core::bytes far_apart_timestamps = protocol::test::hex(
    "00 00 00 00 00 00 00 00 00 00 00 55 00 00 00 00 02 a5 5e 16 30 00 00 00 00 00 01"
    "00 00 00 00 00 00 00 00 7f ff ff ff ff ff ff f5"
    "ff ff ff ff ff ff ff ff ff ff ff ff ff ff 00 00 00 02"
    "22 00 eb ff ff ff ff ff ff ff ff 01 00 02 'k' 02 'v' 00"
    "22 00 ea ff ff ff ff ff ff ff ff 01 02 02 'k' 02 'w' 00");

TEST(hostile_batches, recompressing_timestamps_too_far_apart_refuses_the_batch) {
  // LogAppendTime skips the timestamp bounds; compression.type=gzip re-encodes the records.
  // The re-encoding overflowed the second record's timestamp delta and stored a batch whose
  // records no consumer could read.
  temp_dir tmp;
  log_config c;
  c.timestamp_type = protocol::timestamp_type::log_append_time;
  c.compression = protocol::compression_codec::gzip;
  auto log = partition_log::open(tmp.path() / "t-0", tp, c, true, core::offset{0}, core::offset{0});
  ASSERT_TRUE(log);
  ASSERT_TRUE(protocol::validate_batch(far_apart_timestamps));
  EXPECT_EQ(log.value()->append(far_apart_timestamps).error(), errc::corrupt_batch);
  EXPECT_EQ(log.value()->log_end_offset(), core::offset{0});
}

TEST(hostile_batches, compaction_survives_record_offset_deltas_that_go_backwards) {
  // Keys a, b, a at offset deltas 2, 1, 0: compaction drops the second "a" (offset 0, older
  // than offset 2) and re-encoded the survivors with deltas 2, 1 — a SLUICE_ASSERT that
  // aborted the broker from the cleaner thread. Now the pass fails for this partition (logged
  // by the cleaner, as Kafka marks such a partition uncleanable) and every record stays.
  temp_dir tmp;
  log_config c;
  c.cleanup_compact = true;
  c.cleanup_delete = false;
  c.min_cleanable_dirty_ratio = 0.01;
  auto opened = partition_log::open(tmp.path() / "t-0", tp, c, true, core::offset{0}, core::offset{0});
  ASSERT_TRUE(opened);
  auto& log = *opened.value();
  std::vector<core::raw_record> records(3);
  const char* keys[] = {"a", "b", "a"};
  for (int i = 0; i < 3; ++i) {
    records[i].key = core::to_bytes(keys[i]);
    records[i].value = core::to_bytes("v" + std::to_string(i));
    records[i].ts = core::from_epoch_ms(1'700'000'000'000);
  }
  auto batch = protocol::encode_record_batch(records, {}).value();
  size_t pos = protocol::batch_header_size;
  for (int i = 0; i < 3; ++i) {
    const int length = static_cast<int>(batch[pos]) >> 1;            // one-byte zigzag length
    batch[pos + 3] = static_cast<std::byte>((2 - i) * 2);             // offset delta 2, 1, 0
    pos += 1 + static_cast<size_t>(length);
  }
  core::store_be<uint32_t>(batch.data() + 17, protocol::compute_batch_crc(batch));
  ASSERT_TRUE(log.append(batch));
  testing::roll(log);
  ASSERT_TRUE(log.append(make_batch(1)));

  auto cleaned = clean_log(log, 1'700'000'000'000, {}, true);
  EXPECT_FALSE(cleaned);
  auto read = log.read(core::offset{0}, 1u << 20, log.log_end_offset());  // the first segment
  ASSERT_TRUE(read);
  EXPECT_EQ(values_in(read.value().records), (std::vector<std::string>{"v0", "v1", "v2"}));
  EXPECT_EQ(log.log_end_offset(), core::offset{4});
}

TEST(hostile_batches, a_record_offset_outside_int64_is_corrupt) {
  // Found by the record_batch fuzz target: a stored batch with base offset INT64_MIN and a
  // record at offset delta -36 made the lookup by timestamp compute INT64_MIN - 36 (undefined).
  // Only a damaged segment holds such a header: the broker assigns base offsets.
  auto batch = protocol::test::hex(
      "80 00 00 00 00 00 00 00"  // base_offset INT64_MIN
      "00 00 00 42 00 00 01 00 02"
      "00 00 00 00"              // CRC, filled in below
      "00 30 00 00 00 00"        // transactional control batch, last_offset_delta 0
      "00 00 01 8b cf e5 68 00 00 00 01 8b cf e5 68 00"
      "00 00 00 00 00 00 00 2a 00 03 ff ff ff ff 00 00 00 01"
      "20 00 f8 ff f7 ff 00"     // record: length 16, attributes, timestamp delta
      "47"                       //   offset delta -36
      "01 0c 00 00 00 00 00 05 00");
  core::store_be<uint32_t>(batch.data() + 17, protocol::compute_batch_crc(batch));
  ASSERT_TRUE(protocol::decode_record_batch(batch));
  EXPECT_EQ(first_record_at_or_after(batch, INT64_MIN, INT64_MIN).error(), errc::corrupt_batch);
}

}  // namespace
}  // namespace sluice::broker::storage
