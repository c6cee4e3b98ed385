#pragma once
/// `streams_builder`: where a topology starts. Streams and tables are read from topics, shaped
/// with the fluent DSL (kstream.h, ktable.h, kgrouped_stream.h), and `build()` compiles the
/// recorded logical graph into a `topology`.
///
///     streams_builder builder;
///     builder.stream<std::string, std::string>("words")
///         .filter([](const std::string&, const std::string& w) { return !w.empty(); })
///         .to("non-empty-words");
///     topology t = builder.build();
///
/// Names. Every node, store and repartition topic can be named through the parameter objects
/// (`named`, `grouped`, `materialized`, `stream_joined`, `repartitioned`, ...). Unnamed ones get
/// `<OPERATOR>-<8 hex digits>`, the digits a hash of the operator, its parents' names and what
/// distinguishes it (topic, windows), so names depend on the topology's content and not on the
/// order in which unrelated parts were added: an unchanged topology keeps its store and topic
/// names, and adding a branch elsewhere renames nothing. Only identical siblings (two unnamed
/// filters on the same stream) are told apart by order, with "-2", "-3"...
///
/// Lifetime and threads: a builder is used by one thread; `build()` may be called once.
/// Streams and tables borrow the builder and must not outlive it; the topology does not.

#include "core/assert.h"
#include "dsl/detail/graph.h"
#include "dsl/detail/source_sink.h"
#include "dsl/detail/typed.h"
#include "dsl/fwd.h"
#include "dsl/parameters.h"
#include "dsl/topology.h"

#include <memory>
#include <string>
#include <vector>

namespace sluice::dsl {

class streams_builder {
 public:
  streams_builder();
  ~streams_builder();
  streams_builder(const streams_builder&) = delete;
  streams_builder& operator=(const streams_builder&) = delete;

  /// A stream of the records of `topic`.
  template <class K, class V>
  kstream<K, V> stream(std::string topic, consumed<K, V> c = {}) {
    return stream<K, V>(std::vector<std::string>{std::move(topic)}, std::move(c));
  }

  /// One stream of the records of several topics.
  template <class K, class V>
  kstream<K, V> stream(std::vector<std::string> topics, consumed<K, V> c = {});

  /// A table holding the latest value per key of `topic` (a null value deletes the key),
  /// materialized in a key-value store.
  template <class K, class V>
  ktable<K, V> table(std::string topic, materialized<K, V> m = {}) {
    return table<K, V>(std::move(topic), consumed<K, V>{}, std::move(m));
  }
  template <class K, class V>
  ktable<K, V> table(std::string topic, consumed<K, V> c, materialized<K, V> m = {});

  /// Adds a state store for Processor API processors (see processor.h, `stores::`). Throws
  /// topology_error if a store of that name exists.
  streams_builder& add_state_store(store_spec spec);

  /// Compiles the graph. Throws topology_error if it is wrong. REQUIRES: called once.
  topology build();

  /// The logical graph, for the DSL's typed headers.
  /// REQUIRES: build() has not been called.
  detail::graph& graph() noexcept {
    SLUICE_ASSERT(_graph != nullptr, "the streams_builder was used after build()");
    return *_graph;
  }

 private:
  std::unique_ptr<detail::graph> _graph;
  bool _built = false;
};

namespace detail {
/// Adds a typed source node reading `topics` and returns its index.
template <class K, class V>
std::size_t add_typed_source(graph& g, const std::string& name, std::vector<topic_ref> topics,
                             core::serde<K> k, core::serde<V> v,
                             timestamp_extractor<K, V> extractor,
                             std::optional<offset_reset> reset) {
  return g.add_source(
      name, "source", std::move(topics), reset,
      [k = std::move(k), v = std::move(v), extractor = std::move(extractor)](
          std::span<const std::string> resolved) -> std::unique_ptr<processor_node> {
        return std::make_unique<typed_source<K, V>>(resolved, k, v, extractor);
      });
}

std::string join_topics(const std::vector<std::string>& topics);
}  // namespace detail

}  // namespace sluice::dsl

namespace sluice {
using dsl::streams_builder;
}  // namespace sluice
