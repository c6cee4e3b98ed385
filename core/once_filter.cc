#include "core/once_filter.h"

#include <functional>

namespace sluice::core {

std::size_t once_filter::hash::operator()(std::string_view s) const noexcept {
  return std::hash<std::string_view>{}(s);
}

bool once_filter::first(std::string_view key) {
  std::lock_guard lock(_mutex);
  if (_seen.find(key) != _seen.end() || _seen.size() >= _capacity) return false;
  _seen.emplace(key);
  return true;
}

}  // namespace sluice::core
