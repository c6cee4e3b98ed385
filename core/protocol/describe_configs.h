#pragma once
/// DescribeConfigs (key 32), versions 0–4; flexible from v4 (v2 repeats the v1 wire format).
///
/// Request:  resources [resource_type, resource_name, configuration_keys (nullable: null =
///           all)], include_synonyms (v1+), include_documentation (v3+).
/// Response: throttle_time_ms, results [error_code, error_message (nullable), resource_type,
///           resource_name, configs [name, value (nullable), read_only, is_default (v0 only),
///           config_source (v1+), is_sensitive, synonyms (v1+) [name, value (nullable),
///           source], config_type (v3+), documentation (v3+, nullable)]].
///
/// As in Kafka, config_type is filled whenever the version has it; documentation only when
/// the request asked for it (null otherwise).

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

inline constexpr version_range describe_configs_versions{0, 4};

/// Config resource types (AK: ConfigResource.Type).
inline constexpr int8_t config_resource_topic = 2;
inline constexpr int8_t config_resource_broker = 4;
inline constexpr int8_t config_resource_broker_logger = 8;

/// DescribeConfigs config_source values (AK: DescribeConfigsResponse.ConfigSource).
enum class config_source : int8_t {
  unknown = 0,
  dynamic_topic_config = 1,
  dynamic_broker_config = 2,
  dynamic_default_broker_config = 3,
  static_broker_config = 4,
  default_config = 5,
  dynamic_broker_logger_config = 6,
};

/// DescribeConfigs config_type values (AK: DescribeConfigsResponse.ConfigType, the Java
/// ConfigDef.Type of the key).
enum class config_type : int8_t {
  unknown = 0,
  boolean_type = 1,
  string_type = 2,
  int_type = 3,
  short_type = 4,
  long_type = 5,
  double_type = 6,
  list_type = 7,
  class_type = 8,
  password_type = 9,
};

struct describe_configs_request {
  /// DescribeConfigsResource
  struct describe_configs_resource {
    int8_t resource_type = 0;
    std::string resource_name;
    std::optional<std::vector<std::string>> configuration_keys;  ///< null = all keys
    bool operator==(const describe_configs_resource&) const = default;
  };

  std::vector<describe_configs_resource> resources;
  bool include_synonyms = false;       ///< v1+
  bool include_documentation = false;  ///< v3+

  static result<describe_configs_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_configs_request&) const = default;
};

struct describe_configs_response {
  /// DescribeConfigsSynonym (v1+)
  struct describe_configs_synonym {
    std::string name;
    std::optional<std::string> value;
    int8_t source = 0;  ///< a config_source value
    bool operator==(const describe_configs_synonym&) const = default;
  };
  /// DescribeConfigsResourceResult
  struct describe_configs_resource_result {
    std::string name;
    std::optional<std::string> value;
    bool read_only = false;
    bool is_default = false;    ///< v0 only (v1+ carries config_source instead)
    int8_t config_source = -1;  ///< v1+; a config_source value
    bool is_sensitive = false;
    std::vector<describe_configs_synonym> synonyms;  ///< v1+
    int8_t config_type = 0;                          ///< v3+; a config_type value
    std::optional<std::string> documentation;        ///< v3+
    bool operator==(const describe_configs_resource_result&) const = default;
  };
  /// DescribeConfigsResult
  struct describe_configs_result {
    protocol::error_code error_code = protocol::error_code::none;
    std::optional<std::string> error_message;
    int8_t resource_type = 0;
    std::string resource_name;
    std::vector<describe_configs_resource_result> configs;
    bool operator==(const describe_configs_result&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<describe_configs_result> results;

  static result<describe_configs_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const describe_configs_response&) const = default;
};

}  // namespace sluice::protocol
