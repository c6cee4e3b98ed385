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

// ---- .properties files ------------------------------------------------------------------------

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\f'; }

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<uint32_t> read_hex4(std::string_view s, std::size_t at) {
  if (at + 4 > s.size()) return std::nullopt;
  uint32_t v = 0;
  const auto [end, ec] = std::from_chars(s.data() + at, s.data() + at + 4, v, 16);
  if (ec != std::errc{} || end != s.data() + at + 4) return std::nullopt;
  return v;
}

/// Resolves escapes in a key or value; drops trailing whitespace that is not escaped.
std::string unescape(std::string_view raw, std::size_t line) {
  std::string out;
  std::size_t keep = 0;  // out.size() after the last character that must survive trimming
  auto malformed = [&] {
    return config_exception({fmt::format("line {}: malformed \\uXXXX escape", line)});
  };
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (c != '\\') {
      out += c;
      if (!is_blank(c)) keep = out.size();
      continue;
    }
    if (++i == raw.size()) break;  // a lone trailing backslash at end of input
    switch (const char e = raw[i]) {
      case 't': out += '\t'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        auto unit = read_hex4(raw, i + 1);
        if (!unit) throw malformed();
        i += 4;
        uint32_t cp = *unit;
        if (cp >= 0xD800 && cp <= 0xDBFF) {  // high surrogate: needs its low half
          std::optional<uint32_t> low;
          if (i + 2 < raw.size() && raw[i + 1] == '\\' && raw[i + 2] == 'u') {
            low = read_hex4(raw, i + 3);
          }
          if (!low || *low < 0xDC00 || *low > 0xDFFF) throw malformed();
          i += 6;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          throw malformed();
        }
        append_utf8(out, cp);
        break;
      }
      default: out += e; break;
    }
    keep = out.size();
  }
  out.resize(keep);
  return out;
}

bool ends_with_odd_backslashes(std::string_view s) {
  std::size_t n = 0;
  while (n < s.size() && s[s.size() - 1 - n] == '\\') ++n;
  return n % 2 == 1;
}

std::string_view skip_blanks(std::string_view s) {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  return s;
}

}  // namespace

properties parse_properties(std::string_view text) {
  // Physical lines, split on \n, \r\n or \r.
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find_first_of("\r\n", start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + ((text[end] == '\r' && end + 1 < text.size() && text[end + 1] == '\n') ? 2 : 1);
  }

  properties out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::size_t line_number = i + 1;
    std::string_view first = skip_blanks(lines[i]);
    if (first.empty() || first.front() == '#' || first.front() == '!') continue;

    std::string logical(first);
    while (ends_with_odd_backslashes(logical) && i + 1 < lines.size()) {
      logical.pop_back();
      logical += skip_blanks(lines[++i]);
    }

    // The key ends at the first unescaped '=', ':' or blank.
    std::size_t pos = 0;
    while (pos < logical.size()) {
      const char c = logical[pos];
      if (c == '\\') {
        pos += 2;
        continue;
      }
      if (c == '=' || c == ':' || is_blank(c)) break;
      ++pos;
    }
    pos = std::min(pos, logical.size());
    std::string_view rest = std::string_view(logical).substr(pos);
    rest = skip_blanks(rest);
    if (!rest.empty() && (rest.front() == '=' || rest.front() == ':')) {
      rest = skip_blanks(rest.substr(1));
    }
    out.insert_or_assign(unescape(std::string_view(logical).substr(0, pos), line_number),
                         unescape(rest, line_number));
  }
  return out;
}

properties load_properties_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw config_exception(
        {fmt::format("cannot read config file '{}': {}", path.string(), std::strerror(errno))});
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    throw config_exception({fmt::format("cannot read config file '{}'", path.string())});
  }
  try {
    return parse_properties(content.str());
  } catch (const config_exception& e) {
    std::vector<std::string> problems;
    for (const auto& p : e.problems()) problems.push_back(path.string() + ": " + p);
    throw config_exception(std::move(problems));
  }
}

namespace {

void escape_into(std::string& out, std::string_view s, bool is_key) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\f': out += "\\f"; break;
      case '=':
      case ':':
        if (is_key) out += '\\';
        out += c;
        break;
      case '#':
      case '!':
        if (is_key && i == 0) out += '\\';
        out += c;
        break;
      case ' ':
        // Keys end at a blank; values lose leading and trailing blanks unless escaped.
        if (is_key || i == 0 || i + 1 == s.size()) out += '\\';
        out += c;
        break;
      default: out += c; break;
    }
  }
}

}  // namespace

std::string format_properties(const properties& values) {
  std::string out;
  for (const auto& [key, value] : values) {
    escape_into(out, key, true);
    out += '=';
    escape_into(out, value, false);
    out += '\n';
  }
  return out;
}

std::pair<std::string, std::string> parse_override(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || trim(text.substr(0, eq)).empty()) {
    throw config_exception(
        {fmt::format("invalid override '{}': expected key=value", text)});
  }
  return {std::string(trim(text.substr(0, eq))), std::string(trim(text.substr(eq + 1)))};
}

properties with_overrides(properties base, std::span<const std::string> overrides) {
  for (const auto& o : overrides) {
    auto [key, value] = parse_override(o);
    base.insert_or_assign(std::move(key), std::move(value));
  }
  return base;
}

}  // namespace sluice::core
