#pragma once
/// The aggregation nodes (internal: included by dsl/kgrouped_stream.h): key-value, time-window
/// and session-window aggregation, and the value getters of the tables they produce.

#include "core/serde.h"
#include "core/time.h"
#include "dsl/detail/store_node.h"
#include "dsl/detail/table_nodes.h"
#include "dsl/detail/task.h"
#include "dsl/detail/typed.h"
#include "dsl/windows.h"
#include "state/key_value_store.h"
#include "state/session_store.h"
#include "state/window_store.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::dsl {

namespace detail {

/// Folds one record into the current aggregate: `fold(key, value, current or nullptr)`.
template <class K, class V, class VA>
using fold_fn = std::function<VA(const K&, const V&, const VA*)>;

/// What reduce and aggregate accept: a copyable `reducer(aggregate, value)` of V, and a copyable
/// `aggregator(key, value, aggregate)` of VA started from a copyable `initializer()`.
template <class F, class V>
concept reducer = std::is_invocable_r_v<V, F&, const V&, const V&> && std::copy_constructible<F>;
template <class I>
using initialized_t = std::remove_cvref_t<std::invoke_result_t<I&>>;
template <class A, class K, class V, class VA>
concept aggregator =
    std::is_invocable_r_v<VA, A&, const K&, const V&, const VA&> && std::copy_constructible<A>;

/// The folds behind count, reduce and aggregate, shared by the plain, time-windowed and
/// session-windowed groupings.
template <class K, class V>
fold_fn<K, V, int64_t> count_fold() {
  return [](const K&, const V&, const int64_t* c) { return c ? *c + 1 : int64_t{1}; };
}
template <class K, class V, class F>
fold_fn<K, V, V> reduce_fold(F reducer) {
  return [reducer](const K&, const V& v, const V* agg) mutable {
    return agg ? V(reducer(*agg, v)) : v;
  };
}
template <class K, class V, class VA, class I, class A>
fold_fn<K, V, VA> aggregate_fold(I initializer, A aggregator) {
  return [initializer, aggregator](const K& k, const V& v, const VA* agg) mutable {
    return agg ? VA(aggregator(k, v, *agg)) : VA(aggregator(k, v, initializer()));
  };
}

template <class K, class V, class VA>
class aggregate_node final : public store_node<state::key_value_store> {
 public:
  aggregate_node(std::string store, core::serde<K> k, core::serde<VA> va, fold_fn<K, V, VA> fold)
      : store_node<state::key_value_store>(std::move(store)),
        _k(std::move(k)),
        _va(std::move(va)),
        _fold(std::move(fold)) {}
  void process(const erased_record& r) override {
    if (drop_null_key_or_value(r, true)) return;
    const K& key = *static_cast<const K*>(r.key);
    const bytes kb = encode(_k, key, *this);
    const auto old = must(_store->get(kb), *this, _store_name, "get");
    std::optional<VA> current;
    if (old) current = decode(_va, *old, *this);
    VA next = _fold(key, *static_cast<const V*>(r.value), current ? &*current : nullptr);
    must(_store->put(kb, encode(_va, next, *this), r.ts), *this, _store_name, "put");
    forward(with_kv(r, r.key, &next));
  }

 private:
  core::serde<K> _k;
  core::serde<VA> _va;
  fold_fn<K, V, VA> _fold;
};

template <class K, class V, class VA>
class windowed_aggregate_node final : public store_node<state::window_store> {
 public:
  windowed_aggregate_node(std::string store, time_windows windows, core::serde<K> k,
                          core::serde<VA> va, fold_fn<K, V, VA> fold)
      : store_node<state::window_store>(std::move(store)),
        _windows(windows),
        _k(std::move(k)),
        _va(std::move(va)),
        _fold(std::move(fold)) {}
  void process(const erased_record& r) override {
    if (drop_null_key_or_value(r, true)) return;
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
      must(_store->put(kb, encode(_va, next, *this), w.start, r.ts), *this, _store_name, "put");
      const windowed<K> wkey{key, w};
      forward(with_kv(r, &wkey, &next));
    }
  }

 private:
  time_windows _windows;
  core::serde<K> _k;
  core::serde<VA> _va;
  fold_fn<K, V, VA> _fold;
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
class session_aggregate_node final : public store_node<state::session_store> {
 public:
  session_aggregate_node(std::string store, session_windows windows, core::serde<K> k,
                         core::serde<VA> va, fold_fn<K, V, VA> fold, merge_fn<K, VA> merge)
      : store_node<state::session_store>(std::move(store)),
        _windows(windows),
        _k(std::move(k)),
        _va(std::move(va)),
        _fold(std::move(fold)),
        _merge(std::move(merge)) {}
  void process(const erased_record& r) override {
    if (drop_null_key_or_value(r, true)) return;
    const timestamp t = r.ts;
    if (t + _windows.grace_period() < context().stream_time()) {
      context().record_drop(*this, drop_reason::late);
      return;
    }
    const K& key = *static_cast<const K*>(r.key);
    const bytes kb = encode(_k, key, *this);
    std::vector<state::session_entry> merged;
    {
      auto it = must(_store->find_sessions(kb, core::later(core::from_epoch_ms(0), t - _windows.gap()),
                                           t + _windows.gap()),
                     *this, _store_name, "find_sessions");
      merged = must(it.collect(), *this, _store_name, "find_sessions");
    }
    timestamp start = t;
    timestamp end = t;
    for (const auto& s : merged) {
      start = core::earlier(start, s.window.start);
      end = core::later(end, s.window.end);
    }
    std::optional<VA> agg;
    for (const auto& s : merged) {
      const VA old = decode(_va, s.value, *this);
      agg = _merge(key, agg ? &*agg : nullptr, old);
      must(_store->remove(kb, s.window, r.ts), *this, _store_name, "remove");
      if (s.window.start != start || s.window.end != end) {
        const windowed<K> gone{key, window{s.window.start, s.window.end}};
        forward(with_kv(r, &gone, nullptr));
      }
    }
    VA next = _fold(key, *static_cast<const V*>(r.value), agg ? &*agg : nullptr);
    must(_store->put(kb, state::session_window{start, end}, encode(_va, next, *this), r.ts), *this,
         _store_name, "put");
    const windowed<K> wkey{key, window{start, end}};
    forward(with_kv(r, &wkey, &next));
  }

 private:
  session_windows _windows;
  core::serde<K> _k;
  core::serde<VA> _va;
  fold_fn<K, V, VA> _fold;
  merge_fn<K, VA> _merge;
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

}  // namespace sluice::dsl
