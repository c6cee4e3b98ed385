#pragma once
/// `kstream<K, V>`: an unbounded stream of key-value records, and its fluent operators.
///
/// Stateless operators (filter, map, flat_map, select_key, peek, split, merge, ...) add one
/// processor node each. Key-changing operators (map, flat_map, select_key, process) mark the
/// stream: a later group_by_key() or join first sends it through a repartition topic so that
/// equal keys meet in the same task. Stateful operators are declared here and defined in
/// kgrouped_stream.h and joins.h; include "dsl/streams.h" to get all of them.
///
/// Null keys and values. A record's key or value may be null (absent bytes). Your functions
/// never see a null: they get a default-constructed K or V instead, and operators that keep
/// the key (or value) pass the null on unchanged. Aggregations and joins drop records whose key
/// (or, for aggregations, value) is null, and count them.
///
/// Functions you pass are copied into every task and may be called from several threads at
/// once (one task each): they must not share mutable state.
///
/// A kstream is a small handle (builder pointer, node index, serdes); copying it is cheap and
/// branches the graph. It must not outlive its builder.

#include "dsl/detail/graph.h"
#include "dsl/detail/source_sink.h"
#include "dsl/detail/typed.h"
#include "dsl/fwd.h"
#include "dsl/parameters.h"
#include "dsl/streams_builder.h"
#include "dsl/windows.h"

#include <concepts>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace sluice::dsl {

template <class K, class V>
class branched_kstream;

namespace detail {
/// `f(value)` or `f(key, value)`, whichever the callable accepts.
template <class F, class K, class V>
decltype(auto) call_value_mapper(F& f, const K& k, const V& v) {
  if constexpr (std::is_invocable_v<F&, const K&, const V&>) {
    return f(k, v);
  } else {
    return f(v);
  }
}
template <class F, class K, class V>
struct value_mapper_result {
  using type = std::conditional_t<std::is_invocable_v<F&, const K&, const V&>,
                                  std::invoke_result<F&, const K&, const V&>,
                                  std::invoke_result<F&, const V&>>;
};
template <class F, class K, class V>
using value_mapper_result_t =
    std::remove_cvref_t<typename value_mapper_result<F, K, V>::type::type>;

template <class F, class K, class V>
concept value_mapper = std::copy_constructible<F> &&
    (std::is_invocable_v<F&, const K&, const V&> || std::is_invocable_v<F&, const V&>);
}  // namespace detail

template <class K, class V>
class kstream {
 public:
  using key_type = K;
  using value_type = V;

  kstream(streams_builder& b, std::size_t node, bool repartition_required,
          std::optional<core::serde<K>> ks, std::optional<core::serde<V>> vs)
      : _b(&b),
        _node(node),
        _repartition_required(repartition_required),
        _key_serde(std::move(ks)),
        _value_serde(std::move(vs)) {}

  /// Keeps the records for which `pred(key, value)` holds.
  template <class P>
  requires std::predicate<P&, const K&, const V&> && std::copy_constructible<P> kstream
  filter(P pred, named n = {})
  const {
    return add_stateless<K, V>("KSTREAM-FILTER", "filter", n, _repartition_required, _key_serde,
                               _value_serde,
                               [pred](const processor_node& self, const erased_record& r) mutable {
                                 if (pred(detail::deref<K>(r.key), detail::deref<V>(r.value)))
                                   self.forward(r);
                               });
  }

  /// Drops the records for which `pred(key, value)` holds.
  template <class P>
  requires std::predicate<P&, const K&, const V&> && std::copy_constructible<P> kstream
  filter_not(P pred, named n = {})
  const {
    return add_stateless<K, V>("KSTREAM-FILTERNOT", "filter_not", n, _repartition_required,
                               _key_serde, _value_serde,
                               [pred](const processor_node& self, const erased_record& r) mutable {
                                 if (!pred(detail::deref<K>(r.key), detail::deref<V>(r.value)))
                                   self.forward(r);
                               });
  }

  /// Replaces each record's key and value with `f(key, value)`, a std::pair<K2, V2>. Changes
  /// the key: a later grouping or join repartitions.
  template <class F, class R = std::remove_cvref_t<std::invoke_result_t<F&, const K&, const V&>>>
  requires std::copy_constructible<F> kstream<typename R::first_type, typename R::second_type> map(
      F f, named n = {})
  const {
    using K2 = typename R::first_type;
    using V2 = typename R::second_type;
    return add_stateless<K2, V2>("KSTREAM-MAP", "map", n, true, std::nullopt, std::nullopt,
                                 [f](const processor_node& self, const erased_record& r) mutable {
                                   R out = f(detail::deref<K>(r.key), detail::deref<V>(r.value));
                                   self.forward(detail::with_kv(r, &out.first, &out.second));
                                 });
  }

