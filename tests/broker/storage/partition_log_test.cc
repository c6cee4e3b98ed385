#include "broker/storage/errc.h"
#include "broker/storage/file.h"
#include "broker/storage/log_manager.h"
#include "broker/storage/partition_log.h"
#include "tests/broker/storage/storage_test_util.h"

#include <fstream>

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
