#pragma once
/// `ktable<K, V>`: a changelog stream read as a table — the latest value per key, where a
/// null value (a tombstone) deletes the key.
///
/// A table's records flow downstream as updates (key, new value or null). Operators:
/// `filter`/`filter_not` (a record that fails the predicate becomes a tombstone),
/// `map_values`, `to_stream`, table-table `join`/`left_join`/`outer_join`, and, for windowed
/// tables from windowed aggregations, `suppress(until_window_closes())`.
///
/// Lookups. Joins read the current value of a key from the other side without materializing
/// derived tables: every table carries a *value getter* — the store of the table it comes from
/// (a source table or an aggregation) plus the filters, mappers and joiners applied since —
/// and a join node is connected to the getter's stores. `filter`, `filter_not` and
/// `map_values` also take a `materialized`: the result is then kept in its own key-value store
/// (queryable, change-logged unless disabled) and lookups read that store.
///
/// Windowed tables (`ktable<windowed<K>, V>` from windowed aggregations) support the same
/// operators; joining two of them joins per key and window, and the joined table can still be
/// suppressed (its windows close when both inputs' windows have closed).
///
/// Table-table join emission (no old values are kept, so the rules avoid spurious deletes):
///  - inner: an update whose key has values on both sides emits the joined value; a tombstone
///    emits a tombstone if the other side has the key; otherwise nothing.
///  - left: a left update emits `joiner(left, right-or-nullptr)`, a left tombstone a tombstone;
///    a right update (or tombstone) re-emits `joiner(left, right-or-nullptr)` if the left side
///    has the key, else nothing.
///  - outer: any update emits `joiner(left-or-nullptr, right-or-nullptr)`, or a tombstone when
///    neither side has the key any more.
/// The result's timestamp is the updating record's.
///
/// A ktable is a handle like kstream; it must not outlive its builder.

#include "dsl/detail/graph.h"
#include "dsl/detail/table_nodes.h"
#include "dsl/detail/typed.h"
#include "dsl/fwd.h"
#include "dsl/kstream.h"
#include "dsl/parameters.h"
#include "dsl/streams_builder.h"
#include "dsl/windows.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::dsl {


/// Options of suppress(): only `until_window_closes` is offered — one final result per window,
/// emitted when stream time passes the window's end plus its grace period.
struct suppressed {
  std::optional<std::string> name;
  static suppressed until_window_closes(std::optional<std::string> name = std::nullopt) {
    return {std::move(name)};
  }
};

template <class K, class V>
class ktable {
 public:
  using key_type = K;
  using value_type = V;

  ktable(streams_builder& b, std::size_t node, std::optional<core::serde<K>> ks,
         std::optional<core::serde<V>> vs, detail::getter_ptr<K, V> getter,
         std::optional<detail::window_info> win = std::nullopt)
      : _b(&b),
        _node(node),
        _key_serde(std::move(ks)),
        _value_serde(std::move(vs)),
        _getter(std::move(getter)),
        _win(win) {}

  /// Keeps rows for which `pred(key, value)` holds; others become tombstones.
  template <class P>
  requires std::predicate<P&, const K&, const V&> && std::copy_constructible<P> ktable
  filter(P pred, named n = {})
  const { return filter_impl("KTABLE-FILTER", "filter", std::move(pred), false, n, nullptr); }
  /// filter(), with the result materialized in the key-value store `m` names (or an automatic
  /// one): queryable (e.g. `topology_test_driver::get_key_value_store`), change-logged unless
  /// disabled, and what joins with the result read instead of re-applying the predicate.
  template <class P>
  requires std::predicate<P&, const K&, const V&> && std::copy_constructible<P> ktable
  filter(P pred, materialized<K, V> m, named n = {})
  const { return filter_impl("KTABLE-FILTER", "filter", std::move(pred), false, n, &m); }
  template <class P>
  requires std::predicate<P&, const K&, const V&> && std::copy_constructible<P> ktable
  filter(P pred, named n, materialized<K, V> m)
  const { return filter_impl("KTABLE-FILTER", "filter", std::move(pred), false, n, &m); }
  /// Drops rows for which `pred(key, value)` holds.
  template <class P>
  requires std::predicate<P&, const K&, const V&> && std::copy_constructible<P> ktable
  filter_not(P pred, named n = {})
  const { return filter_impl("KTABLE-FILTERNOT", "filter_not", std::move(pred), true, n, nullptr); }
  /// filter_not(), materialized like filter(pred, m).
  template <class P>
  requires std::predicate<P&, const K&, const V&> && std::copy_constructible<P> ktable
  filter_not(P pred, materialized<K, V> m, named n = {})
  const { return filter_impl("KTABLE-FILTERNOT", "filter_not", std::move(pred), true, n, &m); }
  template <class P>
  requires std::predicate<P&, const K&, const V&> && std::copy_constructible<P> ktable
  filter_not(P pred, named n, materialized<K, V> m)
  const { return filter_impl("KTABLE-FILTERNOT", "filter_not", std::move(pred), true, n, &m); }

