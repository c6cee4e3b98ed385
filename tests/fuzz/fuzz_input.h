#pragma once
// What every fuzz target shares: the libFuzzer entry point's declaration, `fuzz_input` (a
// cursor that carves typed values out of the fuzzer's bytes; it never fails, running out of
// bytes yields zeros), and `quiet()` (the broker's logging off: recovery warns on every
// corrupt segment, and a fuzzer produces millions of them).
//
// A property a target checks is a SLUICE_ASSERT: it aborts, which libFuzzer (and the
// standalone driver) report as a crash with the input that caused it.

#include "core/bytes.h"
#include "core/log.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace sluice::fuzz {

inline core::bytes_view as_bytes(const uint8_t* data, size_t size) noexcept {
  return {reinterpret_cast<const std::byte*>(data), size};
}

/// Turns logging off once per process.
inline void quiet() {
  static const bool done = [] {
    // SLUICE_FUZZ_LOG=1 keeps the broker's logging on (debug), to replay one artifact.
    const char* keep = std::getenv("SLUICE_FUZZ_LOG");
    core::set_log_level(keep != nullptr && *keep != '\0' && *keep != '0' ? core::log_level::debug
                                                                          : core::log_level::off);
    return true;
  }();
  (void)done;
}

/// Reads values from the front of the fuzzer's input. Borrowed: the input outlives it.
class fuzz_input {
 public:
  explicit fuzz_input(core::bytes_view data) noexcept : _data(data) {}

  size_t remaining() const noexcept { return _data.size() - _pos; }

  uint8_t u8() noexcept {
    if (_pos == _data.size()) return 0;
    return static_cast<uint8_t>(_data[_pos++]);
  }
  /// Big-endian, zero-padded when the input ends.
  uint16_t u16() noexcept { return static_cast<uint16_t>(u8() << 8 | u8()); }
  uint32_t u32() noexcept { return static_cast<uint32_t>(u16()) << 16 | u16(); }
  uint64_t u64() noexcept { return static_cast<uint64_t>(u32()) << 32 | u32(); }
  bool flag() noexcept { return (u8() & 1) != 0; }

  /// Up to `n` bytes (fewer at the end of the input).
  core::bytes_view take(size_t n) noexcept {
    n = std::min(n, remaining());
    const core::bytes_view out = _data.subspan(_pos, n);
    _pos += n;
    return out;
  }
  /// A u16 length followed by that many bytes (fewer at the end).
  core::bytes_view sized() noexcept { return take(u16()); }
  /// Everything not read yet.
  core::bytes_view rest() noexcept { return take(remaining()); }

 private:
  core::bytes_view _data;
  size_t _pos = 0;
};

}  // namespace sluice::fuzz
