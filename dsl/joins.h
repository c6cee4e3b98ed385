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
#include "dsl/detail/typed.h"
#include "dsl/kstream.h"
#include "dsl/ktable.h"
#include "dsl/parameters.h"
#include "dsl/windows.h"
#include "state/changelog_format.h"
#include "state/key_value_store.h"
#include "state/window_store.h"

#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sluice::dsl {

enum class join_kind { inner, left, outer };

namespace detail {

/// Time parameters of one side of a stream-stream join, seen from that side.
struct join_side_times {
  millis lookback{0};   ///< other records this far before a record join it
  millis lookahead{0};  ///< ... and this far after
  millis span{0};       ///< before + after + grace: when an unmatched record is final
  millis grace{0};
};

/// Erased helpers of the outer buffer: key = [ts: 8 BE][side: 1][seqnum: 4 BE][record key].
bytes outer_buffer_key(timestamp ts, bool left_side, uint32_t seqnum, bytes_view key);
struct outer_buffer_entry {
  timestamp ts;
  bool left_side;
  bytes_view key;
};
outer_buffer_entry parse_outer_buffer_key(bytes_view k);

template <class K, class VL, class VR, class VJ, bool Left>
class stream_join_node final : public processor_node {
  using self_value = std::conditional_t<Left, VL, VR>;
  using other_value = std::conditional_t<Left, VR, VL>;

 public:
  struct config {
    std::string this_store, other_store, outer_store;  // outer_store empty for inner joins
    join_side_times times;
    bool track_self = false;   // unmatched records of this side are emitted
    bool track_other = false;  // unmatched records of the other side are emitted
    core::serde<K> k;
    core::serde<VL> vl;
    core::serde<VR> vr;
    std::function<VJ(const VL*, const VR*)> joiner;
  };
  explicit stream_join_node(config c) : _c(std::move(c)) {}

  void init() override {
    _this = &context().template store<state::window_store>(*this, _c.this_store);
    _other = &context().template store<state::window_store>(*this, _c.other_store);
    if (!_c.outer_store.empty())
      _outer = &context().template store<state::key_value_store>(*this, _c.outer_store);
  }

  void process(const erased_record& r) override {
    if (r.key == nullptr || r.value == nullptr) {
      context().record_drop(*this, drop_reason::null_key_or_value);
      return;
    }
    const timestamp now = context().stream_time();
    if (r.ts + _c.times.lookahead + _c.times.grace < now) {
      context().record_drop(*this, drop_reason::late);
      return;
    }
    if (_outer != nullptr) emit_expired(now);
    const K& key = *static_cast<const K*>(r.key);
    const auto& value = *static_cast<const self_value*>(r.value);
    const bytes kb = encode(_c.k, key, *this);
    const bytes vb = encode(self_serde(), value, *this);
    const auto put = must(_this->put(kb, vb, r.ts), *this, _c.this_store, "put");
    if (!put.stored) {
      context().record_drop(*this, drop_reason::late);
      return;
    }
    const timestamp from = std::max(core::from_epoch_ms(0), r.ts - _c.times.lookback);
    std::vector<bytes> matched_outer;
    bool matched = false;
    {
      auto it =
          must(_other->fetch(kb, from, r.ts + _c.times.lookahead), *this, _c.other_store, "fetch");
      for (; it.valid(); it.next()) {
        matched = true;
        const other_value o = decode(other_serde(), it.value(), *this);
        const timestamp ts = std::max(r.ts, it.window_start());
        VJ out = [&] {
          if constexpr (Left) {
            return _c.joiner(&value, &o);
          } else {
            return _c.joiner(&o, &value);
          }
        }();
        forward(erased_record{r.key, &out, ts, r.hdrs});
        if (_c.track_other) {
          const auto parts = state::decode_window_key(it.encoded_key());
          if (parts)
            matched_outer.push_back(
                outer_buffer_key(parts->window_start, !Left, parts->seqnum, kb));
        }
      }
      must(it.status(), *this, _c.other_store, "fetch");
    }
    for (const auto& ok : matched_outer) must(_outer->remove(ok), *this, _c.outer_store, "remove");
    if (!matched && _c.track_self) {
      must(_outer->put(outer_buffer_key(r.ts, Left, put.seqnum, kb), vb), *this, _c.outer_store,
           "put");
    }
  }

 private:
  const core::serde<self_value>& self_serde() const {
    if constexpr (Left)
      return _c.vl;
    else
      return _c.vr;
  }
  const core::serde<other_value>& other_serde() const {
    if constexpr (Left)
      return _c.vr;
    else
      return _c.vl;
  }

  /// Emits, oldest first, the buffered unmatched records that can no longer find a partner.
  void emit_expired(timestamp now) {
    std::vector<state::key_value> due;
    {
      auto it = must(_outer->all(), *this, _c.outer_store, "all");
      for (; it.valid(); it.next()) {
        const auto e = parse_outer_buffer_key(it.key());
        if (!(now > e.ts + _c.times.span)) break;
        due.push_back(
            {bytes(it.key().begin(), it.key().end()), bytes(it.value().begin(), it.value().end())});
      }
      must(it.status(), *this, _c.outer_store, "all");
    }
    static const core::headers no_headers;
    for (const auto& d : due) {
      must(_outer->remove(d.key), *this, _c.outer_store, "remove");
      const auto e = parse_outer_buffer_key(d.key);
      const K key = decode(_c.k, e.key, *this);
      if (e.left_side) {
        const VL l = decode(_c.vl, d.value, *this);
        VJ out = _c.joiner(&l, nullptr);
        forward(erased_record{&key, &out, e.ts, &no_headers});
      } else {
        const VR rv = decode(_c.vr, d.value, *this);
        VJ out = _c.joiner(nullptr, &rv);
        forward(erased_record{&key, &out, e.ts, &no_headers});
      }
    }
  }

  config _c;
  state::window_store* _this = nullptr;
  state::window_store* _other = nullptr;
  state::key_value_store* _outer = nullptr;
};

template <class K, class V, class VT, class VR>
class stream_table_join_node final : public processor_node {
 public:
  stream_table_join_node(getter_ptr<K, VT> getter, std::function<VR(const V&, const VT*)> joiner,
                         bool left)
      : _getter(std::move(getter)), _joiner(std::move(joiner)), _left(left) {}
  void init() override { _lookup = _getter->make(*this); }
  void process(const erased_record& r) override {
    if (r.key == nullptr || r.value == nullptr) {
      context().record_drop(*this, drop_reason::null_key_or_value);
      return;
    }
    const auto t = _lookup(*static_cast<const K*>(r.key));
    if (!t && !_left) return;
    VR out = _joiner(*static_cast<const V*>(r.value), t ? &*t : nullptr);
    forward(with_kv(r, r.key, &out));
  }

 private:
  getter_ptr<K, VT> _getter;
  std::function<std::optional<VT>(const K&)> _lookup;
  std::function<VR(const V&, const VT*)> _joiner;
  bool _left;
};

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
