#include "core/once_filter.h"

#include <functional>

namespace sluice::core {

bool once_filter::first(std::string_view key) {
  const std::size_t h = std::hash<std::string_view>{}(key);
  std::lock_guard lock(_mutex);
  if (_seen.size() >= _capacity) return false;
  return _seen.insert(h).second;
}

}  // namespace sluice::core
