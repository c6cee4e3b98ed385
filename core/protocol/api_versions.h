#pragma once
/// ApiVersions (key 18), versions 0–4. Flexible from v3, but the response header is always v0.
/// v4 repeats the v3 wire format (it only lets SupportedFeatures list features whose minimum
/// version is 0, KAFKA-17011; Sluice lists no features).
///
/// Request:  v0–v2 empty body; v3+ client_software_name, client_software_version (compact),
///           tags. From v3 both must match `is_valid_client_software`; the handler answers
///           INVALID_REQUEST otherwise, as Kafka does.
/// Response: error_code, api_keys [api_key, min_version, max_version], throttle_time_ms (v1+);
///           v3+ is the compact form with a tag byte per element and at the end.
///           The v3+ tagged fields (SupportedFeatures, FinalizedFeaturesEpoch,
///           FinalizedFeatures, ZkMigrationReady) are never sent: librdkafka 2.0.2 cannot skip
///           tags.
///
/// Unsupported versions: when a client asks for a version above 4, do not parse
/// the body; reply with a v0 body (`unsupported_version_fallback`) encoded as version 0, with
/// response header v0. kafkajs then retries lower; librdkafka retries with our max.

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range api_versions_versions{0, 4};

/// Whether `text` is an acceptable client_software_name / client_software_version (v3+):
/// Kafka's pattern `[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?` over the whole text — ASCII
/// letters, digits, '-' and '.', neither first nor last a '-' or '.', not empty.
bool is_valid_client_software(std::string_view text) noexcept;

struct api_versions_request {
  std::string client_software_name;     ///< v3+
  std::string client_software_version;  ///< v3+

  static result<api_versions_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const api_versions_request&) const = default;
};

struct api_versions_response {
  /// ApiVersion: one advertised API. `api_key` is the raw wire value (a peer may list keys
  /// Sluice does not know).
  struct api_version {
    int16_t api_key = 0;
    int16_t min_version = 0;
    int16_t max_version = 0;
    bool operator==(const api_version&) const = default;
  };

  protocol::error_code error_code = protocol::error_code::none;
  std::vector<api_version> api_keys;
  int32_t throttle_time_ms = 0;  ///< v1+

  /// The body to send, as version 0, for a request whose version is above
  /// `api_versions_versions.max`: UNSUPPORTED_VERSION plus the advertised list (which must
  /// contain key 18).
  static api_versions_response unsupported_version_fallback(std::vector<api_version> api_keys);

  static result<api_versions_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const api_versions_response&) const = default;
};

}  // namespace sluice::protocol
