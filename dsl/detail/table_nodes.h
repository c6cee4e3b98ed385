#pragma once
/// The table operators' nodes and lookups (internal: included by dsl/ktable.h): value getters
/// over a table's stores, the materializing node of filter/map_values with `materialized`, the
/// table source, the table-table join sides and suppress(until_window_closes). Each node is a
/// `processor_node` instantiated in the user's translation unit for its key and value types.

#include "core/big_endian.h"
#include "core/serde.h"
#include "dsl/detail/store_node.h"
#include "dsl/detail/task.h"
#include "dsl/detail/typed.h"
#include "dsl/windows.h"
#include "state/key_value_store.h"
#include "state/window_store.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace sluice::dsl {

namespace detail {

/// Reads the current value of a key of a table, at task level: `make(node)` is called in a
/// node's init() and returns the lookup for that task. `stores` must be connected to the node.
template <class K, class V>
struct table_getter {
  std::vector<std::string> stores;
  std::function<std::function<std::optional<V>(const K&)>(const processor_node& node)> make;
};

template <class K, class V>
using getter_ptr = std::shared_ptr<const table_getter<K, V>>;

/// A getter over a key-value store holding serialized K -> V.
template <class K, class V>
getter_ptr<K, V> store_getter(std::string store, core::serde<K> ks, core::serde<V> vs) {
  auto g = std::make_shared<table_getter<K, V>>();
  g->stores = {store};
  g->make = [store, ks,
             vs](const processor_node& node) -> std::function<std::optional<V>(const K&)> {
    auto* s = &node.context().template store<state::key_value_store>(node, store);
    return [s, &node, store, ks, vs](const K& key) -> std::optional<V> {
      auto r = must(s->get(encode(ks, key, node)), node, store, "get");
      if (!r) return std::nullopt;
      return decode(vs, *r, node);
    };
  };
  return g;
}

/// The store of a materialized table operator (filter / map_values with `materialized`).
template <class K, class V>
struct materialized_store {
  std::string name;
  core::serde<K> key_serde;
  core::serde<V> value_serde;
  /// Lookups of the materialized table read its store.
  getter_ptr<K, V> getter() const { return store_getter<K, V>(name, key_serde, value_serde); }
};

/// Stores and forwards the result of a materialized table operator (defined below).
template <class K, class VIn, class VOut, class Apply>
class materializing_node;

/// The windows of a windowed table, for suppress(): a window is final once stream time reaches
/// its end + `close_after` (time windows: grace; session windows, whose end is the last
/// record's time: gap + grace + 1 ms).
struct window_info {
  millis close_after{0};
};

template <class T>
struct is_windowed : std::false_type {};
template <class K>
struct is_windowed<windowed<K>> : std::true_type {
  using key = K;
};

/// Applies the table-table join rules of ktable.h for an update of one side.
/// `self` is the updated side's new value (nullptr: tombstone); `other` the other side's.
/// Returns: nothing to emit, a tombstone (engaged optional holding nullopt), or a value.
enum class table_join_kind { inner, left, outer };

}  // namespace detail

namespace detail {

/// A table operator whose result is materialized: `apply(key, value or nullptr)` gives the new
/// value (nullptr: a tombstone), which is written to the store (or removed from it) and then
/// forwarded.
template <class K, class VIn, class VOut, class Apply>
class materializing_node final : public store_node<state::key_value_store> {
 public:
  materializing_node(materialized_store<K, VOut> store, Apply apply)
      : store_node<state::key_value_store>(store.name),
        _s(std::move(store)),
        _apply(std::move(apply)) {}
  void process(const erased_record& r) override {
    if (drop_null_key_or_value(r)) return;
    const K& key = *static_cast<const K*>(r.key);
    const VOut* out = _apply(key, static_cast<const VIn*>(r.value));
    const bytes kb = encode(_s.key_serde, key, *this);
    if (out == nullptr) {
      must(_store->remove(kb, r.ts), *this, _s.name, "remove");
    } else {
      must(_store->put(kb, encode(_s.value_serde, *out, *this), r.ts), *this, _s.name, "put");
    }
    forward(with_kv(r, r.key, out));
  }

 private:
  materialized_store<K, VOut> _s;
  Apply _apply;
};

/// The table-source node: writes each update into the table's store and forwards it.
template <class K, class V>
class table_source_node final : public store_node<state::key_value_store> {
 public:
  table_source_node(std::string store, core::serde<K> k, core::serde<V> v)
      : store_node<state::key_value_store>(std::move(store)), _k(std::move(k)), _v(std::move(v)) {}
  void process(const erased_record& r) override {
    if (drop_null_key_or_value(r)) return;
    const bytes kb = encode(_k, *static_cast<const K*>(r.key), *this);
    if (r.value == nullptr) {
      must(_store->remove(kb, r.ts), *this, _store_name, "remove");
    } else {
      must(_store->put(kb, encode(_v, *static_cast<const V*>(r.value), *this), r.ts), *this, _store_name,
           "put");
    }
    forward(r);
  }

