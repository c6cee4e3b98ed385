#include "core/crc32c.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace sluice::core {
namespace {

// A bit-at-a-time reference, written from the definition of the reflected CRC.
uint32_t reference_crc32c(bytes_view data, uint32_t crc = 0) {
  uint32_t c = ~crc;
  for (std::byte b : data) {
    c ^= static_cast<uint32_t>(b);
    for (int i = 0; i < 8; ++i) c = (c & 1U) ? (c >> 1) ^ 0x82F63B78U : c >> 1;
  }
  return ~c;
}

struct implementation {
  const char* name;
  std::function<uint32_t(bytes_view, uint32_t)> fn;
};

std::vector<implementation> implementations() {
  std::vector<implementation> all{
      {"dispatch", [](bytes_view d, uint32_t c) { return crc32c(d, c); }},
      {"software", [](bytes_view d, uint32_t c) { return detail::crc32c_software(d, c); }},
      {"reference", [](bytes_view d, uint32_t c) { return reference_crc32c(d, c); }},
  };
  if (detail::crc32c_hardware_available()) {
    all.push_back(
        {"hardware", [](bytes_view d, uint32_t c) { return detail::crc32c_hardware(d, c); }});
  }
  return all;
}

bytes filled(std::size_t n, std::byte value) { return bytes(n, value); }

bytes ascending(std::size_t n) {
  bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = std::byte(i);
  return b;
}

bytes descending(std::size_t n) {
  bytes b(n);
  for (std::size_t i = 0; i < n; ++i) b[i] = std::byte(n - 1 - i);
  return b;
}

TEST(crc32c, known_vectors_on_every_path) {
  for (const auto& impl : implementations()) {
    SCOPED_TRACE(impl.name);
    EXPECT_EQ(impl.fn(as_bytes("123456789"), 0), 0xE3069283U);
    EXPECT_EQ(impl.fn({}, 0), 0U);
    // RFC 3720 appendix B.4.
    EXPECT_EQ(impl.fn(filled(32, std::byte{0x00}), 0), 0x8A9136AAU);
    EXPECT_EQ(impl.fn(filled(32, std::byte{0xFF}), 0), 0x62A8AB43U);
    EXPECT_EQ(impl.fn(ascending(32), 0), 0x46DD794EU);
    EXPECT_EQ(impl.fn(descending(32), 0), 0x113FDB5CU);
  }
}

TEST(crc32c, hardware_path_is_used_when_available) {
  // This machine class (x86-64 CI and dev boxes) has SSE4.2; if it ever does not, the software
  // path still serves every caller and this test only records the fact.
  if (!detail::crc32c_hardware_available()) GTEST_SKIP() << "CPU without SSE4.2";
  EXPECT_EQ(detail::crc32c_hardware(as_bytes("123456789")), 0xE3069283U);
}

TEST(crc32c, empty_input_returns_previous_crc) {
  EXPECT_EQ(crc32c({}, 0xDEADBEEFU), 0xDEADBEEFU);
  EXPECT_EQ(detail::crc32c_software({}, 0x12345678U), 0x12345678U);
}

TEST(crc32c, incremental_extension_equals_whole) {
  const std::string text = "The quick brown fox jumps over the lazy dog, again and again.";
  const uint32_t whole = crc32c(as_bytes(text));
  for (std::size_t split = 0; split <= text.size(); ++split) {
    const auto all = as_bytes(text);
    for (const auto& impl : implementations()) {
      SCOPED_TRACE(impl.name);
      EXPECT_EQ(impl.fn(all.subspan(split), impl.fn(all.first(split), 0)), whole)
          << "split at " << split;
    }
  }
}

// Every length from 0 to 300 at every start alignment 0..15, random contents, so both the
// 8-byte loops and the byte-wise heads and tails of each implementation are exercised.
TEST(crc32c, all_paths_agree_on_random_buffers) {
  std::mt19937_64 rng(20240601);
  std::vector<std::byte> storage(300 + 16 + 8);
  for (auto& b : storage) b = std::byte(rng() & 0xFF);
  const auto impls = implementations();
  for (std::size_t align = 0; align < 16; ++align) {
    for (std::size_t len = 0; len <= 300; ++len) {
      const bytes_view view(storage.data() + align, len);
      const uint32_t seed = static_cast<uint32_t>(rng());
      const uint32_t expected = reference_crc32c(view, seed);
      for (const auto& impl : impls) {
        ASSERT_EQ(impl.fn(view, seed), expected)
            << impl.name << " align=" << align << " len=" << len;
      }
    }
  }
}

// Lengths at and around the hardware path's lane rounds (three lanes of 256 and of 8192
// bytes), at several alignments and start values: each round's join and the single-chain
// tail after it.
TEST(crc32c, all_paths_agree_around_lane_rounds) {
  std::mt19937_64 rng(99);
  std::vector<std::byte> storage(3 * 3 * 8192 + 3 * 256 * 2 + 64);
  for (auto& b : storage) b = std::byte(rng() & 0xFF);
  const auto impls = implementations();
  for (std::size_t len : {767, 768, 769, 775, 776, 1536, 1543, 2303, 24575, 24576, 24577, 24583,
                          25344, 25351, 49152, 49152 + 768 + 9, 3 * 3 * 8192 + 3 * 256 * 2 + 7}) {
    for (std::size_t align : {0, 1, 7, 8, 13}) {
      if (align + len > storage.size()) continue;
      const bytes_view view(storage.data() + align, len);
      const uint32_t seed = static_cast<uint32_t>(rng());
      const uint32_t expected = reference_crc32c(view, seed);
      for (const auto& impl : impls) {
        ASSERT_EQ(impl.fn(view, seed), expected) << impl.name << " align=" << align << " len=" << len;
      }
    }
  }
}

TEST(crc32c, large_buffer_agrees) {
  std::mt19937_64 rng(7);
  bytes big(1 << 20);
  for (auto& b : big) b = std::byte(rng() & 0xFF);
  const uint32_t expected = reference_crc32c(big);
  EXPECT_EQ(crc32c(big), expected);
  EXPECT_EQ(detail::crc32c_software(big), expected);
  if (detail::crc32c_hardware_available()) {
    EXPECT_EQ(detail::crc32c_hardware(big), expected);
  }
}

TEST(crc32c, detects_single_bit_flip) {
  bytes data = ascending(64);
  const uint32_t before = crc32c(data);
  data[17] ^= std::byte{0x04};
  EXPECT_NE(crc32c(data), before);
}

}  // namespace
}  // namespace sluice::core
