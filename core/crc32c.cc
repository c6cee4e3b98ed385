#include "core/crc32c.h"

#include "core/assert.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#define SLUICE_CRC32C_X86 1
#endif

namespace sluice::core {
namespace {

constexpr uint32_t polynomial = 0x82F63B78U;  // reflected Castagnoli

// tables[0] is the classic byte-at-a-time table; tables[k][b] is the CRC of byte b followed by
// k zero bytes, which lets the slicing loop fold eight input bytes with eight lookups.
using crc_tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr crc_tables make_tables() {
  crc_tables t{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1U) ? (c >> 1) ^ polynomial : c >> 1;
    t[0][b] = c;
  }
  for (std::size_t k = 1; k < t.size(); ++k) {
    for (uint32_t b = 0; b < 256; ++b) t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFFU];
  }
  return t;
}

constexpr crc_tables tables = make_tables();

inline uint32_t byte_at(const std::byte* p) { return static_cast<uint32_t>(*p); }

// Little-endian load independent of host byte order; compiles to one mov on x86.
inline uint64_t load_le64(const std::byte* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint64_t>(p[i]);
  return v;
}

#if SLUICE_CRC32C_X86
__attribute__((target("sse4.2"))) uint32_t hardware_impl(bytes_view data, uint32_t crc) {
  const std::byte* p = data.data();
  std::size_t n = data.size();
  uint32_t c = ~crc;
  // Byte steps up to an 8-byte boundary so the 64-bit loop reads aligned words.
  while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7U) != 0) {
    c = _mm_crc32_u8(c, static_cast<uint8_t>(*p));
    ++p;
    --n;
  }
  uint64_t c64 = c;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    c64 = _mm_crc32_u64(c64, word);
    p += 8;
    n -= 8;
  }
  c = static_cast<uint32_t>(c64);
  while (n > 0) {
    c = _mm_crc32_u8(c, static_cast<uint8_t>(*p));
    ++p;
    --n;
  }
  return ~c;
}
#endif

using crc_function = uint32_t (*)(bytes_view, uint32_t) noexcept;

crc_function select_implementation() noexcept {
  return detail::crc32c_hardware_available() ? &detail::crc32c_hardware
                                             : &detail::crc32c_software;
}

}  // namespace

uint32_t crc32c(bytes_view data, uint32_t crc) noexcept {
  static const crc_function implementation = select_implementation();
  return implementation(data, crc);
}

namespace detail {

uint32_t crc32c_software(bytes_view data, uint32_t crc) noexcept {
  const std::byte* p = data.data();
  std::size_t n = data.size();
  uint32_t c = ~crc;
  while (n >= 8) {
    const uint64_t word = load_le64(p) ^ c;
    c = tables[7][word & 0xFFU] ^ tables[6][(word >> 8) & 0xFFU] ^
        tables[5][(word >> 16) & 0xFFU] ^ tables[4][(word >> 24) & 0xFFU] ^
        tables[3][(word >> 32) & 0xFFU] ^ tables[2][(word >> 40) & 0xFFU] ^
        tables[1][(word >> 48) & 0xFFU] ^ tables[0][word >> 56];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    c = (c >> 8) ^ tables[0][(c ^ byte_at(p)) & 0xFFU];
    ++p;
    --n;
  }
  return ~c;
}

bool crc32c_hardware_available() noexcept {
#if SLUICE_CRC32C_X86
  static const bool available = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return available;
#else
  return false;
#endif
}

uint32_t crc32c_hardware(bytes_view data, uint32_t crc) noexcept {
  SLUICE_ASSERT(crc32c_hardware_available(), "crc32c_hardware called on a CPU without SSE4.2");
#if SLUICE_CRC32C_X86
  return hardware_impl(data, crc);
#else
  return crc32c_software(data, crc);  // unreachable: the assertion above fired
#endif
}

}  // namespace detail
}  // namespace sluice::core