  /// Replaces each value with `f(value)` or `f(key, value)`; keeps the key.
  template <class F>
  requires detail::value_mapper<F, K, V> kstream<K, detail::value_mapper_result_t<F, K, V>>
  map_values(F f, named n = {})
  const {
    using V2 = detail::value_mapper_result_t<F, K, V>;
    return add_stateless<K, V2>(
        "KSTREAM-MAPVALUES", "map_values", n, _repartition_required, _key_serde, std::nullopt,
        [f](const processor_node& self, const erased_record& r) mutable {
          V2 out = detail::call_value_mapper(f, detail::deref<K>(r.key), detail::deref<V>(r.value));
          self.forward(detail::with_kv(r, r.key, &out));
        });
  }

  /// Replaces each record with the records of `f(key, value)`, a range of std::pair<K2, V2>
  /// (zero or more). Changes the key.
  template <class F, class C = std::remove_cvref_t<std::invoke_result_t<F&, const K&, const V&>>,
            class R = std::remove_cvref_t<typename C::value_type>>
  requires std::copy_constructible<F> kstream<typename R::first_type, typename R::second_type>
  flat_map(F f, named n = {})
  const {
    using K2 = typename R::first_type;
    using V2 = typename R::second_type;
    return add_stateless<K2, V2>("KSTREAM-FLATMAP", "flat_map", n, true, std::nullopt, std::nullopt,
                                 [f](const processor_node& self, const erased_record& r) mutable {
                                   C out = f(detail::deref<K>(r.key), detail::deref<V>(r.value));
                                   for (const auto& kv : out)
                                     self.forward(detail::with_kv(r, &kv.first, &kv.second));
                                 });
  }

  /// Replaces each record with one record per element of `f(value)` or `f(key, value)` (a
  /// range of V2); keeps the key.
  template <class F>
  requires detail::value_mapper<F, K, V>
      kstream<K, std::remove_cvref_t<typename detail::value_mapper_result_t<F, K, V>::value_type>>
      flat_map_values(F f, named n = {})
  const {
    using C = detail::value_mapper_result_t<F, K, V>;
    using V2 = std::remove_cvref_t<typename C::value_type>;
    return add_stateless<K, V2>(
        "KSTREAM-FLATMAPVALUES", "flat_map_values", n, _repartition_required, _key_serde,
        std::nullopt, [f](const processor_node& self, const erased_record& r) mutable {
          C out = detail::call_value_mapper(f, detail::deref<K>(r.key), detail::deref<V>(r.value));
          for (const auto& v : out) self.forward(detail::with_kv(r, r.key, &v));
        });
  }

  /// Replaces each key with `f(key, value)`; keeps the value. Changes the key.
  template <class F, class K2 = std::remove_cvref_t<std::invoke_result_t<F&, const K&, const V&>>>
  requires std::copy_constructible<F> kstream<K2, V> select_key(F f, named n = {})
  const {
    return add_stateless<K2, V>("KSTREAM-KEY-SELECT", "select_key", n, true, std::nullopt,
                                _value_serde,
                                [f](const processor_node& self, const erased_record& r) mutable {
                                  K2 key = f(detail::deref<K>(r.key), detail::deref<V>(r.value));
                                  self.forward(detail::with_kv(r, &key, r.value));
                                });
  }

  /// Calls `action(key, value)` for each record and passes the record on unchanged.
  template <class A>
  requires std::invocable<A&, const K&, const V&> && std::copy_constructible<A> kstream
  peek(A action, named n = {})
  const {
    return add_stateless<K, V>(
        "KSTREAM-PEEK", "peek", n, _repartition_required, _key_serde, _value_serde,
        [action](const processor_node& self, const erased_record& r) mutable {
          action(detail::deref<K>(r.key), detail::deref<V>(r.value));
          self.forward(r);
        });
  }

  /// Calls `action(key, value)` for each record; the end of this branch.
  template <class A>
  requires std::invocable<A&, const K&, const V&> && std::copy_constructible<A>
  void foreach (A action, named n = {}) const {
    add_stateless<K, V>("KSTREAM-FOREACH", "foreach", n, _repartition_required, _key_serde,
                        _value_serde,
                        [action](const processor_node&, const erased_record& r) mutable {
                          action(detail::deref<K>(r.key), detail::deref<V>(r.value));
                        });
  }

