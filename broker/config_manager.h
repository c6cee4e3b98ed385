#pragma once
/// `config_manager`: the broker's and the topics' configuration as DescribeConfigs and
/// AlterConfigs see it.
///
/// Layers, highest precedence first (Kafka's, and the `config_origin` DescribeConfigs reports):
/// | layer                        | where it lives                         | set by                            |
/// |------------------------------|----------------------------------------|-----------------------------------|
/// | topic override               | `topics.json` (log_manager)            | CreateTopics, AlterConfigs TOPIC  |
/// | dynamic broker config        | `broker-configs.json`, "broker"        | AlterConfigs BROKER "<node id>"   |
/// | dynamic cluster default      | `broker-configs.json`, "cluster-default" | AlterConfigs BROKER ""          |
/// | static broker config         | broker.properties / --set / options    | start-up                          |
/// | default                      | the key's definition                   | —                                 |
///
/// Dynamic broker keys are exactly the broker synonyms of the topic keys (`log.retention.ms`,
/// `log.cleanup.policy`, `message.max.bytes`, … — see storage/topic_config.h): changing one
/// changes the default of every topic without its own override, live and persistently. Every
/// other broker key (listeners, log.dirs, threads, the cleaner's settings, …) is read-only: it is
/// reported, and AlterConfigs on it fails with a message naming the key.
///
/// AlterConfigs (non-incremental) replaces the whole set of a resource's dynamic configs: keys
/// left out return to the next layer down; IncrementalAlterConfigs changes only the keys it
/// names. Alterations are validated completely before anything changes; `validate_only` stops
/// there.
///
/// Threads: all methods are thread-safe (one mutex; describe takes it too, so it never sees half
/// an alteration). Owned by `broker`; outlives every connection.

#include "broker/storage/log_manager.h"
#include "core/config.h"
#include "core/error.h"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace sluice::broker {

/// Where a reported value comes from (mapped to Kafka's ConfigSource by the handlers).
enum class config_origin : int8_t {
  topic_override,
  broker_override,
  cluster_default_override,
  static_config,
  default_value,
};

struct config_description {
  struct synonym {
    std::string name;
    std::string value;
    config_origin origin;
  };
  std::string name;
  std::string value;
  config_origin origin = config_origin::default_value;
  bool read_only = false;
  bool sensitive = false;
  /// The key's definition (type, integer width, documentation). Never null; it points into a
  /// definition that lives as long as the program (`broker_config_def`, `topic_config_def`).
  const core::config_key* definition = nullptr;
  /// Every layer that holds a value for this setting, highest precedence first (the first is
  /// the entry itself). Empty for a topic key without a broker synonym that the topic does not
  /// set (Kafka lists none either).
  std::vector<synonym> synonyms;
};

/// Why a describe or alter failed.
struct config_error {
  enum class kind { unknown_topic, invalid_config, invalid_request, storage };
  kind what;
  std::string message;
  std::error_code storage_error;  ///< for `storage`
};

/// One key of an AlterConfigs resource (value null is refused, as Kafka does).
using config_assignment = std::pair<std::string, std::optional<std::string>>;

/// One key of an IncrementalAlterConfigs resource: an operation (Kafka's AlterConfigOp.OpType
/// codes) and its operand.
struct config_alteration {
  enum class op : int8_t { set = 0, remove = 1, append = 2, subtract = 3 };
  std::string name;
  op operation = op::set;  ///< may hold a code outside the four: refused as INVALID_REQUEST
  std::optional<std::string> value;  ///< null is refused except for `remove`
};

class config_manager {
 public:
  /// Loads the dynamic broker configs persisted in `data_dir` and applies them to the logs'
  /// defaults. `static_config` holds every broker key's start-up value (`to_properties`).
  static result<std::unique_ptr<config_manager>> open(std::filesystem::path data_dir,
                                                      core::properties static_config,
                                                      int32_t node_id,
                                                      storage::log_manager& logs);

