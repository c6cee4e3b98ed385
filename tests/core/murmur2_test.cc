#include "core/murmur2.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>

namespace sluice::core {
namespace {

int32_t hash_of(std::string_view s) { return murmur2(as_bytes(s)); }

// Vectors from Kafka's UtilsTest.testMurmur2, plus the empty input.
TEST(murmur2, matches_kafka_utils_test_vectors) {
  EXPECT_EQ(hash_of("21"), -973932308);
  EXPECT_EQ(hash_of("foobar"), -790332482);
  EXPECT_EQ(hash_of("a-little-bit-long-string"), -985981536);
  EXPECT_EQ(hash_of("a-little-bit-longer-string"), -1486304829);
  EXPECT_EQ(hash_of("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"), -58897971);
  EXPECT_EQ(hash_of("abc"), 479470107);
  EXPECT_EQ(hash_of(""), 275646681);
}

// Every tail length (0..3 bytes after the 4-byte blocks) goes through a different switch arm.
TEST(murmur2, covers_every_tail_length) {
  EXPECT_EQ(hash_of("a"), -1563381124);
  EXPECT_EQ(hash_of("ab"), 316155434);
  EXPECT_EQ(hash_of("abc"), 479470107);
  EXPECT_EQ(hash_of("abcd"), -1323649548);
}

// Java masks each byte with 0xff; bytes >= 0x80 must not sign-extend.
TEST(murmur2, treats_bytes_as_unsigned) {
  const std::array<std::byte, 3> tail{std::byte{0xff}, std::byte{0x80}, std::byte{0x7f}};
  EXPECT_EQ(murmur2(tail), 968261134);
  std::array<std::byte, 7> block{};
  for (std::size_t i = 0; i < block.size(); ++i) block[i] = std::byte(i);
  EXPECT_EQ(murmur2(block), -1488168820);
}

TEST(murmur2, partition_for_key_masks_sign_bit_then_takes_modulo) {
  // murmur2("21") is negative: (h & 0x7fffffff) == 1173551340.
  EXPECT_EQ(partition_for_key(as_bytes("21"), 1), 0);
  EXPECT_EQ(partition_for_key(as_bytes("21"), 7), 1173551340 % 7);
  EXPECT_EQ(partition_for_key(as_bytes("21"), 1000), 340);

  EXPECT_EQ(partition_for_key(as_bytes("key-0"), 3), 1);
  EXPECT_EQ(partition_for_key(as_bytes("key-0"), 100), 41);
  EXPECT_EQ(partition_for_key(as_bytes("key-1"), 100), 40);
  EXPECT_EQ(partition_for_key(as_bytes("user-42"), 6), 4);
  EXPECT_EQ(partition_for_key(as_bytes("user-42"), 100), 60);
  EXPECT_EQ(partition_for_key(as_bytes("hello"), 12), 9);
  EXPECT_EQ(partition_for_key(as_bytes(""), 100), 81);
}

TEST(murmur2, partition_for_key_is_always_in_range) {
  for (int32_t n : {1, 2, 3, 7, 64, 1000, 2147483647}) {
    for (int i = 0; i < 500; ++i) {
      const std::string key = "k" + std::to_string(i);
      const int32_t p = partition_for_key(as_bytes(key), n);
      EXPECT_GE(p, 0);
      EXPECT_LT(p, n);
    }
  }
}

TEST(murmur2, partition_for_key_rejects_zero_partitions) {
  EXPECT_DEATH((void)partition_for_key(as_bytes("k"), 0), "at least one partition");
}

}  // namespace
}  // namespace sluice::core
