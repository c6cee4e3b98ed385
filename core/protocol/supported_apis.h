#pragma once
/// The table of implemented API version windows: exactly what the codecs in this folder
/// decode and encode, for the ApiVersions handler to advertise.
///
/// Thread safety: immutable data, usable from any thread.

#include "core/protocol/api_key.h"

#include <optional>
#include <span>

namespace sluice::protocol {

struct supported_api {
  api_key key;
  version_range versions;
};

/// Every API with a codec here, ordered by key.
std::span<const supported_api> supported_apis() noexcept;

/// The implemented window of `key`, or nullopt if there is no codec for it.
std::optional<version_range> supported_versions(api_key key) noexcept;

}  // namespace sluice::protocol