  /// A topic's keys (`keys` nullopt = all; unknown names are skipped), sorted by name.
  std::optional<config_error> describe_topic(const std::string& topic,
                                             const std::optional<std::vector<std::string>>& keys,
                                             std::vector<config_description>& out) const;
  /// Every key of a topic that would be created now with `overrides` (validated by the caller),
  /// sorted by name: what CreateTopics v5+ reports for the topic it created.
  void describe_new_topic(const storage::topic_overrides& overrides,
                          std::vector<config_description>& out) const;
  /// The broker resource `name`: this node's id (every key, effective values) or "" (the
  /// cluster-default layer: only the keys set there).
  std::optional<config_error> describe_broker(const std::string& name,
                                              const std::optional<std::vector<std::string>>& keys,
                                              std::vector<config_description>& out) const;

  /// Replaces a topic's overrides with `configs` (AlterConfigs semantics).
  std::optional<config_error> alter_topic(const std::string& topic,
                                          const std::vector<config_assignment>& configs,
                                          bool validate_only);
  /// Replaces the dynamic configs of broker resource `name` ("<node id>" or "").
  std::optional<config_error> alter_broker(const std::string& name,
                                           const std::vector<config_assignment>& configs,
                                           bool validate_only);

  /// IncrementalAlterConfigs: `alterations` change the named keys of one resource's dynamic
  /// set and leave the others as they are. As in Kafka: SET replaces a key's value; DELETE
  /// removes it, so the next layer down shows through (deleting a key that is not set changes
  /// nothing); APPEND and SUBTRACT edit the items of a LIST key (any other key: INVALID_CONFIG),
  /// starting from the resource's own value or, when it has none, the key's default (Kafka's,
  /// not a value inherited from the broker layers): APPEND adds the items not there yet,
  /// SUBTRACT removes one occurrence of each. A key named twice, a null value for anything but
  /// DELETE and an unknown operation are INVALID_REQUEST. Every operation is checked before
  /// anything changes; `validate_only` stops there.
  ///
  /// The topic's overrides.
  std::optional<config_error> incremental_alter_topic(
      const std::string& topic, const std::vector<config_alteration>& alterations,
      bool validate_only);
  /// The dynamic configs of broker resource `name` ("<node id>" or "").
  std::optional<config_error> incremental_alter_broker(
      const std::string& name, const std::vector<config_alteration>& alterations,
      bool validate_only);

  /// Whether a broker key may be altered while running.
  static bool is_dynamic_broker_key(std::string_view key) noexcept;

 private:
  config_manager(std::filesystem::path data_dir, core::properties static_config, int32_t node_id,
                 storage::log_manager& logs);

  /// Which dynamic layer a broker resource name addresses; nullopt = not this broker.
  std::optional<bool> is_cluster_default(const std::string& name) const;
  /// The effective broker properties with both dynamic layers applied.
  core::properties effective_locked(const core::properties& cluster_default,
                                    const core::properties& broker) const;
  config_description describe_broker_key_locked(const core::config_key& key) const;
  /// A topic key's default as the broker layers give it: value, origin and the synonyms.
  config_description describe_topic_default_locked(std::string_view topic_key,
                                                   std::string_view broker_key) const;
  /// The topic keys in `keys` (nullopt = all) over `overrides`, sorted by name.
  void describe_topic_locked(const storage::topic_overrides& overrides,
                             const std::optional<std::vector<std::string>>& keys,
                             std::vector<config_description>& out) const;
  result<void> save_locked(const core::properties& cluster_default,
                           const core::properties& broker) const;
  /// Makes `overrides` (validated, canonical) the topic's whole override set.
  std::optional<config_error> store_topic_overrides_locked(const std::string& topic,
                                                           const storage::topic_overrides& overrides);
  /// Makes `layer` (validated, canonical) the whole dynamic layer `cluster_default` names, once
  /// the broker configuration it yields parses; `validate_only` stops before that.
  std::optional<config_error> replace_broker_layer_locked(bool cluster_default,
                                                          core::properties layer,
                                                          bool validate_only);

  std::filesystem::path _path;
  core::properties _static;
  core::properties _builtin_defaults;
  int32_t _node_id;
  storage::log_manager& _logs;
  mutable std::mutex _mutex;
  core::properties _cluster_default;  ///< AlterConfigs BROKER ""
  core::properties _broker;           ///< AlterConfigs BROKER "<node id>"
};

}  // namespace sluice::broker
