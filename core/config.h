#pragma once
/// Typed configuration: key definitions, parsing and validation, Java .properties files.
///
/// A `config_def` describes the keys a component understands: name, type, default (or none,
/// which makes the key required), bounds or accepted values, documentation. It may also declare
/// pass-through prefixes ("consumer.", "producer.") whose keys are kept verbatim as strings for
/// another component to interpret. `config_def::parse` turns string properties (from a
/// .properties file, `--set key=value` overrides, or a protocol request) into a `config` of
/// typed values.
///
/// Two error paths, by design: start-up loading (`parse`, `parse_properties`,
/// `load_properties_file`, `parse_override`) throws `config_exception`, whose message names
/// every offending key and what it accepts, e.g.
///   invalid value 'abc' for config 'num.partitions': expected an integer in [1, 10000]
/// Runtime changes (`config_def::validate`, `config::set`, `config::reset`, for AlterConfigs
/// and the like) never throw; they return the same message, or nullopt when accepted.
/// Asking a `config` for a key its definition lacks, or with the wrong getter, is a programming
/// error and fails `SLUICE_ASSERT`.
///
/// Values are trimmed of surrounding whitespace. Types:
///   string       any text (trimmed)
///   integer      int64, optional sign; durations are integers in milliseconds (`get_ms`)
///   boolean      true / false, case-insensitive
///   floating     a finite double
///   list         comma-separated, items trimmed, empty items dropped
///   enumeration  exactly one of the `accepted` strings (case-sensitive)
///
/// Thread safety: `config_def` and `config` are values. Const member functions may be called
/// from any number of threads at once; mutation (`define`, `set`, `reset`) needs exclusive
/// access. A `config` keeps its definition alive by sharing it (copying a config or a def is
/// cheap; a def is copied on the first `define` after it has been shared).

#include "core/properties.h"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::core {

/// A start-up configuration error. `what()` is every problem joined by "; "; each problem names
/// its key (or file and line).
class config_exception : public std::runtime_error {
 public:
  explicit config_exception(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const noexcept { return _problems; }

 private:
  std::vector<std::string> _problems;
};

enum class config_type { string, integer, boolean, floating, list, enumeration };

std::string_view to_string(config_type type) noexcept;

/// The width of an integer key's values: Kafka's ConfigDef types INT and LONG, which
/// DescribeConfigs reports.
enum class int_width : uint8_t { int32, int64 };

/// Inclusive bounds of an integer key; either side may stay open.
struct int_range {
  int64_t min = std::numeric_limits<int64_t>::min();
  int64_t max = std::numeric_limits<int64_t>::max();
};

/// Inclusive bounds of a floating key; either side may stay open.
struct double_range {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};

/// One key of a definition. Written with designated initializers:
///   {.name = "num.partitions", .type = config_type::integer, .default_value = "1",
///    .doc = "Partitions of auto-created topics.", .int_bounds = int_range{1, 10000}}
struct config_key {
  std::string name;
  config_type type = config_type::string;
  /// Text form of the default, parsed like any value. nullopt makes the key required.
  std::optional<std::string> default_value;
  std::string doc;
  /// integer keys only.
  std::optional<int_range> int_bounds;
  /// floating keys only.
  std::optional<double_range> double_bounds;
  /// enumeration keys only: the accepted values, in the order error messages list them.
  std::vector<std::string> accepted;
  /// Extra check on the trimmed text after the type check passed: nullopt if fine, otherwise
  /// what was expected ("a non-empty list of directories").
  std::function<std::optional<std::string>(std::string_view value)> validator;
  /// Sensitive values (passwords) are left out of error messages and `entries()`.
  bool sensitive = false;
  /// integer keys only: int32 for a key Kafka declares as INT (its `int_bounds` must then lie
  /// within int32), int64 for LONG.
  int_width width = int_width::int64;
};

/// A typed configuration value. enumeration values are strings.
using config_value = std::variant<std::string, int64_t, bool, double, std::vector<std::string>>;

class config;

/// The set of keys a component understands. Build it once (typically a function-local static),
/// then parse any number of configs against it.
class config_def {
 public:
  config_def();

