#include "runtime/detail/partition_group.h"

#include "core/assert.h"

namespace sluice::runtime::detail {

std::size_t partition_group::footprint(const dsl::pending_record& r) noexcept {
  std::size_t n = sizeof(dsl::pending_record);
  if (r.rec.key) n += r.rec.key->size();
  if (r.rec.value) n += r.rec.value->size();
  for (const auto& h : r.rec.hdrs) n += sizeof(core::header) + h.key.size() + (h.value ? h.value->size() : 0);
  return n;
}

std::optional<std::size_t> partition_group::next(clock::time_point now,
                                                 std::chrono::milliseconds max_idle) {
  if (_total == 0) {
    _waiting_since.reset();
    return std::nullopt;
  }
  if (_queues.size() == 1) return 0;  // one partition: nothing to choose or wait for
  std::optional<std::size_t> best;
  bool all_buffered = true;
  for (std::size_t i = 0; i < _queues.size(); ++i) {
    if (_queues[i].empty()) {
      all_buffered = false;
      continue;
    }
    if (!best || _queues[i].front().rec.ts < _queues[*best].front().rec.ts) best = i;
  }
  if (all_buffered || max_idle.count() == 0) {
    _waiting_since.reset();
    return best;
  }
  if (!_waiting_since) _waiting_since = now;
  if (now - *_waiting_since >= max_idle) return best;
  return std::nullopt;
}

dsl::pending_record partition_group::pop(std::size_t index) {
  auto& q = _queues[index];
  SLUICE_ASSERT(!q.empty(), "partition_group::pop on an empty queue");
  _bytes -= footprint(q.front());
  dsl::pending_record r = std::move(q.front());
  q.pop_front();
  --_total;
  return r;
}

void partition_group::clear() {
  for (auto& q : _queues) q.clear();
  _total = 0;
  _bytes = 0;
  _waiting_since.reset();
}

}  // namespace sluice::runtime::detail