  /// Maps each row's value with `f(value)` or `f(key, value)`; tombstones stay tombstones.
  template <class F>
  requires detail::value_mapper<F, K, V> ktable<K, detail::value_mapper_result_t<F, K, V>>
  map_values(F f, named n = {})
  const {
    return map_values_impl<F, detail::value_mapper_result_t<F, K, V>>(std::move(f), n, nullptr);
  }
  /// map_values(), with the result materialized in the key-value store `m` names (or an
  /// automatic one), like filter(pred, m).
  template <class F>
  requires detail::value_mapper<F, K, V> ktable<K, detail::value_mapper_result_t<F, K, V>>
  map_values(F f, materialized<K, detail::value_mapper_result_t<F, K, V>> m, named n = {})
  const { return map_values_impl<F, detail::value_mapper_result_t<F, K, V>>(std::move(f), n, &m); }
  template <class F>
  requires detail::value_mapper<F, K, V> ktable<K, detail::value_mapper_result_t<F, K, V>>
  map_values(F f, named n, materialized<K, detail::value_mapper_result_t<F, K, V>> m)
  const { return map_values_impl<F, detail::value_mapper_result_t<F, K, V>>(std::move(f), n, &m); }

  /// The table's updates as a stream (tombstones are records with a null value).
  kstream<K, V> to_stream(named n = {}) const {
    auto& g = _b->graph();
    const std::size_t parents[] = {_node};
    const std::string name = g.node_name(detail::opt_name(n), "KTABLE-TOSTREAM", parents);
    const std::size_t node =
        g.add_processor(name, "to_stream", {_node}, [](std::span<const std::string>) {
          return detail::make_lambda_node(
              [](const processor_node& self, const erased_record& r) { self.forward(r); });
        });
    return kstream<K, V>(*_b, node, false, _key_serde, _value_serde);
  }

  /// Inner table-table join; `joiner(const V&, const VO&)`.
  template <class VO, class F>
  auto join(const ktable<K, VO>& other, F joiner, named n = {}) const {
    using VR = std::remove_cvref_t<std::invoke_result_t<F&, const V&, const VO&>>;
    return table_join<VO, VR>(
        other, detail::table_join_kind::inner, "join",
        [joiner](const V* a, const VO* b) mutable { return joiner(*a, *b); }, n);
  }
  /// Left table-table join; `joiner(const V&, const VO* or nullptr)`.
  template <class VO, class F>
  auto left_join(const ktable<K, VO>& other, F joiner, named n = {}) const {
    using VR = std::remove_cvref_t<std::invoke_result_t<F&, const V&, const VO*>>;
    return table_join<VO, VR>(
        other, detail::table_join_kind::left, "left_join",
        [joiner](const V* a, const VO* b) mutable { return joiner(*a, b); }, n);
  }
  /// Outer table-table join; `joiner(const V* or nullptr, const VO* or nullptr)`.
  template <class VO, class F>
  auto outer_join(const ktable<K, VO>& other, F joiner, named n = {}) const {
    using VR = std::remove_cvref_t<std::invoke_result_t<F&, const V*, const VO*>>;
    return table_join<VO, VR>(
        other, detail::table_join_kind::outer, "outer_join",
        [joiner](const V* a, const VO* b) mutable { return joiner(a, b); }, n);
  }

