#pragma once
/// The logical graph the builder records and the topology compiles. Internal to the dsl module
/// (the typed DSL headers add nodes through it); not for users or the runtime.
///
/// The graph is append-only: a node is added after its parents, so index order is a
/// topological order. `compile()` splits it into sub-topologies, checks it, and freezes it.

#include "dsl/parameters.h"
#include "dsl/detail/processor_node.h"
#include "dsl/topology.h"

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::dsl::detail {

/// Makes a node for one task. `topics` are the node's resolved topic names: a source's topics,
/// a sink's topic (empty for a dynamic sink).
using node_factory =
    std::function<std::unique_ptr<processor_node>(std::span<const std::string> topics)>;

enum class node_type { source, processor, sink };

struct node_def {
  std::string name;
  node_type type = node_type::processor;
  /// What the operator is ("filter", "aggregate", ...), for describe().
  std::string op;
  std::vector<std::size_t> parents;
  std::vector<std::size_t> children;
  std::vector<std::string> stores;
  node_factory factory;
  /// Source: the topics read; sink: the one topic written (none if dynamic).
  std::vector<topic_ref> topics;
  bool dynamic_sink = false;
  std::optional<dsl::offset_reset> reset;
  int32_t subtopology = -1;
};

class graph {
 public:
  graph() = default;
  graph(const graph&) = delete;
  graph& operator=(const graph&) = delete;

  /// A stable automatic name: `<prefix>-<8 hex digits>`, the digits a hash of the prefix, the
  /// parents' names and `extra` (what distinguishes the operator: topic, window, ...). If that
  /// name is taken (identical siblings), "-2", "-3"... is appended.
  std::string auto_name(std::string_view prefix, std::span<const std::size_t> parents,
                        std::string_view extra = {}) const;
  /// `user` if given (throws topology_error if a node already has it), else auto_name().
  std::string node_name(const std::optional<std::string>& user, std::string_view prefix,
                        std::span<const std::size_t> parents, std::string_view extra = {}) const;

  std::size_t add_source(std::string name, std::string op, std::vector<topic_ref> topics,
                         std::optional<dsl::offset_reset> reset, node_factory factory);
  std::size_t add_processor(std::string name, std::string op, std::vector<std::size_t> parents,
                            node_factory factory, std::vector<std::string> stores = {});
  std::size_t add_sink(std::string name, std::string op, std::size_t parent,
                       std::optional<topic_ref> topic, node_factory factory);
  /// Connects an existing store to an existing node.
  void connect_store(std::size_t node, const std::string& store);

  /// Throws topology_error naming `op` if a store of that name exists.
  void add_store(store_spec spec, std::string_view op);
  bool has_store(std::string_view name) const;
  /// Throws topology_error naming `op` if a repartition topic of that name exists.
  void add_repartition_topic(repartition_topic_spec spec, std::string_view op);
  /// The sources upstream of `inputs` must be co-partitioned (a join named `op`).
  void require_copartition(std::vector<std::size_t> inputs, std::string op);

  const node_def& node(std::size_t i) const { return _nodes.at(i); }
  std::size_t size() const noexcept { return _nodes.size(); }

  /// Splits into sub-topologies and validates: every store connected and existing, every
  /// co-partition group satisfiable as far as can be known without the broker. Throws
  /// topology_error. REQUIRES: called once.
  void compile();

  // Compiled view (valid after compile()).
  std::vector<node_def> _nodes;
  std::vector<store_spec> _stores;
  std::vector<repartition_topic_spec> _repartition;
  std::vector<subtopology_spec> _subtopologies;
  std::vector<std::vector<topic_ref>> _copartition_groups;

 private:
  std::size_t add_node(node_def def);
  struct copartition_request {
    std::vector<std::size_t> inputs;
    std::string op;
  };
  std::vector<copartition_request> _copartition_requests;
  std::map<std::string, std::size_t, std::less<>> _index_by_name;
};

}  // namespace sluice::dsl::detail
