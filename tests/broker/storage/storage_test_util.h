#pragma once
// Helpers for storage unit tests: temporary directories and producer-style batches built with
// the protocol encoder.

#include "core/temp_dir.h"
#include "core/protocol/records.h"
#include "broker/storage/partition_log.h"
#include "core/record.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace sluice::broker::storage::testing {

using core::temp_dir;
/// A batch of `count` records "k<i>" → "v<i>" (i from `first`), with timestamps ts0 + i.
inline core::bytes make_batch(int count, int first = 0, int64_t ts0 = 1'000'000,
                              protocol::compression_codec codec = protocol::compression_codec::none) {
  std::vector<core::raw_record> records;
  for (int i = first; i < first + count; ++i) {
    core::raw_record r;
    r.key = core::to_bytes("k" + std::to_string(i));
    r.value = core::to_bytes("v" + std::to_string(i));
    r.ts = core::from_epoch_ms(ts0 + i);
    records.push_back(std::move(r));
  }
  protocol::record_batch_options o;
  o.codec = codec;
  auto b = protocol::encode_record_batch(records, o);
  EXPECT_TRUE(b);
  return std::move(b).value();
}

/// Every record value in a byte range of whole batches, in order.
inline std::vector<std::string> values_in(bytes_view batches) {
  std::vector<std::string> out;
  protocol::batch_iterator it(batches);
  for (;;) {
    auto next = it.next();
    EXPECT_TRUE(next);
    if (!next || !next.value()) break;
    auto records = protocol::decode_record_batch(*next.value());
    EXPECT_TRUE(records);
    for (const auto& r : records.value()) out.push_back(core::to_string(*r.record.value));
  }
  return out;
}

/// Rolls the active segment (as if segment.ms had elapsed), so everything appended so far is in
/// closed segments (what compaction and retention act on).
inline void roll(partition_log& log) {
  auto c = log.config();
  const auto saved = c.segment_ms;
  c.segment_ms = 1;
  log.set_config(c);
  std::this_thread::sleep_for(std::chrono::milliseconds(3));
  ASSERT_TRUE(log.roll_if_idle(std::chrono::steady_clock::now()));
  c.segment_ms = saved;
  log.set_config(c);
}

}  // namespace sluice::broker::storage::testing
