#pragma once
/// IncrementalAlterConfigs (key 44), versions 0–1; flexible from v1. Changes named keys of a
/// resource one operation each (KIP-339), leaving every other key as it is — unlike
/// AlterConfigs, which replaces the resource's whole dynamic set. librdkafka ≥ 2.2 and the Java
/// admin client use it.
///
/// Request:  resources [resource_type, resource_name, configs [name, config_operation,
///           value (nullable)]], validate_only.
/// Response: throttle_time_ms, responses [error_code, error_message (nullable),
///           resource_type, resource_name].

#include "core/protocol/alter_configs.h"
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

inline constexpr version_range incremental_alter_configs_versions{0, 1};

/// config_operation values (AK: AlterConfigOp.OpType); any other value is unknown.
inline constexpr int8_t config_operation_set = 0;
inline constexpr int8_t config_operation_delete = 1;
inline constexpr int8_t config_operation_append = 2;
inline constexpr int8_t config_operation_subtract = 3;

struct incremental_alter_configs_request {
  /// AlterableConfig
  struct alterable_config {
    std::string name;
    int8_t config_operation = config_operation_set;
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

  static result<incremental_alter_configs_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const incremental_alter_configs_request&) const = default;
};

/// The same body as AlterConfigs' answer (AlterConfigsResourceResponse per resource), flexible
/// from v1 here.
struct incremental_alter_configs_response : alter_configs_response {
  static result<incremental_alter_configs_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const incremental_alter_configs_response&) const = default;
};

}  // namespace sluice::protocol
