#include "core/config.h"

#include "core/assert.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

namespace sluice::core {

struct config_def::state {
  std::vector<config_key> keys;
  std::map<std::string, std::size_t, std::less<>> index;
  std::vector<std::string> prefixes;
};

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string join(std::span<const std::string> items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

std::string describe_int_range(const std::optional<int_range>& r) {
  constexpr int64_t lowest = std::numeric_limits<int64_t>::min();
  constexpr int64_t highest = std::numeric_limits<int64_t>::max();
  if (!r || (r->min == lowest && r->max == highest)) return "an integer";
  if (r->max == highest) return fmt::format("an integer >= {}", r->min);
  if (r->min == lowest) return fmt::format("an integer <= {}", r->max);
  return fmt::format("an integer in [{}, {}]", r->min, r->max);
}

std::string describe_double_range(const std::optional<double_range>& r) {
  if (!r || (std::isinf(r->min) && std::isinf(r->max))) return "a number";
  if (std::isinf(r->max)) return fmt::format("a number >= {}", r->min);
  if (std::isinf(r->min)) return fmt::format("a number <= {}", r->max);
  return fmt::format("a number in [{}, {}]", r->min, r->max);
}

/// What a key accepts, for error messages.
std::string expectation(const config_key& key) {
  switch (key.type) {
    case config_type::string: return "a string";
    case config_type::integer: return describe_int_range(key.int_bounds);
    case config_type::boolean: return "true or false";
    case config_type::floating: return describe_double_range(key.double_bounds);
    case config_type::list: return "a comma-separated list";
    case config_type::enumeration: return fmt::format("one of [{}]", join(key.accepted, ", "));
  }
  return "a value";
}

std::optional<int64_t> parse_int(std::string_view s) {
  if (s.size() > 1 && s.front() == '+' && s[1] != '-') s.remove_prefix(1);
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<double> parse_double(std::string_view s) {
  if (s.size() > 1 && s.front() == '+' && s[1] != '-') s.remove_prefix(1);
  double v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> items;
  while (true) {
    const auto comma = s.find(',');
    const auto item = trim(s.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    s.remove_prefix(comma + 1);
  }
  return items;
}

/// Parses `raw` for `key`; on failure, the reason (what was expected).
std::variant<config_value, std::string> parse_value(const config_key& key, std::string_view raw) {
  const std::string_view text = trim(raw);
  config_value value;
  switch (key.type) {
    case config_type::string: value = std::string(text); break;
    case config_type::integer: {
      const auto v = parse_int(text);
      if (!v) return expectation(key);
      if (key.int_bounds && (*v < key.int_bounds->min || *v > key.int_bounds->max)) {
        return expectation(key);
      }
      value = *v;
      break;
    }
    case config_type::boolean:
      if (iequals(text, "true")) {
        value = true;
      } else if (iequals(text, "false")) {
        value = false;
      } else {
        return expectation(key);
      }
      break;
    case config_type::floating: {
      const auto v = parse_double(text);
      if (!v) return expectation(key);
      if (key.double_bounds && (*v < key.double_bounds->min || *v > key.double_bounds->max)) {
        return expectation(key);
      }
      value = *v;
      break;
    }
    case config_type::list: value = split_list(text); break;
    case config_type::enumeration:
      if (std::find(key.accepted.begin(), key.accepted.end(), text) == key.accepted.end()) {
        return expectation(key);
      }
      value = std::string(text);
      break;
  }
  if (key.validator) {
    if (auto problem = key.validator(text)) return std::move(*problem);
  }
  return value;
}

std::string invalid_value_message(const config_key& key, std::string_view raw,
                                  std::string_view reason) {
  if (key.sensitive) return fmt::format("invalid value for config '{}': expected {}", key.name, reason);
  return fmt::format("invalid value '{}' for config '{}': expected {}", trim(raw), key.name, reason);
}

std::string render(const config_value& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<V, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<V, std::vector<std::string>>) {
          return join(v, ",");
        } else {
          return fmt::format("{}", v);
        }
      },
      value);
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string unknown_key_message(const config_def& def, std::string_view name) {
  const config_key* best = nullptr;
  std::size_t best_distance = 3;  // suggest only close typos
  for (const auto& key : def.keys()) {
    const std::size_t d = edit_distance(name, key.name);
    if (d < best_distance) {
      best = &key;
      best_distance = d;
    }
  }
  if (best != nullptr) {
    return fmt::format("unknown config '{}' (did you mean '{}'?)", name, best->name);
  }
  return fmt::format("unknown config '{}'", name);
}

bool has_allowed_prefix(std::span<const std::string> prefixes, std::string_view name) {
  return std::any_of(prefixes.begin(), prefixes.end(), [&](const std::string& p) {
    return name.size() > p.size() && name.starts_with(p);
  });
}

}  // namespace

// ---- config_exception -------------------------------------------------------------------------

config_exception::config_exception(std::vector<std::string> problems)
    : std::runtime_error(join(problems, "; ")), _problems(std::move(problems)) {}

std::string_view to_string(config_type type) noexcept {
  switch (type) {
    case config_type::string: return "string";
    case config_type::integer: return "integer";
    case config_type::boolean: return "boolean";
    case config_type::floating: return "floating";
    case config_type::list: return "list";
    case config_type::enumeration: return "enumeration";
  }
  return "unknown";
}

// ---- config_def -------------------------------------------------------------------------------

config_def::config_def() : _state(std::make_shared<state>()) {}

config_def& config_def::define(config_key key) {
  SLUICE_ASSERT(!key.name.empty(), "config key without a name");
  if (_state.use_count() > 1) _state = std::make_shared<state>(*_state);  // copy on write
  const std::string context = "config key '" + key.name + "'";
  SLUICE_ASSERT(!_state->index.contains(key.name), (context + " defined twice").c_str());
  SLUICE_ASSERT(!key.int_bounds || key.type == config_type::integer,
                (context + ": int_bounds on a non-integer key").c_str());
  SLUICE_ASSERT(!key.int_bounds || key.int_bounds->min <= key.int_bounds->max,
                (context + ": empty int_bounds").c_str());
  SLUICE_ASSERT(key.width == int_width::int64 ||
                    (key.type == config_type::integer && key.int_bounds &&
                     key.int_bounds->min >= std::numeric_limits<int32_t>::min() &&
                     key.int_bounds->max <= std::numeric_limits<int32_t>::max()),
                (context + ": a 32-bit integer key needs int_bounds within int32").c_str());
  SLUICE_ASSERT(!key.double_bounds || key.type == config_type::floating,
                (context + ": double_bounds on a non-floating key").c_str());
  SLUICE_ASSERT(key.accepted.empty() == (key.type != config_type::enumeration),
                (context + ": accepted values are for (and required by) enumeration keys").c_str());
  if (key.default_value) {
    const auto parsed = parse_value(key, *key.default_value);
    SLUICE_ASSERT(std::holds_alternative<config_value>(parsed),
                  (context + ": invalid default '" + *key.default_value + "'").c_str());
  }
  _state->index.emplace(key.name, _state->keys.size());
  _state->keys.push_back(std::move(key));
  return *this;
}

config_def& config_def::allow_prefix(std::string prefix) {
  SLUICE_ASSERT(!prefix.empty(), "empty pass-through prefix");
  if (_state.use_count() > 1) _state = std::make_shared<state>(*_state);
  _state->prefixes.push_back(std::move(prefix));
  return *this;
}

const config_key* config_def::find(std::string_view name) const noexcept {
  const auto it = _state->index.find(name);
  return it == _state->index.end() ? nullptr : &_state->keys[it->second];
}

std::span<const config_key> config_def::keys() const noexcept { return _state->keys; }

std::span<const std::string> config_def::prefixes() const noexcept { return _state->prefixes; }

config config_def::parse(const properties& values) const {
  config out;
  out._def = *this;
  std::vector<std::string> problems;
  for (const auto& [name, raw] : values) {
    if (const config_key* key = find(name)) {
      auto parsed = parse_value(*key, raw);
      if (auto* value = std::get_if<config_value>(&parsed)) {
        out._values.emplace(name, config::slot{std::move(*value), true});
      } else {
        problems.push_back(invalid_value_message(*key, raw, std::get<std::string>(parsed)));
      }
    } else if (has_allowed_prefix(prefixes(), name)) {
      out._pass_through.emplace(name, std::string(trim(raw)));
    } else {
      problems.push_back(unknown_key_message(*this, name));
    }
  }
  for (const auto& key : keys()) {
    if (out._values.contains(key.name) || values.contains(key.name)) continue;
    if (!key.default_value) {
      problems.push_back(fmt::format("missing required config '{}'", key.name));
      continue;
    }
    auto parsed = parse_value(key, *key.default_value);
    out._values.emplace(key.name, config::slot{std::get<config_value>(std::move(parsed)), false});
  }
  if (!problems.empty()) throw config_exception(std::move(problems));
  return out;
}

std::optional<std::string> config_def::validate(std::string_view name,
                                                std::string_view value) const {
  if (const config_key* key = find(name)) {
    auto parsed = parse_value(*key, value);
    if (auto* reason = std::get_if<std::string>(&parsed)) {
      return invalid_value_message(*key, value, *reason);
    }
    return std::nullopt;
  }
  if (has_allowed_prefix(prefixes(), name)) return std::nullopt;
  return unknown_key_message(*this, name);
}

// ---- config -----------------------------------------------------------------------------------

const config::slot& config::find_slot(std::string_view key, config_type expected) const {
  const config_key* def = _def.find(key);
  SLUICE_ASSERT(def != nullptr, ("config key not defined: '" + std::string(key) + "'").c_str());
  const bool type_ok = def->type == expected ||
                       (expected == config_type::string && def->type == config_type::enumeration);
  SLUICE_ASSERT(type_ok, ("config key '" + std::string(key) + "' is of type " +
                          std::string(to_string(def->type)) + ", read as " +
                          std::string(to_string(expected)))
                             .c_str());
  const auto it = _values.find(key);
  SLUICE_ASSERT(it != _values.end(), "defined config key without a value");
  return it->second;
}

int64_t config::get_int(std::string_view key) const {
  return std::get<int64_t>(find_slot(key, config_type::integer).value);
}

std::chrono::milliseconds config::get_ms(std::string_view key) const {
  return std::chrono::milliseconds(get_int(key));
}

const std::string& config::get_string(std::string_view key) const {
  return std::get<std::string>(find_slot(key, config_type::string).value);
}

bool config::get_bool(std::string_view key) const {
  return std::get<bool>(find_slot(key, config_type::boolean).value);
}

double config::get_double(std::string_view key) const {
  return std::get<double>(find_slot(key, config_type::floating).value);
}

const std::vector<std::string>& config::get_list(std::string_view key) const {
  return std::get<std::vector<std::string>>(find_slot(key, config_type::list).value);
}

bool config::is_default(std::string_view key) const {
  const auto it = _values.find(key);
  SLUICE_ASSERT(it != _values.end(), ("config key not defined: '" + std::string(key) + "'").c_str());
  return !it->second.is_set;
}

properties config::with_prefix(std::string_view prefix) const {
  const auto prefixes = _def.prefixes();
  SLUICE_ASSERT(std::find(prefixes.begin(), prefixes.end(), prefix) != prefixes.end(),
                ("with_prefix of an undeclared prefix '" + std::string(prefix) + "'").c_str());
  properties out;
  for (const auto& [name, value] : _pass_through) {
    if (name.starts_with(prefix)) out.emplace(name.substr(prefix.size()), value);
  }
  return out;
}

std::optional<std::string> config::set(std::string_view name, std::string_view value) {
  if (const config_key* key = _def.find(name)) {
    auto parsed = parse_value(*key, value);
    if (auto* reason = std::get_if<std::string>(&parsed)) {
      return invalid_value_message(*key, value, *reason);
    }
    _values.insert_or_assign(std::string(name),
                             slot{std::get<config_value>(std::move(parsed)), true});
    return std::nullopt;
  }
  if (has_allowed_prefix(_def.prefixes(), name)) {
    _pass_through.insert_or_assign(std::string(name), std::string(trim(value)));
    return std::nullopt;
  }
  return unknown_key_message(_def, name);
}

std::optional<std::string> config::reset(std::string_view name) {
  if (const config_key* key = _def.find(name)) {
    if (!key->default_value) {
      return fmt::format("config '{}' is required and has no default to reset to", name);
    }
    auto parsed = parse_value(*key, *key->default_value);
    _values.insert_or_assign(std::string(name),
                             slot{std::get<config_value>(std::move(parsed)), false});
    return std::nullopt;
  }
  if (has_allowed_prefix(_def.prefixes(), name)) {
    if (const auto it = _pass_through.find(name); it != _pass_through.end()) {
      _pass_through.erase(it);
    }
    return std::nullopt;
  }
  return unknown_key_message(_def, name);
}

properties config::to_properties() const {
  properties out;
  for (const auto& [name, s] : _values) {
    if (s.is_set) out.emplace(name, render(s.value));
  }
  for (const auto& [name, value] : _pass_through) out.emplace(name, value);
  return out;
}

std::vector<config_entry> config::entries() const {
  std::vector<config_entry> out;
  out.reserve(_values.size() + _pass_through.size());
  for (const auto& [name, s] : _values) {
    const config_key* key = _def.find(name);
    out.push_back({name, key->sensitive ? std::string() : render(s.value), !s.is_set,
                   key->sensitive, key});
  }
  for (const auto& [name, value] : _pass_through) {
    out.push_back({name, value, false, false, nullptr});
  }
  std::sort(out.begin(), out.end(),
            [](const config_entry& a, const config_entry& b) { return a.name < b.name; });
  return out;
}

}  // namespace sluice::core