  /// Windowed tables only: holds each window's result back until the window closes (stream
  /// time ≥ window end + grace), then emits it once. Buffered in a key-value store
  /// `<name>-store` (name: `s.name` or automatic).
  ktable suppress(suppressed s = suppressed::until_window_closes())
      const requires detail::is_windowed<K>::value;

  streams_builder& builder() const noexcept { return *_b; }
  std::size_t node() const noexcept { return _node; }
  const std::optional<core::serde<K>>& key_serde() const noexcept { return _key_serde; }
  const std::optional<core::serde<V>>& value_serde() const noexcept { return _value_serde; }
  const detail::getter_ptr<K, V>& getter() const noexcept { return _getter; }
  const std::optional<detail::window_info>& windows() const noexcept { return _win; }

 private:
  template <class P>
  ktable filter_impl(std::string_view prefix, std::string op, P pred, bool negate, const named& n,
                     const materialized<K, V>* m) const {
    auto& g = _b->graph();
    const std::size_t parents[] = {_node};
    const std::string name = g.node_name(detail::opt_name(n), prefix, parents);
    auto apply = [pred, negate](const K& key, const V* value) mutable -> const V* {
      return value != nullptr && pred(key, *value) == negate ? nullptr : value;
    };
    if (m != nullptr) {
      const auto store = materialize<V>(name, std::string(prefix) + "-STATE-STORE", *m,
                                        m->value_serde ? m->value_serde : _value_serde);
      const std::size_t node = g.add_processor(
          name, std::move(op), {_node},
          [store, apply](std::span<const std::string>) -> std::unique_ptr<processor_node> {
            return std::make_unique<detail::materializing_node<K, V, V, decltype(apply)>>(store,
                                                                                          apply);
          },
          {store.name});
      return ktable(*_b, node, store.key_serde, store.value_serde, store.getter(), _win);
    }
    const std::size_t node =
        g.add_processor(name, std::move(op), {_node}, [apply](std::span<const std::string>) {
          return detail::make_lambda_node(
              [apply](const processor_node& self, const erased_record& r) mutable {
                const auto* v = static_cast<const V*>(r.value);
                self.forward(detail::with_kv(r, r.key, apply(detail::deref<K>(r.key), v)));
              });
        });
    auto parent = _getter;
    auto getter = std::make_shared<detail::table_getter<K, V>>();
    getter->stores = parent->stores;
    getter->make = [parent, pred, negate](
                       const processor_node& node) -> std::function<std::optional<V>(const K&)> {
      auto lookup = parent->make(node);
      return [lookup, pred, negate](const K& key) mutable -> std::optional<V> {
        auto v = lookup(key);
        if (v && pred(key, *v) == negate) return std::nullopt;
        return v;
      };
    };
    return ktable(*_b, node, _key_serde, _value_serde, std::move(getter), _win);
  }

  template <class F, class V2>
  ktable<K, V2> map_values_impl(F f, const named& n, const materialized<K, V2>* m) const {
    auto& g = _b->graph();
    const std::size_t parents[] = {_node};
    const std::string name = g.node_name(detail::opt_name(n), "KTABLE-MAPVALUES", parents);
    if (m != nullptr) {
      const auto store = materialize<V2>(name, "KTABLE-MAPVALUES-STATE-STORE", *m, m->value_serde);
      // The mapped value lives in `out` until the node has stored and forwarded it.
      auto apply = [f, out = std::optional<V2>()](const K& key,
                                                  const V* value) mutable -> const V2* {
        if (value == nullptr) return nullptr;
        out.emplace(detail::call_value_mapper(f, key, *value));
        return &*out;
      };
      const std::size_t node = g.add_processor(
          name, "map_values", {_node},
          [store, apply](std::span<const std::string>) -> std::unique_ptr<processor_node> {
            return std::make_unique<detail::materializing_node<K, V, V2, decltype(apply)>>(store,
                                                                                           apply);
          },
          {store.name});
      return ktable<K, V2>(*_b, node, store.key_serde, store.value_serde, store.getter(), _win);
    }
    const std::size_t node =
        g.add_processor(name, "map_values", {_node}, [f](std::span<const std::string>) {
          return detail::make_lambda_node(
              [f](const processor_node& self, const erased_record& r) mutable {
                if (r.value == nullptr) {
                  self.forward(r);
                  return;
                }
                V2 out = detail::call_value_mapper(f, detail::deref<K>(r.key),
                                                   *static_cast<const V*>(r.value));
                self.forward(detail::with_kv(r, r.key, &out));
              });
        });
    auto parent = _getter;
    auto getter = std::make_shared<detail::table_getter<K, V2>>();
    getter->stores = parent->stores;
    getter->make = [parent,
                    f](const processor_node& node) -> std::function<std::optional<V2>(const K&)> {
      auto lookup = parent->make(node);
      return [lookup, f](const K& key) mutable -> std::optional<V2> {
        auto v = lookup(key);
        if (!v) return std::nullopt;
        return detail::call_value_mapper(f, key, *v);
      };
    };
    return ktable<K, V2>(*_b, node, _key_serde, std::nullopt, std::move(getter), _win);
  }

