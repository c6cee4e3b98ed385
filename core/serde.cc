#include "core/serde.h"

#include "core/big_endian.h"

#include <bit>
#include <cstring>
#include <limits>
#include <string_view>

namespace sluice::core::serdes {
namespace {

template <class U>
core::bytes to_big_endian(U value) {
  return core::to_be_bytes(value);
}

template <class U>
result<U> from_big_endian(bytes_view data) {
  if (data.size() != sizeof(U)) return errc::deserialization_failed;
  return core::load_be<U>(data.data());
}

}  // namespace

result<core::bytes> string::serialize(const std::string& value) const { return to_bytes(value); }

result<std::string> string::deserialize(bytes_view data) const { return to_string(data); }

result<core::bytes> bytes::serialize(const core::bytes& value) const { return value; }

result<core::bytes> bytes::deserialize(bytes_view data) const {
  return core::bytes(data.begin(), data.end());
}

result<core::bytes> int32::serialize(const int32_t& value) const {
  return to_big_endian(static_cast<uint32_t>(value));
}

result<int32_t> int32::deserialize(bytes_view data) const {
  SLUICE_TRY(auto bits, from_big_endian<uint32_t>(data));
  return static_cast<int32_t>(bits);
}

result<core::bytes> int64::serialize(const int64_t& value) const {
  return to_big_endian(static_cast<uint64_t>(value));
}

result<int64_t> int64::deserialize(bytes_view data) const {
  SLUICE_TRY(auto bits, from_big_endian<uint64_t>(data));
  return static_cast<int64_t>(bits);
}

result<core::bytes> float64::serialize(const double& value) const {
  static_assert(sizeof(double) == sizeof(uint64_t) && std::numeric_limits<double>::is_iec559);
  constexpr uint64_t canonical_nan = 0x7ff8000000000000ULL;
  const uint64_t bits = value != value ? canonical_nan : std::bit_cast<uint64_t>(value);
  return to_big_endian(bits);
}

result<double> float64::deserialize(bytes_view data) const {
  SLUICE_TRY(auto bits, from_big_endian<uint64_t>(data));
  return std::bit_cast<double>(bits);
}

}  // namespace sluice::core::serdes

namespace sluice::core::detail {

bool json_nesting_within(std::string_view text, int max_depth) noexcept {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"': in_string = true; break;
      case '[':
      case '{':
        if (++depth > max_depth) return false;
        break;
      case ']':
      case '}': --depth; break;
      default: break;
    }
  }
  return true;
}

}  // namespace sluice::core::detail
