#include "core/murmur2.h"

#include "core/assert.h"

namespace sluice::core {

int32_t murmur2(bytes_view data) noexcept {
  // Java computes in two's-complement `int` with wrapping multiplication and `>>>` shifts;
  // unsigned 32-bit arithmetic is the same bit pattern without signed-overflow UB.
  constexpr uint32_t seed = 0x9747b28cU;
  constexpr uint32_t m = 0x5bd1e995U;
  constexpr int r = 24;

  const auto length = static_cast<uint32_t>(data.size());
  uint32_t h = seed ^ length;

  const std::size_t whole = data.size() / 4 * 4;
  for (std::size_t i = 0; i < whole; i += 4) {
    uint32_t k = static_cast<uint32_t>(data[i]) | static_cast<uint32_t>(data[i + 1]) << 8 |
                 static_cast<uint32_t>(data[i + 2]) << 16 |
                 static_cast<uint32_t>(data[i + 3]) << 24;
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }

  switch (data.size() % 4) {
    case 3:
      h ^= static_cast<uint32_t>(data[whole + 2]) << 16;
      [[fallthrough]];
    case 2:
      h ^= static_cast<uint32_t>(data[whole + 1]) << 8;
      [[fallthrough]];
    case 1:
      h ^= static_cast<uint32_t>(data[whole]);
      h *= m;
      break;
    default:
      break;
  }

  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t partition_for_key(bytes_view key, int32_t num_partitions) noexcept {
  SLUICE_ASSERT(num_partitions > 0, "partition_for_key needs at least one partition");
  const auto positive = static_cast<uint32_t>(murmur2(key)) & 0x7fffffffU;
  return static_cast<int32_t>(positive % static_cast<uint32_t>(num_partitions));
}

}  // namespace sluice::core
