#pragma once
/// The Processor API: hand-written processors with state stores and punctuators, plugged into a
/// DSL topology with `kstream::process` / `kstream::process_values`.
///
///     struct dedup final : processor<std::string, event, std::string, event> {
///       void init(processor_context<std::string, event>& ctx) override {
///         _ctx = &ctx;
///         _seen = ctx.get_key_value_store<std::string, int64_t>("seen");
///         ctx.schedule(1min, punctuation_type::wall_clock_time, [this](timestamp) { ... });
///       }
///       void process(const record<std::string, event>& r) override {
///         if (!_seen->get(r.key)) { _seen->put(r.key, 1); _ctx->forward(r); }
///       }
///       processor_context<std::string, event>* _ctx = nullptr;
///       std::optional<typed_key_value_store<std::string, int64_t>> _seen;
///     };
///     builder.add_state_store(stores::key_value<std::string, int64_t>("seen"));
///     stream.process([] { return std::make_unique<dedup>(); }, {"seen"});
///
/// One processor is made per task (by the supplier), initialized once, fed records one at a
/// time and closed at the end, all on the task's thread. Stores are reachable only if named
/// when the processor is added; asking for another throws processing_error. Store and serde
/// failures inside the typed store views throw processing_error (the task fails, as in Kafka
/// Streams), so processors need no error plumbing.

#include "core/serde.h"
#include "dsl/detail/task.h"
#include "dsl/detail/typed.h"
#include "dsl/kstream.h"
#include "dsl/topology.h"
#include "state/key_value_store.h"
#include "state/window_store.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::dsl {

/// A record of the Processor API: key, value, timestamp, headers.
template <class K, class V>
struct record {
  K key{};
  V value{};
  timestamp ts{};
  core::headers hdrs;

  bool operator==(const record&) const = default;
};

namespace detail {
const store_spec& spec_for(const processor_node& node, std::string_view store);
}  // namespace detail

namespace detail {

/// What the typed store views share: the bytes store, its serdes, and failures of the store or
/// the serdes as processing_error naming the node, the store and the call.
template <class Store, class K, class V>
class typed_store_view {
 public:
  typed_store_view(const processor_node& node, Store& store, core::serde<K> k, core::serde<V> v)
      : _node(&node), _store(&store), _k(std::move(k)), _v(std::move(v)) {}
  Store& bytes_store() const noexcept { return *_store; }

 protected:
  bytes key_bytes(const K& key) const { return must(_k.serialize(key), "serialize"); }
  bytes value_bytes(const V& value) const { return must(_v.serialize(value), "serialize"); }
  K key_of(bytes_view b) const { return must(_k.deserialize(b), "deserialize"); }
  V value_of(bytes_view b) const { return must(_v.deserialize(b), "deserialize"); }
  /// The timestamp writes are made with: the record being processed (or the punctuation time),
  /// as Kafka Streams stamps a processor's store writes.
  timestamp now() const noexcept { return _node->context().record_timestamp(); }
  template <class T>
  T must(result<T> r, std::string_view what) const {
    return detail::must(std::move(r), *_node, _store->name(), what);
  }

 private:
  const processor_node* _node;
  Store* _store;
  core::serde<K> _k;
  core::serde<V> _v;
};

}  // namespace detail

/// A typed view of a bytes key-value store. Borrowed from the task; valid until it closes.
template <class K, class V>
class typed_key_value_store : public detail::typed_store_view<state::key_value_store, K, V> {
  using base = detail::typed_store_view<state::key_value_store, K, V>;

 public:
  using base::base;

  std::optional<V> get(const K& key) const {
    auto found = this->must(this->bytes_store().get(this->key_bytes(key)), "get");
    if (!found) return std::nullopt;
    return this->value_of(*found);
  }
  void put(const K& key, const V& value) {
    this->must(this->bytes_store().put(this->key_bytes(key), this->value_bytes(value), this->now()),
               "put");
  }
  /// Deletes `key`; returns whether it was present.
  bool remove(const K& key) {
    return this->must(this->bytes_store().remove(this->key_bytes(key), this->now()), "remove")
        .has_value();
  }
  /// Every entry, in key-bytes order.
  std::vector<std::pair<K, V>> all() const {
    auto it = this->must(this->bytes_store().all(), "all");
    std::vector<std::pair<K, V>> out;
    for (; it.valid(); it.next())
      out.emplace_back(this->key_of(it.key()), this->value_of(it.value()));
    this->must(it.status(), "all");
    return out;
  }
};

