#include "core/record.h"

#include <algorithm>

namespace sluice::core {

void headers::remove(std::string_view key) {
  std::erase_if(_items, [&](const header& h) { return h.key == key; });
}

const header* headers::last(std::string_view key) const noexcept {
  for (auto it = _items.rbegin(); it != _items.rend(); ++it) {
    if (it->key == key) return &*it;
  }
  return nullptr;
}

}  // namespace sluice::core
