#pragma once
/// Metrics: counters, gauges and histograms in a registry that renders the Prometheus text
/// exposition format 0.0.4.
///
///     core::metrics_registry registry;
///     auto& bytes_in = registry.register_counter("sluice_broker_topic_bytes_in_total",
///                                                "Record batch bytes appended per topic.",
///                                                {{"topic", "t"}});
///     bytes_in.inc(batch.size());   // hot path: one relaxed atomic add
///     http_body = registry.render_prometheus();
///
/// A metric *family* is a name with help text and a type; each distinct label set in it is a
/// *series*. Registering the same name and labels again returns the same series, so components
/// can register idempotently. Handles (`counter&`, `gauge&`, `histogram&`) stay valid until
/// the series is unregistered or the registry is destroyed; updating them never touches the
/// registry, takes no lock and does no lookup.
///
/// Registration mistakes — an invalid metric or label name, reusing a name with another type,
/// help text or bucket layout — are programming errors and fail `SLUICE_ASSERT`.
///
/// Thread safety: registry functions may be called from any thread (one internal mutex);
/// counter, gauge and histogram updates are lock-free and may race freely with each other and
/// with rendering. Callbacks of callback series run under the registry mutex during
/// `render_prometheus`: they must be thread-safe, must not throw and must not call back into
/// the registry.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::core {

/// The labels of one series, e.g. {{"topic", "orders"}, {"partition", "0"}}. Order does not
/// matter: series are identified and rendered with labels sorted by name.
using metric_labels = std::vector<std::pair<std::string, std::string>>;

/// A monotonically increasing count.
class counter {
 public:
  void inc(uint64_t n = 1) noexcept { _value.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const noexcept { return _value.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> _value{0};
};

/// A value that goes up and down.
class gauge {
 public:
  void set(double v) noexcept { _value.store(v, std::memory_order_relaxed); }
  void add(double delta) noexcept { _value.fetch_add(delta, std::memory_order_relaxed); }
  void sub(double delta) noexcept { add(-delta); }
  double value() const noexcept { return _value.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> _value{0.0};
};

/// Observations counted into fixed buckets, with their sum. A bucket with upper bound b counts
/// observations <= b; an implicit +Inf bucket counts everything (NaN goes only there).
class histogram {
 public:
  /// REQUIRES: bounds are finite and strictly increasing (may be empty: only +Inf).
  explicit histogram(std::vector<double> bounds);

  void observe(double value) noexcept;

  struct snapshot {
    /// Cumulative counts per bound, then the +Inf bucket (== count).
    std::vector<uint64_t> cumulative;
    double sum = 0;
    uint64_t count = 0;
  };
  /// A reading of the buckets and sum. Concurrent observations may be half included (counted
  /// but not yet summed); `count` always equals the +Inf bucket.
  snapshot read() const;

  std::span<const double> bounds() const noexcept { return _bounds; }

 private:
  std::vector<double> _bounds;
  std::unique_ptr<std::atomic<uint64_t>[]> _buckets;  // _bounds.size() + 1, not cumulative
  std::atomic<double> _sum{0.0};
};

/// `count` bounds start, start + width, ... REQUIRES: count >= 1, width > 0.
std::vector<double> linear_buckets(double start, double width, int count);
/// `count` bounds start, start * factor, ... REQUIRES: count >= 1, start > 0, factor > 1.
std::vector<double> exponential_buckets(double start, double factor, int count);

enum class metric_type { counter, gauge, histogram };

/// Owns every metric of a process (or of a component that serves its own endpoint).
/// Non-copyable and non-movable: handles point into it.
class metrics_registry {
 public:
  metrics_registry() = default;
  metrics_registry(const metrics_registry&) = delete;
  metrics_registry& operator=(const metrics_registry&) = delete;
  ~metrics_registry();

  /// Registers, or finds, a series. REQUIRES: a valid Prometheus metric name
  /// ([a-zA-Z_:][a-zA-Z0-9_:]*) and label names ([a-zA-Z_][a-zA-Z0-9_]*, not "__"-prefixed, not
  /// repeated; no "le" on histograms); a name already registered has the same type and help
  /// (and, for histograms, the same bounds); an existing series with these labels is of the
  /// same kind (not a callback).
  counter& register_counter(std::string_view name, std::string_view help,
                            metric_labels labels = {});
  gauge& register_gauge(std::string_view name, std::string_view help, metric_labels labels = {});
  histogram& register_histogram(std::string_view name, std::string_view help,
                                std::vector<double> bounds, metric_labels labels = {});

  /// A series whose value is read from `read` at each render; replaces an earlier callback of
  /// the same series. REQUIRES: as above; `read` as described in the header comment.
  void register_counter_callback(std::string_view name, std::string_view help,
                                 metric_labels labels, std::function<double()> read);
  void register_gauge_callback(std::string_view name, std::string_view help,
                               metric_labels labels, std::function<double()> read);

  /// Removes a series; returns whether it existed. A family left without series is dropped.
  /// REQUIRES: nobody uses a handle to that series any more.
  bool unregister(std::string_view name, const metric_labels& labels);

  /// Every family, sorted by name, and within it every series, sorted by labels, in the
  /// Prometheus text format 0.0.4. Families without series are omitted.
  std::string render_prometheus() const;

 private:
  struct series {
    std::string label_text;  // `a="x",b="y"`, escaped, without braces
    std::variant<std::unique_ptr<counter>, std::unique_ptr<gauge>, std::unique_ptr<histogram>,
                 std::function<double()>>
        metric;
  };
  struct family {
    std::string help;
    metric_type type;
    std::vector<double> bounds;
    std::map<metric_labels, series> members;
  };

  family& family_for(std::string_view name, std::string_view help, metric_type type,
                     const std::vector<double>* bounds);
  /// The series of `labels` in `f`, created empty (a null counter pointer) if new.
  static series& series_for(family& f, std::string_view name, metric_labels labels);

  mutable std::mutex _mutex;
  std::map<std::string, family, std::less<>> _families;
};

std::string_view to_string(metric_type type) noexcept;

}  // namespace sluice::core
