// Start-up recovery (log_recovery.cc, segment::recover) against directory contents Sluice never
// writes: each test is a case the segment_recovery fuzz target (tests/fuzz/) found.

#include "core/protocol/records.h"
#include "broker/storage/errc.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/partition_log.h"
#include "core/big_endian.h"
#include "tests/broker/storage/storage_test_util.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace sluice::broker::storage {
namespace {

using testing::make_batch;
using testing::temp_dir;
using testing::values_in;

const core::topic_partition tp{"t", core::partition_id{0}};

result<std::unique_ptr<partition_log>> open_log(const std::filesystem::path& dir, bool clean,
                                                log_config c = {}) {
  return partition_log::open(dir, tp, c, clean, core::offset{0}, core::offset{0});
}

void write_file(const std::filesystem::path& path, const core::bytes& data) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

core::bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return core::to_bytes(s);
}

std::vector<std::string> read_all(const partition_log& log) {
  auto r = log.read(log.log_start_offset(), 1u << 20, log.log_end_offset());
  EXPECT_TRUE(r);
  return r ? values_in(r.value().records) : std::vector<std::string>{};
}

TEST(log_recovery, skips_file_names_of_20_digits_beyond_int64) {
  // Found by fuzzing: std::stoll threw std::out_of_range for such a name (segment or
  // snapshot), out of partition_log::open, and the broker terminated at start-up.
  temp_dir tmp;
  const auto dir = tmp.path() / "t-0";
  {
    auto log = open_log(dir, true);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log.value()->append(make_batch(3)));
    ASSERT_TRUE(log.value()->close());
  }
  const auto segment = read_file(dir / "00000000000000000000.log");
  write_file(dir / "99999999999999999999.log", segment);
  write_file(dir / "09223372036854775808.log", segment);  // INT64_MAX + 1
  write_file(dir / "99999999999999999999.snapshot", core::to_bytes("not a snapshot"));
  auto log = open_log(dir, false);
  ASSERT_TRUE(log) << log.error().message();
  EXPECT_EQ(log.value()->log_end_offset(), core::offset{3});
  EXPECT_EQ(read_all(*log.value()), (std::vector<std::string>{"v0", "v1", "v2"}));
}

TEST(log_recovery, truncates_at_a_batch_whose_offsets_go_backwards) {
  // Found by fuzzing: a CRC-valid batch with last_offset_delta -5 passed recovery and moved
  // the log end backwards (3 + -5 + 1), so the next append would have reused offsets; replaying
  // it overflowed the sequence arithmetic.
  temp_dir tmp;
  const auto dir = tmp.path() / "t-0";
  std::filesystem::create_directories(dir);
  core::bytes log_bytes = make_batch(3);
  core::bytes bad = make_batch(1, 3);
  core::store_be<int64_t>(bad.data(), 3);             // base offset
  core::store_be<int32_t>(bad.data() + 23, -5);       // last_offset_delta
  core::store_be<uint32_t>(bad.data() + 17, protocol::compute_batch_crc(bad));
  ASSERT_TRUE(protocol::validate_batch(bad));
  log_bytes.insert(log_bytes.end(), bad.begin(), bad.end());
  write_file(dir / "00000000000000000000.log", log_bytes);

  auto log = open_log(dir, false);
  ASSERT_TRUE(log) << log.error().message();
  EXPECT_EQ(log.value()->log_end_offset(), core::offset{3});
  EXPECT_EQ(log.value()->size_bytes(), make_batch(3).size());
  auto appended = log.value()->append(make_batch(1, 3));
  ASSERT_TRUE(appended);
  EXPECT_EQ(appended.value().base_offset, core::offset{3});
}

TEST(log_recovery, a_log_ending_at_int64_max_refuses_appends) {
  // Found by fuzzing: a segment named 09223372036854775807 puts the log end at INT64_MAX, and
  // an append computed INT64_MAX + 1 (undefined) for its last offset.
  temp_dir tmp;
  const auto dir = tmp.path() / "t-0";
  std::filesystem::create_directories(dir);
  write_file(dir / "09223372036854775807.log", {});
  auto log = open_log(dir, false);
  ASSERT_TRUE(log) << log.error().message();
  ASSERT_EQ(log.value()->log_end_offset(), core::offset{INT64_MAX});
  EXPECT_EQ(log.value()->append(make_batch(1)).error(), errc::offset_out_of_range);
  EXPECT_EQ(log.value()->append_marker(core::producer_id{1}, core::producer_epoch{0}, true, 0).error(),
            errc::offset_out_of_range);
  EXPECT_EQ(log.value()->log_end_offset(), core::offset{INT64_MAX});
}

TEST(log_recovery, a_trusted_batch_length_past_the_file_is_corrupt_not_an_allocation) {
  // Found by fuzzing: after a clean shutdown, segments are trusted and only the batches from
  // the last index entry on are walked. A damaged length before it made a lookup by timestamp
  // allocate and read batch_length bytes (up to 2 GiB).
  temp_dir tmp;
  const auto dir = tmp.path() / "t-0";
  log_config c;
  c.index_interval_bytes = 1;  // an index entry per batch
  {
    auto log = open_log(dir, true, c);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log.value()->append(make_batch(3)));
    ASSERT_TRUE(log.value()->append(make_batch(3, 3)));
    ASSERT_TRUE(log.value()->close());
  }
  auto segment = read_file(dir / "00000000000000000000.log");
  core::store_be<int32_t>(segment.data() + 8, 0x7fffff00);  // the first batch's batch_length
  write_file(dir / "00000000000000000000.log", segment);

  auto log = open_log(dir, true, c);
  ASSERT_TRUE(log) << log.error().message();
  EXPECT_EQ(log.value()->log_end_offset(), core::offset{6});  // trusted: not rescanned
  auto found = log.value()->offset_for_timestamp(1'000'000);
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error(), errc::corrupt_batch);
}

