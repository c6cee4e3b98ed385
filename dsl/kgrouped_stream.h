#pragma once
/// `kgrouped_stream<K, V>` and `time_windowed_kstream<K, V>`: grouped streams and their
/// aggregations (`count`, `reduce`, `aggregate`), plain or per time window.
///
/// An aggregation keeps one value per key (per key and window) in a state store and emits the
/// updated value downstream on every input record — a table. Records with a null key or value
/// are dropped and counted (`drop_reason::null_key_or_value`).
///
/// Windowed aggregations use the task's stream time: a record updates every window it falls in
/// that is still open (stream time < window end + grace); if all its windows are closed it is
/// dropped and counted (`drop_reason::late`). Their store is a window store kept for
/// `materialized::retention`, at least window size + grace (the default). Results are keyed by
/// `windowed<K>`; `suppress(until_window_closes())` turns the per-update results into one final
/// result per window.

#include "dsl/detail/graph.h"
#include "dsl/detail/typed.h"
#include "dsl/fwd.h"
#include "dsl/kstream.h"
#include "dsl/ktable.h"
#include "dsl/parameters.h"
#include "dsl/windows.h"
#include "state/key_value_store.h"
#include "state/session_store.h"
#include "state/window_store.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace sluice::dsl {

namespace detail {

/// Folds one record into the current aggregate: `fold(key, value, current or nullptr)`.
template <class K, class V, class VA>
using fold_fn = std::function<VA(const K&, const V&, const VA*)>;

template <class K, class V, class VA>
class aggregate_node final : public processor_node {
 public:
  aggregate_node(std::string store, core::serde<K> k, core::serde<VA> va, fold_fn<K, V, VA> fold)
      : _store_name(std::move(store)),
        _k(std::move(k)),
        _va(std::move(va)),
        _fold(std::move(fold)) {}
  void init() override {
    _store = &context().template store<state::key_value_store>(*this, _store_name);
  }
  void process(const erased_record& r) override {
    if (r.key == nullptr || r.value == nullptr) {
      context().record_drop(*this, drop_reason::null_key_or_value);
      return;
    }
    const K& key = *static_cast<const K*>(r.key);
    const bytes kb = encode(_k, key, *this);
    const auto old = must(_store->get(kb), *this, _store_name, "get");
    std::optional<VA> current;
    if (old) current = decode(_va, *old, *this);
    VA next = _fold(key, *static_cast<const V*>(r.value), current ? &*current : nullptr);
    must(_store->put(kb, encode(_va, next, *this)), *this, _store_name, "put");
    forward(with_kv(r, r.key, &next));
  }

 private:
  std::string _store_name;
  core::serde<K> _k;
  core::serde<VA> _va;
  fold_fn<K, V, VA> _fold;
  state::key_value_store* _store = nullptr;
};

template <class K, class V, class VA>
class windowed_aggregate_node final : public processor_node {
 public:
  windowed_aggregate_node(std::string store, time_windows windows, core::serde<K> k,
                          core::serde<VA> va, fold_fn<K, V, VA> fold)
      : _store_name(std::move(store)),
        _windows(windows),
        _k(std::move(k)),
        _va(std::move(va)),
        _fold(std::move(fold)) {}
  void init() override {
    _store = &context().template store<state::window_store>(*this, _store_name);
  }
  void process(const erased_record& r) override {
    if (r.key == nullptr || r.value == nullptr) {
      context().record_drop(*this, drop_reason::null_key_or_value);
      return;
    }
    if (open_windows(_windows, r.ts, context().stream_time(), _open)) {
      context().record_drop(*this, drop_reason::late);
      return;
    }
    const K& key = *static_cast<const K*>(r.key);
    const V& value = *static_cast<const V*>(r.value);
    const bytes kb = encode(_k, key, *this);
    for (const window& w : _open) {
      const auto old = must(_store->fetch(kb, w.start), *this, _store_name, "fetch");
      std::optional<VA> current;
      if (old) current = decode(_va, *old, *this);
      VA next = _fold(key, value, current ? &*current : nullptr);
      must(_store->put(kb, encode(_va, next, *this), w.start), *this, _store_name, "put");
      const windowed<K> wkey{key, w};
      forward(with_kv(r, &wkey, &next));
    }
  }

