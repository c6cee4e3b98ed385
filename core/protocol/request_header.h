#pragma once
/// Request and response headers, and the frame helpers around them.
///
/// Request header (schemas/RequestHeader.json):
///
/// | field          | type                      | header v1 | header v2 |
/// |----------------|---------------------------|-----------|-----------|
/// | api_key        | int16                     | yes       | yes       |
/// | api_version    | int16                     | yes       | yes       |
/// | correlation_id | int32                     | yes       | yes       |
/// | client_id      | nullable int16 string     | yes       | yes (never compact) |
/// | tag section    | uvarint count + fields    | -         | yes       |
///
/// Header v2 is used iff (api_key, api_version) is a flexible version of that API (per the
/// schemas, whether or not Sluice implements that version). Header v0 (ControlledShutdown v0)
/// is never sent by the clients Sluice serves and is not supported.
///
/// Response header: v0 = correlation_id; v1 = correlation_id + tag section. v1 iff the request
/// version is flexible, **except ApiVersions, whose response header is always v0**.
///
/// Thread safety: stateless functions, usable from any thread.

#include "core/protocol/api_key.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::protocol {

/// The first 8 bytes of every request, readable for any API and version.
struct request_prefix {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;

  bool operator==(const request_prefix&) const = default;
};

/// Reads the prefix at the start of a request frame (after the int32 size), without
/// consuming anything. nullopt if fewer than 8 bytes are present.
std::optional<request_prefix> peek_request_prefix(bytes_view frame) noexcept;

/// 1 or 2 (see the table above).
int16_t request_header_version(api_key key, int16_t api_version) noexcept;
/// 0 or 1; always 0 for ApiVersions.
int16_t response_header_version(api_key key, int16_t api_version) noexcept;

struct request_header {
  api_key key = api_key::api_versions;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;

  /// Decodes header v1 or v2 from the start of a request frame (after the size prefix). The
  /// reader is left at the first body byte. Fails with `unknown_api_key` when the key is not
  /// one of `api_key` (use `peek_request_prefix` to answer such a request), `malformed` when
  /// the bytes end early. The version is not checked against what Sluice implements: that is
  /// the body decoder's (and the ApiVersions fallback's) business.
  static result<request_header> decode(reader& r);
  /// Encodes the header in the version implied by (key, api_version), with an empty tag
  /// section in v2. For our own tests and raw-socket clients.
  void encode(writer& w) const;

  bool operator==(const request_header&) const = default;
};

/// Writes the response header for a request (key, api_version).
void encode_response_header(writer& w, api_key key, int16_t api_version, int32_t correlation_id);

/// Reads a response header (client side); returns the correlation id.
result<int32_t> decode_response_header(reader& r, api_key key, int16_t api_version);

/// Appends a whole response frame to `out`: int32 size, response header, body.
/// `Body` is any response message with `encode(writer&, int16_t) const`.
/// REQUIRES: `api_version` is implemented by Body (for ApiVersions' unsupported-version
/// fallback, pass version 0 and a v0 body).
template <class Body>
void encode_response_frame(core::bytes& out, api_key key, int16_t api_version,
                           int32_t correlation_id, const Body& body) {
  writer w(out);
  const size_t at = w.reserve_int32();
  encode_response_header(w, key, api_version, correlation_id);
  body.encode(w, api_version);
  w.fill_size_since(at);
}

/// Appends a whole request frame to `out`: int32 size, request header, body.
template <class Body>
void encode_request_frame(core::bytes& out, const request_header& header, const Body& body) {
  writer w(out);
  const size_t at = w.reserve_int32();
  header.encode(w);
  body.encode(w, header.api_version);
  w.fill_size_since(at);
}

}  // namespace sluice::protocol
