#pragma once
/// Stream-stream and stream-table joins (the `kstream::join` / `left_join` / `outer_join`
/// members).
///
/// Stream-stream joins are windowed. A left record at t joins right records with equal key and
/// timestamp in [t - before, t + after]; the result carries the larger timestamp. Each side is
/// buffered in a window store (`<name>-this-join-store`, `<name>-other-join-store`, duplicates
/// kept) for before + after + grace.
///
/// Time rules (stream time S is the task's): a left record is late, dropped and counted, if
/// t + after + grace < S (a right record: t + before + grace < S) — its window has closed.
/// Left and outer joins emit a record that found no partner exactly once, with the other side
/// null, when no partner can arrive any more: when S > t + before + after + grace (any partner
/// arriving later would itself be late). Until then it waits in a third store,
/// `<name>-outer-shared-join-store`, ordered by time, and a later match removes it. Like Kafka
/// Streams 3.x, unmatched results are therefore never emitted early and never spuriously.
///
/// Stream-table joins look the key up in the table's current state (through its value getter)
/// when the stream record arrives; later table updates do not trigger output. Inner joins drop
/// records without a table row; left joins pass nullptr to the joiner.
///
/// Both inputs must be co-partitioned: streams whose key changed are repartitioned first, and
/// the topics read by the two sides form a co-partitioning group (topology::copartition_groups).

#include "dsl/detail/graph.h"
#include "dsl/detail/join_nodes.h"
#include "dsl/detail/typed.h"
#include "dsl/kstream.h"
#include "dsl/ktable.h"
#include "dsl/parameters.h"
#include "dsl/windows.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sluice::dsl {

enum class join_kind { inner, left, outer };

namespace detail {

/// Builds a stream-stream join of `a` (left) and `b` (right).
template <class K, class VL, class VR, class VJ>
kstream<K, VJ> stream_stream_join(const kstream<K, VL>& a, const kstream<K, VR>& b, join_kind kind,
                                  std::function<VJ(const VL*, const VR*)> joiner,
                                  const join_windows& w, const stream_joined<K, VL, VR>& sj) {
  auto& builder = a.builder();
  auto& g = builder.graph();
  const char* op = kind == join_kind::inner  ? "join"
                   : kind == join_kind::left ? "left_join"
                                             : "outer_join";
  const std::size_t parents[] = {a.node(), b.node()};
  const std::string base =
      g.node_name(sj.name, "KSTREAM-JOIN", parents, std::string(op) + " " + w.describe());
  const std::string what = std::string(op) + " '" + base + "'";
  core::serde<K> k =
      resolve_serde<K>(what, "key", sj.key_serde, a.key_serde() ? a.key_serde() : b.key_serde());
  core::serde<VL> vl = resolve_serde<VL>(what, "value", sj.value_serde, a.value_serde());
  core::serde<VR> vr =
      resolve_serde<VR>(what, "other value", sj.other_value_serde, b.value_serde());
  kstream<K, VL> left =
      a.repartition_required()
          ? a.through_repartition("join-left", base + "-left", k, vl, std::nullopt, {})
          : a;
  kstream<K, VR> right =
      b.repartition_required()
          ? b.through_repartition("join-right", base + "-right", k, vr, std::nullopt, {})
          : b;
  const std::string store_base = sj.store_name ? *sj.store_name : base;
  const std::string this_store = store_base + "-this-join-store";
  const std::string other_store = store_base + "-other-join-store";
  const std::string outer_store =
      kind == join_kind::inner ? std::string() : store_base + "-outer-shared-join-store";
  const millis span = w.before_ms() + w.after_ms() + w.grace_period();
  auto window_spec = [&](const std::string& name, std::any vserde) {
    store_spec s;
    s.name = name;
    s.kind = store_kind::window;
    s.logged = sj.logging_enabled;
    s.retention = span + millis{1};
    s.retain_duplicates = true;
    s.key_serde = k;
    s.value_serde = std::move(vserde);
    return s;
  };
  g.add_store(window_spec(this_store, vl), base);
  g.add_store(window_spec(other_store, vr), base);
  std::vector<std::string> stores{this_store, other_store};
  if (!outer_store.empty()) {
    store_spec s;
    s.name = outer_store;
    s.kind = store_kind::key_value;
    s.logged = sj.logging_enabled;
    g.add_store(std::move(s), base);
    stores.push_back(outer_store);
  }
  using left_node = stream_join_node<K, VL, VR, VJ, true>;
  using right_node = stream_join_node<K, VL, VR, VJ, false>;
  typename left_node::config lc{
      this_store,
      other_store,
      outer_store,
      join_side_times{w.before_ms(), w.after_ms(), span, w.grace_period()},
      kind != join_kind::inner,
      kind == join_kind::outer,
      k,
      vl,
      vr,
      joiner};
  typename right_node::config rc{
      other_store,
      this_store,
      outer_store,
      join_side_times{w.after_ms(), w.before_ms(), span, w.grace_period()},
      kind == join_kind::outer,
      kind != join_kind::inner,
      k,
      vl,
      vr,
      joiner};
  // What describe() shows: the kind of join, the side and the window (left-record view).
  const auto ms = [](millis d) { return std::to_string(d.count()) + "ms"; };
  const std::string times = "before " + ms(w.before_ms()) + ", after " + ms(w.after_ms()) +
                            ", grace " + ms(w.grace_period());
  const std::size_t ln = g.add_processor(
      base + "-this", std::string(op) + " (left side; " + times + ")", {left.node()},
      [lc](std::span<const std::string>) -> std::unique_ptr<processor_node> {
        return std::make_unique<left_node>(lc);
      },
      stores);
  const std::size_t rn = g.add_processor(
      base + "-other", std::string(op) + " (right side; " + times + ")", {right.node()},
      [rc](std::span<const std::string>) -> std::unique_ptr<processor_node> {
        return std::make_unique<right_node>(rc);
      },
      stores);
  const std::size_t merge = g.add_processor(
      base, std::string(op) + " (merge sides)", {ln, rn}, [](std::span<const std::string>) {
        return make_lambda_node(
            [](const processor_node& self, const erased_record& r) { self.forward(r); });
      });
  g.require_copartition({left.node(), right.node()}, base);
  return kstream<K, VJ>(builder, merge, false, k, std::nullopt);
}

template <class K, class V, class VT, class VJ>
kstream<K, VJ> stream_table_join(const kstream<K, V>& s, const ktable<K, VT>& t, bool left,
                                 std::function<VJ(const V&, const VT*)> joiner,
                                 const joined<K, V, VT>& j) {
  auto& builder = s.builder();
  auto& g = builder.graph();
  const char* op = left ? "left_join(table)" : "join(table)";
  const std::size_t parents[] = {s.node(), t.node()};
  const std::string name = g.node_name(j.name, "KSTREAM-JOIN-TABLE", parents, op);
  kstream<K, V> input = s;
  if (s.repartition_required()) {
    core::serde<K> k =
        resolve_serde<K>(name, "key", j.key_serde, s.key_serde() ? s.key_serde() : t.key_serde());
    core::serde<V> v = resolve_serde<V>(name, "value", j.value_serde, s.value_serde());
    input = s.through_repartition("join-table", name + "-left", k, v, std::nullopt, {});
  }
  auto getter = t.getter();
  const std::size_t node = g.add_processor(
      name, op, {input.node()},
      [getter, joiner, left](std::span<const std::string>) -> std::unique_ptr<processor_node> {
        return std::make_unique<stream_table_join_node<K, V, VT, VJ>>(getter, joiner, left);
      },
      getter->stores);
  g.require_copartition({input.node(), t.node()}, name);
  return kstream<K, VJ>(builder, node, false, input.key_serde(), std::nullopt);
}

}  // namespace detail

