#pragma once
/// The DSL's parameter objects, in one place: `consumed`, `produced`, `grouped`, `materialized`,
/// `joined`, `stream_joined`, `repartitioned`, `named`, `branched`.
///
/// Each is an aggregate of optional fields, written with designated initializers, with a few
/// named constructors where they read better:
///
///     builder.stream<std::string, order>("orders", {.value_serde = serdes::json<order>{}});
///     stream.to("out", produced<std::string, int64_t>{.value_serde = serdes::int64{}});
///     grouped.count(materialized<std::string, int64_t>::as("counts"));
///
/// An absent serde means "the one the stream already carries, else `default_serde<T>`"; if
/// neither exists the operator throws `topology_error` when it is built. An absent name means
/// an automatic one derived from the topology's content (see streams_builder.h).
///
/// Thread safety: values; serdes and functions inside are shared by every task and must be
/// safe to call concurrently.

#include "core/serde.h"
#include "core/time.h"
#include "dsl/timestamp_extractor.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace sluice::dsl {

using core::millis;

enum class offset_reset { earliest, latest };

/// Which store implementation a materialized store asks for. `automatic` leaves it to the
/// runtime's configuration (the test driver: in-memory unless told otherwise).
enum class store_type { automatic, persistent, in_memory };

/// A name for a stateless operator's processor node.
struct named {
  std::string name;
  static named as(std::string name) { return {std::move(name)}; }
};

/// How a source reads its topic(s).
template <class K, class V>
struct consumed {
  std::optional<core::serde<K>> key_serde;
  std::optional<core::serde<V>> value_serde;
  std::optional<dsl::timestamp_extractor<K, V>> timestamp_extractor;
  std::optional<dsl::offset_reset> offset_reset;
  /// The source node's name.
  std::optional<std::string> name;

  static consumed with(core::serde<K> k, core::serde<V> v) {
    return {.key_serde = std::move(k), .value_serde = std::move(v)};
  }
};

/// A custom partitioner of a sink: (topic, key, value, partition count) -> partition, or
/// nullopt for the default partitioner.
template <class K, class V>
using stream_partitioner = std::function<std::optional<int32_t>(
    const std::string& topic, const K& key, const V& value, int32_t num_partitions)>;

/// How a sink writes its topic.
template <class K, class V>
struct produced {
  std::optional<core::serde<K>> key_serde;
  std::optional<core::serde<V>> value_serde;
  stream_partitioner<K, V> partitioner;
  /// The sink node's name.
  std::optional<std::string> name;

  static produced with(core::serde<K> k, core::serde<V> v) {
    return {.key_serde = std::move(k), .value_serde = std::move(v)};
  }
};

/// How a stream is grouped: the serdes of the repartition topic (if one is needed) and its
/// name, `<application.id>-<name>-repartition`.
template <class K, class V>
struct grouped {
  std::optional<std::string> name;
  std::optional<core::serde<K>> key_serde;
  std::optional<core::serde<V>> value_serde;

  static grouped as(std::string name) { return {.name = std::move(name)}; }
  static grouped with(core::serde<K> k, core::serde<V> v) {
    return {.key_serde = std::move(k), .value_serde = std::move(v)};
  }
};

/// How a state store is made: name (which also names its changelog topic
/// `<application.id>-<name>-changelog`), serdes, change logging, implementation, retention of
/// window stores.
template <class K, class V>
struct materialized {
  std::optional<std::string> name;
  std::optional<core::serde<K>> key_serde;
  std::optional<core::serde<V>> value_serde;
  bool logging_enabled = true;
  dsl::store_type store_type = dsl::store_type::automatic;
  /// Window stores only: how long windows are kept; at least window size + grace (the
  /// default).
  std::optional<millis> retention;

  static materialized as(std::string name) { return {.name = std::move(name)}; }
  static materialized with(core::serde<K> k, core::serde<V> v) {
    return {.key_serde = std::move(k), .value_serde = std::move(v)};
  }
  materialized with_logging_disabled() && {
    logging_enabled = false;
    return std::move(*this);
  }
  materialized with_store_type(dsl::store_type t) && {
    store_type = t;
    return std::move(*this);
  }
};

/// How a stream-table join reads its stream side (the serdes of a repartition topic if the
/// stream's key was changed) and the name of the join node.
template <class K, class V, class VT>
struct joined {
  std::optional<std::string> name;
  std::optional<core::serde<K>> key_serde;
  std::optional<core::serde<V>> value_serde;

  static joined as(std::string name) { return {.name = std::move(name)}; }
};

/// How a stream-stream join buffers its inputs: serdes of both window stores (and of
/// repartition topics, if needed), the join's name (from which the stores are named
/// `<name>-this-join-store` / `<name>-other-join-store`), change logging.
template <class K, class V, class VO>
struct stream_joined {
  std::optional<std::string> name;
  std::optional<std::string> store_name;
  std::optional<core::serde<K>> key_serde;
  std::optional<core::serde<V>> value_serde;
  std::optional<core::serde<VO>> other_value_serde;
  bool logging_enabled = true;

  static stream_joined as(std::string name) { return {.name = std::move(name)}; }
  static stream_joined with(core::serde<K> k, core::serde<V> v, core::serde<VO> vo) {
    return {
        .key_serde = std::move(k), .value_serde = std::move(v), .other_value_serde = std::move(vo)};
  }
};

/// An explicit repartitioning: topic name `<application.id>-<name>-repartition`, partition
/// count (nullopt: the runtime picks, from the upstream source topics or the co-partitioning
/// group), serdes, partitioner.
template <class K, class V>
struct repartitioned {
  std::optional<std::string> name;
  std::optional<int32_t> partitions;
  std::optional<core::serde<K>> key_serde;
  std::optional<core::serde<V>> value_serde;
  stream_partitioner<K, V> partitioner;

  static repartitioned as(std::string name) { return {.name = std::move(name)}; }
  static repartitioned with_partitions(int32_t n) { return {.partitions = n}; }
};

/// A branch of `kstream::split`: its name is the split's prefix followed by this name.
struct branched {
  std::optional<std::string> name;
  static branched as(std::string name) { return {std::move(name)}; }
};

}  // namespace sluice::dsl

namespace sluice {
using dsl::branched;
using dsl::consumed;
using dsl::grouped;
using dsl::joined;
using dsl::materialized;
using dsl::named;
using dsl::offset_reset;
using dsl::produced;
using dsl::repartitioned;
using dsl::store_type;
using dsl::stream_joined;
}  // namespace sluice
