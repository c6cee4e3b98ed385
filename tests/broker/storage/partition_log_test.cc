#include "broker/storage/errc.h"
#include "broker/storage/file.h"
#include "broker/storage/log_manager.h"
#include "broker/storage/partition_log.h"
#include "tests/broker/storage/storage_test_util.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string_view>
#include <thread>

namespace sluice::broker::storage {
namespace {

using testing::make_batch;
using testing::temp_dir;
using testing::values_in;

std::unique_ptr<partition_log> open_log(const std::filesystem::path& dir, log_config c = {},
                                        bool clean = true, int64_t recovery_point = 0) {
  auto l = partition_log::open(dir, {"t", core::partition_id{0}}, c, clean, core::offset{recovery_point}, core::offset{0});
  EXPECT_TRUE(l) << l.error().message();
  return std::move(l).value();
}

TEST(partition_log, assigns_dense_offsets_and_reads_back_whole_batches) {
  temp_dir d;
  auto log = open_log(d.path());
  EXPECT_EQ(log->append(make_batch(3, 0)).value().base_offset, core::offset{0});
  EXPECT_EQ(log->append(make_batch(2, 3)).value().base_offset, core::offset{3});
  EXPECT_EQ(log->log_end_offset(), core::offset{5});
  auto all = log->read(core::offset{0}, 1 << 20, log->high_watermark());
  ASSERT_TRUE(all);
  EXPECT_EQ(values_in(all.value().records), (std::vector<std::string>{"v0", "v1", "v2", "v3", "v4"}));
  // A read from the middle of a batch starts with the batch that contains the offset.
  auto mid = log->read(core::offset{4}, 1 << 20, log->high_watermark());
  EXPECT_EQ(values_in(mid.value().records), (std::vector<std::string>{"v3", "v4"}));
  // The stored header carries the assigned base offset.
  auto h = protocol::decode_batch_header(mid.value().records);
  EXPECT_EQ(h.value().base_offset.value(), 3);
}

TEST(partition_log, read_limits_and_out_of_range) {
  temp_dir d;
  auto log = open_log(d.path());
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(log->append(make_batch(1, i)));
  // max_bytes smaller than one batch still returns that first batch whole (KIP-74).
  auto one = log->read(core::offset{0}, 1, core::offset{10});
  EXPECT_EQ(values_in(one.value().records).size(), 1u);
  // Never past max_offset.
  auto capped = log->read(core::offset{0}, 1 << 20, core::offset{4});
  EXPECT_EQ(values_in(capped.value().records).size(), 4u);
  // At the end: empty, not an error. Past the end: out of range.
  EXPECT_TRUE(log->read(core::offset{10}, 1 << 20, core::offset{10}).value().records.empty());
  EXPECT_EQ(log->read(core::offset{11}, 1 << 20, core::offset{10}).error(), errc::offset_out_of_range);
}

/// The bytes `read_slice` points at, read back from its segment file.
core::bytes slice_bytes(const log_slice& s) {
  core::bytes out;
  if (s.size > 0) {
    EXPECT_TRUE(s.source->read({s.position, s.size}, out));
  }
  return out;
}

TEST(partition_log, read_slice_locates_exactly_the_batches_read_returns) {
  temp_dir d;
  log_config c;
  c.index_interval_bytes = 150;  // many index entries: the header walk starts from them
  auto log = open_log(d.path(), c);
  int64_t next = 0;
  for (int i = 0; i < 60; ++i) {
    const int count = 1 + (i * 7) % 5;  // batches of different sizes
    ASSERT_TRUE(log->append(make_batch(count, static_cast<int>(next))));
    next += count;
  }
  const int64_t end = log->high_watermark().value();
  for (int64_t offset : {int64_t{0}, int64_t{1}, int64_t{9}, int64_t{50}, end - 1, end}) {
    for (uint64_t max_bytes : {uint64_t{1}, uint64_t{100}, uint64_t{333}, uint64_t{1000}, uint64_t{1} << 20}) {
      for (int64_t max_offset : {end, end - 3, offset + 2, offset}) {
        SCOPED_TRACE(std::to_string(offset) + " " + std::to_string(max_bytes) + " " + std::to_string(max_offset));
        auto r = log->read(core::offset{offset}, max_bytes, core::offset{max_offset});
        auto s = log->read_slice(core::offset{offset}, max_bytes, core::offset{max_offset});
        ASSERT_TRUE(r);
        ASSERT_TRUE(s);
        EXPECT_TRUE(core::equal(slice_bytes(s.value()), r.value().records));
        EXPECT_EQ(s.value().high_watermark, r.value().high_watermark);
        EXPECT_EQ(s.value().log_start_offset, r.value().log_start_offset);
      }
    }
  }
  EXPECT_EQ(log->read_slice(core::offset{end + 1}, 100, core::offset{end}).error(), errc::offset_out_of_range);
}

TEST(partition_log, rejects_bad_batches_without_writing) {
  temp_dir d;
  auto log = open_log(d.path());
  auto batch = make_batch(2);
  auto corrupt = batch;
  corrupt[70] ^= std::byte{1};
  EXPECT_EQ(log->append(corrupt).error(), errc::corrupt_batch);
  auto truncated = core::bytes(batch.begin(), batch.end() - 1);
  EXPECT_EQ(log->append(truncated).error(), errc::corrupt_batch);
  log_config small;
  small.max_message_bytes = 10;
  log->set_config(small);
  EXPECT_EQ(log->append(batch).error(), errc::message_too_large);
  EXPECT_EQ(log->log_end_offset(), core::offset{0});
}

TEST(partition_log, rolls_segments_by_size_and_finds_offsets_across_them) {
  temp_dir d;
  log_config c;
  c.segment_bytes = 300;
  c.index_interval_bytes = 100;
  auto log = open_log(d.path(), c);
  for (int i = 0; i < 40; ++i) ASSERT_TRUE(log->append(make_batch(2, 2 * i)));
  EXPECT_GT(log->segment_count(), 5u);
  for (int64_t off : {0, 17, 41, 79}) {
    auto r = log->read(core::offset{off}, 1, core::offset{80});
    ASSERT_TRUE(r);
    auto h = protocol::decode_batch_header(r.value().records).value();
    EXPECT_LE(h.base_offset.value(), off);
    EXPECT_GE(h.last_offset().value(), off);
  }
}

TEST(partition_log, offset_for_timestamp_is_record_precise) {
  temp_dir d;
  auto log = open_log(d.path());
  ASSERT_TRUE(log->append(make_batch(5, 0, 1000)));  // timestamps 1000..1004
  ASSERT_TRUE(log->append(make_batch(5, 5, 1000)));  // timestamps 1005..1009
  EXPECT_EQ(log->offset_for_timestamp(0).value().offset, core::offset{0});
  EXPECT_EQ(log->offset_for_timestamp(1003).value().offset, core::offset{3});
  EXPECT_EQ(log->offset_for_timestamp(1003).value().timestamp, 1003);
  EXPECT_EQ(log->offset_for_timestamp(1007).value().offset, core::offset{7});
  EXPECT_EQ(log->offset_for_timestamp(2000).value().offset, core::offset{-1});
}

TEST(partition_log, compressed_batches_are_stored_as_sent) {
  temp_dir d;
  auto log = open_log(d.path());
  auto batch = make_batch(50, 0, 1000, protocol::compression_codec::zstd);
  ASSERT_TRUE(log->append(batch));
  auto r = log->read(core::offset{0}, 1 << 20, core::offset{50}).value();
  ASSERT_EQ(r.records.size(), batch.size());
  // Identical except the base offset and leader epoch (both 0 here): byte for byte.
  EXPECT_TRUE(core::equal(r.records, batch));
  EXPECT_EQ(log->offset_for_timestamp(1042).value().offset, core::offset{42});
}

TEST(partition_log, recovery_truncates_a_torn_tail_and_reopens_cleanly) {
  temp_dir d;
  {
    auto log = open_log(d.path());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->append(make_batch(2, 2 * i)));
    ASSERT_TRUE(log->flush());
  }
  auto seg = d.path() / "00000000000000000000.log";
  std::filesystem::resize_file(seg, std::filesystem::file_size(seg) - 5);
  auto log = open_log(d.path(), {}, /*clean=*/false, /*recovery_point=*/0);
  EXPECT_EQ(log->log_end_offset(), core::offset{8});
  EXPECT_EQ(log->append(make_batch(1, 100)).value().base_offset, core::offset{8});
}

TEST(partition_log, garbage_appended_after_a_crash_is_dropped) {
  temp_dir d;
  {
    auto log = open_log(d.path());
    ASSERT_TRUE(log->append(make_batch(3)));
  }
  {
    std::ofstream f(d.path() / "00000000000000000000.log", std::ios::app | std::ios::binary);
    std::string junk(200, '\x7f');
    f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
  }
  auto log = open_log(d.path(), {}, false, 0);
  EXPECT_EQ(log->log_end_offset(), core::offset{3});
  EXPECT_EQ(std::filesystem::file_size(d.path() / "00000000000000000000.log"),
            make_batch(3).size());
}

TEST(partition_log, delete_records_and_retention_move_the_log_start) {
  temp_dir d;
  log_config c;
  c.segment_bytes = 200;
  auto log = open_log(d.path(), c);
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(log->append(make_batch(1, i, 1000)));
  EXPECT_EQ(log->delete_records_before(core::offset{12}).value(), core::offset{12});
  EXPECT_EQ(log->read(core::offset{11}, 100, core::offset{30}).error(), errc::offset_out_of_range);
  EXPECT_TRUE(log->read(core::offset{12}, 100, core::offset{30}));
  EXPECT_EQ(log->delete_records_before(core::offset{31}).error(), errc::offset_out_of_range);
  // Retention by bytes keeps at least the limit, deleting whole segments from the front.
  c.retention_bytes = 400;
  log->set_config(c);
  ASSERT_TRUE(log->enforce_retention(2000));
  EXPECT_GE(log->size_bytes(), 400u);
  EXPECT_GT(log->log_start_offset(), core::offset{12});
  // Retention by time removes segments whose newest record is older than retention.ms.
  c.retention_bytes = -1;
  c.retention_ms = 10;
  log->set_config(c);
  ASSERT_TRUE(log->enforce_retention(1'000'000));
  EXPECT_EQ(log->segment_count(), 1u);  // the active segment always stays
  EXPECT_EQ(log->log_end_offset(), core::offset{30});
}

TEST(partition_log, rolls_when_the_offset_or_time_index_is_full) {
  // segment.index.bytes = 24: three offset-index entries (8 bytes) or two time-index entries
  // (12 bytes). index.interval.bytes = 0 indexes every batch.
  log_config c;
  c.index_interval_bytes = 0;
  c.segment_index_bytes = 24;
  {
    // One timestamp throughout: one time-index entry, so the offset index fills first.
    temp_dir d;
    auto log = open_log(d.path(), c);
    for (int i = 0; i < 9; ++i) ASSERT_TRUE(log->append(make_batch(1, i, 1000 - i)));
    EXPECT_EQ(log->segment_count(), 3u);  // [0, 3) [3, 6) [6, 9)
    ASSERT_TRUE(log->append(make_batch(1, 9, 1000 - 9)));
    EXPECT_EQ(log->segment_count(), 4u);
    EXPECT_EQ(values_in(log->read(core::offset{0}, 1 << 20, core::offset{10}).value().records),
              (std::vector<std::string>{"v0", "v1", "v2"}));  // one segment per read
  }
  {
    // Rising timestamps: a time-index entry per batch, full after two.
    temp_dir d;
    auto log = open_log(d.path(), c);
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(log->append(make_batch(1, i, 1000)));
    EXPECT_EQ(log->segment_count(), 3u);
    // Kafka's default (10 MiB) takes them all in one segment.
    c.segment_index_bytes = 10 * 1024 * 1024;
    log->set_config(c);
    for (int i = 6; i < 100; ++i) ASSERT_TRUE(log->append(make_batch(1, i, 1000)));
    EXPECT_EQ(log->segment_count(), 4u);
  }
  {
    // Below one entry (4..7 bytes): every batch gets a segment of its own.
    c.segment_index_bytes = 4;
    temp_dir d;
    auto log = open_log(d.path(), c);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(log->append(make_batch(1, i, 1000)));
    EXPECT_EQ(log->segment_count(), 5u);
  }
}

/// The names in `dir` ending in `suffix`.
std::vector<std::string> files_ending(const std::filesystem::path& dir, std::string_view suffix) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().filename().string().ends_with(suffix)) out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(partition_log, removed_segments_wait_file_delete_delay_ms_renamed_deleted) {
  temp_dir d;
  log_config c;
  c.segment_bytes = 230;  // three one-record batches per segment
  c.file_delete_delay_ms = 60000;
  auto log = open_log(d.path(), c);
  for (int i = 0; i < 12; ++i) ASSERT_TRUE(log->append(make_batch(1, i, 1000)));
  ASSERT_TRUE(log->flush());  // rolled segments get their index files
  ASSERT_GT(log->segment_count(), 3u);
  // A fetch in flight holds the first segment (as sendfile would).
  auto slice = log->read_slice(core::offset{0}, 1 << 20, core::offset{12}).value();
  ASSERT_GT(slice.size, 0u);

  // DeleteRecords: the segments below go, renamed, not unlinked.
  ASSERT_TRUE(log->delete_records_before(core::offset{6}));
  EXPECT_EQ(log->retired_segment_count(), 2u);
  EXPECT_EQ(files_ending(d.path(), ".log.deleted"),
            (std::vector<std::string>{"00000000000000000000.log.deleted",
                                      "00000000000000000003.log.deleted"}));
  EXPECT_EQ(files_ending(d.path(), ".index.deleted").size(), 2u);
  EXPECT_EQ(files_ending(d.path(), ".timeindex.deleted").size(), 2u);
  EXPECT_FALSE(std::filesystem::exists(d.path() / "00000000000000000000.log"));
  // The reader still reads what it located, through its descriptor.
  core::bytes raw(slice.size);
  ASSERT_EQ(::pread(slice.source->log_fd(), raw.data(), raw.size(), static_cast<off_t>(slice.position)),
            static_cast<ssize_t>(raw.size()));
  EXPECT_EQ(values_in(raw), (std::vector<std::string>{"v0", "v1", "v2"}));

  // Retention the same way: [6, 9) goes, the active segment stays.
  c.retention_ms = 10;
  log->set_config(c);
  ASSERT_TRUE(log->enforce_retention(1'000'000));
  EXPECT_EQ(log->retired_segment_count(), 3u);
  EXPECT_EQ(log->segment_count(), 1u);

  // Not before the delay; then every pending file.
  const auto now = std::chrono::steady_clock::now();
  EXPECT_EQ(log->delete_retired_files(now).value(), 0u);
  EXPECT_EQ(files_ending(d.path(), ".log.deleted").size(), 3u);
  EXPECT_GE(log->delete_retired_files(now + std::chrono::seconds(61)).value(), 9u);
  EXPECT_EQ(log->retired_segment_count(), 0u);
  EXPECT_TRUE(files_ending(d.path(), ".deleted").empty());
  EXPECT_FALSE(log->read(core::offset{11}, 1 << 20, core::offset{12}).value().records.empty());
}