/// A typed view of a bytes window store. Borrowed from the task; valid until it closes.
template <class K, class V>
class typed_window_store : public detail::typed_store_view<state::window_store, K, V> {
  using base = detail::typed_store_view<state::window_store, K, V>;

 public:
  using base::base;

  /// Stores `value` for (key, window_start); false if that window had already expired.
  bool put(const K& key, const V& value, timestamp window_start) {
    return this
        ->must(
            this->bytes_store().put(this->key_bytes(key), this->value_bytes(value), window_start,
                                    this->now()),
            "put")
        .stored;
  }
  std::optional<V> fetch(const K& key, timestamp window_start) const {
    auto found = this->must(this->bytes_store().fetch(this->key_bytes(key), window_start), "fetch");
    if (!found) return std::nullopt;
    return this->value_of(*found);
  }
  /// `key`'s windows with from ≤ start ≤ to: (start, value), by start.
  std::vector<std::pair<timestamp, V>> fetch(const K& key, timestamp from, timestamp to) const {
    auto it = this->must(this->bytes_store().fetch(this->key_bytes(key), from, to), "fetch");
    std::vector<std::pair<timestamp, V>> out;
    for (; it.valid(); it.next()) out.emplace_back(it.window_start(), this->value_of(it.value()));
    this->must(it.status(), "fetch");
    return out;
  }
};

/// What a processor sees of its task. Owned by the processor's node; valid from init() to
/// close().
class processor_context_base {
 public:
  explicit processor_context_base(processor_node& node) : _node(&node) {}

  const task_id& task() const noexcept { return _node->context().id(); }
  const std::string& application_id() const noexcept { return _node->context().application_id(); }
  /// Topic, partition and offset of the record being processed; nullopt in a punctuator.
  const std::optional<record_metadata>& metadata() const noexcept {
    return _node->context().metadata();
  }
  timestamp stream_time() const noexcept { return _node->context().stream_time(); }
  timestamp wall_clock_time() const { return _node->context().wall_clock_time(); }

  /// The connected key-value store `name`, typed with the serdes it was built with.
  /// Throws processing_error if it is not connected, has another kind, or other types.
  template <class K, class V>
  typed_key_value_store<K, V> get_key_value_store(std::string_view name) const {
    auto& s = _node->context().template store<state::key_value_store>(*_node, name);
    const store_spec& spec = detail::spec_for(*_node, name);
    return typed_key_value_store<K, V>(*_node, s, serde_of<K>(spec.key_serde, name),
                                       serde_of<V>(spec.value_serde, name));
  }
  /// The connected window store `name`, typed.
  template <class K, class V>
  typed_window_store<K, V> get_window_store(std::string_view name) const {
    auto& s = _node->context().template store<state::window_store>(*_node, name);
    const store_spec& spec = detail::spec_for(*_node, name);
    return typed_window_store<K, V>(*_node, s, serde_of<K>(spec.key_serde, name),
                                    serde_of<V>(spec.value_serde, name));
  }
  /// The connected store `name` at the bytes level.
  state::state_store& get_state_store(std::string_view name) const {
    return _node->context().template store<state::state_store>(*_node, name);
  }

  /// Calls `callback(time)` every `interval` of stream time or wall-clock time (see
  /// task_context::schedule). REQUIRES: interval > 0.
  cancellable schedule(millis interval, punctuation_type type,
                       std::function<void(timestamp)> callback) {
    return _node->context().schedule(*_node, interval, type, std::move(callback));
  }

 protected:
  template <class T>
  core::serde<T> serde_of(const std::any& a, std::string_view store) const {
    if (const auto* s = std::any_cast<core::serde<T>>(&a)) return *s;
    throw processing_error(_node->name(), "state store '" + std::string(store) +
                                              "' holds other key/value types than requested");
  }
  processor_node* _node;
};

