// The append path's record validation (log_validator.h): max timestamp recomputed, timestamp
// type and bounds, record framing, retention on batches without usable timestamps.

#include "broker/storage/errc.h"
#include "core/big_endian.h"
#include "broker/storage/file.h"
#include "broker/storage/log_validator.h"
#include "broker/storage/partition_log.h"
#include "tests/broker/storage/storage_test_util.h"

#include <chrono>
#include <thread>

namespace sluice::broker::storage {
namespace {

using protocol::compression_codec;
using protocol::timestamp_type;
using testing::make_batch;
using testing::roll;
using testing::temp_dir;

int64_t now_ms() { return core::to_epoch_ms(core::wall_clock_now()); }

std::unique_ptr<partition_log> open_log(const std::filesystem::path& dir, log_config c = {}) {
  auto l = partition_log::open(dir, {"t", core::partition_id{0}}, c, true, core::offset{0}, core::offset{0});
  EXPECT_TRUE(l) << l.error().message();
  return std::move(l).value();
}

/// `batch` with the header a producer like Sarama 1.22 writes: max_timestamp -1.
core::bytes with_header_max_timestamp(core::bytes batch, int64_t max_timestamp) {
  protocol::set_max_timestamp(batch, timestamp_type::create_time, max_timestamp);
  return batch;
}

/// The headers of every stored batch.
std::vector<protocol::record_batch_header> stored_headers(const partition_log& log) {
  std::vector<protocol::record_batch_header> out;
  auto r = log.read(log.log_start_offset(), 1 << 20, log.high_watermark());
  EXPECT_TRUE(r);
  protocol::batch_iterator it(r.value().records);
  for (;;) {
    auto next = it.next();
    if (!next || !next.value()) break;
    auto h = protocol::validate_batch(*next.value());  // the CRC matches the rewritten header
    EXPECT_TRUE(h);
    if (h) out.push_back(h.value());
  }
  return out;
}
TEST(log_validator, recomputes_a_lying_max_timestamp_for_every_codec) {
  for (auto codec : {compression_codec::none, compression_codec::gzip, compression_codec::lz4,
                     compression_codec::zstd}) {
    SCOPED_TRACE(std::string(protocol::name(codec)));
    temp_dir d;
    auto log = open_log(d.path());
    // Records at 1,000,000..1,000,004; the header claims -1, then a value far too high.
    ASSERT_TRUE(log->append(with_header_max_timestamp(make_batch(5, 0, 1'000'000, codec), -1)));
    ASSERT_TRUE(log->append(with_header_max_timestamp(make_batch(5, 5, 2'000'000, codec), 9'000'000)));
    auto headers = stored_headers(*log);
    ASSERT_EQ(headers.size(), 2u);
    EXPECT_EQ(headers[0].max_timestamp, 1'000'004);
    EXPECT_EQ(headers[1].max_timestamp, 2'000'009);
    EXPECT_EQ(headers[0].codec(), codec) << "the records are stored as sent";
    // ListOffsets by time finds the records the header hid.
    auto found = log->offset_for_timestamp(1'000'002);
    ASSERT_TRUE(found);
    EXPECT_EQ(found.value().offset, core::offset{2});
    EXPECT_EQ(log->offset_for_timestamp(2'000'009).value().offset, core::offset{9});
  }
}

TEST(log_validator, an_honest_batch_is_stored_byte_for_byte) {
  temp_dir d;
  auto log = open_log(d.path());
  auto batch = make_batch(3);
  ASSERT_TRUE(log->append(batch));
  auto r = log->read(core::offset{0}, 1 << 20, log->high_watermark());
  ASSERT_EQ(r.value().records.size(), batch.size());
  EXPECT_TRUE(std::equal(batch.begin() + 17, batch.end(), r.value().records.begin() + 17))
      << "only base offset and leader epoch (outside the CRC) are assigned";
}

TEST(log_validator, time_retention_passes_a_segment_whose_header_said_minus_one) {
  temp_dir d;
  log_config c;
  c.retention_ms = 60'000;
  auto log = open_log(d.path(), c);
  // Old records (1970) under a -1 header: before, retention stopped at this segment forever.
  ASSERT_TRUE(log->append(with_header_max_timestamp(make_batch(2, 0, 1'000), -1)));
  roll(*log);
  ASSERT_TRUE(log->append(make_batch(1, 2, now_ms())));
  EXPECT_EQ(log->enforce_retention(now_ms()).value(), 1u);
  EXPECT_EQ(log->log_start_offset(), core::offset{2});
}

TEST(log_validator, records_without_timestamps_retire_by_the_segment_file_age) {
  temp_dir d;
  log_config c;
  c.retention_ms = 60'000;
  auto log = open_log(d.path(), c);
  ASSERT_TRUE(log->append(make_batch(2, 0, -1)));  // records at -1 and 0
  auto headers = stored_headers(*log);
  ASSERT_EQ(headers.size(), 1u);
  roll(*log);
  ASSERT_TRUE(log->append(make_batch(1, 2, now_ms())));
  // make_batch stamps ts0 + i: records at -1 and 0. Only -1 is "no timestamp": the segment's
  // newest time is 0, long past.
  EXPECT_EQ(log->enforce_retention(now_ms()).value(), 1u);
}

TEST(log_validator, a_segment_of_only_unstamped_records_uses_its_file_time) {
  temp_dir d;
  log_config c;
  c.retention_ms = 60'000;
  auto log = open_log(d.path(), c);
  std::vector<core::raw_record> rs(2);
  for (auto& r : rs) {
    r.value = core::to_bytes("no time");
    r.ts = core::from_epoch_ms(protocol::no_timestamp);
  }
  ASSERT_TRUE(log->append(protocol::encode_record_batch(rs, {}).value()));
  EXPECT_EQ(stored_headers(*log).at(0).max_timestamp, protocol::no_timestamp);
  roll(*log);
  ASSERT_TRUE(log->append(make_batch(1, 2, now_ms())));
  // A fresh file: kept.
  EXPECT_EQ(log->enforce_retention(now_ms()).value(), 0u);
  // Its file last written two minutes ago: past retention.ms, deleted.
  const auto first = d.path() / "00000000000000000000.log";
  ASSERT_TRUE(set_mtime_ms(first, now_ms() - 120'000));
  EXPECT_EQ(log->enforce_retention(now_ms()).value(), 1u);
  EXPECT_EQ(log->log_start_offset(), core::offset{2});
}

TEST(log_validator, log_append_time_stamps_the_batch_with_the_broker_clock) {
  temp_dir d;
  log_config c;
  c.timestamp_type = timestamp_type::log_append_time;
  auto log = open_log(d.path(), c);
  const int64_t before = now_ms();
  auto r = log->append(make_batch(3, 0, 1'000, compression_codec::lz4));
  ASSERT_TRUE(r);
  const int64_t after = now_ms();
  EXPECT_GE(r.value().log_append_time, before);
  EXPECT_LE(r.value().log_append_time, after);
  auto h = stored_headers(*log).at(0);
  EXPECT_EQ(h.ts_type(), timestamp_type::log_append_time);
  EXPECT_EQ(h.max_timestamp, r.value().log_append_time);
  auto read = log->read(core::offset{0}, 1 << 20, log->high_watermark());
  auto records = protocol::decode_record_batch(read.value().records);
  ASSERT_TRUE(records);
  for (const auto& rec : records.value()) {
    EXPECT_EQ(core::to_epoch_ms(rec.record.ts), r.value().log_append_time);
  }
  // CreateTime topics answer -1.
  c.timestamp_type = timestamp_type::create_time;
  log->set_config(c);
  EXPECT_EQ(log->append(make_batch(1, 3)).value().log_append_time, -1);
}

TEST(log_validator, a_producer_may_not_send_log_append_time) {
  temp_dir d;
  auto log = open_log(d.path());
  auto batch = make_batch(2);
  protocol::set_max_timestamp(batch, timestamp_type::log_append_time, 1'000'001);
  EXPECT_EQ(log->append(batch).error(), errc::invalid_timestamp);
  EXPECT_EQ(log->log_end_offset(), core::offset{0});
}

TEST(log_validator, create_time_bounds_refuse_the_whole_batch) {
  temp_dir d;
  log_config c;  // after.max.ms: one hour by default (Kafka 4)
  auto log = open_log(d.path(), c);
  const int64_t now = now_ms();
  EXPECT_EQ(log->append(make_batch(2, 0, now + 2 * 3600 * 1000)).error(), errc::invalid_timestamp);
  EXPECT_TRUE(log->append(make_batch(2, 0, now + 60'000)));
  c.timestamp_before_max_ms = 10'000;
  log->set_config(c);
  EXPECT_EQ(log->append(make_batch(2, 0, now - 60'000)).error(), errc::invalid_timestamp);
  EXPECT_TRUE(log->append(make_batch(1, 0, now)));
  // -1 ("no timestamp") is never out of bounds.
  std::vector<core::raw_record> rs(1);
  rs[0].value = core::to_bytes("x");
  rs[0].ts = core::from_epoch_ms(protocol::no_timestamp);
  EXPECT_TRUE(log->append(protocol::encode_record_batch(rs, {}).value()));
  // LogAppendTime topics ignore the bounds.
  c.timestamp_type = timestamp_type::log_append_time;
  log->set_config(c);
  EXPECT_TRUE(log->append(make_batch(1, 0, 5)));
  EXPECT_EQ(log->log_end_offset(), core::offset{5});
}

TEST(log_validator, records_that_disagree_with_the_header_are_corrupt) {
  temp_dir d;
  auto log = open_log(d.path());
  // A valid CRC over a record_count that claims one record more than the batch holds (and the
  // matching last_offset_delta, so only the records can tell).
  auto batch = make_batch(3);
  core::store_be<int32_t>(batch.data() + 23, 3);   // last_offset_delta
  core::store_be<int32_t>(batch.data() + 57, 4);   // record_count
  core::store_be<uint32_t>(batch.data() + 17, protocol::compute_batch_crc(batch));
  EXPECT_EQ(log->append(batch).error(), errc::corrupt_batch);
  // A record length running past the batch.
  auto cut = make_batch(2);
  cut[61] = std::byte{0x7e};  // the first record's varint length: 63
  core::store_be<uint32_t>(cut.data() + 17, protocol::compute_batch_crc(cut));
  EXPECT_EQ(log->append(cut).error(), errc::corrupt_batch);
  // A record timestamp that overflows int64 (base_timestamp near the maximum, delta > 0).
  auto late = make_batch(2, 0, INT64_MAX - 1);
  core::store_be<int64_t>(late.data() + 27, INT64_MAX);  // base_timestamp
  core::store_be<uint32_t>(late.data() + 17, protocol::compute_batch_crc(late));
  EXPECT_EQ(log->append(late).error(), errc::corrupt_batch);
  EXPECT_EQ(log->log_end_offset(), core::offset{0});
}

TEST(log_validator, a_batch_to_recompress_with_offset_deltas_out_of_order_is_corrupt) {
  temp_dir d;
  log_config c;
  c.compression = compression_codec::gzip;
  auto log = open_log(d.path(), c);
  // Two records whose offset deltas are 1 then 0 (a valid CRC): re-encoding must refuse them,
  // not stop the broker.
  std::vector<core::raw_record> rs(2);
  rs[0].value = core::to_bytes("a");
  rs[1].value = core::to_bytes("b");
  const std::vector<int32_t> deltas{0, 1};
  protocol::record_batch_options o;
  o.offset_deltas = deltas;
  auto swapped = protocol::encode_record_batch(rs, o).value();
  // Each record is 8 bytes: length 7, attributes, ts delta, offset delta, ...; swap the deltas.
  ASSERT_EQ(swapped[61 + 3], std::byte{0});
  ASSERT_EQ(swapped[61 + 8 + 3], std::byte{2});
  swapped[61 + 3] = std::byte{2};
  swapped[61 + 8 + 3] = std::byte{0};
  core::store_be<uint32_t>(swapped.data() + 17, protocol::compute_batch_crc(swapped));
  EXPECT_EQ(log->append(swapped).error(), errc::corrupt_batch);
  // The same batch with the topic storing what producers send: taken as sent (as Kafka).
  c.compression = std::nullopt;
  log->set_config(c);
  EXPECT_TRUE(log->append(swapped));
}

TEST(log_validator, recompression_uses_the_topics_compression_codec_level) {
  // A batch of 50 records of 200 bytes, sent uncompressed; the topic recompresses with gzip.
  // zlib records the level class in the gzip header's XFL byte (4 = level 1, 2 = level 9, 0 =
  // the default), 8 bytes into the records section after the 61-byte batch header.
  auto stored_xfl = [](int32_t level) {
    temp_dir d;
    log_config c;
    c.compression = compression_codec::gzip;
    c.compression_gzip_level = level;
    auto log = open_log(d.path(), c);
    std::vector<core::raw_record> rs(50);
    for (size_t i = 0; i < rs.size(); ++i) {
      rs[i].value = core::to_bytes(std::string(200, static_cast<char>('a' + i % 26)));
      rs[i].ts = core::from_epoch_ms(now_ms());
    }
    EXPECT_TRUE(log->append(protocol::encode_record_batch(rs, {}).value()));
    auto r = log->read(core::offset{0}, 1 << 20, log->high_watermark()).value();
    EXPECT_EQ(stored_headers(*log).at(0).codec(), compression_codec::gzip);
    EXPECT_EQ(r.records.at(61), std::byte{0x1f});  // the gzip magic
    return r.records.at(61 + 8);
  };
  EXPECT_EQ(stored_xfl(1), std::byte{4});
  EXPECT_EQ(stored_xfl(9), std::byte{2});
  EXPECT_EQ(stored_xfl(-1), std::byte{0});
  // Only the level of the topic's codec counts.
  log_config c;
  c.compression = compression_codec::zstd;
  c.compression_zstd_level = 19;
  c.compression_gzip_level = 1;
  EXPECT_EQ(compression_level(c), 19);
}

}  // namespace
}  // namespace sluice::broker::storage
