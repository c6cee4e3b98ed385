#include "core/metrics.h"

#include "core/assert.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace sluice::core {
namespace {

bool valid_metric_name(std::string_view name) {
  if (name.empty()) return false;
  auto head = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_' || c == ':'; };
  auto tail = [&](char c) { return head(c) || std::isdigit(static_cast<unsigned char>(c)); };
  return head(name.front()) && std::all_of(name.begin() + 1, name.end(), tail);
}

bool valid_label_name(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  auto head = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  auto tail = [&](char c) { return head(c) || std::isdigit(static_cast<unsigned char>(c)); };
  return head(name.front()) && std::all_of(name.begin() + 1, name.end(), tail);
}

/// Label values escape backslash, double quote and newline.
void append_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c; break;
    }
  }
}

/// HELP text escapes backslash and newline (not quotes).
std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : help) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      default: out += c; break;
    }
  }
  return out;
}

/// A sample value as Prometheus (Go's ParseFloat) reads it: shortest round-trip decimal.
std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   std::string_view labels, std::string_view value) {
  out += name;
  out += suffix;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

std::string context(std::string_view name) { return "metric '" + std::string(name) + "'"; }

}  // namespace

std::string_view to_string(metric_type type) noexcept {
  switch (type) {
    case metric_type::counter: return "counter";
    case metric_type::gauge: return "gauge";
    case metric_type::histogram: return "histogram";
  }
  return "untyped";
}

// ---- histogram ----------------------------------------------------------------------------------

histogram::histogram(std::vector<double> bounds)
    : _bounds(std::move(bounds)),
      _buckets(std::make_unique<std::atomic<uint64_t>[]>(_bounds.size() + 1)) {
  for (std::size_t i = 0; i < _bounds.size(); ++i) {
    SLUICE_ASSERT(std::isfinite(_bounds[i]), "histogram bounds must be finite");
    SLUICE_ASSERT(i == 0 || _bounds[i - 1] < _bounds[i],
                  "histogram bounds must be strictly increasing");
  }
}

void histogram::observe(double value) noexcept {
  // First bound >= value: the bucket `le` that counts it. NaN compares false everywhere and
  // belongs only to +Inf.
  const std::size_t index =
      std::isnan(value)
          ? _bounds.size()
          : static_cast<std::size_t>(std::lower_bound(_bounds.begin(), _bounds.end(), value) -
                                     _bounds.begin());
  _buckets[index].fetch_add(1, std::memory_order_relaxed);
  _sum.fetch_add(value, std::memory_order_relaxed);
}

histogram::snapshot histogram::read() const {
  snapshot s;
  s.cumulative.resize(_bounds.size() + 1);
  uint64_t running = 0;
  for (std::size_t i = 0; i <= _bounds.size(); ++i) {
    running += _buckets[i].load(std::memory_order_relaxed);
    s.cumulative[i] = running;
  }
  s.count = running;
  s.sum = _sum.load(std::memory_order_relaxed);
  return s;
}

std::vector<double> linear_buckets(double start, double width, int count) {
  SLUICE_ASSERT(count >= 1 && width > 0, "linear_buckets needs count >= 1 and width > 0");
  std::vector<double> out;
  for (int i = 0; i < count; ++i) out.push_back(start + width * i);
  return out;
}

std::vector<double> exponential_buckets(double start, double factor, int count) {
  SLUICE_ASSERT(count >= 1 && start > 0 && factor > 1,
                "exponential_buckets needs count >= 1, start > 0 and factor > 1");
  std::vector<double> out;
  double bound = start;
  for (int i = 0; i < count; ++i, bound *= factor) out.push_back(bound);
  return out;
}

// ---- registry -----------------------------------------------------------------------------------

metrics_registry::~metrics_registry() = default;

metrics_registry::family& metrics_registry::family_for(std::string_view name,
                                                       std::string_view help, metric_type type,
                                                       const std::vector<double>* bounds) {
  SLUICE_ASSERT(valid_metric_name(name), ("invalid " + context(name) + " name").c_str());
  auto it = _families.find(name);
  if (it == _families.end()) {
    family f{std::string(help), type, bounds ? *bounds : std::vector<double>{}, {}};
    it = _families.emplace(std::string(name), std::move(f)).first;
    return it->second;
  }
  family& f = it->second;
  SLUICE_ASSERT(f.type == type, (context(name) + " registered as " +
                                 std::string(to_string(f.type)) + " and as " +
                                 std::string(to_string(type)))
                                    .c_str());
  SLUICE_ASSERT(f.help == help, (context(name) + " registered with two help texts").c_str());
  SLUICE_ASSERT(!bounds || f.bounds == *bounds,
                (context(name) + " registered with two bucket layouts").c_str());
  return f;
}

metrics_registry::series& metrics_registry::series_for(family& f, std::string_view name,
                                                       metric_labels labels) {
  std::sort(labels.begin(), labels.end());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto& label = labels[i].first;
    SLUICE_ASSERT(valid_label_name(label),
                  (context(name) + ": invalid label name '" + label + "'").c_str());
    SLUICE_ASSERT(i == 0 || labels[i - 1].first != label,
                  (context(name) + ": label '" + label + "' given twice").c_str());
    SLUICE_ASSERT(f.type != metric_type::histogram || label != "le",
                  (context(name) + ": 'le' is reserved on histograms").c_str());
  }
  auto it = f.members.find(labels);
  if (it != f.members.end()) return it->second;
  std::string text;
  for (const auto& [label, value] : labels) {
    if (!text.empty()) text += ',';
    text += label;
    text += "=\"";
    append_label_value(text, value);
    text += '"';
  }
  return f.members.emplace(std::move(labels), series{std::move(text), {}}).first->second;
}

