#pragma once
/// `group_registry`: every consumer group the coordinator knows, by id. The map has its own
/// mutex; each group has another (group.h). Lock order: never take the registry's mutex while
/// holding a group's for longer than a map operation (`forget` is such an operation).
///
/// Threads: every method may be called from any thread.

#include "broker/group/group.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace sluice::broker::group {

class group_registry {
 public:
  std::shared_ptr<group> find(const std::string& id) {
    std::lock_guard lock(_mutex);
    auto it = _groups.find(id);
    return it == _groups.end() ? nullptr : it->second;
  }
  std::shared_ptr<group> get_or_create(const std::string& id) {
    std::lock_guard lock(_mutex);
    auto& g = _groups[id];
    if (!g) g = std::make_shared<group>(id);
    return g;
  }
  /// Removes `g` if it is still the group registered under its id.
  void forget(const std::shared_ptr<group>& g) {
    std::lock_guard lock(_mutex);
    auto it = _groups.find(g->id());
    if (it != _groups.end() && it->second == g) _groups.erase(it);
  }
  /// A snapshot of every registered group (each still to be locked by the caller).
  std::vector<std::shared_ptr<group>> all() {
    std::lock_guard lock(_mutex);
    std::vector<std::shared_ptr<group>> out;
    out.reserve(_groups.size());
    for (const auto& [id, g] : _groups) out.push_back(g);
    return out;
  }
  size_t size() {
    std::lock_guard lock(_mutex);
    return _groups.size();
  }

 private:
  std::mutex _mutex;
  std::unordered_map<std::string, std::shared_ptr<group>> _groups;
};

}  // namespace sluice::broker::group