TEST(partition_log, zero_delay_deletes_at_once_and_leftovers_go_at_open_and_close) {
  temp_dir d;
  log_config c;
  c.segment_bytes = 230;  // three one-record batches per segment
  c.file_delete_delay_ms = 0;
  {
    auto log = open_log(d.path(), c);
    for (int i = 0; i < 9; ++i) ASSERT_TRUE(log->append(make_batch(1, i, 1000)));
    ASSERT_TRUE(log->delete_records_before(core::offset{3}));
    EXPECT_EQ(log->retired_segment_count(), 0u);
    EXPECT_TRUE(files_ending(d.path(), ".deleted").empty());
    EXPECT_FALSE(std::filesystem::exists(d.path() / "00000000000000000000.log"));
    // With a delay, close() unlinks what is pending: nothing reads any more.
    c.file_delete_delay_ms = 3600000;
    log->set_config(c);
    ASSERT_TRUE(log->delete_records_before(core::offset{6}));
    EXPECT_EQ(files_ending(d.path(), ".log.deleted").size(), 1u);
    ASSERT_TRUE(log->close());
    EXPECT_TRUE(files_ending(d.path(), ".deleted").empty());
  }
  // A crash with renamed files pending: start-up deletes them, as Kafka's does.
  {
    std::ofstream(d.path() / "00000000000000000001.log.deleted") << "stale";
    std::ofstream(d.path() / "00000000000000000001.index.deleted") << "stale";
    auto log = open_log(d.path(), c, false, 0);
    EXPECT_TRUE(files_ending(d.path(), ".deleted").empty());
    EXPECT_EQ(log->log_end_offset(), core::offset{9});
  }
}

