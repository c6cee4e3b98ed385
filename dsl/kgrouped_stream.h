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

#include "dsl/detail/aggregate_nodes.h"
#include "dsl/detail/graph.h"
#include "dsl/detail/typed.h"
#include "dsl/fwd.h"
#include "dsl/kstream.h"
#include "dsl/ktable.h"
#include "dsl/parameters.h"
#include "dsl/windows.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace sluice::dsl {

namespace detail {

/// The node and store of a windowed aggregation, named and registered: the node name, the
/// store name, and the serdes the store holds.
template <class K, class VA>
struct windowed_aggregation {
  std::string name;
  std::string store;
  core::serde<K> ks;
  core::serde<VA> vs;
};

/// Names a windowed aggregation (`user_name` or `<prefix>` for the node, `<prefix>-STATE-STORE`
/// for its store unless `m` names it), resolves its serdes, checks the retention against
/// `min_retention`
/// (`rule` says why) and registers its store.
template <class K, class VA>
windowed_aggregation<K, VA> add_windowed_aggregation(
    graph& g, std::size_t parent, const std::optional<std::string>& user_name,
    const std::string& prefix, const std::string& extra, const materialized<K, VA>& m,
    const std::optional<core::serde<K>>& upstream_key, store_kind kind, millis min_retention,
    millis window_size, const char* rule) {
  const std::size_t parents[] = {parent};
  std::string name = g.node_name(user_name, prefix, parents, extra);
  std::string store = m.name ? *m.name : g.auto_name(prefix + "-STATE-STORE", parents, extra);
  core::serde<K> ks = resolve_serde<K>(name, "key", m.key_serde, upstream_key);
  core::serde<VA> vs = resolve_serde<VA>(name, "value", m.value_serde);
  if (m.retention && *m.retention < min_retention) {
    throw topology_error(name, std::string("the store retention must be at least ") + rule);
  }
  store_spec spec;
  spec.name = store;
  spec.kind = kind;
  spec.logged = m.logging_enabled;
  spec.type = m.store_type;
  spec.retention = m.retention.value_or(min_retention);
  spec.window_size = window_size;
  spec.key_serde = ks;
  spec.value_serde = vs;
  g.add_store(std::move(spec), name);
  return {std::move(name), std::move(store), std::move(ks), std::move(vs)};
}

}  // namespace detail

template <class K, class V>
class time_windowed_kstream {
 public:
  time_windowed_kstream(kgrouped_stream<K, V> grouped, time_windows windows)
      : _grouped(std::move(grouped)), _windows(windows) {}

  /// Records per key and window.
  ktable<windowed<K>, int64_t> count(materialized<K, int64_t> m = {}, named n = {}) const {
    return aggregate_impl<int64_t>("count", detail::count_fold<K, V>(), std::move(m), n);
  }
  /// Combines the values per key and window with `reducer(aggregate, value)`.
  template <detail::reducer<V> F>
  ktable<windowed<K>, V> reduce(F reducer, materialized<K, V> m = {}, named n = {}) const {
    if (!m.value_serde) m.value_serde = _grouped.value_serde();
    return aggregate_impl<V>("reduce", detail::reduce_fold<K, V>(reducer), std::move(m), n);
  }
  /// Folds the values per key and window: starts from `initializer()`, then
  /// `aggregator(key, value, aggregate)`.
  template <std::copy_constructible I, detail::aggregator<K, V, detail::initialized_t<I>> A,
            class VA = detail::initialized_t<I>>
  ktable<windowed<K>, VA> aggregate(I initializer, A aggregator, materialized<K, VA> m = {},
                                    named n = {}) const {
    return aggregate_impl<VA>(
        "aggregate", detail::aggregate_fold<K, V, VA>(initializer, aggregator), std::move(m), n);
  }

 private:
  template <class VA>
  ktable<windowed<K>, VA> aggregate_impl(std::string op, detail::fold_fn<K, V, VA> fold,
                                         materialized<K, VA> m, const named& n) const {
    auto& b = _grouped.stream().builder();
    auto& g = b.graph();
    const std::string extra = op + " " + _windows.describe();
    const auto agg = detail::add_windowed_aggregation<K, VA>(
        g, _grouped.stream().node(), detail::opt_name(n), "KSTREAM-AGGREGATE", extra, m,
        _grouped.stream().key_serde(), store_kind::window,
        _windows.size() + _windows.grace_period(), _windows.size(), "window size + grace");
    const std::string& name = agg.name;
    const std::string& store = agg.store;
    const core::serde<K>& ks = agg.ks;
    const core::serde<VA>& vs = agg.vs;
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
        "count", detail::count_fold<K, V>(),
        [](const K&, const int64_t* a, const int64_t& b) { return a ? *a + b : b; }, std::move(m),
        n);
  }
  /// Combines the values per key and session with `reducer(aggregate, value)`; merged sessions
  /// combine their aggregates with the same reducer.
  template <detail::reducer<V> F>
  ktable<windowed<K>, V> reduce(F reducer, materialized<K, V> m = {}, named n = {}) const {
    if (!m.value_serde) m.value_serde = _grouped.value_serde();
    return aggregate_impl<V>(
        "reduce", detail::reduce_fold<K, V>(reducer),
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
        "aggregate", detail::aggregate_fold<K, V, VA>(initializer, aggregator),
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
    const std::string extra = op + " " + _windows.describe();
    const auto agg = detail::add_windowed_aggregation<K, VA>(
        g, _grouped.stream().node(), detail::opt_name(n), "KSTREAM-SESSION-AGGREGATE", extra, m,
        _grouped.stream().key_serde(), store_kind::session,
        _windows.gap() + _windows.grace_period() + millis{1}, millis{0}, "gap + grace");
    const std::string& name = agg.name;
    const std::string& store = agg.store;
    const core::serde<K>& ks = agg.ks;
    const core::serde<VA>& vs = agg.vs;
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
    return aggregate_impl<int64_t>("count", detail::count_fold<K, V>(), std::move(m), n);
  }
  /// Combines the values per key with `reducer(aggregate, value)`.
  template <detail::reducer<V> F>
  ktable<K, V> reduce(F reducer, materialized<K, V> m = {}, named n = {}) const {
    if (!m.value_serde) m.value_serde = _stream.value_serde();
    return aggregate_impl<V>("reduce", detail::reduce_fold<K, V>(reducer), std::move(m), n);
  }
  /// Folds the values per key: starts from `initializer()`, then `aggregator(key, value, agg)`.
  template <std::copy_constructible I, detail::aggregator<K, V, detail::initialized_t<I>> A,
            class VA = detail::initialized_t<I>>
  ktable<K, VA> aggregate(I initializer, A aggregator, materialized<K, VA> m = {},
                          named n = {}) const {
    return aggregate_impl<VA>(
        "aggregate", detail::aggregate_fold<K, V, VA>(initializer, aggregator), std::move(m), n);
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
