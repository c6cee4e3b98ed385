#include "runtime/detail/back_pressure.h"

#include <algorithm>

namespace sluice::runtime::detail {

void back_pressure::after_enqueue(task_manager& tasks, stream_task& t, std::size_t index) const {
  if (_per_partition <= 0 || t.inputs()[index].paused) return;
  if (t.buffered(index) >= static_cast<std::size_t>(_per_partition)) tasks.pause(t, index, true);
}

void back_pressure::limit(task_manager& tasks) const {
  if (tasks.buffered_bytes() <= _thread_limit) return;
  for (auto& [id, t] : tasks.tasks()) {
    for (std::size_t i = 0; i < t->inputs().size(); ++i) {
      if (!t->inputs()[i].paused && t->buffered(i) > 0) tasks.pause(*t, i, true);
    }
  }
}

void back_pressure::resume_drained(task_manager& tasks) const {
  const std::size_t bytes = tasks.buffered_bytes();
  const auto low_water = static_cast<std::size_t>(std::max(1, _per_partition / 2));
  for (auto& [id, t] : tasks.tasks()) {
    if (t->current_state() != stream_task::state::running) continue;
    for (std::size_t i = 0; i < t->inputs().size(); ++i) {
      if (!t->inputs()[i].paused) continue;
      const std::size_t n = t->buffered(i);
      if (n == 0 || (bytes <= _thread_limit / 2 && (_per_partition == 0 || n < low_water))) {
        tasks.pause(*t, i, false);
      }
    }
  }
}

}  // namespace sluice::runtime::detail
