#pragma once
/// `topology_test_driver`: runs a topology in-process, without a broker, deterministically —
/// for Sluice's own tests and for users testing their topologies.
///
///     topology_test_driver driver(builder.build(), {.partitions = {{"orders", 3}}});
///     auto in = driver.create_input_topic<std::string, order>("orders", serdes::string{},
///     order_serde); auto out = driver.create_output_topic<std::string, int64_t>("counts",
///     serdes::string{}, serdes::int64{}); in.pipe("o-1", o, core::from_epoch_ms(1000));
///     EXPECT_EQ(out.read_key_value(), std::pair{std::string("o-1"), int64_t{1}});
///
/// Model. Every topic has a partition count (`driver_config::partitions`, else
/// `default_partitions`; repartition topics as `topology::resolve_partitions` decides). Every
/// (sub-topology, partition) is a task with its own stores and stream time, as in the runtime.
/// A piped record goes to the partition the Java-compatible murmur2 partitioner picks for its
/// key (null keys: round-robin), is processed at once by the task reading that partition, and
/// everything it produces to topics the topology itself reads (repartition topics, or external
/// topics read back) is processed next, in production order, before `pipe` returns. Stream-time
/// punctuators run after each record; wall-clock ones only on `advance_wall_clock_time`.
/// Output to any topic is kept until read, across partitions in production order.
///
/// Stores are in-memory by default; `store_backend::rocksdb` opens RocksDB stores under
/// `state_dir` (a fresh temporary directory, removed afterwards, if empty). Stores whose
/// `materialized` asked for a kind explicitly get that kind.
///
/// Exceptions thrown while processing (user code, processing_error) reach the caller of
/// `pipe`. Deserialization failures of piped records throw std::runtime_error.
///
/// Thread safety: one thread.

#include "core/bytes.h"
#include "core/record.h"
#include "core/serde.h"
#include "core/time.h"
#include "dsl/detail/task.h"
#include "dsl/topology.h"
#include "dsl/windows.h"
#include "state/key_value_store.h"
#include "state/window_store.h"

#include <any>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

namespace sluice::dsl {

enum class store_backend { in_memory, rocksdb };

struct driver_config {
  std::string application_id = "test-app";
  /// Partition counts of external topics; others have `default_partitions`.
  std::map<std::string, int32_t> partitions;
  int32_t default_partitions = 1;
  store_backend stores = store_backend::in_memory;
  /// For RocksDB stores; empty: a temporary directory, removed when the driver is destroyed.
  std::filesystem::path state_dir;
  /// The mock wall clock's start.
  timestamp wall_clock_start = core::from_epoch_ms(0);
};

/// A record read from an output topic. Null keys/values are nullopt.
template <class K, class V>
struct test_record {
  std::optional<K> key;
  std::optional<V> value;
  timestamp ts{};
  core::headers hdrs;
  partition_id partition{0};

  bool operator==(const test_record&) const = default;
};

/// A raw output record of the driver.
struct driver_record {
  partition_id partition{0};
  core::raw_record rec;
};

/// The unread records of one output topic, oldest first: a FIFO over a vector that keeps its
/// capacity, so a steady stream of output allocates nothing but the records' own bytes.
class driver_output {
 public:
  bool empty() const noexcept { return _head == _items.size(); }
  std::size_t size() const noexcept { return _items.size() - _head; }
  /// The oldest unread record. REQUIRES: !empty().
  driver_record& front() noexcept { return _items[_head]; }
  /// Drops the oldest unread record. REQUIRES: !empty().
  void pop_front() {
    _items[_head++] = driver_record{};
    if (_head == _items.size()) clear();
  }
  void push_back(driver_record&& r) { _items.push_back(std::move(r)); }
  void clear() noexcept {
    _items.clear();
    _head = 0;
  }

 private:
  std::vector<driver_record> _items;
  std::size_t _head = 0;
};

class topology_test_driver;

template <class K, class V>
class test_input_topic {
 public:
  /// Pipes one record with timestamp `ts`.
  void pipe(const K& key, const V& value, timestamp ts, core::headers hdrs = {}) {
    pipe_bytes(encode(_k, key), encode(_v, value), ts, std::move(hdrs));
  }
  /// Pipes one record at the driver's current wall-clock time.
  void pipe(const K& key, const V& value);
  /// Pipes a record with a null value (a tombstone for tables).
  void pipe_tombstone(const K& key, timestamp ts, core::headers hdrs = {}) {
    pipe_bytes(encode(_k, key), std::nullopt, ts, std::move(hdrs));
  }
  /// Pipes a record with a null key.
  void pipe_value(const V& value, timestamp ts, core::headers hdrs = {}) {
    pipe_bytes(std::nullopt, encode(_v, value), ts, std::move(hdrs));
  }
  /// Pipes raw bytes (for deserialization-failure tests).
  void pipe_bytes(std::optional<bytes> key, std::optional<bytes> value, timestamp ts,
                  core::headers hdrs = {});
  const std::string& name() const noexcept { return _topic; }

