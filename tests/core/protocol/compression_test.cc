#include "core/protocol/compression.h"

#include "core/protocol/errc.h"
#include "golden.h"

#include <gtest/gtest.h>

#include <random>

namespace sluice::protocol {
namespace {

constexpr compression_codec all_codecs[] = {compression_codec::none, compression_codec::gzip,
                                            compression_codec::snappy, compression_codec::lz4,
                                            compression_codec::zstd};
constexpr compression_codec real_codecs[] = {compression_codec::gzip, compression_codec::snappy,
                                             compression_codec::lz4, compression_codec::zstd};

core::bytes text(size_t n) {
  core::bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<std::byte>("sluice streams "[i % 15]);
  return b;
}

core::bytes random_bytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  core::bytes b(n);
  for (auto& x : b) x = static_cast<std::byte>(gen() & 0xff);
  return b;
}

core::bytes concat(const core::bytes& a, const core::bytes& b) {
  core::bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

TEST(compression, names_and_codes) {
  EXPECT_EQ(name(compression_codec::zstd), "zstd");
  EXPECT_EQ(to_compression_codec(3), compression_codec::lz4);
  EXPECT_EQ(to_compression_codec(5), std::nullopt);
  EXPECT_EQ(to_compression_codec(-1), std::nullopt);
}

TEST(compression, round_trips_every_codec) {
  const core::bytes inputs[] = {core::bytes{}, hex("'x'"), text(1000), text(300000),
                                random_bytes(70000, 1)};
  for (auto codec : all_codecs) {
    for (const auto& input : inputs) {
      SCOPED_TRACE(std::string(name(codec)) + " size " + std::to_string(input.size()));
      auto packed = compress(codec, input);
      ASSERT_TRUE(packed) << packed.error().message();
      auto unpacked = decompress(codec, packed.value(), input.size());
      ASSERT_TRUE(unpacked) << unpacked.error().message();
      EXPECT_EQ(unpacked.value(), input);
    }
  }
}

TEST(compression, compressed_formats_are_the_standard_ones) {
  const auto input = text(5000);
  auto starts_with = [](const core::bytes& b, const core::bytes& prefix) {
    return b.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), b.begin());
  };
  EXPECT_TRUE(starts_with(compress(compression_codec::gzip, input).value(), hex("1f 8b 08")));
  EXPECT_TRUE(starts_with(compress(compression_codec::lz4, input).value(), hex("04 22 4d 18")));
  EXPECT_TRUE(starts_with(compress(compression_codec::zstd, input).value(), hex("28 b5 2f fd")));
  // Raw snappy starts with the uncompressed length as a varint: 5000 = 88 27.
  EXPECT_TRUE(starts_with(compress(compression_codec::snappy, input).value(), hex("88 27")));
  EXPECT_LT(compress(compression_codec::zstd, input).value().size(), input.size() / 10);
}

/// Text of random words: compressible, but not trivially, so levels make a difference.
core::bytes words(size_t n, uint32_t seed) {
  static const char* vocabulary[] = {"sluice ", "stream ", "broker ", "kafka ", "segment ",
                                     "offset ", "record ", "batch ", "topic ", "partition ",
                                     "leader ", "epoch ", "index ", "cleaner ", "key ", "value "};
  std::mt19937 gen(seed);
  core::bytes b;
  while (b.size() < n) {
    for (const char* c = vocabulary[gen() % 16]; *c != 0; ++c) b.push_back(static_cast<std::byte>(*c));
  }
  b.resize(n);
  return b;
}

TEST(compression, levels_are_kafkas_compression_codec_levels) {
  const auto input = words(200000, 7);
  auto packed = [&](compression_codec codec, std::optional<int32_t> level) {
    auto p = compress(codec, input, level);
    EXPECT_TRUE(p) << p.error().message();
    auto back = decompress(codec, p.value(), input.size());
    EXPECT_TRUE(back);
    EXPECT_EQ(back.value(), input);  // every level round-trips
    return p.value();
  };
  // gzip: zlib records the level class in the header's XFL byte: 4 = fastest (level 1),
  // 2 = best (level 9), 0 = anything else (-1, zlib's default 6).
  EXPECT_EQ(packed(compression_codec::gzip, 1)[8], std::byte{4});
  EXPECT_EQ(packed(compression_codec::gzip, 9)[8], std::byte{2});
  EXPECT_EQ(packed(compression_codec::gzip, -1)[8], std::byte{0});
  EXPECT_EQ(packed(compression_codec::gzip, -1), packed(compression_codec::gzip, std::nullopt));
  // lz4: 9 (Kafka's default) is the fast mode, as without a level; 12 is high compression.
  EXPECT_EQ(packed(compression_codec::lz4, 9), packed(compression_codec::lz4, std::nullopt));
  EXPECT_LT(packed(compression_codec::lz4, 12).size(), packed(compression_codec::lz4, 9).size());
  EXPECT_EQ(packed(compression_codec::lz4, 17), packed(compression_codec::lz4, 12));  // capped
  // zstd: the level as given; 3 is the default.
  EXPECT_EQ(packed(compression_codec::zstd, 3), packed(compression_codec::zstd, std::nullopt));
  EXPECT_LT(packed(compression_codec::zstd, 19).size(), packed(compression_codec::zstd, -5).size());
  // snappy and none have no level: it is ignored.
  EXPECT_EQ(packed(compression_codec::snappy, 5), packed(compression_codec::snappy, std::nullopt));
}