 private:
  core::serde<K> _k;
  core::serde<V> _v;
};

/// One side of a table-table join. `Left` tells whether this node's input is the left table.
template <class K, class VL, class VR, class VJ, bool Left>
class table_join_node final : public processor_node {
  using self_value = std::conditional_t<Left, VL, VR>;
  using other_value = std::conditional_t<Left, VR, VL>;

 public:
  table_join_node(table_join_kind kind, getter_ptr<K, other_value> other,
                  std::function<VJ(const VL*, const VR*)> joiner)
      : _kind(kind), _other_getter(std::move(other)), _joiner(std::move(joiner)) {}
  void init() override { _other = _other_getter->make(*this); }
  void process(const erased_record& r) override {
    if (drop_null_key_or_value(r)) return;
    const K& key = *static_cast<const K*>(r.key);
    const auto* mine = static_cast<const self_value*>(r.value);
    const std::optional<other_value> theirs = _other(key);
    const other_value* o = theirs ? &*theirs : nullptr;
    const VL* l;
    const VR* rr;
    if constexpr (Left) {
      l = mine;
      rr = o;
    } else {
      l = o;
      rr = mine;
    }
    bool emit_value = false;
    bool emit_tombstone = false;
    switch (_kind) {
      case table_join_kind::inner:
        emit_value = l != nullptr && rr != nullptr;
        emit_tombstone = mine == nullptr && o != nullptr;
        break;
      case table_join_kind::left:
        if (l != nullptr) {
          emit_value = true;
        } else {
          emit_tombstone =
              Left;  // a left tombstone deletes the row; a right update without left emits nothing
        }
        break;
      case table_join_kind::outer:
        emit_value = l != nullptr || rr != nullptr;
        emit_tombstone = !emit_value;
        break;
    }
    if (emit_value) {
      VJ out = _joiner(l, rr);
      forward(with_kv(r, r.key, &out));
    } else if (emit_tombstone) {
      forward(with_kv(r, r.key, nullptr));
    }
  }

 private:
  table_join_kind _kind;
  getter_ptr<K, other_value> _other_getter;
  std::function<std::optional<other_value>(const K&)> _other;
  std::function<VJ(const VL*, const VR*)> _joiner;
};

/// suppress(until_window_closes): buffers the latest value per window in a key-value store
/// keyed by [window end: 8 bytes BE][windowed key bytes] and emits windows whose end +
/// close_after stream time has reached, oldest end first; a tombstone (a session merged away)
/// removes the window from the buffer. Buffer values are [timestamp: 8 bytes BE][value].
template <class K, class V>
class suppress_node final : public store_node<state::key_value_store> {
 public:
  suppress_node(std::string store, core::serde<windowed<K>> wk, core::serde<V> v, window_info win)
      : store_node<state::key_value_store>(std::move(store)),
        _wk(std::move(wk)),
        _v(std::move(v)),
        _win(win) {}
  void process(const erased_record& r) override {
    if (drop_null_key_or_value(r)) return;
    const auto& wkey = *static_cast<const windowed<K>*>(r.key);
    bytes key;
    core::append_be<int64_t>(key, core::to_epoch_ms(wkey.win.end));
    const bytes kb = encode(_wk, wkey, *this);
    key.insert(key.end(), kb.begin(), kb.end());
    if (r.value == nullptr) {
      must(_store->remove(key, r.ts), *this, _store_name, "remove");
    } else {
      bytes value;
      core::append_be<int64_t>(value, core::to_epoch_ms(r.ts));
      const bytes vb = encode(_v, *static_cast<const V*>(r.value), *this);
      value.insert(value.end(), vb.begin(), vb.end());
      must(_store->put(key, value, r.ts), *this, _store_name, "put");
    }
    emit_closed(r.ts);
  }

 private:
  /// Emits the windows closed by stream time; `ts` stamps the buffer deletes (the record that
  /// advanced stream time).
  void emit_closed(timestamp ts) {
    const int64_t now = core::to_epoch_ms(context().stream_time());
    std::vector<state::key_value> due;
    {
      auto it = must(_store->all(), *this, _store_name, "all");
      for (; it.valid(); it.next()) {
        const int64_t end = core::load_be<int64_t>((it.key().first(8).data()));
        if (end + _win.close_after.count() > now) break;
        due.push_back(
            {bytes(it.key().begin(), it.key().end()), bytes(it.value().begin(), it.value().end())});
      }
      must(it.status(), *this, _store_name, "all");
    }
    for (const auto& e : due) {
      must(_store->remove(e.key, ts), *this, _store_name, "remove");
      const windowed<K> wkey = decode(_wk, bytes_view(e.key).subspan(8), *this);
      const V value = decode(_v, bytes_view(e.value).subspan(8), *this);
      static const core::headers no_headers;
      forward(erased_record{
          &wkey, &value,
          core::from_epoch_ms(core::load_be<int64_t>((bytes_view(e.value).first(8).data()))),
          &no_headers});
    }
  }

  core::serde<windowed<K>> _wk;
  core::serde<V> _v;
  window_info _win;
};

}  // namespace detail

}  // namespace sluice::dsl