 private:
  friend class topology_test_driver;
  test_input_topic(topology_test_driver& d, std::string topic, core::serde<K> k, core::serde<V> v)
      : _d(&d), _topic(std::move(topic)), _k(std::move(k)), _v(std::move(v)) {}
  template <class T>
  static bytes encode(const core::serde<T>& s, const T& x) {
    auto b = s.serialize(x);
    if (!b) throw std::runtime_error("test_input_topic: cannot serialize: " + b.error().message());
    return std::move(b).value();
  }
  topology_test_driver* _d;
  std::string _topic;
  core::serde<K> _k;
  core::serde<V> _v;
};

template <class K, class V>
class test_output_topic {
 public:
  bool is_empty() const;
  std::size_t size() const;
  /// The next record. Throws std::out_of_range if there is none.
  test_record<K, V> read_record();
  /// Every unread record.
  std::vector<test_record<K, V>> read_records() {
    std::vector<test_record<K, V>> out;
    while (!is_empty()) out.push_back(read_record());
    return out;
  }
  /// The next record's key and value (null ones as K{} / V{}). Throws std::out_of_range if
  /// there is none.
  std::pair<K, V> read_key_value() {
    auto r = read_record();
    return {r.key ? std::move(*r.key) : K{}, r.value ? std::move(*r.value) : V{}};
  }
  V read_value() { return read_key_value().second; }
  std::vector<std::pair<K, V>> read_key_values() {
    std::vector<std::pair<K, V>> out;
    while (!is_empty()) out.push_back(read_key_value());
    return out;
  }
  /// Every unread record folded into the latest value per key; tombstones remove the key.
  std::map<K, V> read_key_values_to_map() {
    std::map<K, V> out;
    while (!is_empty()) {
      auto r = read_record();
      if (!r.key) continue;
      if (r.value) {
        out.insert_or_assign(std::move(*r.key), std::move(*r.value));
      } else {
        out.erase(*r.key);
      }
    }
    return out;
  }
  const std::string& name() const noexcept { return _topic; }

 private:
  friend class topology_test_driver;
  test_output_topic(topology_test_driver& d, std::string topic, core::serde<K> k, core::serde<V> v)
      : _d(&d), _topic(std::move(topic)), _k(std::move(k)), _v(std::move(v)) {}
  topology_test_driver* _d;
  std::string _topic;
  core::serde<K> _k;
  core::serde<V> _v;
};

/// Typed read access to a key-value store across every task (partition) of the driver.
template <class K, class V>
class test_key_value_store {
 public:
  std::optional<V> get(const K& key) const;
  /// Every entry, in key-bytes order within each partition, partitions in order.
  std::vector<std::pair<K, V>> all() const;
  std::size_t size() const { return all().size(); }

 private:
  friend class topology_test_driver;
  test_key_value_store(std::vector<state::key_value_store*> stores, core::serde<K> k,
                       core::serde<V> v)
      : _stores(std::move(stores)), _k(std::move(k)), _v(std::move(v)) {}
  std::vector<state::key_value_store*> _stores;
  core::serde<K> _k;
  core::serde<V> _v;
};

/// Typed read access to a window store across every task of the driver.
template <class K, class V>
class test_window_store {
 public:
  /// The value of `key`'s window starting at `start`, or nullopt.
  std::optional<V> fetch(const K& key, timestamp start) const;
  /// `key`'s windows with from ≤ start ≤ to, by start: (window start, value).
  std::vector<std::pair<timestamp, V>> fetch(const K& key, timestamp from, timestamp to) const;
  /// Every live window: (key, window start, value).
  std::vector<std::tuple<K, timestamp, V>> all() const;

 private:
  friend class topology_test_driver;
  test_window_store(std::vector<state::window_store*> stores, core::serde<K> k, core::serde<V> v)
      : _stores(std::move(stores)), _k(std::move(k)), _v(std::move(v)) {}
  std::vector<state::window_store*> _stores;
  core::serde<K> _k;
  core::serde<V> _v;
};

class topology_test_driver {
 public:
  /// Creates every task of `t` and initializes it. Throws topology_error if the configured
  /// partition counts break co-partitioning.
  explicit topology_test_driver(topology t, driver_config config = {});
  ~topology_test_driver();
  topology_test_driver(const topology_test_driver&) = delete;
  topology_test_driver& operator=(const topology_test_driver&) = delete;

