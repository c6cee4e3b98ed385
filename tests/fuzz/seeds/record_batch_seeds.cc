// Seeds for the `record_batch` target: batches in every codec — keys, null keys and values,
// headers, an idempotent producer, a transaction and its markers, two batches back to back —
// each after a mode byte (tests/fuzz/record_batch.cc), plain and with a recompression policy —
// and a batch whose records' timestamps lie almost 2^64 apart (records_test.cc).

#include "core/protocol/records.h"
#include "core/record.h"
#include "tests/core/protocol/golden.h"
#include "tests/fuzz/seed_writer.h"

#include <gtest/gtest.h>

#include <vector>

namespace sluice::fuzz {
namespace {

using namespace ::sluice::protocol;

std::vector<core::raw_record> sample_records() {
  std::vector<core::raw_record> records(3);
  records[0].key = core::to_bytes("key");
  records[0].value = core::to_bytes("value value value value");
  records[0].ts = core::from_epoch_ms(1'700'000'000'000);
  records[0].hdrs.add("h", core::to_bytes("x"));
  records[0].hdrs.add("null", std::nullopt);
  records[1].value = core::to_bytes("no key");
  records[1].ts = core::from_epoch_ms(1'700'000'000'005);
  records[2].key = core::to_bytes("tombstone");
  records[2].ts = core::from_epoch_ms(1'700'000'000'001);
  return records;
}

void write_batch_seeds(const core::bytes& batches) {
  // Mode bytes: plain; CRC recomputed; CRC recomputed + recompress to gzip; + compacted;
  // + LogAppendTime; a 4 KiB limit; a coordinator batch.
  for (const uint8_t mode : {0x00, 0x01, 0x05, 0x11, 0x21, 0x41, 0x81}) {
    core::bytes seed{static_cast<std::byte>(mode)};
    seed.insert(seed.end(), batches.begin(), batches.end());
    write_seed("record_batch", seed);
  }
}

TEST(fuzz_seeds, record_batches) {
  const auto records = sample_records();
  for (const auto codec : {compression_codec::none, compression_codec::gzip, compression_codec::snappy,
                           compression_codec::lz4, compression_codec::zstd}) {
    SCOPED_TRACE(std::string(name(codec)));
    record_batch_options o;
    o.codec = codec;
    auto plain = encode_record_batch(records, o);
    ASSERT_TRUE(plain);
    o.producer_id = core::producer_id{42};
    o.producer_epoch = core::producer_epoch{3};
    o.base_sequence = 7;
    auto idempotent = encode_record_batch(records, o);
    ASSERT_TRUE(idempotent);
    o.transactional = true;
    auto transactional = encode_record_batch(records, o);
    ASSERT_TRUE(transactional);
    for (const auto* batch : {&plain.value(), &idempotent.value(), &transactional.value()}) {
      auto decoded = decode_record_batch(*batch);
      ASSERT_TRUE(decoded);
      ASSERT_EQ(decoded.value().size(), records.size());
      for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(decoded.value()[i].record, records[i]);
      write_batch_seeds(*batch);
    }
    core::bytes two = plain.value();
    two.insert(two.end(), transactional.value().begin(), transactional.value().end());
    write_batch_seeds(two);
  }
  const core::bytes far_apart = test::hex(
      "00 00 00 00 00 00 00 00 00 00 00 55 00 00 00 00 02 a5 5e 16 30 00 00 00 00 00 01"
      "00 00 00 00 00 00 00 00 7f ff ff ff ff ff ff f5"
      "ff ff ff ff ff ff ff ff ff ff ff ff ff ff 00 00 00 02"
      "22 00 eb ff ff ff ff ff ff ff ff 01 00 02 'k' 02 'v' 00"
      "22 00 ea ff ff ff ff ff ff ff ff 01 02 02 'k' 02 'w' 00");
  auto decoded_far_apart = decode_record_batch(far_apart);
  ASSERT_TRUE(decoded_far_apart);
  EXPECT_EQ(decoded_far_apart.value().size(), 2u);
  write_batch_seeds(far_apart);
  for (const auto type : {control_record_type::commit, control_record_type::abort}) {
    auto marker = encode_control_batch(type, core::producer_id{42}, core::producer_epoch{3}, 5,
                                       core::from_epoch_ms(1'700'000'000'000));
    ASSERT_TRUE(marker);
    auto decoded = decode_record_batch(marker.value());
    ASSERT_TRUE(decoded);
    ASSERT_EQ(decoded.value().size(), 1u);
    EXPECT_EQ(decode_control_record_key(*decoded.value()[0].record.key).value(), type);
    write_batch_seeds(marker.value());
  }
}

}  // namespace
}  // namespace sluice::fuzz