TEST(partition_log, segment_jitter_ms_rolls_segments_before_segment_ms) {
  // Kafka's randomSegmentJitter: each segment rolls once older than segment.ms less a random
  // jitter below min(segment.jitter.ms, segment.ms). With both at 600 ms, a segment 300 ms old
  // rolls on the next append when its jitter exceeds 300 — about half of them; without jitter
  // none does.
  temp_dir d;
  constexpr int logs = 32;
  log_config jittered;
  jittered.segment_ms = 600;
  jittered.segment_jitter_ms = 600;
  log_config plain;
  plain.segment_ms = 600;
  std::vector<std::unique_ptr<partition_log>> with_jitter, without;
  for (int i = 0; i < logs; ++i) {
    with_jitter.push_back(open_log(d.path() / ("j" + std::to_string(i)), jittered));
    without.push_back(open_log(d.path() / ("p" + std::to_string(i)), plain));
  }
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < logs; ++i) {
    ASSERT_TRUE(with_jitter[i]->append(make_batch(1, 0)));
    ASSERT_TRUE(without[i]->append(make_batch(1, 0)));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(320));
  int rolled = 0;
  int rolled_without = 0;
  for (int i = 0; i < logs; ++i) {
    ASSERT_TRUE(with_jitter[i]->append(make_batch(1, 1)));
    ASSERT_TRUE(without[i]->append(make_batch(1, 1)));
    rolled += with_jitter[i]->segment_count() == 2;
    rolled_without += without[i]->segment_count() == 2;
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GT(rolled, 0);
  if (waited < std::chrono::milliseconds(450)) {  // a slow machine may have waited longer
    EXPECT_LT(rolled, logs);
    EXPECT_EQ(rolled_without, 0);
  }
}