  template <class K, class V>
  test_input_topic<K, V> create_input_topic(std::string topic, core::serde<K> k, core::serde<V> v) {
    require_input(topic);
    return test_input_topic<K, V>(*this, std::move(topic), std::move(k), std::move(v));
  }
  template <class K, class V>
  test_output_topic<K, V> create_output_topic(std::string topic, core::serde<K> k,
                                              core::serde<V> v) {
    return test_output_topic<K, V>(*this, std::move(topic), std::move(k), std::move(v));
  }
  /// The same with the default serdes of K and V (`sluice::default_serde`), as the DSL uses
  /// when an operator names none.
  template <class K, class V>
  requires core::has_default_serde<K> && core::has_default_serde<V>
  test_input_topic<K, V> create_input_topic(std::string topic) {
    return create_input_topic<K, V>(std::move(topic), core::make_default_serde<K>(),
                                    core::make_default_serde<V>());
  }
  template <class K, class V>
  requires core::has_default_serde<K> && core::has_default_serde<V>
  test_output_topic<K, V> create_output_topic(std::string topic) {
    return create_output_topic<K, V>(std::move(topic), core::make_default_serde<K>(),
                                     core::make_default_serde<V>());
  }

  /// Typed view of the key-value store `name`, with the serdes it was built with.
  /// Throws std::invalid_argument if there is no such key-value store or the types differ.
  template <class K, class V>
  test_key_value_store<K, V> get_key_value_store(std::string_view name) {
    const store_spec& spec = typed_spec(name, store_kind::key_value);
    return test_key_value_store<K, V>(key_value_stores(name), serde_of<K>(spec.key_serde, name),
                                      serde_of<V>(spec.value_serde, name));
  }
  /// Typed view of the window store `name`.
  template <class K, class V>
  test_window_store<K, V> get_window_store(std::string_view name) {
    const store_spec& spec = typed_spec(name, store_kind::window);
    return test_window_store<K, V>(window_stores(name), serde_of<K>(spec.key_serde, name),
                                   serde_of<V>(spec.value_serde, name));
  }

  /// Advances the mock wall clock and runs due wall-clock punctuators of every task.
  void advance_wall_clock_time(millis d);
  timestamp wall_clock_time() const noexcept { return _wall_clock; }

  /// Pipes one raw record into `topic` (partition by key unless given) and processes it and
  /// everything it causes. Throws std::invalid_argument if the topology does not read `topic`.
  void pipe_raw(std::string_view topic, std::optional<partition_id> partition, core::raw_record rec);
  /// Unread output of `topic`, oldest first.
  driver_output& output(std::string_view topic) {
    auto it = _outputs.find(topic);
    if (it == _outputs.end()) it = _outputs.emplace(std::string(topic), driver_output{}).first;
    return it->second;
  }
  /// Partition count of a topic as the driver resolved it (internal topics by full name).
  int32_t partitions(std::string_view topic) const;

  /// Dropped-record counters, summed over every task.
  task_metrics metrics() const;
  /// Stream time of the task (sub-topology, partition), or nullopt if it processed nothing.
  std::optional<timestamp> stream_time(task_id id) const;
  const topology& topology_ref() const noexcept { return _topology; }

 private:
  struct impl;
  void require_input(const std::string& topic) const;
  const store_spec& typed_spec(std::string_view name, store_kind kind) const;
  std::vector<state::key_value_store*> key_value_stores(std::string_view name);
  std::vector<state::window_store*> window_stores(std::string_view name);
  template <class T>
  static core::serde<T> serde_of(const std::any& a, std::string_view store) {
    if (const auto* s = std::any_cast<core::serde<T>>(&a)) return *s;
    throw std::invalid_argument("store '" + std::string(store) +
                                "' holds other key/value types than requested");
  }

