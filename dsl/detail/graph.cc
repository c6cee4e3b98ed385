#include "dsl/detail/graph.h"

#include "dsl/topology_error.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace sluice::dsl::detail {
namespace {

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  // A separator byte, so ("ab","c") and ("a","bc") differ.
  h ^= 0xffU;
  h *= 0x100000001b3ULL;
  return h;
}

std::string hex8(uint64_t h) {
  static constexpr char digits[] = "0123456789abcdef";
  const auto folded = static_cast<uint32_t>(h ^ (h >> 32));
  std::string out(8, '0');
  for (int i = 7; i >= 0; --i)
    out[static_cast<std::size_t>(7 - i)] = digits[(folded >> (i * 4)) & 0xFU];
  return out;
}

struct union_find {
  explicit union_find(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(std::size_t a, std::size_t b) {
    a = find(a);
    b = find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
  std::vector<std::size_t> parent;
};

template <class T>
void push_unique(std::vector<T>& v, const T& x) {
  if (std::find(v.begin(), v.end(), x) == v.end()) v.push_back(x);
}

}  // namespace

std::string graph::auto_name(std::string_view prefix, std::span<const std::size_t> parents,
                             std::string_view extra) const {
  uint64_t h = 0xcbf29ce484222325ULL;
  h = fnv1a(h, prefix);
  for (std::size_t p : parents) h = fnv1a(h, _nodes.at(p).name);
  h = fnv1a(h, extra);
  std::string base = std::string(prefix) + "-" + hex8(h);
  std::string name = base;
  for (int n = 2; _index_by_name.contains(name); ++n) name = base + "-" + std::to_string(n);
  return name;
}

std::string graph::node_name(const std::optional<std::string>& user, std::string_view prefix,
                             std::span<const std::size_t> parents, std::string_view extra) const {
  if (!user) return auto_name(prefix, parents, extra);
  if (user->empty()) throw topology_error(std::string(prefix), "a name must not be empty");
  if (_index_by_name.contains(*user)) {
    throw topology_error(*user, "the name is already used by another operator");
  }
  return *user;
}

std::size_t graph::add_node(node_def def) {
  const std::size_t index = _nodes.size();
  if (!_index_by_name.emplace(def.name, index).second) {
    throw topology_error(def.name, "the name is already used by another operator");
  }
  for (std::size_t p : def.parents) _nodes.at(p).children.push_back(index);
  _nodes.push_back(std::move(def));
  return index;
}

std::size_t graph::add_source(std::string name, std::string op, std::vector<topic_ref> topics,
                              std::optional<dsl::offset_reset> reset, node_factory factory) {
  if (topics.empty()) throw topology_error(name, "a source needs at least one topic");
  for (const auto& t : topics) {
    if (t.name.empty()) throw topology_error(name, "a topic name must not be empty");
  }
  node_def def;
  def.name = std::move(name);
  def.type = node_type::source;
  def.op = std::move(op);
  def.topics = std::move(topics);
  def.reset = reset;
  def.factory = std::move(factory);
  return add_node(std::move(def));
}

std::size_t graph::add_processor(std::string name, std::string op, std::vector<std::size_t> parents,
                                 node_factory factory, std::vector<std::string> stores) {
  node_def def;
  def.name = std::move(name);
  def.type = node_type::processor;
  def.op = std::move(op);
  def.parents = std::move(parents);
  def.factory = std::move(factory);
  def.stores = std::move(stores);
  return add_node(std::move(def));
}

std::size_t graph::add_sink(std::string name, std::string op, std::size_t parent,
                            std::optional<topic_ref> topic, node_factory factory) {
  node_def def;
  def.name = std::move(name);
  def.type = node_type::sink;
  def.op = std::move(op);
  def.parents = {parent};
  def.factory = std::move(factory);
  if (topic) {
    if (topic->name.empty()) throw topology_error(def.name, "a topic name must not be empty");
    def.topics.push_back(std::move(*topic));
  } else {
    def.dynamic_sink = true;
  }
  return add_node(std::move(def));
}

void graph::connect_store(std::size_t node, const std::string& store) {
  push_unique(_nodes.at(node).stores, store);
}

void graph::add_store(store_spec spec, std::string_view op) {
  if (spec.name.empty()) throw topology_error(std::string(op), "a store name must not be empty");
  if (has_store(spec.name)) {
    throw topology_error(std::string(op), "a state store named '" + spec.name + "' already exists");
  }
  _stores.push_back(std::move(spec));
}

bool graph::has_store(std::string_view name) const {
  return std::any_of(_stores.begin(), _stores.end(),
                     [&](const store_spec& s) { return s.name == name; });
}

void graph::add_repartition_topic(repartition_topic_spec spec, std::string_view op) {
  if (spec.name.empty())
    throw topology_error(std::string(op), "a repartition topic name must not be empty");
  if (spec.partitions && *spec.partitions <= 0) {
    throw topology_error(std::string(op),
                         "repartition topic '" + spec.name + "' needs a positive partition count");
  }
  for (const auto& r : _repartition) {
    if (r.name == spec.name) {
      throw topology_error(std::string(op),
                           "a repartition topic named '" + spec.name + "' already exists");
    }
  }
  _repartition.push_back(std::move(spec));
}

void graph::require_copartition(std::vector<std::size_t> inputs, std::string op) {
  _copartition_requests.push_back({std::move(inputs), std::move(op)});
}

void graph::compile() {
  // Stores: every used one exists, every existing one is used.
  for (const auto& n : _nodes) {
    for (const auto& s : n.stores) {
      if (!has_store(s)) {
        throw topology_error(n.name,
                             "uses state store '" + s + "', which was never added to the topology");
      }
    }
  }
  for (const auto& s : _stores) {
    const bool used = std::any_of(_nodes.begin(), _nodes.end(), [&](const node_def& n) {
      return std::find(n.stores.begin(), n.stores.end(), s.name) != n.stores.end();
    });
    if (!used) throw topology_error(s.name, "state store is not connected to any processor");
  }
  if (_nodes.empty()) throw topology_error("topology", "the topology has no nodes");

  // Sub-topologies: connected components over edges and shared stores.
  union_find uf(_nodes.size());
  std::map<std::string, std::size_t, std::less<>> store_owner;
  for (std::size_t i = 0; i < _nodes.size(); ++i) {
    for (std::size_t p : _nodes[i].parents) uf.unite(i, p);
    for (const auto& s : _nodes[i].stores) {
      auto [it, inserted] = store_owner.emplace(s, i);
      if (!inserted) uf.unite(i, it->second);
    }
  }
  std::map<std::size_t, int32_t> component_id;
  for (std::size_t i = 0; i < _nodes.size(); ++i) {
    const std::size_t root = uf.find(i);
    auto [it, inserted] = component_id.emplace(root, static_cast<int32_t>(component_id.size()));
    if (inserted) _subtopologies.push_back(subtopology_spec{.id = it->second});
    auto& sub = _subtopologies[static_cast<std::size_t>(it->second)];
    node_def& n = _nodes[i];
    n.subtopology = it->second;
    sub.nodes.push_back(n.name);
    if (n.type == node_type::source) {
      for (const auto& t : n.topics) push_unique(sub.sources, t);
    } else if (n.type == node_type::sink) {
      if (n.dynamic_sink) sub.dynamic_sinks = true;
      for (const auto& t : n.topics) push_unique(sub.sinks, t);
    }
    for (const auto& s : n.stores) push_unique(sub.stores, s);
  }
  for (auto& s : _stores) s.subtopology = _nodes[store_owner.at(s.name)].subtopology;

  // A topic is read by at most one source node.
  std::map<topic_ref, std::string> reader;
  for (const auto& n : _nodes) {
    if (n.type != node_type::source) continue;
    for (const auto& t : n.topics) {
      auto [it, inserted] = reader.emplace(t, n.name);
      if (!inserted) {
        throw topology_error(n.name, "topic '" + t.name + "' is already read by source '" +
                                         it->second + "'; read it once and share the stream");
      }
    }
  }

  // Co-partitioning groups: the source topics upstream of each join's inputs.
  std::vector<std::pair<std::vector<topic_ref>, std::string>> groups;
  for (const auto& req : _copartition_requests) {
    std::vector<topic_ref> topics;
    std::vector<bool> seen(_nodes.size(), false);
    std::vector<std::size_t> stack = req.inputs;
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      if (seen[i]) continue;
      seen[i] = true;
      if (_nodes[i].type == node_type::source) {
        for (const auto& t : _nodes[i].topics) push_unique(topics, t);
      }
      for (std::size_t p : _nodes[i].parents) stack.push_back(p);
    }
    std::sort(topics.begin(), topics.end());
    groups.emplace_back(std::move(topics), req.op);
  }
  // Merge groups that share a topic.
  bool merged = true;
  while (merged) {
    merged = false;
    for (std::size_t a = 0; a < groups.size() && !merged; ++a) {
      for (std::size_t b = a + 1; b < groups.size() && !merged; ++b) {
        const auto& ga = groups[a].first;
        const auto& gb = groups[b].first;
        const bool overlap = std::any_of(ga.begin(), ga.end(), [&](const topic_ref& t) {
          return std::find(gb.begin(), gb.end(), t) != gb.end();
        });
        if (overlap) {
          for (const auto& t : gb) push_unique(groups[a].first, t);
          std::sort(groups[a].first.begin(), groups[a].first.end());
          groups[a].second += ", " + groups[b].second;
          groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(b));
          merged = true;
        }
      }
    }
  }
  // What can be checked now: repartition topics of one group with different fixed counts.
  for (const auto& [topics, op] : groups) {
    std::optional<std::pair<std::string, int32_t>> fixed;
    for (const auto& t : topics) {
      if (!t.internal) continue;
      for (const auto& r : _repartition) {
        if (r.name != t.name || !r.partitions) continue;
        if (fixed && fixed->second != *r.partitions) {
          throw topology_error(op, "join inputs cannot be co-partitioned: repartition topic '" +
                                       fixed->first + "' has " + std::to_string(fixed->second) +
                                       " partitions but '" + r.name + "' has " +
                                       std::to_string(*r.partitions));
        }
        fixed = std::pair{r.name, *r.partitions};
      }
    }
    if (topics.size() > 1) _copartition_groups.push_back(topics);
  }
}

}  // namespace sluice::dsl::detail