 private:
  std::string _store_name;
  time_windows _windows;
  core::serde<K> _k;
  core::serde<VA> _va;
  fold_fn<K, V, VA> _fold;
  state::window_store* _store = nullptr;
  std::vector<window> _open;
};

/// Merges a session's aggregate into the running one: `merge(key, running or nullptr, session)`.
template <class K, class VA>
using merge_fn = std::function<VA(const K&, const VA*, const VA&)>;

/// Session-windowed aggregation over a session store. For each record: find the key's
/// sessions within the gap of it, merge them and the record into one session (emitting a
/// tombstone for each merged-away session), store it, emit it. A record more than grace older
/// than stream time is late: dropped and counted. So a session [start, end] is final once
/// stream time passes end + gap + grace (every record that could still reach it is late), and
/// the store keeps sessions for gap + grace.
template <class K, class V, class VA>
class session_aggregate_node final : public processor_node {
 public:
  session_aggregate_node(std::string store, session_windows windows, core::serde<K> k,
                         core::serde<VA> va, fold_fn<K, V, VA> fold, merge_fn<K, VA> merge)
      : _store_name(std::move(store)),
        _windows(windows),
        _k(std::move(k)),
        _va(std::move(va)),
        _fold(std::move(fold)),
        _merge(std::move(merge)) {}
  void init() override {
    _store = &context().template store<state::session_store>(*this, _store_name);
  }
  void process(const erased_record& r) override {
    if (r.key == nullptr || r.value == nullptr) {
      context().record_drop(*this, drop_reason::null_key_or_value);
      return;
    }
    const timestamp t = r.ts;
    if (t + _windows.grace_period() < context().stream_time()) {
      context().record_drop(*this, drop_reason::late);
      return;
    }
    const K& key = *static_cast<const K*>(r.key);
    const bytes kb = encode(_k, key, *this);
    std::vector<state::session_entry> merged;
    {
      auto it = must(_store->find_sessions(kb, std::max(core::from_epoch_ms(0), t - _windows.gap()),
                                           t + _windows.gap()),
                     *this, _store_name, "find_sessions");
      merged = must(it.collect(), *this, _store_name, "find_sessions");
    }
    timestamp start = t;
    timestamp end = t;
    for (const auto& s : merged) {
      start = std::min(start, s.window.start);
      end = std::max(end, s.window.end);
    }
    std::optional<VA> agg;
    for (const auto& s : merged) {
      const VA old = decode(_va, s.value, *this);
      agg = _merge(key, agg ? &*agg : nullptr, old);
      must(_store->remove(kb, s.window), *this, _store_name, "remove");
      if (s.window.start != start || s.window.end != end) {
        const windowed<K> gone{key, window{s.window.start, s.window.end}};
        forward(with_kv(r, &gone, nullptr));
      }
    }
    VA next = _fold(key, *static_cast<const V*>(r.value), agg ? &*agg : nullptr);
    must(_store->put(kb, state::session_window{start, end}, encode(_va, next, *this)), *this,
         _store_name, "put");
    const windowed<K> wkey{key, window{start, end}};
    forward(with_kv(r, &wkey, &next));
  }