  topology _topology;
  timestamp _wall_clock;
  std::map<std::string, driver_output, std::less<>> _outputs;
  std::unique_ptr<impl> _impl;
};

// ---- template definitions ---------------------------------------------------------------------

template <class K, class V>
void test_input_topic<K, V>::pipe(const K& key, const V& value) {
  pipe(key, value, _d->wall_clock_time());
}

template <class K, class V>
void test_input_topic<K, V>::pipe_bytes(std::optional<bytes> key, std::optional<bytes> value,
                                        timestamp ts, core::headers hdrs) {
  _d->pipe_raw(_topic, std::nullopt,
               core::raw_record{std::move(key), std::move(value), ts, std::move(hdrs)});
}

template <class K, class V>
bool test_output_topic<K, V>::is_empty() const {
  return _d->output(_topic).empty();
}

template <class K, class V>
std::size_t test_output_topic<K, V>::size() const {
  return _d->output(_topic).size();
}

template <class K, class V>
test_record<K, V> test_output_topic<K, V>::read_record() {
  auto& q = _d->output(_topic);
  if (q.empty()) throw std::out_of_range("output topic '" + _topic + "' has no unread record");
  driver_record raw = std::move(q.front());
  q.pop_front();
  test_record<K, V> out;
  if (raw.rec.key) {
    auto k = _k.deserialize(*raw.rec.key);
    if (!k)
      throw std::runtime_error("output topic '" + _topic +
                               "': cannot deserialize key: " + k.error().message());
    out.key = std::move(k).value();
  }
  if (raw.rec.value) {
    auto v = _v.deserialize(*raw.rec.value);
    if (!v)
      throw std::runtime_error("output topic '" + _topic +
                               "': cannot deserialize value: " + v.error().message());
    out.value = std::move(v).value();
  }
  out.ts = raw.rec.ts;
  out.hdrs = std::move(raw.rec.hdrs);
  out.partition = raw.partition;
  return out;
}

namespace detail {
[[noreturn]] void throw_store_failure(std::string_view what, const std::error_code& ec);
template <class T>
T decode_or_throw(const core::serde<T>& s, bytes_view b) {
  auto r = s.deserialize(b);
  if (!r) throw_store_failure("deserialize", r.error());
  return std::move(r).value();
}
template <class T>
bytes encode_or_throw(const core::serde<T>& s, const T& x) {
  auto r = s.serialize(x);
  if (!r) throw_store_failure("serialize", r.error());
  return std::move(r).value();
}
}  // namespace detail

template <class K, class V>
std::optional<V> test_key_value_store<K, V>::get(const K& key) const {
  const bytes kb = detail::encode_or_throw(_k, key);
  for (auto* s : _stores) {
    auto r = s->get(kb);
    if (!r) detail::throw_store_failure("get", r.error());
    if (r.value()) return detail::decode_or_throw(_v, *r.value());
  }
  return std::nullopt;
}

template <class K, class V>
std::vector<std::pair<K, V>> test_key_value_store<K, V>::all() const {
  std::vector<std::pair<K, V>> out;
  for (auto* s : _stores) {
    auto it = s->all();
    if (!it) detail::throw_store_failure("all", it.error());
    for (; it.value().valid(); it.value().next()) {
      out.emplace_back(detail::decode_or_throw(_k, it.value().key()),
                       detail::decode_or_throw(_v, it.value().value()));
    }
    if (auto st = it.value().status(); !st) detail::throw_store_failure("all", st.error());
  }
  return out;
}

template <class K, class V>
std::optional<V> test_window_store<K, V>::fetch(const K& key, timestamp start) const {
  const bytes kb = detail::encode_or_throw(_k, key);
  for (auto* s : _stores) {
    auto r = s->fetch(kb, start);
    if (!r) detail::throw_store_failure("fetch", r.error());
    if (r.value()) return detail::decode_or_throw(_v, *r.value());
  }
  return std::nullopt;
}

template <class K, class V>
std::vector<std::pair<timestamp, V>> test_window_store<K, V>::fetch(const K& key, timestamp from,
                                                                    timestamp to) const {
  const bytes kb = detail::encode_or_throw(_k, key);
  std::vector<std::pair<timestamp, V>> out;
  for (auto* s : _stores) {
    auto it = s->fetch(kb, from, to);
    if (!it) detail::throw_store_failure("fetch", it.error());
    for (; it.value().valid(); it.value().next()) {
      out.emplace_back(it.value().window_start(), detail::decode_or_throw(_v, it.value().value()));
    }
  }
  return out;
}

template <class K, class V>
std::vector<std::tuple<K, timestamp, V>> test_window_store<K, V>::all() const {
  std::vector<std::tuple<K, timestamp, V>> out;
  for (auto* s : _stores) {
    auto it = s->all();
    if (!it) detail::throw_store_failure("all", it.error());
    for (; it.value().valid(); it.value().next()) {
      out.emplace_back(detail::decode_or_throw(_k, it.value().key()), it.value().window_start(),
                       detail::decode_or_throw(_v, it.value().value()));
    }
  }
  return out;
}

}  // namespace sluice::dsl

namespace sluice {
using dsl::driver_config;
using dsl::store_backend;
using dsl::test_input_topic;
using dsl::test_output_topic;
using dsl::test_record;
using dsl::topology_test_driver;
}  // namespace sluice