  /// Splits the stream into named branches: each record goes to the first branch whose
  /// predicate holds (or the default branch). Branch names are the split's name (or its node
  /// name and "-") followed by the branch's name (or its 1-based position; "0" for the default).
  branched_kstream<K, V> split(named n = {}) const;

  /// The records of both streams, as they come.
  kstream merge(const kstream& other, named n = {}) const {
    auto& g = _b->graph();
    const std::vector<std::size_t> parents{_node, other._node};
    const std::string name = g.node_name(detail::opt_name(n), "KSTREAM-MERGE", parents);
    const std::size_t node =
        g.add_processor(name, "merge", parents, [](std::span<const std::string>) {
          return detail::make_lambda_node(
              [](const processor_node& self, const erased_record& r) { self.forward(r); });
        });
    return kstream(*_b, node, _repartition_required || other._repartition_required, _key_serde,
                   _value_serde);
  }

  /// Writes the stream to `topic`.
  void to(std::string topic, produced<K, V> p = {}) const {
    add_sink(std::optional<std::string>(std::move(topic)), nullptr, std::move(p));
  }

  /// Writes each record to the topic `extractor(key, value)` names.
  template <class F>
  requires std::is_invocable_r_v<std::string, F&, const K&, const V&> && std::copy_constructible<F>
  void to(F extractor, produced<K, V> p = {}) const {
    add_sink(std::nullopt, detail::topic_name_extractor<K, V>(std::move(extractor)), std::move(p));
  }

  /// Sends the stream through the repartition topic `<application.id>-<name>-repartition`
  /// (partitioned by key, or by `r.partitioner`) and reads it back: the result is partitioned
  /// by its current key. Starts a new sub-topology.
  kstream repartition(repartitioned<K, V> r = {}) const {
    return through_repartition("repartition", r.name, r.key_serde, r.value_serde, r.partitions,
                               r.partitioner);
  }

  /// Groups by the current key, repartitioning first if the key was changed.
  kgrouped_stream<K, V> group_by_key(grouped<K, V> g = {}) const;
  /// Groups by `selector(key, value)`: always repartitions.
  template <class F, class K2 = std::remove_cvref_t<std::invoke_result_t<F&, const K&, const V&>>>
  requires std::copy_constructible<F> kgrouped_stream<K2, V> group_by(F selector,
                                                                      grouped<K2, V> g = {})
  const;

  /// Inner stream-stream join: for each pair of records with equal keys whose timestamps are
  /// within `w`, emits `joiner(this value, other value)` (or `joiner(key, this, other)`) with
  /// the larger of the two timestamps.
  template <class VO, class F>
  auto join(const kstream<K, VO>& other, F joiner, const join_windows& w,
            stream_joined<K, V, VO> sj = {}) const;
  /// Left stream-stream join: like join(), and each record of this stream that found no
  /// partner by the time its window closed is emitted once with `joiner(this, nullptr)`.
  /// The joiner takes `(const V&, const VO*)`.
  template <class VO, class F>
  auto left_join(const kstream<K, VO>& other, F joiner, const join_windows& w,
                 stream_joined<K, V, VO> sj = {}) const;
  /// Outer stream-stream join: like left_join(), for both sides. The joiner takes
  /// `(const V*, const VO*)`.
  template <class VO, class F>
  auto outer_join(const kstream<K, VO>& other, F joiner, const join_windows& w,
                  stream_joined<K, V, VO> sj = {}) const;

  /// Stream-table join: each record whose key is in the table is emitted with
  /// `joiner(value, table value)`; others are dropped.
  template <class VT, class F>
  auto join(const ktable<K, VT>& table, F joiner, joined<K, V, VT> j = {}) const;
  /// Stream-table left join: `joiner(value, const VT* table value or nullptr)` for every record.
  template <class VT, class F>
  auto left_join(const ktable<K, VT>& table, F joiner, joined<K, V, VT> j = {}) const;

  /// Processor API: runs a processor made by `supplier()` (one per task) on each record,
  /// connected to the named stores. Marks the key as changed.
  template <class Supplier>
  auto process(Supplier supplier, std::vector<std::string> stores = {}, named n = {}) const;
  /// Processor API, key kept: `supplier()` makes a fixed_key_processor.
  template <class Supplier>
  auto process_values(Supplier supplier, std::vector<std::string> stores = {}, named n = {}) const;