template <class KOut, class VOut>
class processor_context : public processor_context_base {
 public:
  using processor_context_base::processor_context_base;
  /// Passes `r` to every child.
  void forward(const record<KOut, VOut>& r) {
    _node->forward(erased_record{&r.key, &r.value, r.ts, &r.hdrs});
  }
  /// Passes `r` to the child named `child` only.
  void forward(const record<KOut, VOut>& r, std::string_view child) {
    _node->forward_to(child, erased_record{&r.key, &r.value, r.ts, &r.hdrs});
  }
};

/// A processor: KIn/VIn in, KOut/VOut forwarded.
template <class KIn, class VIn, class KOut, class VOut>
class processor {
 public:
  using key_in = KIn;
  using value_in = VIn;
  using key_out = KOut;
  using value_out = VOut;
  virtual ~processor() = default;
  virtual void init(processor_context<KOut, VOut>& /*ctx*/) {}
  virtual void process(const record<KIn, VIn>& r) = 0;
  virtual void close() {}
};

namespace detail {
template <class K, class VIn, class VOut>
class fixed_key_node;
}  // namespace detail

/// A record whose key cannot be changed: what a fixed_key_processor receives and forwards.
template <class K, class V>
class fixed_key_record {
 public:
  const K& key() const noexcept { return _key; }
  const V& value() const noexcept { return _value; }
  timestamp ts() const noexcept { return _ts; }
  const core::headers& hdrs() const noexcept { return _hdrs; }

  template <class V2>
  fixed_key_record<K, V2> with_value(V2 v) const {
    return fixed_key_record<K, V2>(_key, std::move(v), _ts, _hdrs);
  }
  fixed_key_record with_timestamp(timestamp t) const {
    return fixed_key_record(_key, _value, t, _hdrs);
  }
  fixed_key_record with_headers(core::headers h) const {
    return fixed_key_record(_key, _value, _ts, std::move(h));
  }

 private:
  template <class, class>
  friend class fixed_key_record;
  template <class, class, class>
  friend class detail::fixed_key_node;
  fixed_key_record(K k, V v, timestamp t, core::headers h)
      : _key(std::move(k)), _value(std::move(v)), _ts(t), _hdrs(std::move(h)) {}
  K _key;
  V _value;
  timestamp _ts;
  core::headers _hdrs;
};

template <class K, class VOut>
class fixed_key_context : public processor_context_base {
 public:
  using processor_context_base::processor_context_base;
  void forward(const fixed_key_record<K, VOut>& r) {
    _node->forward(erased_record{&r.key(), &r.value(), r.ts(), &r.hdrs()});
  }
  void forward(const fixed_key_record<K, VOut>& r, std::string_view child) {
    _node->forward_to(child, erased_record{&r.key(), &r.value(), r.ts(), &r.hdrs()});
  }
};

/// A processor that keeps keys: K/VIn in, K/VOut forwarded (`kstream::process_values`).
template <class K, class VIn, class VOut>
class fixed_key_processor {
 public:
  using key_type = K;
  using value_in = VIn;
  using value_out = VOut;
  virtual ~fixed_key_processor() = default;
  virtual void init(fixed_key_context<K, VOut>& /*ctx*/) {}
  virtual void process(const fixed_key_record<K, VIn>& r) = 0;
  virtual void close() {}
};

/// Store specs for Processor API stores (`streams_builder::add_state_store`).
namespace stores {
/// A key-value store; serdes default to `default_serde<K>` / `<V>`.
template <class K, class V>
store_spec key_value(std::string name, std::optional<core::serde<K>> k = std::nullopt,
                     std::optional<core::serde<V>> v = std::nullopt,
                     dsl::store_type type = dsl::store_type::automatic, bool logged = true) {
  store_spec s;
  s.key_serde = detail::resolve_serde<K>("store '" + name + "'", "key", k);
  s.value_serde = detail::resolve_serde<V>("store '" + name + "'", "value", v);
  s.name = std::move(name);
  s.kind = store_kind::key_value;
  s.type = type;
  s.logged = logged;
  return s;
}
/// A window store keeping windows for `retention`.
template <class K, class V>
store_spec window(std::string name, millis retention, millis window_size,
                  bool retain_duplicates = false, std::optional<core::serde<K>> k = std::nullopt,
                  std::optional<core::serde<V>> v = std::nullopt,
                  dsl::store_type type = dsl::store_type::automatic, bool logged = true) {
  store_spec s = key_value<K, V>(std::move(name), std::move(k), std::move(v), type, logged);
  s.kind = store_kind::window;
  s.retention = retention;
  s.window_size = window_size;
  s.retain_duplicates = retain_duplicates;
  return s;
}
}  // namespace stores

