#pragma once
/// Plain string properties and the Java `.properties` format: reading (text and files),
/// writing, and `key=value` overrides from a command line. Typed configuration on top of them
/// is config.h. Errors are `config_exception` (config.h), naming the file and line or the
/// override.
///
/// Thread safety: pure functions.

#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace sluice::core {

/// Plain string key/value pairs, sorted by key.
using properties = std::map<std::string, std::string>;

/// Parses the Java .properties format: `key=value`, `key: value` or `key value`; `#` and `!`
/// comment lines; blank lines; a line ending in an odd number of backslashes continues on the
/// next (whose leading whitespace is dropped); escapes \t \n \r \f \uXXXX and `\c` for a
/// literal c. Keys and values are trimmed (a trailing escaped space survives). A key given
/// twice keeps its last value. Throws config_exception (naming the line) on a malformed \u.
properties parse_properties(std::string_view text);

/// Reads and parses a .properties file. Throws config_exception naming the file if it cannot
/// be read or does not parse.
properties load_properties_file(const std::filesystem::path& path);

/// Writes properties in the format `parse_properties` reads back unchanged.
std::string format_properties(const properties& values);

/// Splits one `key=value` override (a command line `--set`) at its first '='; both sides are
/// trimmed. Throws config_exception if there is no '=' or the key is empty.
std::pair<std::string, std::string> parse_override(std::string_view text);

/// `base` with every `key=value` of `overrides` applied in order (later ones win).
/// Throws config_exception like `parse_override`.
properties with_overrides(properties base, std::span<const std::string> overrides);

}  // namespace sluice::core