namespace {

/// A series just created by series_for holds a null counter pointer.
template <class Variant>
bool is_fresh(const Variant& v) {
  const auto* p = std::get_if<std::unique_ptr<counter>>(&v);
  return p != nullptr && *p == nullptr;
}

/// The metric a series owns, made on first registration. A series already registered as a
/// callback cannot become an owned metric.
template <class Metric, class Variant>
Metric& owned_metric(Variant& v, std::string_view name) {
  if (auto* p = std::get_if<std::unique_ptr<Metric>>(&v); p && *p) return **p;
  SLUICE_ASSERT(is_fresh(v), (context(name) + ": series is a callback").c_str());
  auto owned = std::make_unique<Metric>();
  Metric& handle = *owned;
  v = std::move(owned);
  return handle;
}

}  // namespace

counter& metrics_registry::register_counter(std::string_view name, std::string_view help,
                                            metric_labels labels) {
  std::lock_guard lock(_mutex);
  auto& s = series_for(family_for(name, help, metric_type::counter, nullptr), name,
                       std::move(labels));
  return owned_metric<counter>(s.metric, name);
}

gauge& metrics_registry::register_gauge(std::string_view name, std::string_view help,
                                        metric_labels labels) {
  std::lock_guard lock(_mutex);
  auto& s =
      series_for(family_for(name, help, metric_type::gauge, nullptr), name, std::move(labels));
  return owned_metric<gauge>(s.metric, name);
}

histogram& metrics_registry::register_histogram(std::string_view name, std::string_view help,
                                                std::vector<double> bounds,
                                                metric_labels labels) {
  std::lock_guard lock(_mutex);
  auto& s = series_for(family_for(name, help, metric_type::histogram, &bounds), name,
                       std::move(labels));
  if (auto* p = std::get_if<std::unique_ptr<histogram>>(&s.metric)) return **p;
  auto owned = std::make_unique<histogram>(std::move(bounds));
  histogram& handle = *owned;
  s.metric = std::move(owned);
  return handle;
}

void metrics_registry::register_counter_callback(std::string_view name, std::string_view help,
                                                 metric_labels labels,
                                                 std::function<double()> read) {
  SLUICE_ASSERT(read != nullptr, (context(name) + ": empty callback").c_str());
  std::lock_guard lock(_mutex);
  auto& s = series_for(family_for(name, help, metric_type::counter, nullptr), name,
                       std::move(labels));
  SLUICE_ASSERT(is_fresh(s.metric) || std::holds_alternative<std::function<double()>>(s.metric),
                (context(name) + ": series is not a callback").c_str());
  s.metric = std::move(read);
}

void metrics_registry::register_gauge_callback(std::string_view name, std::string_view help,
                                               metric_labels labels,
                                               std::function<double()> read) {
  SLUICE_ASSERT(read != nullptr, (context(name) + ": empty callback").c_str());
  std::lock_guard lock(_mutex);
  auto& s =
      series_for(family_for(name, help, metric_type::gauge, nullptr), name, std::move(labels));
  SLUICE_ASSERT(is_fresh(s.metric) || std::holds_alternative<std::function<double()>>(s.metric),
                (context(name) + ": series is not a callback").c_str());
  s.metric = std::move(read);
}

bool metrics_registry::unregister(std::string_view name, const metric_labels& labels) {
  metric_labels sorted = labels;
  std::sort(sorted.begin(), sorted.end());
  std::lock_guard lock(_mutex);
  const auto it = _families.find(name);
  if (it == _families.end()) return false;
  const bool erased = it->second.members.erase(sorted) > 0;
  if (it->second.members.empty()) _families.erase(it);
  return erased;
}

std::string metrics_registry::render_prometheus() const {
  std::string out;
  std::lock_guard lock(_mutex);
  // Plain references rather than structured bindings: clang 14 cannot capture bindings.
  for (const auto& family_entry : _families) {
    const std::string& name = family_entry.first;
    const family& f = family_entry.second;
    if (f.members.empty()) continue;
    out += "# HELP ";
    out += name;
    out += ' ';
    out += escape_help(f.help);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += to_string(f.type);
    out += '\n';
    for (const auto& member : f.members) {
      const series& s = member.second;
      std::visit(
          [&](const auto& m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, std::unique_ptr<counter>>) {
              append_sample(out, name, "", s.label_text, fmt::format("{}", m->value()));
            } else if constexpr (std::is_same_v<M, std::unique_ptr<gauge>>) {
              append_sample(out, name, "", s.label_text, format_value(m->value()));
            } else if constexpr (std::is_same_v<M, std::function<double()>>) {
              append_sample(out, name, "", s.label_text, format_value(m()));
            } else {
              const auto snap = m->read();
              const auto bounds = m->bounds();
              const std::string separator = s.label_text.empty() ? "" : ",";
              for (std::size_t i = 0; i <= bounds.size(); ++i) {
                const std::string le = i < bounds.size() ? format_value(bounds[i]) : "+Inf";
                append_sample(out, name, "_bucket",
                              s.label_text + separator + "le=\"" + le + "\"",
                              fmt::format("{}", snap.cumulative[i]));
              }
              append_sample(out, name, "_sum", s.label_text, format_value(snap.sum));
              append_sample(out, name, "_count", s.label_text, fmt::format("{}", snap.count));
            }
          },
          s.metric);
    }
  }
  return out;
}

}  // namespace sluice::core
