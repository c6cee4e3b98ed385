#include "state/key_value_iterator.h"

namespace sluice::state {

result<void> key_value_iterator::status() const {
  if (!_source) return core::success();
  if (auto ec = _source->status()) return ec;
  return core::success();
}

result<std::vector<key_value>> key_value_iterator::collect() {
  std::vector<key_value> out;
  while (valid()) {
    const auto k = key();
    const auto v = value();
    out.push_back({bytes(k.begin(), k.end()), bytes(v.begin(), v.end())});
    next();
  }
  SLUICE_TRY(status());
  return out;
}

}  // namespace sluice::state