  /// Adds the key-value store of a materialized filter/map_values result (named by `m`, else
  /// automatically after the operator) and returns what its node and getter need.
  template <class VS>
  detail::materialized_store<K, VS> materialize(const std::string& node_name,
                                                std::string_view store_prefix,
                                                const materialized<K, VS>& m,
                                                const std::optional<core::serde<VS>>& vs) const {
    auto& g = _b->graph();
    const std::size_t parents[] = {_node};
    detail::materialized_store<K, VS> out{
        m.name ? *m.name : g.auto_name(store_prefix, parents, node_name),
        detail::resolve_serde<K>(node_name, "key", m.key_serde, _key_serde),
        detail::resolve_serde<VS>(node_name, "value", vs)};
    store_spec spec;
    spec.name = out.name;
    spec.kind = store_kind::key_value;
    spec.logged = m.logging_enabled;
    spec.type = m.store_type;
    spec.key_serde = out.key_serde;
    spec.value_serde = out.value_serde;
    g.add_store(std::move(spec), node_name);
    return out;
  }

  template <class VO, class VR, class J>
  ktable<K, VR> table_join(const ktable<K, VO>& other, detail::table_join_kind kind, std::string op,
                           J joiner, const named& n) const;

  streams_builder* _b;
  std::size_t _node;
  std::optional<core::serde<K>> _key_serde;
  std::optional<core::serde<V>> _value_serde;
  detail::getter_ptr<K, V> _getter;
  std::optional<detail::window_info> _win;
};


template <class K, class V>
template <class VO, class VR, class J>
ktable<K, VR> ktable<K, V>::table_join(const ktable<K, VO>& other, detail::table_join_kind kind,
                                       std::string op, J joiner, const named& n) const {
  auto& g = _b->graph();
  const std::size_t parents[] = {_node, other.node()};
  const std::string base = g.node_name(detail::opt_name(n), "KTABLE-JOIN", parents, op);
  std::function<VR(const V*, const VO*)> fn = std::move(joiner);
  auto this_getter = _getter;
  auto other_getter = other.getter();
  const std::size_t left = g.add_processor(
      base + "-left", op + " (left side)", {_node},
      [kind, other_getter, fn](std::span<const std::string>) -> std::unique_ptr<processor_node> {
        return std::make_unique<detail::table_join_node<K, V, VO, VR, true>>(kind, other_getter,
                                                                             fn);
      },
      other_getter->stores);
  const std::size_t right = g.add_processor(
      base + "-right", op + " (right side)", {other.node()},
      [kind, this_getter, fn](std::span<const std::string>) -> std::unique_ptr<processor_node> {
        return std::make_unique<detail::table_join_node<K, V, VO, VR, false>>(kind, this_getter,
                                                                              fn);
      },
      this_getter->stores);
  const std::size_t merge =
      g.add_processor(base, op + " (merge sides)", {left, right}, [](std::span<const std::string>) {
        return detail::make_lambda_node(
            [](const processor_node& self, const erased_record& r) { self.forward(r); });
      });
  g.require_copartition({_node, other.node()}, base);
  auto getter = std::make_shared<detail::table_getter<K, VR>>();
  getter->stores = this_getter->stores;
  for (const auto& s : other_getter->stores) getter->stores.push_back(s);
  getter->make = [this_getter, other_getter, kind,
                  fn](const processor_node& node) -> std::function<std::optional<VR>(const K&)> {
    auto l = this_getter->make(node);
    auto r = other_getter->make(node);
    return [l, r, kind, fn](const K& key) -> std::optional<VR> {
      auto lv = l(key);
      auto rv = r(key);
      const bool present = kind == detail::table_join_kind::inner  ? (lv && rv)
                           : kind == detail::table_join_kind::left ? lv.has_value()
                                                                   : (lv || rv);
      if (!present) return std::nullopt;
      return fn(lv ? &*lv : nullptr, rv ? &*rv : nullptr);
    };
  };
  // Joined windowed tables stay windowed (so they can be suppressed): a joined window is final
  // when both inputs' windows are.
  std::optional<detail::window_info> win = _win ? _win : other.windows();
  if (_win && other.windows())
    win->close_after = core::later(_win->close_after, other.windows()->close_after);
  return ktable<K, VR>(*_b, merge, _key_serde, std::nullopt, std::move(getter), win);
}

