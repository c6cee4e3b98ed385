// Seeds for the `producer_snapshot` target: snapshots of producer states with idempotent and
// transactional producers, open and aborted transactions, each after the flag byte
// (tests/fuzz/producer_snapshot.cc), with and without the CRC recomputed.

#include "broker/storage/producer_state.h"
#include "tests/fuzz/seed_writer.h"

#include <gtest/gtest.h>

namespace sluice::fuzz {
namespace {

using namespace broker::storage;

batch_header header(int64_t producer, int16_t epoch, int32_t sequence, int64_t base, bool transactional) {
  batch_header h;
  h.producer_id = core::producer_id{producer};
  h.producer_epoch = core::producer_epoch{epoch};
  h.base_sequence = sequence;
  h.base_offset = core::offset{base};
  h.last_offset_delta = 2;
  h.record_count = 3;
  h.max_timestamp = 1'000'000 + base;
  if (transactional) h.attributes = protocol::batch_attribute::transactional;
  return h;
}

TEST(fuzz_seeds, producer_snapshots) {
  producer_state state;
  for (int i = 0; i < 7; ++i) state.on_append(header(1, 0, 3 * i, 3 * i, false));
  state.on_append(header(2, 5, 0, 30, true));
  state.on_marker(core::producer_id{2}, 5, false, 9, 33, 1'000'100, 34);
  state.on_append(header(3, 1, 0, 40, true));
  state.on_append(header(4, 0, 10, 50, false));
  for (const auto& s : {producer_state{}, state}) {
    const auto snapshot = s.serialize(60);
    auto back = producer_state::deserialize(snapshot);
    ASSERT_TRUE(back);
    EXPECT_EQ(back.value().first, 60);
    EXPECT_TRUE(back.value().second == s);
    for (const uint8_t flag : {0, 1}) {
      core::bytes seed{static_cast<std::byte>(flag)};
      seed.insert(seed.end(), snapshot.begin(), snapshot.end());
      write_seed("producer_snapshot", seed);
    }
  }
  EXPECT_EQ(state.first_unstable_offset(), 40);
}

}  // namespace
}  // namespace sluice::fuzz