TEST(log_manager, housekeeping_unlinks_removed_segments_after_file_delete_delay_ms) {
  temp_dir d;
  auto m = log_manager::open(d.path(), {}).value();
  ASSERT_TRUE(m->create_topic("t", 1, {{"segment.bytes", "230"}, {"file.delete.delay.ms", "50"}}));
  auto log = m->get({"t", core::partition_id{0}});
  for (int i = 0; i < 9; ++i) ASSERT_TRUE(log->append(make_batch(1, i, 1000)));
  ASSERT_TRUE(log->delete_records_before(core::offset{6}));
  const auto dir = d.path() / "t-0";
  EXPECT_EQ(files_ending(dir, ".log.deleted").size(), 2u);
  ASSERT_TRUE(m->housekeeping(1'000'000, false));
  EXPECT_EQ(files_ending(dir, ".log.deleted").size(), 2u);  // not yet
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  ASSERT_TRUE(m->housekeeping(1'000'000, false));
  EXPECT_TRUE(files_ending(dir, ".deleted").empty());
  ASSERT_TRUE(m->shutdown());
}

TEST(log_manager, catalogue_and_checkpoints_survive_reopen) {
  temp_dir d;
  {
    auto m = log_manager::open(d.path(), {}).value();
    ASSERT_TRUE(m->create_topic("orders", 3, {{"retention.ms", "1000"}}));
    EXPECT_EQ(m->create_topic("orders", 1, {}).error(), errc::topic_exists);
    EXPECT_EQ(m->create_topic("bad name", 1, {}).error(), errc::invalid_topic);
    EXPECT_EQ(m->create_topic("zero", 0, {}).error(), errc::invalid_partitions);
    auto p1 = m->get({"orders", core::partition_id{1}});
    ASSERT_TRUE(p1);
    ASSERT_TRUE(p1->append(make_batch(4)));
    ASSERT_TRUE(p1->delete_records_before(core::offset{2}));
    ASSERT_TRUE(m->create_partitions("orders", 5));
    EXPECT_EQ(m->create_partitions("orders", 4).error(), errc::invalid_partitions);
    ASSERT_TRUE(m->shutdown());
  }
  auto m = log_manager::open(d.path(), {}).value();
  EXPECT_TRUE(m->recovered_from_clean_shutdown());
  auto t = m->topic("orders");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->partitions, 5);
  EXPECT_EQ(t->configs.at("retention.ms"), "1000");
  auto p1 = m->get({"orders", core::partition_id{1}});
  EXPECT_EQ(p1->log_end_offset(), core::offset{4});
  EXPECT_EQ(p1->log_start_offset(), core::offset{2});
  EXPECT_EQ(p1->config().retention_ms, 1000);
  ASSERT_TRUE(m->delete_topic("orders"));
  EXPECT_FALSE(m->get({"orders", core::partition_id{1}}));
  EXPECT_FALSE(std::filesystem::exists(d.path() / "orders-1"));
}