namespace detail {

template <class P>
class processor_adapter_node final : public processor_node {
  using KIn = typename P::key_in;
  using VIn = typename P::value_in;
  using KOut = typename P::key_out;
  using VOut = typename P::value_out;

 public:
  explicit processor_adapter_node(std::unique_ptr<P> p) : _p(std::move(p)), _ctx(*this) {}
  void init() override { _p->init(_ctx); }
  void process(const erased_record& r) override {
    const record<KIn, VIn> in{deref<KIn>(r.key), deref<VIn>(r.value), r.ts, *r.hdrs};
    _p->process(in);
  }
  void close() override { _p->close(); }

 private:
  std::unique_ptr<P> _p;
  processor_context<KOut, VOut> _ctx;
};

template <class K, class VIn, class VOut>
class fixed_key_node final : public processor_node {
 public:
  explicit fixed_key_node(std::unique_ptr<fixed_key_processor<K, VIn, VOut>> p)
      : _p(std::move(p)), _ctx(*this) {}
  void init() override { _p->init(_ctx); }
  void process(const erased_record& r) override {
    const fixed_key_record<K, VIn> in(deref<K>(r.key), deref<VIn>(r.value), r.ts, *r.hdrs);
    _p->process(in);
  }
  void close() override { _p->close(); }

 private:
  std::unique_ptr<fixed_key_processor<K, VIn, VOut>> _p;
  fixed_key_context<K, VOut> _ctx;
};

}  // namespace detail

template <class K, class V>
template <class Supplier>
auto kstream<K, V>::process(Supplier supplier, std::vector<std::string> stores, named n) const {
  using ptr = std::invoke_result_t<Supplier&>;
  using P = typename ptr::element_type;
  static_assert(std::is_same_v<typename P::key_in, K> && std::is_same_v<typename P::value_in, V>,
                "the processor's input types must be the stream's key and value types");
  using KOut = typename P::key_out;
  using VOut = typename P::value_out;
  auto& g = _b->graph();
  const std::size_t parents[] = {_node};
  const std::string name = g.node_name(detail::opt_name(n), "KSTREAM-PROCESSOR", parents);
  const std::size_t node = g.add_processor(
      name, "process", {_node},
      [supplier](std::span<const std::string>) mutable -> std::unique_ptr<processor_node> {
        return std::make_unique<detail::processor_adapter_node<P>>(supplier());
      },
      std::move(stores));
  return kstream<KOut, VOut>(*_b, node, true, std::nullopt, std::nullopt);
}

template <class K, class V>
template <class Supplier>
auto kstream<K, V>::process_values(Supplier supplier, std::vector<std::string> stores,
                                   named n) const {
  using ptr = std::invoke_result_t<Supplier&>;
  using P = typename ptr::element_type;
  static_assert(std::is_same_v<typename P::key_type, K> && std::is_same_v<typename P::value_in, V>,
                "the processor's input types must be the stream's key and value types");
  using VOut = typename P::value_out;
  auto& g = _b->graph();
  const std::size_t parents[] = {_node};
  const std::string name = g.node_name(detail::opt_name(n), "KSTREAM-PROCESSVALUES", parents);
  const std::size_t node = g.add_processor(
      name, "process_values", {_node},
      [supplier](std::span<const std::string>) mutable -> std::unique_ptr<processor_node> {
        return std::make_unique<detail::fixed_key_node<K, V, VOut>>(supplier());
      },
      std::move(stores));
  return kstream<K, VOut>(*_b, node, _repartition_required, _key_serde, std::nullopt);
}

}  // namespace sluice::dsl

namespace sluice {
using dsl::fixed_key_processor;
using dsl::fixed_key_record;
using dsl::processor;
using dsl::processor_context;
using dsl::punctuation_type;
using dsl::record;
namespace stores = dsl::stores;
}  // namespace sluice
