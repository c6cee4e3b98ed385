#pragma once
/// AlterConfigs (key 33), versions 0–2; flexible from v2 (v1 repeats the v0 wire format).
/// librdkafka sends only v0. Non-incremental: the given configs replace all dynamic configs of
/// the resource.
///
/// Request:  resources [resource_type, resource_name, configs [name, value (nullable)]],
///           validate_only.
/// Response: throttle_time_ms, responses [error_code, error_message (nullable),
///           resource_type, resource_name].

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range alter_configs_versions{0, 2};

struct alter_configs_request {
  /// AlterableConfig
  struct alterable_config {
    std::string name;
    std::optional<std::string> value;
    bool operator==(const alterable_config&) const = default;
  };
  /// AlterConfigsResource
  struct alter_configs_resource {
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<alterable_config> configs;
    bool operator==(const alter_configs_resource&) const = default;
  };

  std::vector<alter_configs_resource> resources;
  bool validate_only = false;

  static result<alter_configs_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const alter_configs_request&) const = default;
};

struct alter_configs_response {
  /// AlterConfigsResourceResponse
  struct alter_configs_resource_response {
    protocol::error_code error_code = protocol::error_code::none;
    std::optional<std::string> error_message;
    int8_t resource_type = 0;
    std::string resource_name;
    bool operator==(const alter_configs_resource_response&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<alter_configs_resource_response> responses;

  static result<alter_configs_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const alter_configs_response&) const = default;

  /// The body in the classic (`flex` false) or flexible encoding: IncrementalAlterConfigs
  /// answers with the same body.
  static result<alter_configs_response> decode_body(reader& r, bool flex);
  void encode_body(writer& w, bool flex) const;
};

}  // namespace sluice::protocol
