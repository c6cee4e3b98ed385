// The segment index classes: their byte tables (golden bytes) and their lookups.

#include "broker/storage/segment_indexes.h"

#include <gtest/gtest.h>

namespace sluice::broker::storage {
namespace {

bytes hex(std::initializer_list<int> v) {
  bytes out;
  for (int b : v) out.push_back(static_cast<std::byte>(b));
  return out;
}

TEST(segment_indexes, offset_index_bytes_and_lookups) {
  offset_index idx;
  idx.append(0, 0);
  idx.append(5, 4096);
  idx.append(9, 9000);
  const bytes encoded = idx.encode();
  ASSERT_EQ(encoded.size(), 24u);
  EXPECT_EQ(bytes(encoded.begin() + 8, encoded.begin() + 16), hex({0, 0, 0, 5, 0, 0, 0x10, 0}));
  auto back = offset_index::decode(encoded);
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value().entries().size(), 3u);
  EXPECT_EQ(back.value().floor_position(4), 0u);
  EXPECT_EQ(back.value().floor_position(5), 4096u);
  EXPECT_EQ(back.value().floor_position(100), 9000u);
  EXPECT_EQ(idx.last_position_within(5000, 100), std::optional<uint64_t>(4096));
  EXPECT_EQ(idx.last_position_within(100000, 9), std::optional<uint64_t>(4096)) << "offset limit is exclusive";
  EXPECT_TRUE(idx.consistent(10000));
  EXPECT_FALSE(idx.consistent(9000)) << "a position past the log";
  EXPECT_FALSE(offset_index::decode(hex({0, 0, 0})));
  EXPECT_FALSE(offset_index{}.consistent(10)) << "a non-empty log needs an entry";
}

TEST(segment_indexes, time_index_bytes_and_lookups) {
  time_index idx;
  idx.append(1000, 0);
  idx.append(2000, 7);
  const bytes encoded = idx.encode();
  ASSERT_EQ(encoded.size(), 24u);
  EXPECT_EQ(bytes(encoded.begin(), encoded.begin() + 12), hex({0, 0, 0, 0, 0, 0, 0x03, 0xe8, 0, 0, 0, 0}));
  EXPECT_EQ(idx.max_timestamp(), 2000);
  EXPECT_EQ(idx.before(1000), std::nullopt);
  EXPECT_EQ(idx.before(1500), std::optional<uint32_t>(0));
  EXPECT_EQ(idx.before(5000), std::optional<uint32_t>(7));
  auto back = time_index::decode(encoded);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back.value().consistent());
  time_index backwards;
  backwards.append(5, 0);
  backwards.append(4, 1);
  EXPECT_FALSE(backwards.consistent());
}

TEST(segment_indexes, txn_index_bytes_order_and_untrusted_files) {
  txn_index idx;
  EXPECT_TRUE(idx.add({7, 10, 20, 21}));
  EXPECT_TRUE(idx.add({8, 5, 15, 16}));
  EXPECT_FALSE(idx.add({9, 1, 15, 16})) << "one entry per marker offset";
  ASSERT_EQ(idx.entries().size(), 2u);
  EXPECT_EQ(idx.entries().front().last_offset, 15) << "marker order";
  const bytes encoded = idx.encode();
  ASSERT_EQ(encoded.size(), 68u);
  EXPECT_EQ(bytes(encoded.begin(), encoded.begin() + 10), hex({0, 0, 0, 0, 0, 0, 0, 0, 0, 8}));
  auto back = txn_index::decode(encoded);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->entries(), idx.entries());
  EXPECT_FALSE(txn_index::decode(bytes(encoded.begin(), encoded.end() - 1))) << "torn tail: rebuild";
  bytes future = encoded;
  future[1] = std::byte{1};
  EXPECT_FALSE(txn_index::decode(future)) << "unknown version: rebuild";
  idx.drop_from(16);
  ASSERT_EQ(idx.entries().size(), 1u);
  EXPECT_EQ(idx.entries().front().last_offset, 15);
}

}  // namespace
}  // namespace sluice::broker::storage
