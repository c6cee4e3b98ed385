// Seeds for the `segment_recovery` target: a real partition directory written by
// partition_log — three segments holding plain, compressed, idempotent and transactional
// batches, an ABORT and a COMMIT marker, their indexes and a producer snapshot — packed as
// tests/fuzz/log_dir_input.h describes, after a clean and after an unclean shutdown.

#include "core/protocol/records.h"
#include "broker/storage/partition_log.h"
#include "core/record.h"
#include "core/temp_dir.h"
#include "tests/fuzz/log_dir_input.h"
#include "tests/fuzz/seed_writer.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace sluice::fuzz {
namespace {

using namespace broker;

core::bytes batch(int first, protocol::compression_codec codec, int64_t producer = -1, int32_t sequence = -1,
                  bool transactional = false) {
  std::vector<core::raw_record> records;
  for (int i = first; i < first + 3; ++i) {
    core::raw_record r;
    r.key = core::to_bytes("k" + std::to_string(i % 4));
    r.value = core::to_bytes("value " + std::to_string(i));
    r.ts = core::from_epoch_ms(1'000'000 + i);
    records.push_back(std::move(r));
  }
  protocol::record_batch_options o;
  o.codec = codec;
  o.producer_id = core::producer_id{producer};
  o.producer_epoch = core::producer_epoch{static_cast<int16_t>(producer >= 0 ? 1 : -1)};
  o.base_sequence = sequence;
  o.transactional = transactional;
  return protocol::encode_record_batch(records, o).value();
}

std::optional<core::bytes> read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  const std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return core::to_bytes(s);
}

/// Packs a partition directory whose file offsets are all below 0xf0.
log_dir_input pack_dir(const std::filesystem::path& dir) {
  log_dir_input in;
  std::vector<std::filesystem::path> paths;
  for (const auto& e : std::filesystem::directory_iterator(dir)) paths.push_back(e.path());
  std::sort(paths.begin(), paths.end());
  for (const auto& p : paths) {
    const auto stem = p.stem().string();
    const auto offset = static_cast<uint8_t>(std::stoll(stem));
    EXPECT_EQ(log_dir_input::stem(offset), stem);
    if (p.extension() == ".log") {
      log_dir_input::segment_files s;
      s.base = offset;
      s.log = *read_file(p);
      s.index = read_file(dir / (stem + ".index"));
      s.time_index = read_file(dir / (stem + ".timeindex"));
      s.txn_index = read_file(dir / (stem + ".txnindex"));
      in.segments.push_back(std::move(s));
    } else if (p.extension() == ".snapshot") {
      in.snapshots.push_back({offset, *read_file(p)});
    }
  }
  return in;
}

TEST(fuzz_seeds, partition_directories) {
  core::temp_dir tmp("sluice-fuzz-seeds");
  const auto dir = tmp.path() / "t-0";
  const core::topic_partition tp{"t", core::partition_id{0}};
  storage::log_config config;
  config.segment_bytes = 400;  // a few batches per segment
  config.index_interval_bytes = 64;
  {
    auto log = storage::partition_log::open(dir, tp, config, false, core::offset{0}, core::offset{0});
    ASSERT_TRUE(log);
    auto& l = *log.value();
    ASSERT_TRUE(l.append(batch(0, protocol::compression_codec::none)));
    ASSERT_TRUE(l.append(batch(3, protocol::compression_codec::gzip, 7, 0)));
    ASSERT_TRUE(l.append(batch(6, protocol::compression_codec::none, 7, 3)));
    ASSERT_TRUE(l.append(batch(9, protocol::compression_codec::none, 8, 0, true)));
    ASSERT_TRUE(l.append_marker(core::producer_id{8}, core::producer_epoch{1}, false, 2));
    ASSERT_TRUE(l.append(batch(12, protocol::compression_codec::lz4, 8, 3, true)));
    ASSERT_TRUE(l.append_marker(core::producer_id{8}, core::producer_epoch{1}, true, 2));
    ASSERT_TRUE(l.append(batch(15, protocol::compression_codec::zstd)));
    ASSERT_TRUE(l.flush());
    ASSERT_TRUE(l.close());
    EXPECT_EQ(l.log_end_offset(), core::offset{20});
    EXPECT_GE(l.segment_count(), 3u);
  }
  log_dir_input packed = pack_dir(dir);
  ASSERT_GE(packed.segments.size(), 3u);
  packed.segments.resize(log_dir_input::max_segments);
  if (packed.snapshots.size() > log_dir_input::max_snapshots) packed.snapshots.resize(log_dir_input::max_snapshots);
  packed.index_interval = 0;  // 64 bytes, as written
  for (const bool clean : {true, false}) {
    packed.clean_shutdown = clean;
    for (const bool fix : {false, true}) {
      packed.fix_crcs = fix;
      packed.read_committed = fix;
      packed.reopen = fix != clean;
      packed.compact = fix;
      const core::bytes seed = packed.pack();
      const auto back = log_dir_input::unpack(seed);
      EXPECT_EQ(back.segments.size(), packed.segments.size());
      EXPECT_EQ(back.snapshots.size(), packed.snapshots.size());
      EXPECT_TRUE(core::equal(back.pack(), seed));
      write_seed("segment_recovery", seed);
    }
  }
  // The log reopens to the same end from its files.
  auto reopened = storage::partition_log::open(dir, tp, config, false, core::offset{0}, core::offset{0});
  ASSERT_TRUE(reopened);
  EXPECT_EQ(reopened.value()->log_end_offset(), core::offset{20});
}

}  // namespace
}  // namespace sluice::fuzz
