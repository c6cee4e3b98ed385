// The one big-endian helper: byte order, sign, and round trips at every width.

#include "core/big_endian.h"

#include <gtest/gtest.h>

#include <limits>

namespace sluice::core {
namespace {

TEST(big_endian, network_order_at_every_width) {
  EXPECT_EQ(to_be_bytes<uint16_t>(0x0102), (bytes{std::byte{1}, std::byte{2}}));
  EXPECT_EQ(to_be_bytes<int32_t>(0x01020304),
            (bytes{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4}}));
  EXPECT_EQ(to_be_bytes<int32_t>(-2), (bytes{std::byte{0xff}, std::byte{0xff}, std::byte{0xff}, std::byte{0xfe}}));
  const bytes eight = to_be_bytes<uint64_t>(0x0102030405060708ULL);
  EXPECT_EQ(eight.front(), std::byte{1});
  EXPECT_EQ(eight.back(), std::byte{8});
}

TEST(big_endian, round_trips_extremes) {
  for (int64_t v : {std::numeric_limits<int64_t>::min(), int64_t{-1}, int64_t{0}, int64_t{1},
                    std::numeric_limits<int64_t>::max()}) {
    bytes b;
    append_be(b, v);
    EXPECT_EQ(load_be<int64_t>(b.data()), v);
  }
  for (int16_t v : {std::numeric_limits<int16_t>::min(), int16_t{-1}, int16_t{300}}) {
    EXPECT_EQ(load_be<int16_t>(to_be_bytes(v).data()), v);
  }
  bytes at(6);
  store_be<uint32_t>(at.data() + 1, 0xdeadbeef);
  EXPECT_EQ(load_be<uint32_t>(at.data() + 1), 0xdeadbeefU);
  EXPECT_EQ(at[0], std::byte{0});
  EXPECT_EQ(at[5], std::byte{0});
}

}  // namespace
}  // namespace sluice::core