TEST(log_manager, topic_ids_are_kept_found_and_given_to_catalogues_without_them) {
  temp_dir d;
  topic_id id{};
  {
    auto m = log_manager::open(d.path(), {}).value();
    id = m->create_topic("orders", 1, {}).value().id;
    ASSERT_NE(id, topic_id{});
    EXPECT_EQ(m->topic_name(id), "orders");
    EXPECT_EQ(m->topic_by_id(id)->name, "orders");
    EXPECT_FALSE(m->topic_name(topic_id{}));
    ASSERT_TRUE(m->create_topic("payments", 1, {}));
    ASSERT_TRUE(m->shutdown());
  }
  {
    auto m = log_manager::open(d.path(), {}).value();
    EXPECT_EQ(m->topic("orders")->id, id);  // persisted
    EXPECT_EQ(m->topic_name(id), "orders");
    ASSERT_TRUE(m->delete_topic("orders"));
    EXPECT_FALSE(m->topic_name(id));
    EXPECT_FALSE(m->topic_by_id(id));
    ASSERT_TRUE(m->shutdown());
  }
  // A catalogue written before topic ids (or with a damaged one): each topic gets an id at
  // start-up, and keeps it.
  {
    auto raw = read_whole_file(d.path() / "topics.json").value();
    std::string text(core::as_string_view(raw));
    const auto at = text.find("\"id\"");
    ASSERT_NE(at, std::string::npos);
    text.replace(at, text.find(',', at) - at, "\"id\": \"not-hex\"");
    ASSERT_TRUE(write_file_atomically(d.path() / "topics.json", core::as_bytes(text)));
  }
  topic_id assigned{};
  {
    auto m = log_manager::open(d.path(), {}).value();
    assigned = m->topic("payments")->id;
    EXPECT_NE(assigned, topic_id{});
    EXPECT_EQ(m->topic_name(assigned), "payments");
    ASSERT_TRUE(m->shutdown());
  }
  auto m = log_manager::open(d.path(), {}).value();
  EXPECT_EQ(m->topic("payments")->id, assigned);
}

}  // namespace
}  // namespace sluice::broker::storage