 private:
  std::string _store_name;
  session_windows _windows;
  core::serde<K> _k;
  core::serde<VA> _va;
  fold_fn<K, V, VA> _fold;
  merge_fn<K, VA> _merge;
  state::session_store* _store = nullptr;
};

/// A getter over the session store of a session-windowed aggregation.
template <class K, class V>
getter_ptr<windowed<K>, V> session_store_getter(std::string store, core::serde<K> ks,
                                                core::serde<V> vs) {
  auto g = std::make_shared<table_getter<windowed<K>, V>>();
  g->stores = {store};
  g->make = [store, ks, vs](
                const processor_node& node) -> std::function<std::optional<V>(const windowed<K>&)> {
    auto* s = &node.context().template store<state::session_store>(node, store);
    return [s, &node, store, ks, vs](const windowed<K>& key) -> std::optional<V> {
      auto r = must(s->fetch_session(encode(ks, key.key, node),
                                     state::session_window{key.win.start, key.win.end}),
                    node, store, "fetch_session");
      if (!r) return std::nullopt;
      return decode(vs, *r, node);
    };
  };
  return g;
}

/// A getter over a window store of a windowed aggregation.
template <class K, class V>
getter_ptr<windowed<K>, V> window_store_getter(std::string store, core::serde<K> ks,
                                               core::serde<V> vs) {
  auto g = std::make_shared<table_getter<windowed<K>, V>>();
  g->stores = {store};
  g->make = [store, ks, vs](
                const processor_node& node) -> std::function<std::optional<V>(const windowed<K>&)> {
    auto* s = &node.context().template store<state::window_store>(node, store);
    return [s, &node, store, ks, vs](const windowed<K>& key) -> std::optional<V> {
      auto r = must(s->fetch(encode(ks, key.key, node), key.win.start), node, store, "fetch");
      if (!r) return std::nullopt;
      return decode(vs, *r, node);
    };
  };
  return g;
}

}  // namespace detail

template <class K, class V>
class time_windowed_kstream {
 public:
  time_windowed_kstream(kgrouped_stream<K, V> grouped, time_windows windows)
      : _grouped(std::move(grouped)), _windows(windows) {}

  /// Records per key and window.
  ktable<windowed<K>, int64_t> count(materialized<K, int64_t> m = {}, named n = {}) const {
    return aggregate_impl<int64_t>(
        "count", [](const K&, const V&, const int64_t* c) { return c ? *c + 1 : int64_t{1}; },
        std::move(m), n);
  }
  /// Combines the values per key and window with `reducer(aggregate, value)`.
  template <class F>
  requires std::is_invocable_r_v<V, F&, const V&, const V&> && std::copy_constructible<F>
      ktable<windowed<K>, V> reduce(F reducer, materialized<K, V> m = {}, named n = {})
  const {
    if (!m.value_serde) m.value_serde = _grouped.value_serde();
    return aggregate_impl<V>(
        "reduce",
        [reducer](const K&, const V& v, const V* agg) mutable {
          return agg ? V(reducer(*agg, v)) : v;
        },
        std::move(m), n);
  }
  /// Folds the values per key and window: starts from `initializer()`, then
  /// `aggregator(key, value, aggregate)`.
  template <class I, class A, class VA = std::remove_cvref_t<std::invoke_result_t<I&>>>
  requires std::is_invocable_r_v<VA, A&, const K&, const V&, const VA&> &&
      std::copy_constructible<A> && std::copy_constructible<I>
          ktable<windowed<K>, VA> aggregate(I initializer, A aggregator, materialized<K, VA> m = {},
                                            named n = {})
  const {
    return aggregate_impl<VA>(
        "aggregate",
        [initializer, aggregator](const K& k, const V& v, const VA* agg) mutable {
          return agg ? VA(aggregator(k, v, *agg)) : VA(aggregator(k, v, initializer()));
        },
        std::move(m), n);
  }