  /// Adds a key.
  /// REQUIRES: a non-empty name not already defined; bounds only on integer/floating keys;
  /// a non-empty `accepted` list exactly for enumeration keys; a default, if any, that is valid.
  config_def& define(config_key key);

  /// Lets keys starting with `prefix` through, unvalidated, as strings.
  /// REQUIRES: prefix is non-empty.
  config_def& allow_prefix(std::string prefix);

  /// The key named `name`, or nullptr. Valid as long as this def is alive and not redefined.
  const config_key* find(std::string_view name) const noexcept;
  /// Every key, in definition order.
  std::span<const config_key> keys() const noexcept;
  std::span<const std::string> prefixes() const noexcept;

  /// Parses and validates `values`; keys absent from `values` take their defaults.
  /// Throws config_exception listing every unknown key, bad value and missing required key.
  config parse(const properties& values) const;

  /// Checks one key and value without throwing: nullopt if `parse` would accept it, otherwise
  /// the message `parse` would give.
  std::optional<std::string> validate(std::string_view key, std::string_view value) const;

 private:
  friend class config;
  struct state;
  const state& get() const noexcept { return *_state; }
  std::shared_ptr<state> _state;
};

/// One row of `config::entries()`: what DescribeConfigs reports.
struct config_entry {
  std::string name;
  /// Canonical text of the value; empty for sensitive keys.
  std::string value;
  /// True if the value came from the definition's default rather than being set.
  bool is_default = false;
  bool sensitive = false;
  /// The definition of the key; nullptr for pass-through (prefixed) keys.
  const config_key* key = nullptr;
};

/// Parsed, validated values for every key of a `config_def`, plus pass-through keys.
class config {
 public:
  /// An empty config of an empty definition.
  config() = default;

  /// Typed getters. REQUIRES: `key` is defined with the matching type (string also serves
  /// enumeration keys; `get_ms` serves integer keys holding milliseconds).
  int64_t get_int(std::string_view key) const;
  std::chrono::milliseconds get_ms(std::string_view key) const;
  const std::string& get_string(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  double get_double(std::string_view key) const;
  const std::vector<std::string>& get_list(std::string_view key) const;

  /// Whether `key` holds its default. REQUIRES: `key` is defined.
  bool is_default(std::string_view key) const;

  /// The pass-through keys under `prefix`, with the prefix removed:
  /// {"consumer.fetch.min.bytes": "1"} -> with_prefix("consumer.") == {"fetch.min.bytes": "1"}.
  /// REQUIRES: `prefix` was declared with `allow_prefix`.
  properties with_prefix(std::string_view prefix) const;

  /// Validates and stores one value (a defined key or an allowed prefix). Returns nullopt on
  /// success; otherwise the message naming the key, and the config is unchanged.
  [[nodiscard]] std::optional<std::string> set(std::string_view key, std::string_view value);

  /// Returns a defined key to its default, or removes a pass-through key. Fails (with a
  /// message, config unchanged) for unknown keys and for required keys, which have no default.
  [[nodiscard]] std::optional<std::string> reset(std::string_view key);

  /// The values that were set rather than defaulted, plus pass-through keys, in canonical text:
  /// what to persist so that `def().parse(to_properties())` rebuilds this config.
  properties to_properties() const;

  /// Every defined key and every pass-through key, sorted by name.
  std::vector<config_entry> entries() const;

  const config_def& def() const noexcept { return _def; }

 private:
  friend class config_def;
  struct slot {
    config_value value;
    bool is_set = false;
  };
  const slot& find_slot(std::string_view key, config_type expected) const;

  config_def _def;
  std::map<std::string, slot, std::less<>> _values;
  std::map<std::string, std::string, std::less<>> _pass_through;
};

}  // namespace sluice::core
