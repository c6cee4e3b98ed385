#pragma once
/// Errors of the protocol layer (`sluice.broker.protocol`): why bytes could not be decoded, or a
/// record batch could not be built or read. They never travel on the wire; a handler turns
/// them into a Kafka `error_code` (for example `corrupt_batch` -> CORRUPT_MESSAGE) in its one
/// `map_error()`.
///
/// Thread safety: stateless, usable from any thread.

#include <string>
#include <system_error>

namespace sluice::protocol {

enum class errc {
  ok = 0,
  malformed = 1,             ///< bytes end early, a length is out of range, a non-null field is null
  unsupported_version,       ///< the API version is outside the window this codec implements
  unknown_api_key,           ///< the request's API key is not one the broker knows
  corrupt_batch,             ///< record batch: bad magic, inconsistent lengths or CRC mismatch
  unsupported_compression,   ///< record batch: codec bits name no known codec
  compression_failed,        ///< a codec library refused to compress
  decompression_failed,      ///< compressed bytes are invalid for their codec
  decompressed_too_large,    ///< decompression would exceed the caller's output limit
  invalid_argument,          ///< a caller passed something outside the documented domain
};

const std::error_category& protocol_category() noexcept;

inline std::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), protocol_category()};
}

}  // namespace sluice::protocol

template <>
struct std::is_error_code_enum<sluice::protocol::errc> : std::true_type {};