 private:
  template <class VA>
  ktable<windowed<K>, VA> aggregate_impl(std::string op, detail::fold_fn<K, V, VA> fold,
                                         materialized<K, VA> m, const named& n) const {
    auto& b = _grouped.stream().builder();
    auto& g = b.graph();
    const std::size_t parents[] = {_grouped.stream().node()};
    const std::string extra = op + " " + _windows.describe();
    const std::string name = g.node_name(detail::opt_name(n), "KSTREAM-AGGREGATE", parents, extra);
    const std::string store =
        m.name ? *m.name : g.auto_name("KSTREAM-AGGREGATE-STATE-STORE", parents, extra);
    core::serde<K> ks =
        detail::resolve_serde<K>(name, "key", m.key_serde, _grouped.stream().key_serde());
    core::serde<VA> vs = detail::resolve_serde<VA>(name, "value", m.value_serde);
    const millis min_retention = _windows.size() + _windows.grace_period();
    if (m.retention && *m.retention < min_retention) {
      throw topology_error(name, "the store retention must be at least window size + grace");
    }
    store_spec spec;
    spec.name = store;
    spec.kind = store_kind::window;
    spec.logged = m.logging_enabled;
    spec.type = m.store_type;
    spec.retention = m.retention.value_or(min_retention);
    spec.window_size = _windows.size();
    spec.key_serde = ks;
    spec.value_serde = vs;
    g.add_store(std::move(spec), name);
    const time_windows windows = _windows;
    const std::size_t node =
        g.add_processor(name, op + " " + _windows.describe(), {_grouped.stream().node()},
                        [store, windows, ks, vs,
                         fold](std::span<const std::string>) -> std::unique_ptr<processor_node> {
                          return std::make_unique<detail::windowed_aggregate_node<K, V, VA>>(
                              store, windows, ks, vs, fold);
                        },
                        {store});
    return ktable<windowed<K>, VA>(
        b, node, core::serde<windowed<K>>(time_windowed_serde<K>(ks, _windows.size())), vs,
        detail::window_store_getter<K, VA>(store, ks, vs),
        detail::window_info{_windows.grace_period()});
  }

  kgrouped_stream<K, V> _grouped;
  time_windows _windows;
};

/// A grouped stream windowed into sessions (`kgrouped_stream::windowed_by(session_windows)`).
/// Results are keyed by `windowed<K>` whose window is [first, last record time]; a merge of
/// sessions emits a tombstone for each session that was merged away, then the merged session.
template <class K, class V>
class session_windowed_kstream {
 public:
  session_windowed_kstream(kgrouped_stream<K, V> grouped, session_windows windows)
      : _grouped(std::move(grouped)), _windows(windows) {}

  /// Records per key and session.
  ktable<windowed<K>, int64_t> count(materialized<K, int64_t> m = {}, named n = {}) const {
    return aggregate_impl<int64_t>(
        "count", [](const K&, const V&, const int64_t* c) { return c ? *c + 1 : int64_t{1}; },
        [](const K&, const int64_t* a, const int64_t& b) { return a ? *a + b : b; }, std::move(m),
        n);
  }
  /// Combines the values per key and session with `reducer(aggregate, value)`; merged sessions
  /// combine their aggregates with the same reducer.
  template <class F>
  requires std::is_invocable_r_v<V, F&, const V&, const V&> && std::copy_constructible<F>
      ktable<windowed<K>, V> reduce(F reducer, materialized<K, V> m = {}, named n = {})
  const {
    if (!m.value_serde) m.value_serde = _grouped.value_serde();
    return aggregate_impl<V>(
        "reduce",
        [reducer](const K&, const V& v, const V* agg) mutable {
          return agg ? V(reducer(*agg, v)) : v;
        },
        [reducer](const K&, const V* a, const V& b) mutable { return a ? V(reducer(*a, b)) : b; },
        std::move(m), n);
  }
  /// Folds the values per key and session from `initializer()` with `aggregator(key, value,
  /// agg)`; when sessions merge, `merger(key, agg1, agg2)` combines their aggregates.
  template <class I, class A, class M, class VA = std::remove_cvref_t<std::invoke_result_t<I&>>>
  requires std::is_invocable_r_v<VA, A&, const K&, const V&, const VA&> &&
      std::is_invocable_r_v<VA, M&, const K&, const VA&, const VA&> && std::copy_constructible<A> &&
      std::copy_constructible<I> && std::copy_constructible<M>
          ktable<windowed<K>, VA> aggregate(I initializer, A aggregator, M merger,
                                            materialized<K, VA> m = {}, named n = {})
  const {
    return aggregate_impl<VA>(
        "aggregate",
        [initializer, aggregator](const K& k, const V& v, const VA* agg) mutable {
          return agg ? VA(aggregator(k, v, *agg)) : VA(aggregator(k, v, initializer()));
        },
        [initializer, merger](const K& k, const VA* a, const VA& b) mutable {
          return a ? VA(merger(k, *a, b)) : VA(merger(k, initializer(), b));
        },
        std::move(m), n);
  }

