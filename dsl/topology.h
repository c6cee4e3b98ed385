#pragma once
/// `topology`: a compiled, immutable, type-erased processor graph — what `streams_builder::build`
/// produces and what the runtime (and the topology test driver) runs.
///
/// Runtime-facing contract. A runtime needs exactly this:
///  - `subtopologies()`: the independent parts of the graph. The graph is split where records
///    pass through a repartition topic; nodes that share a state store are always in the same
///    sub-topology. For each: its external source topics, the repartition topics it reads and
///    writes, its external sink topics, its stores.
///  - `stores()`: every state store to create per task: name, kind, whether it is change-logged
///    to `<application.id>-<name>-changelog` (one partition per task), retention of window
///    stores, the implementation asked for, and the sub-topology that owns it.
///  - `repartition_topics()`: every internal topic `<application.id>-<name>-repartition` with
///    its partition count if fixed by the user; `resolve_partitions()` computes the rest from the
///    partition counts of the external topics, and checks `copartition_groups()` (the topics
///    that join inputs read must have equal partition counts).
///  - `create_task((sub-topology, partition), config, stores, collector)`: a fresh instance of
///    that sub-topology's processor graph, fed by the runtime record by record (see dsl/detail/task.h).
///  - `describe()` / `to_dot()`: the graph as Kafka-Streams-style text and as Graphviz DOT.
///
/// Lifetime and threads: a topology is immutable after build and may be shared by any number of
/// threads; every task created from it must be destroyed before it.

#include "core/time.h"
#include "core/types.h"
#include "dsl/fwd.h"
#include "dsl/parameters.h"
#include "dsl/task_metadata.h"

#include <any>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::dsl {

namespace detail {
class graph;
}  // namespace detail

enum class store_kind { key_value, window, session };

/// A state store as the runtime must create it for every task of its sub-topology.
struct store_spec {
  std::string name;
  store_kind kind = store_kind::key_value;
  /// Change-logged to `<application.id>-<name>-changelog`.
  bool logged = true;
  /// The implementation asked for by the user (`automatic`: the runtime's default).
  dsl::store_type type = dsl::store_type::automatic;
  /// Window and session stores: how long data is kept behind stream time.
  millis retention{0};
  /// Window stores: the window size (0 for the join buffers, which store single timestamps).
  millis window_size{0};
  /// Window stores: several values may share a key and timestamp (stream-stream join buffers).
  bool retain_duplicates = false;
  /// The typed serdes, as `core::serde<K>` / `core::serde<V>`, for typed access from processors
  /// and the test driver. Empty for stores only the DSL reads.
  std::any key_serde;
  std::any value_serde;
  /// The sub-topology whose tasks own this store; set when the topology is compiled.
  int32_t subtopology = -1;

  std::string changelog_topic(std::string_view application_id) const;
};

/// A topic as the topology names it: an external topic, or an internal repartition topic by its
/// base name.
struct topic_ref {
  std::string name;
  bool internal = false;

  /// The full topic name: `name`, or `<application.id>-<name>-repartition` if internal.
  std::string resolve(std::string_view application_id) const;
  auto operator<=>(const topic_ref&) const = default;
};

struct repartition_topic_spec {
  std::string name;
  /// Fixed by the user (`repartitioned::partitions`), or nullopt: see resolve_partitions().
  std::optional<int32_t> partitions;
};

struct subtopology_spec {
  int32_t id = 0;
  /// The topics read: external ones and repartition topics.
  std::vector<topic_ref> sources;
  /// The topics written by sinks with a fixed topic.
  std::vector<topic_ref> sinks;
  /// True if a sink picks its topic per record (`to(topic_extractor)`).
  bool dynamic_sinks = false;
  std::vector<std::string> stores;
  /// Node names, in topological order.
  std::vector<std::string> nodes;
};

class topology {
 public:
  topology(topology&&) noexcept;
  topology& operator=(topology&&) noexcept;
  ~topology();

  std::span<const subtopology_spec> subtopologies() const noexcept;
  std::span<const store_spec> stores() const noexcept;
  /// The store named `name`, or nullptr.
  const store_spec* find_store(std::string_view name) const noexcept;
  std::span<const repartition_topic_spec> repartition_topics() const noexcept;
  /// Groups of topics whose partition counts must be equal (the inputs of joins).
  std::span<const std::vector<topic_ref>> copartition_groups() const noexcept;
  /// Every external source topic with the offset reset policy its source asked for (nullopt:
  /// the runtime's default).
  std::map<std::string, std::optional<offset_reset>> source_topics() const;

  /// Partition counts of every topic the topology reads or writes, given the counts of the
  /// external topics (`external(topic)`; nullopt if the topic does not exist). A repartition
  /// topic without a fixed count gets the largest count among the sources of the
  /// sub-topologies writing it, then is aligned to its co-partitioning group. Throws
  /// topology_error if an external source topic is missing or a co-partitioning group cannot be
  /// satisfied (naming the topics).
  std::map<topic_ref, int32_t> resolve_partitions(
      const std::function<std::optional<int32_t>(std::string_view topic)>& external) const;
  /// The number of tasks of a sub-topology: the largest partition count of its sources.
  int32_t task_count(int32_t subtopology, const std::map<topic_ref, int32_t>& partitions) const;

  /// A new task running sub-topology `id.subtopology` for partition `id.partition`.
  /// REQUIRES: the sub-topology exists; `stores` and `collector` outlive the task.
  std::unique_ptr<processor_task> create_task(task_id id, task_config config,
                                              store_provider& stores,
                                              record_collector& collector) const;

  /// Kafka-Streams-style text: sub-topologies, their sources, processors (with stores) and
  /// sinks, with --> and <-- edges.
  std::string describe() const;
  /// The same graph as Graphviz DOT: one cluster per sub-topology, topics as ellipses, stores
  /// as cylinders.
  std::string to_dot() const;

 private:
  friend class streams_builder;
  explicit topology(std::unique_ptr<const detail::graph> g);
  std::unique_ptr<const detail::graph> _graph;
};

}  // namespace sluice::dsl

namespace sluice {
using dsl::topology;
}  // namespace sluice
