#include "core/properties.h"

#include "core/config.h"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

namespace sluice::core {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view space = " \t\f\r\n";
  const auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

}  // namespace

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