  // Accessors for the DSL's own headers.
  streams_builder& builder() const noexcept { return *_b; }
  std::size_t node() const noexcept { return _node; }
  bool repartition_required() const noexcept { return _repartition_required; }
  const std::optional<core::serde<K>>& key_serde() const noexcept { return _key_serde; }
  const std::optional<core::serde<V>>& value_serde() const noexcept { return _value_serde; }

  /// Adds a processor node made by `fn(self, record)` below this stream.
  template <class K2, class V2, class Fn>
  kstream<K2, V2> add_stateless(std::string_view prefix, std::string op, const named& n,
                                bool repartition_required, std::optional<core::serde<K2>> ks,
                                std::optional<core::serde<V2>> vs, Fn fn) const {
    auto& g = _b->graph();
    const std::size_t parents[] = {_node};
    const std::string name = g.node_name(detail::opt_name(n), prefix, parents);
    const std::size_t node = g.add_processor(
        name, std::move(op), {_node},
        [fn](std::span<const std::string>) { return detail::make_lambda_node(fn); });
    return kstream<K2, V2>(*_b, node, repartition_required, std::move(ks), std::move(vs));
  }

  /// This stream, sent through a repartition topic (named `name` or after `op` and this node).
  kstream through_repartition(std::string_view op, const std::optional<std::string>& name,
                              const std::optional<core::serde<K>>& ks,
                              const std::optional<core::serde<V>>& vs,
                              std::optional<int32_t> partitions,
                              stream_partitioner<K, V> partitioner) const {
    auto& g = _b->graph();
    const std::size_t parents[] = {_node};
    const std::string base = name ? *name : g.auto_name("KSTREAM-REPARTITION", parents, op);
    const std::string what = std::string(op) + " repartition '" + base + "'";
    core::serde<K> k = detail::resolve_serde<K>(what, "key", ks, _key_serde);
    core::serde<V> v = detail::resolve_serde<V>(what, "value", vs, _value_serde);
    g.add_repartition_topic({base, partitions}, what);
    const std::string sink_name =
        g.node_name(std::nullopt, "KSTREAM-SINK", parents, base + "-repartition");
    g.add_sink(sink_name, "sink", _node, topic_ref{base, true},
               [k, v, partitioner](
                   std::span<const std::string> topics) -> std::unique_ptr<processor_node> {
                 return std::make_unique<detail::typed_sink<K, V>>(topics.front(), nullptr, k, v,
                                                                   partitioner);
               });
    const std::string source_name = g.auto_name("KSTREAM-SOURCE", {}, base + "-repartition");
    const std::size_t src = detail::add_typed_source<K, V>(g, source_name, {topic_ref{base, true}},
                                                           k, v, {}, std::nullopt);
    return kstream(*_b, src, false, k, v);
  }

 private:
  void add_sink(std::optional<std::string> topic, detail::topic_name_extractor<K, V> extractor,
                produced<K, V> p) const {
    auto& g = _b->graph();
    const std::size_t parents[] = {_node};
    const std::string name =
        g.node_name(p.name, "KSTREAM-SINK", parents, topic ? *topic : std::string("<dynamic>"));
    core::serde<K> k = detail::resolve_serde<K>(name, "key", p.key_serde, _key_serde);
    core::serde<V> v = detail::resolve_serde<V>(name, "value", p.value_serde, _value_serde);
    std::optional<topic_ref> ref;
    if (topic) ref = topic_ref{*topic, false};
    g.add_sink(name, "sink", _node, ref,
               [k, v, extractor = std::move(extractor), partitioner = std::move(p.partitioner)](
                   std::span<const std::string> topics) -> std::unique_ptr<processor_node> {
                 std::optional<std::string> t;
                 if (!topics.empty()) t = topics.front();
                 return std::make_unique<detail::typed_sink<K, V>>(t, extractor, k, v, partitioner);
               });
  }

  streams_builder* _b;
  std::size_t _node;
  bool _repartition_required;
  std::optional<core::serde<K>> _key_serde;
  std::optional<core::serde<V>> _value_serde;
};

