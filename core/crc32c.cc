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

// Three-lane interleaving for the hardware path. The crc32 instruction has a latency of three
// cycles but can start one per cycle, so one dependency chain runs at a third of its speed. A
// long input is cut into rounds of three equal lanes whose registers advance independently,
// then joined: the register is linear in its start value and the data, so the register after
// lanes A, B, C is shift(A, 2L) ^ shift(B, L) ^ C, where A starts from the running register, B
// and C from 0, and shift(r, n) appends n zero bytes: r * x^(8n) mod P. For a fixed n that is a
// linear map of r's 32 bits, tabulated here per byte of r (four lookups).

// The product of two polynomials modulo P, both reflected (bit 31 is x^0, bit 0 is x^31).
constexpr uint32_t multiply_mod_p(uint32_t a, uint32_t b) {
  uint32_t product = 0;
  for (uint32_t term = 0x80000000U; term != 0; term >>= 1) {
    if ((a & term) != 0) product ^= b;
    b = (b & 1U) ? (b >> 1) ^ polynomial : b >> 1;  // b *= x
  }
  return product;
}

// x^(8n) mod P, reflected.
constexpr uint32_t x_to_8n(uint64_t n) {
  uint32_t result = 0x80000000U;  // x^0
  uint32_t power = 0x00800000U;   // x^8
  for (; n != 0; n >>= 1) {
    if ((n & 1U) != 0) result = multiply_mod_p(power, result);
    power = multiply_mod_p(power, power);
  }
  return result;
}

// shift(r, n) for one fixed n.
struct zero_shift {
  std::array<std::array<uint32_t, 256>, 4> by_byte{};
  constexpr explicit zero_shift(uint64_t n) {
    const uint32_t factor = x_to_8n(n);
    for (uint32_t k = 0; k < 4; ++k) {
      for (uint32_t b = 0; b < 256; ++b) by_byte[k][b] = multiply_mod_p(factor, b << (8 * k));
    }
  }
  uint32_t operator()(uint32_t r) const {
    return by_byte[0][r & 0xFFU] ^ by_byte[1][(r >> 8) & 0xFFU] ^ by_byte[2][(r >> 16) & 0xFFU] ^
           by_byte[3][r >> 24];
  }
};

// Rounds of three lanes of `lane` bytes; what is left is shorter than one round.
struct lane_level {
  std::size_t lane;
  zero_shift one;  // shift by `lane`
  zero_shift two;  // shift by 2 * `lane`
  constexpr explicit lane_level(std::size_t l) : lane(l), one(l), two(2 * l) {}
};

// Long lanes for the bulk of a batch, short ones for the rest: a 1 MiB batch spends about 2 %
// in the single-chain tail, a 1 KiB one none in the long rounds.
constexpr std::array<lane_level, 2> lane_levels{lane_level(8192), lane_level(256)};

#if SLUICE_CRC32C_X86
__attribute__((target("sse4.2"))) inline uint64_t crc_word(uint64_t c, const std::byte* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return _mm_crc32_u64(c, word);
}

__attribute__((target("sse4.2"))) uint32_t hardware_impl(bytes_view data, uint32_t crc) {
  const std::byte* p = data.data();
  std::size_t n = data.size();
  uint32_t c = ~crc;
  // Byte steps up to an 8-byte boundary so the 64-bit loops read aligned words.
  while (n > 0 && (reinterpret_cast<std::uintptr_t>(p) & 7U) != 0) {
    c = _mm_crc32_u8(c, static_cast<uint8_t>(*p));
    ++p;
    --n;
  }
  for (const auto& level : lane_levels) {
    const std::size_t lane = level.lane;
    while (n >= 3 * lane) {
      uint64_t a = c, b = 0, d = 0;
      for (std::size_t i = 0; i < lane; i += 8) {
        a = crc_word(a, p + i);
        b = crc_word(b, p + lane + i);
        d = crc_word(d, p + 2 * lane + i);
      }
      c = level.two(static_cast<uint32_t>(a)) ^ level.one(static_cast<uint32_t>(b)) ^
          static_cast<uint32_t>(d);
      p += 3 * lane;
      n -= 3 * lane;
    }
  }
  uint64_t c64 = c;
  while (n >= 8) {
    c64 = crc_word(c64, p);
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