 private:
  template <class VA>
  ktable<windowed<K>, VA> aggregate_impl(std::string op, detail::fold_fn<K, V, VA> fold,
                                         detail::merge_fn<K, VA> merge, materialized<K, VA> m,
                                         const named& n) const {
    auto& b = _grouped.stream().builder();
    auto& g = b.graph();
    const std::size_t parents[] = {_grouped.stream().node()};
    const std::string extra = op + " " + _windows.describe();
    const std::string name =
        g.node_name(detail::opt_name(n), "KSTREAM-SESSION-AGGREGATE", parents, extra);
    const std::string store =
        m.name ? *m.name : g.auto_name("KSTREAM-SESSION-AGGREGATE-STATE-STORE", parents, extra);
    core::serde<K> ks =
        detail::resolve_serde<K>(name, "key", m.key_serde, _grouped.stream().key_serde());
    core::serde<VA> vs = detail::resolve_serde<VA>(name, "value", m.value_serde);
    const millis min_retention = _windows.gap() + _windows.grace_period() + millis{1};
    if (m.retention && *m.retention < min_retention) {
      throw topology_error(name, "the store retention must be at least gap + grace");
    }
    store_spec spec;
    spec.name = store;
    spec.kind = store_kind::session;
    spec.logged = m.logging_enabled;
    spec.type = m.store_type;
    spec.retention = m.retention.value_or(min_retention);
    spec.key_serde = ks;
    spec.value_serde = vs;
    g.add_store(std::move(spec), name);
    const session_windows windows = _windows;
    const std::size_t node =
        g.add_processor(name, extra, {_grouped.stream().node()},
                        [store, windows, ks, vs, fold,
                         merge](std::span<const std::string>) -> std::unique_ptr<processor_node> {
                          return std::make_unique<detail::session_aggregate_node<K, V, VA>>(
                              store, windows, ks, vs, fold, merge);
                        },
                        {store});
    return ktable<windowed<K>, VA>(
        b, node, core::serde<windowed<K>>(session_windowed_serde<K>(ks)), vs,
        detail::session_store_getter<K, VA>(store, ks, vs),
        detail::window_info{_windows.gap() + _windows.grace_period() + millis{1}});
  }

  kgrouped_stream<K, V> _grouped;
  session_windows _windows;
};

template <class K, class V>
class kgrouped_stream {
 public:
  explicit kgrouped_stream(kstream<K, V> stream) : _stream(std::move(stream)) {}

  /// Records per key.
  ktable<K, int64_t> count(materialized<K, int64_t> m = {}, named n = {}) const {
    return aggregate_impl<int64_t>(
        "count", [](const K&, const V&, const int64_t* c) { return c ? *c + 1 : int64_t{1}; },
        std::move(m), n);
  }
  /// Combines the values per key with `reducer(aggregate, value)`.
  template <class F>
  requires std::is_invocable_r_v<V, F&, const V&, const V&> && std::copy_constructible<F>
      ktable<K, V> reduce(F reducer, materialized<K, V> m = {}, named n = {})
  const {
    if (!m.value_serde) m.value_serde = _stream.value_serde();
    return aggregate_impl<V>(
        "reduce",
        [reducer](const K&, const V& v, const V* agg) mutable {
          return agg ? V(reducer(*agg, v)) : v;
        },
        std::move(m), n);
  }
  /// Folds the values per key: starts from `initializer()`, then `aggregator(key, value, agg)`.
  template <class I, class A, class VA = std::remove_cvref_t<std::invoke_result_t<I&>>>
  requires std::is_invocable_r_v<VA, A&, const K&, const V&, const VA&> &&
      std::copy_constructible<A> && std::copy_constructible<I>
          ktable<K, VA> aggregate(I initializer, A aggregator, materialized<K, VA> m = {},
                                  named n = {})
  const {
    return aggregate_impl<VA>(
        "aggregate",
        [initializer, aggregator](const K& k, const V& v, const VA* agg) mutable {
          return agg ? VA(aggregator(k, v, *agg)) : VA(aggregator(k, v, initializer()));
        },
        std::move(m), n);
  }