TEST(log_recovery, the_cleaner_refuses_a_trusted_batch_outside_its_segment) {
  // Found by fuzzing: after a clean shutdown a segment is trusted and only walked from its
  // last index entry, which gives its end. A damaged segment holding, before that entry, a
  // batch with offsets beyond its end (here 40..41 in a segment ending at 7, below a segment
  // at 10) was copied by a compaction pass into the cleaned segment, which then overlapped
  // the next one: the next start-up dropped that segment and the log end moved.
  temp_dir tmp;
  const auto dir = tmp.path() / "t-0";
  log_config c;
  c.cleanup_compact = true;
  c.min_cleanable_dirty_ratio = 0;
  c.index_interval_bytes = 1;  // an index entry per batch
  const auto first = make_batch(3);
  {
    auto log = open_log(dir, true, c);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log.value()->append(first));
    ASSERT_TRUE(log.value()->append(make_batch(2, 3)));
    ASSERT_TRUE(log.value()->append(make_batch(2, 5)));
    ASSERT_TRUE(log.value()->close());
  }
  auto segment = read_file(dir / "00000000000000000000.log");
  core::store_be<int64_t>(segment.data() + first.size(), 40);  // the base offset is outside the CRC
  write_file(dir / "00000000000000000000.log", segment);
  auto next = make_batch(1, 7);
  core::store_be<int64_t>(next.data(), 10);
  write_file(dir / "00000000000000000010.log", next);

  {
    auto log = open_log(dir, true, c);
    ASSERT_TRUE(log) << log.error().message();
    ASSERT_EQ(log.value()->log_end_offset(), core::offset{11});
    auto cleaned = clean_log(*log.value(), 1'700'000'000'000, {}, true);
    ASSERT_FALSE(cleaned);
    EXPECT_EQ(cleaned.error(), errc::corrupt_batch);
    ASSERT_TRUE(log.value()->close());
  }
  auto log = open_log(dir, true, c);
  ASSERT_TRUE(log) << log.error().message();
  EXPECT_EQ(log.value()->log_end_offset(), core::offset{11});
  EXPECT_TRUE(std::filesystem::exists(dir / "00000000000000000010.log"));
}

TEST(log_recovery, a_trusted_segment_with_batches_below_its_base_is_recovered) {
  // Found by fuzzing: a segment named 225 whose index files are intact but whose batches lie
  // at offsets 0..2 was trusted after a clean shutdown, so its end (3) lay below its base; a
  // compaction pass then moved the log start to 225, past the log end.
  temp_dir tmp;
  const auto dir = tmp.path() / "t-0";
  {
    auto log = open_log(dir, true);
    ASSERT_TRUE(log);
    ASSERT_TRUE(log.value()->append(make_batch(3)));
    ASSERT_TRUE(log.value()->close());
  }
  for (const char* ext : {".log", ".index", ".timeindex"}) {
    std::filesystem::rename(dir / (std::string("00000000000000000000") + ext),
                            dir / (std::string("00000000000000000225") + ext));
  }
  auto log = open_log(dir, true);
  ASSERT_TRUE(log) << log.error().message();
  EXPECT_EQ(log.value()->log_end_offset(), core::offset{225});
  EXPECT_LE(log.value()->log_start_offset(), log.value()->log_end_offset());
  EXPECT_TRUE(read_all(*log.value()).empty());
}

TEST(log_recovery, offsets_beyond_a_segments_relative_range_end_the_segment) {
  // Found by fuzzing: a batch more than INT32_MAX offsets past its segment's base passed
  // recovery although the segment's indexes (32-bit relative offsets) cannot hold it; the
  // index written for it did not read back, so every later start-up rescanned the segment and
  // replayed the producer state from the log start instead of its snapshot.
  for (bool clean : {false, true}) {
    SCOPED_TRACE(clean ? "clean shutdown" : "unclean shutdown");
    temp_dir tmp;
    const auto dir = tmp.path() / "t-0";
    const auto first = make_batch(3);
    {
      auto log = open_log(dir, true);
      ASSERT_TRUE(log);
      ASSERT_TRUE(log.value()->append(first));
      ASSERT_TRUE(log.value()->append(make_batch(3, 3)));
      ASSERT_TRUE(log.value()->close());
    }
    auto segment = read_file(dir / "00000000000000000000.log");
    core::store_be<int64_t>(segment.data() + first.size(), (int64_t{1} << 32) + 10);
    write_file(dir / "00000000000000000000.log", segment);

    auto log = open_log(dir, clean);
    ASSERT_TRUE(log) << log.error().message();
    EXPECT_EQ(log.value()->log_end_offset(), core::offset{3});
    EXPECT_EQ(read_all(*log.value()), (std::vector<std::string>{"v0", "v1", "v2"}));
  }
}

}  // namespace
}  // namespace sluice::broker::storage