/// The builder of `kstream::split`. Add branches with `branch`, then finish with
/// `default_branch()` or `no_default_branch()`, which return the branches by name.
template <class K, class V>
class branched_kstream {
 public:
  /// Records for which `pred` holds (and no earlier branch's) go to this branch.
  template <class P>
  requires std::predicate<P&, const K&, const V&> && std::copy_constructible<P> branched_kstream&
  branch(P pred, branched b = {}) {
    const std::string suffix = b.name ? *b.name : std::to_string(_state->predicates.size() + 1);
    _state->predicates.emplace_back(std::move(pred));
    add_branch(_prefix + suffix);
    return *this;
  }
  /// Every record no branch took goes to the default branch.
  std::map<std::string, kstream<K, V>> default_branch(branched b = {}) {
    _state->has_default = true;
    add_branch(_prefix + (b.name ? *b.name : std::string("0")));
    return std::move(_branches);
  }
  /// Records no branch took are dropped.
  std::map<std::string, kstream<K, V>> no_default_branch() { return std::move(_branches); }

 private:
  friend class kstream<K, V>;
  struct shared_state {
    std::vector<std::function<bool(const K&, const V&)>> predicates;
    std::vector<std::string> names;  // per predicate, then the default branch
    bool has_default = false;
  };
  branched_kstream(kstream<K, V> parent, std::string prefix, std::size_t split_node,
                   std::shared_ptr<shared_state> st)
      : _parent(std::move(parent)),
        _prefix(std::move(prefix)),
        _split(split_node),
        _state(std::move(st)) {}

  void add_branch(const std::string& name) {
    auto& g = _parent.builder().graph();
    if (_branches.contains(name))
      throw topology_error(name, "a split has two branches of this name");
    const std::size_t node =
        g.add_processor(name, "branch", {_split}, [](std::span<const std::string>) {
          return detail::make_lambda_node(
              [](const processor_node& self, const erased_record& r) { self.forward(r); });
        });
    _state->names.push_back(name);
    _branches.emplace(name, kstream<K, V>(_parent.builder(), node, _parent.repartition_required(),
                                          _parent.key_serde(), _parent.value_serde()));
  }

  kstream<K, V> _parent;
  std::string _prefix;
  std::size_t _split;
  std::shared_ptr<shared_state> _state;
  std::map<std::string, kstream<K, V>> _branches;
};

namespace detail {
/// The split node: evaluates the branch predicates in order and forwards to the first match.
template <class K, class V, class State>
class split_node final : public processor_node {
 public:
  explicit split_node(std::shared_ptr<const State> st) : _state(std::move(st)) {}
  void init() override {
    for (const auto& n : _state->names) _targets.push_back(child(n));
  }
  void process(const erased_record& r) override {
    const K& k = deref<K>(r.key);
    const V& v = deref<V>(r.value);
    for (std::size_t i = 0; i < _state->predicates.size(); ++i) {
      if (_state->predicates[i](k, v)) {
        _targets[i]->process(r);
        return;
      }
    }
    if (_state->has_default) _targets.back()->process(r);
  }

 private:
  std::shared_ptr<const State> _state;
  std::vector<processor_node*> _targets;
};
}  // namespace detail

template <class K, class V>
branched_kstream<K, V> kstream<K, V>::split(named n) const {
  using state = typename branched_kstream<K, V>::shared_state;
  auto st = std::make_shared<state>();
  auto& g = _b->graph();
  const std::size_t parents[] = {_node};
  const std::string name = g.node_name(detail::opt_name(n), "KSTREAM-BRANCH", parents);
  const std::size_t node =
      g.add_processor(name, "split", {_node}, [st](std::span<const std::string>) {
        return std::unique_ptr<processor_node>(
            std::make_unique<detail::split_node<K, V, state>>(st));
      });
  const std::string prefix = n.name.empty() ? name + "-" : n.name;
  return branched_kstream<K, V>(*this, prefix, node, std::move(st));
}

template <class K, class V>
kstream<K, V> streams_builder::stream(std::vector<std::string> topics, consumed<K, V> c) {
  auto& g = graph();
  const std::string extra = detail::join_topics(topics);
  const std::string name = g.node_name(c.name, "KSTREAM-SOURCE", {}, extra);
  core::serde<K> k = detail::resolve_serde<K>(name, "key", c.key_serde);
  core::serde<V> v = detail::resolve_serde<V>(name, "value", c.value_serde);
  std::vector<topic_ref> refs;
  for (auto& t : topics) refs.push_back(topic_ref{std::move(t), false});
  const std::size_t node = detail::add_typed_source<K, V>(
      g, name, std::move(refs), k, v, c.timestamp_extractor.value_or(timestamp_extractor<K, V>{}),
      c.offset_reset);
  return kstream<K, V>(*this, node, false, std::move(k), std::move(v));
}

}  // namespace sluice::dsl

namespace sluice {
using dsl::branched_kstream;
using dsl::kstream;
}  // namespace sluice
