#include "dsl/topology.h"

#include "core/assert.h"
#include "dsl/detail/graph.h"
#include "dsl/detail/task.h"
#include "dsl/topology_error.h"

#include <algorithm>
#include <sstream>

namespace sluice::dsl {

std::string store_spec::changelog_topic(std::string_view application_id) const {
  return std::string(application_id) + "-" + name + "-changelog";
}

std::string topic_ref::resolve(std::string_view application_id) const {
  if (!internal) return name;
  return std::string(application_id) + "-" + name + "-repartition";
}

topology::topology(std::unique_ptr<const detail::graph> g) : _graph(std::move(g)) {}
topology::topology(topology&&) noexcept = default;
topology& topology::operator=(topology&&) noexcept = default;
topology::~topology() = default;

std::span<const subtopology_spec> topology::subtopologies() const noexcept {
  return _graph->_subtopologies;
}
std::span<const store_spec> topology::stores() const noexcept {
  return _graph->_stores;
}
std::span<const repartition_topic_spec> topology::repartition_topics() const noexcept {
  return _graph->_repartition;
}
std::span<const std::vector<topic_ref>> topology::copartition_groups() const noexcept {
  return _graph->_copartition_groups;
}

const store_spec* topology::find_store(std::string_view name) const noexcept {
  for (const auto& s : _graph->_stores) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::map<std::string, std::optional<offset_reset>> topology::source_topics() const {
  std::map<std::string, std::optional<offset_reset>> out;
  for (const auto& n : _graph->_nodes) {
    if (n.type != detail::node_type::source) continue;
    for (const auto& t : n.topics) {
      if (!t.internal) out.emplace(t.name, n.reset);
    }
  }
  return out;
}

std::map<topic_ref, int32_t> topology::resolve_partitions(
    const std::function<std::optional<int32_t>(std::string_view topic)>& external) const {
  std::map<topic_ref, int32_t> counts;
  // External topics: sources must exist; sinks are looked up when they do.
  for (const auto& sub : _graph->_subtopologies) {
    for (const auto& t : sub.sources) {
      if (t.internal) continue;
      const auto n = external(t.name);
      if (!n || *n <= 0) throw topology_error(t.name, "source topic does not exist");
      counts[t] = *n;
    }
    for (const auto& t : sub.sinks) {
      if (t.internal) continue;
      if (const auto n = external(t.name); n && *n > 0) counts[t] = *n;
    }
  }
  std::map<std::string, std::optional<int32_t>> fixed;
  for (const auto& r : _graph->_repartition) fixed[r.name] = r.partitions;

  // Repartition topics: fixed, or the largest source count of their writers. Iterate to a fixed
  // point, since a writer may itself read a repartition topic.
  for (std::size_t round = 0; round <= _graph->_repartition.size() + 1; ++round) {
    bool changed = false;
    for (const auto& r : _graph->_repartition) {
      const topic_ref ref{r.name, true};
      if (r.partitions) {
        if (counts[ref] != *r.partitions) changed = true;
        counts[ref] = *r.partitions;
        continue;
      }
      int32_t best = 0;
      for (const auto& sub : _graph->_subtopologies) {
        if (std::find(sub.sinks.begin(), sub.sinks.end(), ref) == sub.sinks.end()) continue;
        for (const auto& s : sub.sources) {
          if (auto it = counts.find(s); it != counts.end()) best = std::max(best, it->second);
        }
      }
      if (best > 0 && counts[ref] < best) {
        counts[ref] = best;
        changed = true;
      }
    }
    // Co-partitioning: external and fixed counts of a group must agree; free repartition
    // topics follow them (or the group's largest count).
    for (const auto& group : _graph->_copartition_groups) {
      std::optional<std::pair<std::string, int32_t>> anchor;
      int32_t largest = 0;
      for (const auto& t : group) {
        const bool pinned = !t.internal || fixed[t.name].has_value();
        const int32_t n = counts.count(t) != 0 ? counts[t] : 0;
        largest = std::max(largest, n);
        if (!pinned) continue;
        if (anchor && anchor->second != n) {
          throw topology_error(anchor->first,
                               "topics are not co-partitioned: '" + anchor->first + "' has " +
                                   std::to_string(anchor->second) + " partitions but '" + t.name +
                                   "' has " + std::to_string(n) +
                                   " (they are joined, so their partition counts must match)");
        }
        anchor = std::pair{t.name, n};
      }
      const int32_t target = anchor ? anchor->second : largest;
      for (const auto& t : group) {
        if (t.internal && !fixed[t.name] && counts[t] != target) {
          counts[t] = target;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  for (const auto& r : _graph->_repartition) {
    if (counts[topic_ref{r.name, true}] <= 0) {
      throw topology_error(r.name, "cannot determine the partition count of repartition topic");
    }
  }
  return counts;
}

int32_t topology::task_count(int32_t subtopology,
                             const std::map<topic_ref, int32_t>& partitions) const {
  int32_t n = 0;
  for (const auto& t : _graph->_subtopologies.at(static_cast<std::size_t>(subtopology)).sources) {
    if (auto it = partitions.find(t); it != partitions.end()) n = std::max(n, it->second);
  }
  return n;
}

std::unique_ptr<processor_task> topology::create_task(task_id id, task_config config,
                                                      store_provider& stores,
                                                      record_collector& collector) const {
  const auto& g = *_graph;
  SLUICE_ASSERT(
      id.subtopology >= 0 && static_cast<std::size_t>(id.subtopology) < g._subtopologies.size(),
      "create_task: no such sub-topology");
  std::map<std::string, const store_spec*, std::less<>> specs;
  for (const auto& s : g._stores) {
    if (s.subtopology == id.subtopology) specs.emplace(s.name, &s);
  }
  const std::string app_id = config.application_id;
  std::unique_ptr<processor_task> task(
      new processor_task(id, std::move(config), collector, stores, std::move(specs)));
  std::map<std::size_t, processor_node*> made;
  for (std::size_t i = 0; i < g._nodes.size(); ++i) {
    const auto& def = g._nodes[i];
    if (def.subtopology != id.subtopology) continue;
    std::vector<std::string> topics;
    for (const auto& t : def.topics) topics.push_back(t.resolve(app_id));
    std::unique_ptr<processor_node> node = def.factory(topics);
    node->_name = def.name;
    node->_stores = def.stores;
    node->_context = &task->_context;
    made[i] = node.get();
    if (def.type == detail::node_type::source) {
      auto* src = static_cast<source_node*>(node.get());
      task->_sources.push_back(src);
      for (const auto& t : src->topics()) task->_by_topic.push_back({t, src});
    }
    task->_nodes.push_back(std::move(node));
  }
  for (const auto& [i, node] : made) {
    for (std::size_t c : g._nodes[i].children) node->_children.push_back(made.at(c));
  }
  return task;
}

namespace {

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

std::string topic_label(const topic_ref& t) {
  return t.internal ? t.name + "-repartition" : t.name;
}

std::string dot_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

/// Text for a Graphviz HTML-like label.
std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// A two-line HTML-like label: what the node does, in bold, over its name in small grey type.
std::string dot_label(std::string_view what, std::string_view name) {
  return "<<b>" + html_escape(what) + "</b><br/><font point-size=\"9\" color=\"#555555\">" +
         html_escape(name) + "</font>>";
}

const char* store_kind_label(store_kind k) {
  switch (k) {
    case store_kind::key_value:
      return "key-value store";
    case store_kind::window:
      return "window store";
    case store_kind::session:
      return "session store";
  }
  return "store";
}

}  // namespace

std::string topology::describe() const {
  const auto& g = *_graph;
  std::ostringstream out;
  out << "Topologies:\n";
  for (const auto& sub : g._subtopologies) {
    out << "   Sub-topology: " << sub.id << "\n";
    for (std::size_t i = 0; i < g._nodes.size(); ++i) {
      const auto& n = g._nodes[i];
      if (n.subtopology != sub.id) continue;
      std::vector<std::string> topics;
      for (const auto& t : n.topics) topics.push_back(topic_label(t));
      switch (n.type) {
        case detail::node_type::source:
          out << "    Source: " << n.name << " (topics: [" << join_names(topics) << "])\n";
          break;
        case detail::node_type::processor:
          out << "    Processor: " << n.name << " (" << n.op << ", stores: ["
              << join_names(n.stores) << "])\n";
          break;
        case detail::node_type::sink:
          out << "    Sink: " << n.name << " (topic: "
              << (n.dynamic_sink ? std::string("<extracted per record>") : topics.front()) << ")\n";
          break;
      }
      std::vector<std::string> children;
      for (std::size_t c : n.children) children.push_back(g._nodes[c].name);
      std::vector<std::string> parents;
      for (std::size_t p : n.parents) parents.push_back(g._nodes[p].name);
      // Sinks have no successors and, as in Kafka Streams, print no "-->" line.
      if (n.type != detail::node_type::sink) {
        out << "      --> " << (children.empty() ? std::string("none") : join_names(children))
            << "\n";
      }
      if (!parents.empty()) out << "      <-- " << join_names(parents) << "\n";
    }
    out << "\n";
  }
  return out.str();
}

std::string topology::to_dot() const {
  // Layout: records flow top to bottom; each sub-topology is a cluster; topics (ellipses,
  // repartition topics dashed) sit between the clusters that write and read them; stores are
  // cylinders inside their sub-topology, joined to their processors by dashed lines.
  const auto& g = *_graph;
  std::ostringstream out;
  out << "digraph topology {\n"
         "  rankdir=TB;\n"
         "  nodesep=0.35;\n"
         "  ranksep=0.45;\n"
         "  fontname=\"Helvetica\";\n"
         "  node [fontname=\"Helvetica\", fontsize=11, margin=\"0.15,0.06\"];\n"
         "  edge [color=\"#444444\", arrowsize=0.7];\n";
  for (const auto& sub : g._subtopologies) {
    out << "  subgraph cluster_" << sub.id << " {\n"
        << "    label=" << dot_quote("Sub-topology " + std::to_string(sub.id)) << ";\n"
        << "    labeljust=l;\n    fontsize=12;\n    style=\"rounded,filled\";\n"
        << "    color=\"#888888\";\n    fillcolor=\"#f7f7f7\";\n";
    for (const auto& n : g._nodes) {
      if (n.subtopology != sub.id) continue;
      std::string what;
      const char* style = "shape=box, style=\"rounded,filled\", fillcolor=white";
      switch (n.type) {
        case detail::node_type::source:
          what = "source";
          style = "shape=box, style=\"rounded,filled\", fillcolor=\"#dbe9f6\"";
          break;
        case detail::node_type::processor:
          what = n.op;
          break;
        case detail::node_type::sink:
          what = "sink";
          style = "shape=box, style=\"rounded,filled\", fillcolor=\"#dbe9f6\"";
          break;
      }
      out << "    " << dot_quote(n.name) << " [" << style << ", label=" << dot_label(what, n.name)
          << "];\n";
    }
    for (const auto& name : sub.stores) {
      const store_spec* spec = find_store(name);
      out << "    " << dot_quote("store:" + name)
          << " [shape=cylinder, style=filled, fillcolor=\"#fff2cc\", label="
          << dot_label(name, spec != nullptr ? store_kind_label(spec->kind) : "store") << "];\n";
      // Beside the first processor that uses it.
      for (const auto& n : g._nodes) {
        if (n.subtopology != sub.id ||
            std::find(n.stores.begin(), n.stores.end(), name) == n.stores.end())
          continue;
        out << "    { rank=same; " << dot_quote(n.name) << "; " << dot_quote("store:" + name)
            << "; }\n";
        break;
      }
    }
    out << "  }\n";
  }
  std::vector<topic_ref> topics;
  for (const auto& n : g._nodes) {
    for (const auto& t : n.topics) {
      if (std::find(topics.begin(), topics.end(), t) != topics.end()) continue;
      topics.push_back(t);
      out << "  " << dot_quote("topic:" + topic_label(t)) << " [shape=ellipse, "
          << (t.internal ? "style=\"dashed,filled\", fillcolor=white, label=" +
                               dot_label(topic_label(t), "repartition topic")
                         : "style=filled, fillcolor=\"#e2f0d9\", label=" +
                               dot_label(topic_label(t), "topic"))
          << "];\n";
    }
  }
  for (const auto& n : g._nodes) {
    for (std::size_t c : n.children)
      out << "  " << dot_quote(n.name) << " -> " << dot_quote(g._nodes[c].name) << ";\n";
    for (const auto& t : n.topics) {
      const std::string tid = dot_quote("topic:" + topic_label(t));
      if (n.type == detail::node_type::source) {
        out << "  " << tid << " -> " << dot_quote(n.name) << ";\n";
      } else {
        out << "  " << dot_quote(n.name) << " -> " << tid << ";\n";
      }
    }
    for (const auto& s : n.stores) {
      out << "  " << dot_quote(n.name) << " -> " << dot_quote("store:" + s)
          << " [dir=none, style=dashed, color=\"#b7950b\", constraint=false];\n";
    }
  }
  out << "}\n";
  return out.str();
}

}  // namespace sluice::dsl