template <class K, class V>
ktable<K, V> ktable<K, V>::suppress(suppressed s) const requires detail::is_windowed<K>::value {
  using KI = typename detail::is_windowed<K>::key;
  auto& g = _b->graph();
  const std::size_t parents[] = {_node};
  const std::string name = g.node_name(s.name, "KTABLE-SUPPRESS", parents, "until_window_closes");
  if (!_win)
    throw topology_error(name,
                         "suppress(until_window_closes) needs a windowed aggregation's table");
  if (!_key_serde) throw topology_error(name, "suppress needs the windowed key serde of its table");
  core::serde<V> vs = detail::resolve_serde<V>(name, "value", _value_serde);
  const std::string store = name + "-store";
  store_spec spec;
  spec.name = store;
  spec.kind = store_kind::key_value;
  g.add_store(std::move(spec), name);
  const auto ks = *_key_serde;
  const auto win = *_win;
  const std::size_t node = g.add_processor(
      name, "suppress", {_node},
      [store, ks, vs, win](std::span<const std::string>) -> std::unique_ptr<processor_node> {
        return std::make_unique<detail::suppress_node<KI, V>>(store, ks, vs, win);
      },
      {store});
  return ktable(*_b, node, _key_serde, _value_serde, _getter, _win);
}

template <class K, class V>
ktable<K, V> streams_builder::table(std::string topic, consumed<K, V> c, materialized<K, V> m) {
  auto& g = graph();
  const std::string source_name = g.node_name(c.name, "KSTREAM-SOURCE", {}, topic);
  core::serde<K> k = detail::resolve_serde<K>(source_name, "key", c.key_serde, m.key_serde);
  core::serde<V> v = detail::resolve_serde<V>(source_name, "value", c.value_serde, m.value_serde);
  const std::size_t src = detail::add_typed_source<K, V>(
      g, source_name, {topic_ref{topic, false}}, k, v,
      c.timestamp_extractor.value_or(timestamp_extractor<K, V>{}), c.offset_reset);
  const std::size_t parents[] = {src};
  // The table-source processor is named after a named source, else automatically.
  const std::string name =
      g.node_name(c.name ? std::optional<std::string>(*c.name + "-table-source") : std::nullopt,
                  "KTABLE-SOURCE", parents);
  const std::string store = m.name ? *m.name : g.auto_name("KTABLE-SOURCE-STATE-STORE", parents);
  store_spec spec;
  spec.name = store;
  spec.kind = store_kind::key_value;
  spec.logged = m.logging_enabled;
  spec.type = m.store_type;
  spec.key_serde = k;
  spec.value_serde = v;
  g.add_store(std::move(spec), name);
  const std::size_t node = g.add_processor(
      name, "table_source", {src},
      [store, k, v](std::span<const std::string>) -> std::unique_ptr<processor_node> {
        return std::make_unique<detail::table_source_node<K, V>>(store, k, v);
      },
      {store});
  return ktable<K, V>(*this, node, k, v, detail::store_getter<K, V>(store, k, v));
}

}  // namespace sluice::dsl

namespace sluice {
using dsl::ktable;
using dsl::suppressed;
}  // namespace sluice