TEST(compression, snappy_accepts_the_xerial_framing) {
  const auto part1 = text(40000);
  const auto part2 = random_bytes(1000, 2);
  const auto block1 = compress(compression_codec::snappy, part1).value();
  const auto block2 = compress(compression_codec::snappy, part2).value();
  core::bytes framed = hex("82 'SNAPPY' 00"   // magic
                           "00 00 00 01"      // version
                           "00 00 00 01");    // minimum compatible version
  auto append_block = [&](const core::bytes& block) {
    const auto n = static_cast<uint32_t>(block.size());
    for (int shift = 24; shift >= 0; shift -= 8) {
      framed.push_back(static_cast<std::byte>((n >> shift) & 0xff));
    }
    framed.insert(framed.end(), block.begin(), block.end());
  };
  append_block(block1);
  append_block(block2);
  auto out = decompress(compression_codec::snappy, framed, 1 << 20);
  ASSERT_TRUE(out) << out.error().message();
  EXPECT_EQ(out.value(), concat(part1, part2));
  // The bound applies to the sum of the blocks.
  EXPECT_EQ(decompress(compression_codec::snappy, framed, 40000).error(),
            errc::decompressed_too_large);
  // A block length running past the end fails.
  core::bytes broken = framed;
  broken.resize(broken.size() - 1);
  EXPECT_EQ(decompress(compression_codec::snappy, broken, 1 << 20).error(),
            errc::decompression_failed);
  // Header only: no blocks, empty output.
  EXPECT_TRUE(decompress(compression_codec::snappy, bytes_view(framed).first(16), 10).value().empty());
}

TEST(compression, concatenated_gzip_members_lz4_and_zstd_frames) {
  const auto a = text(2000);
  const auto b = random_bytes(3000, 3);
  for (auto codec : {compression_codec::gzip, compression_codec::lz4, compression_codec::zstd}) {
    SCOPED_TRACE(std::string(name(codec)));
    const auto joined = concat(compress(codec, a).value(), compress(codec, b).value());
    auto out = decompress(codec, joined, 1 << 20);
    ASSERT_TRUE(out) << out.error().message();
    EXPECT_EQ(out.value(), concat(a, b));
  }
}

TEST(compression, decompression_is_bounded) {
  // 16 MiB of zeros compress to a few KiB: a small "zip bomb" for each codec.
  const core::bytes zeros(16u << 20, std::byte{0});
  for (auto codec : real_codecs) {
    SCOPED_TRACE(std::string(name(codec)));
    const auto packed = compress(codec, zeros).value();
    EXPECT_LT(packed.size(), zeros.size() / 20);
    EXPECT_EQ(decompress(codec, packed, 1u << 20).error(), errc::decompressed_too_large);
    EXPECT_EQ(decompress(codec, packed, zeros.size() - 1).error(), errc::decompressed_too_large);
    auto exact = decompress(codec, packed, zeros.size());
    ASSERT_TRUE(exact) << exact.error().message();
    EXPECT_EQ(exact.value().size(), zeros.size());
  }
  EXPECT_EQ(decompress(compression_codec::none, zeros, 10).error(), errc::decompressed_too_large);
}

TEST(compression, snappy_length_claims_are_not_trusted) {
  // Header claims 0xffffffff bytes: refused before any allocation.
  EXPECT_EQ(decompress(compression_codec::snappy, hex("ff ff ff ff 0f 00"), 1 << 20).error(),
            errc::decompressed_too_large);
  // Claims 1000 bytes within the bound, but the body is garbage: checked before allocating.
  EXPECT_EQ(decompress(compression_codec::snappy, hex("e8 07 ff ff ff"), 1 << 20).error(),
            errc::decompression_failed);
}

TEST(compression, corrupt_and_truncated_input_fails_cleanly) {
  const auto input = random_bytes(5000, 4);
  for (auto codec : real_codecs) {
    SCOPED_TRACE(std::string(name(codec)));
    const auto packed = compress(codec, input).value();
    // Every truncation either fails or (never) yields the wrong data silently.
    for (size_t n = 0; n < packed.size(); n += std::max<size_t>(1, packed.size() / 97)) {
      auto out = decompress(codec, bytes_view(packed).first(n), 1 << 20);
      if (out) {
        ADD_FAILURE() << "truncated input of " << n << " bytes decoded";
      } else {
        EXPECT_EQ(out.error(), errc::decompression_failed) << n;
      }
    }
    EXPECT_FALSE(decompress(codec, hex("de ad be ef 00 11 22 33"), 1 << 20));
  }
}

}  // namespace
}  // namespace sluice::protocol