template <class K, class V>
template <class VO, class F>
auto kstream<K, V>::join(const kstream<K, VO>& other, F joiner, const join_windows& w,
                         stream_joined<K, V, VO> sj) const {
  using VJ = std::remove_cvref_t<std::invoke_result_t<F&, const V&, const VO&>>;
  return detail::stream_stream_join<K, V, VO, VJ>(
      *this, other, join_kind::inner,
      [joiner](const V* a, const VO* b) mutable { return VJ(joiner(*a, *b)); }, w, sj);
}

template <class K, class V>
template <class VO, class F>
auto kstream<K, V>::left_join(const kstream<K, VO>& other, F joiner, const join_windows& w,
                              stream_joined<K, V, VO> sj) const {
  using VJ = std::remove_cvref_t<std::invoke_result_t<F&, const V&, const VO*>>;
  return detail::stream_stream_join<K, V, VO, VJ>(
      *this, other, join_kind::left,
      [joiner](const V* a, const VO* b) mutable { return VJ(joiner(*a, b)); }, w, sj);
}

template <class K, class V>
template <class VO, class F>
auto kstream<K, V>::outer_join(const kstream<K, VO>& other, F joiner, const join_windows& w,
                               stream_joined<K, V, VO> sj) const {
  using VJ = std::remove_cvref_t<std::invoke_result_t<F&, const V*, const VO*>>;
  return detail::stream_stream_join<K, V, VO, VJ>(
      *this, other, join_kind::outer,
      [joiner](const V* a, const VO* b) mutable { return VJ(joiner(a, b)); }, w, sj);
}

template <class K, class V>
template <class VT, class F>
auto kstream<K, V>::join(const ktable<K, VT>& table, F joiner, joined<K, V, VT> j) const {
  using VJ = std::remove_cvref_t<std::invoke_result_t<F&, const V&, const VT&>>;
  return detail::stream_table_join<K, V, VT, VJ>(
      *this, table, false, [joiner](const V& a, const VT* b) mutable { return VJ(joiner(a, *b)); },
      j);
}

template <class K, class V>
template <class VT, class F>
auto kstream<K, V>::left_join(const ktable<K, VT>& table, F joiner, joined<K, V, VT> j) const {
  using VJ = std::remove_cvref_t<std::invoke_result_t<F&, const V&, const VT*>>;
  return detail::stream_table_join<K, V, VT, VJ>(
      *this, table, true, [joiner](const V& a, const VT* b) mutable { return VJ(joiner(a, b)); },
      j);
}

}  // namespace sluice::dsl

namespace sluice {
using dsl::join_kind;
}  // namespace sluice
