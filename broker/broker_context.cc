#include "broker/broker_context.h"

namespace sluice::broker {

void fetch_waiters::add(const core::topic_partition& tp, std::shared_ptr<waiter> w) {
  std::lock_guard lock(_mutex);
  auto& list = _waiters[tp];
  std::erase_if(list, [](const std::weak_ptr<waiter>& x) { return x.expired(); });
  list.push_back(std::move(w));
}

void fetch_waiters::notify(const core::topic_partition& tp) {
  std::vector<std::weak_ptr<waiter>> woken;
  {
    std::lock_guard lock(_mutex);
    auto it = _waiters.find(tp);
    if (it == _waiters.end()) return;
    woken.swap(it->second);
    _waiters.erase(it);
  }
  for (auto& w : woken) {
    if (auto fn = w.lock()) (*fn)();
  }
}

}  // namespace sluice::broker
