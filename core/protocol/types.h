#pragma once
/// Small value types shared by the protocol codecs.

#include "core/bytes.h"

#include <array>
#include <cstdint>

namespace sluice::protocol {

using core::bytes_view;

/// A 128-bit UUID as Kafka sends it (16 raw bytes, e.g. topic ids). All zero = "none".
struct uuid {
  std::array<uint8_t, 16> value{};

  bool operator==(const uuid&) const = default;
};

}  // namespace sluice::protocol