  /// Aggregates per time window.
  time_windowed_kstream<K, V> windowed_by(const time_windows& w) const {
    return time_windowed_kstream<K, V>(*this, w);
  }
  /// Aggregates per session.
  session_windowed_kstream<K, V> windowed_by(const session_windows& w) const {
    return session_windowed_kstream<K, V>(*this, w);
  }

  const kstream<K, V>& stream() const noexcept { return _stream; }
  const std::optional<core::serde<V>>& value_serde() const noexcept {
    return _stream.value_serde();
  }

 private:
  template <class VA>
  ktable<K, VA> aggregate_impl(std::string op, detail::fold_fn<K, V, VA> fold,
                               materialized<K, VA> m, const named& n) const {
    auto& b = _stream.builder();
    auto& g = b.graph();
    const std::size_t parents[] = {_stream.node()};
    const std::string name = g.node_name(detail::opt_name(n), "KSTREAM-AGGREGATE", parents, op);
    const std::string store =
        m.name ? *m.name : g.auto_name("KSTREAM-AGGREGATE-STATE-STORE", parents, op);
    core::serde<K> ks = detail::resolve_serde<K>(name, "key", m.key_serde, _stream.key_serde());
    core::serde<VA> vs = detail::resolve_serde<VA>(name, "value", m.value_serde);
    store_spec spec;
    spec.name = store;
    spec.kind = store_kind::key_value;
    spec.logged = m.logging_enabled;
    spec.type = m.store_type;
    spec.key_serde = ks;
    spec.value_serde = vs;
    g.add_store(std::move(spec), name);
    const std::size_t node = g.add_processor(
        name, op, {_stream.node()},
        [store, ks, vs, fold](std::span<const std::string>) -> std::unique_ptr<processor_node> {
          return std::make_unique<detail::aggregate_node<K, V, VA>>(store, ks, vs, fold);
        },
        {store});
    return ktable<K, VA>(b, node, ks, vs, detail::store_getter<K, VA>(store, ks, vs));
  }

  kstream<K, V> _stream;
};

template <class K, class V>
kgrouped_stream<K, V> kstream<K, V>::group_by_key(grouped<K, V> g) const {
  if (!_repartition_required) {
    kstream s(*_b, _node, false, g.key_serde ? g.key_serde : _key_serde,
              g.value_serde ? g.value_serde : _value_serde);
    return kgrouped_stream<K, V>(std::move(s));
  }
  return kgrouped_stream<K, V>(
      through_repartition("group_by", g.name, g.key_serde, g.value_serde, std::nullopt, {}));
}

template <class K, class V>
template <class F, class K2>
requires std::copy_constructible<F> kgrouped_stream<K2, V> kstream<K, V>::group_by(F selector,
                                                                                   grouped<K2, V> g)
const {
  auto keyed = select_key(std::move(selector));
  return kgrouped_stream<K2, V>(
      keyed.through_repartition("group_by", g.name, g.key_serde,
                                g.value_serde ? g.value_serde : _value_serde, std::nullopt, {}));
}

}  // namespace sluice::dsl

namespace sluice {
using dsl::kgrouped_stream;
using dsl::session_windowed_kstream;
using dsl::time_windowed_kstream;
}  // namespace sluice
