#include "runtime/detail/task_manager.h"

#include "runtime/detail/back_pressure.h"

#include "core/assert.h"
#include "core/log.h"
#include "runtime/errors.h"
#include "state/errc.h"

#include <fmt/format.h>

#include <algorithm>

namespace sluice::runtime::detail {
namespace {

const core::logger log("runtime.tasks");

}  // namespace

task_manager::task_manager(const topic_layout& layout, task_factory factory,
                           partition_control& partitions, close_hook before_close)
    : _layout(layout), _factory(std::move(factory)), _partitions(partitions),
      _before_close(std::move(before_close)) {}

task_manager::~task_manager() = default;

std::map<dsl::task_id, std::vector<core::topic_partition>> task_manager::group_by_task(
    const std::map<core::topic_partition, int64_t>& start) const {
  std::map<dsl::task_id, std::vector<core::topic_partition>> tasks;
  for (const auto& [tp, offset] : start) {
    auto readers = _layout.readers.find(tp.topic);
    if (readers == _layout.readers.end()) continue;
    for (int32_t sub : readers->second) tasks[{sub, tp.partition}].push_back(tp);
  }
  return tasks;
}

void task_manager::assign(const std::map<core::topic_partition, int64_t>& start) {
  auto wanted = group_by_task(start);
  // Suspended tasks: resume those that came back with the same partitions, close the rest.
  for (auto it = _tasks.begin(); it != _tasks.end();) {
    stream_task& t = *it->second;
    auto w = wanted.find(it->first);
    bool keep = false;
    if (w != wanted.end() && t.current_state() == stream_task::state::suspended &&
        w->second.size() == t.inputs().size()) {
      keep = std::all_of(w->second.begin(), w->second.end(),
                         [&](const auto& tp) { return t.input_index(tp).has_value(); });
    }
    if (keep) {
      t.resume();
      ++it;
    } else {
      close_task(t, t.current_state() == stream_task::state::suspended);
      it = _tasks.erase(it);
    }
  }
  for (auto& [id, inputs] : wanted) {
    if (!_tasks.contains(id)) _tasks.emplace(id, _factory(id, inputs));
  }
  forget_routing();
  for (auto& [id, t] : _tasks) {
    for (std::size_t i = 0; i < t->inputs().size(); ++i) {
      const auto& tp = t->inputs()[i].tp;
      t->assign(i, start.at(tp));
      _routes[tp].push_back({t.get(), i});
      if (t->current_state() != stream_task::state::running) pause(*t, i, true);
    }
  }
}

void task_manager::add(const std::map<core::topic_partition, int64_t>& start) {
  auto wanted = group_by_task(start);
  for (auto& [id, inputs] : wanted) {
    SLUICE_ASSERT(!_tasks.contains(id), "task_manager::add: the task exists");
    stream_task& t = *_tasks.emplace(id, _factory(id, inputs)).first->second;
    for (std::size_t i = 0; i < t.inputs().size(); ++i) {
      const auto& tp = t.inputs()[i].tp;
      t.assign(i, start.at(tp));
      _routes[tp].push_back({&t, i});
      pause(t, i, true);
    }
  }
  ++_routing_version;
}

void task_manager::remove(const std::set<dsl::task_id>& ids, bool committed) {
  for (const auto& id : ids) {
    auto it = _tasks.find(id);
    if (it == _tasks.end()) continue;
    stream_task& t = *it->second;
    close_task(t, committed && t.current_state() == stream_task::state::running);
    _tasks.erase(it);
  }
  // The routes of the others stay as they are (their queues and positions too).
  forget_routing();
  for (auto& [id, t] : _tasks) {
    for (std::size_t i = 0; i < t->inputs().size(); ++i) _routes[t->inputs()[i].tp].push_back({t.get(), i});
  }
}

void task_manager::revoke(bool committed) {
  for (auto it = _tasks.begin(); it != _tasks.end();) {
    stream_task& t = *it->second;
    if (t.current_state() == stream_task::state::running && committed) {
      t.suspend();
      ++it;
    } else {
      close_task(t, false);
      it = _tasks.erase(it);
    }
  }
  forget_routing();
}

void task_manager::close_all(bool clean) {
  for (auto& [id, t] : _tasks) {
    try {
      close_task(*t, clean && t->current_state() == stream_task::state::running);
    } catch (const std::exception& e) {
      log.error("closing task {} failed: {}", id.to_string(), e.what());
    }
  }
  _tasks.clear();
  forget_routing();
}

const std::vector<task_manager::input_ref>* task_manager::route(const core::topic_partition& tp) const {
  auto it = _routes.find(tp);
  return it == _routes.end() ? nullptr : &it->second;
}

int task_manager::deliver(const std::vector<input_ref>& refs, core::offset off, core::raw_record&& rec,
                          const back_pressure& pressure) {
  if (refs.size() == 1) {
    switch (refs[0].task->process_at_once(refs[0].index, off, std::move(rec))) {
      case stream_task::at_once::processed: return 1;
      case stream_task::at_once::skipped:
      case stream_task::at_once::duplicate: return 0;
      case stream_task::at_once::queue: break;
    }
  }
  for (std::size_t i = 0; i < refs.size(); ++i) {
    auto [task, index] = refs[i];
    if (i + 1 == refs.size()) {
      task->enqueue(index, off, std::move(rec));
    } else {
      task->enqueue(index, off, core::raw_record(rec));
    }
    pressure.after_enqueue(*this, *task, index);
  }
  return 0;
}

void task_manager::pause(stream_task& t, std::size_t index, bool paused) {
  if (_partitions.pause(t.inputs()[index].tp, paused)) t.set_paused(index, paused);
}

bool task_manager::open_created(const std::function<result<void>(stream_task&)>& start_restoring) {
  bool opened = false;
  for (auto& [id, t] : _tasks) {
    if (t->current_state() != stream_task::state::created) continue;
    if (auto ok = t->open(); !ok) {
      const auto& ec = ok.error();
      if (ec == state::errc::io_error || ec == state::errc::busy) {
        log.debug("task {}: stores not available yet ({}); retrying", id.to_string(), ec.message());
        continue;
      }
      throw streams_error(fmt::format("task {}: cannot open its state stores: {}", id.to_string(), ec.message()));
    }
    opened = true;
    if (t->has_state()) {
      if (auto ok = start_restoring(*t); !ok) {
        throw streams_error(fmt::format("task {}: cannot start restoring: {}", id.to_string(), ok.error().message()));
      }
    } else {
      t->start_running();
      for (std::size_t i = 0; i < t->inputs().size(); ++i) pause(*t, i, false);
    }
  }
  return opened;
}

std::vector<task_metadata> task_manager::describe(std::size_t& not_running) const {
  std::vector<task_metadata> out;
  not_running = 0;
  for (const auto& [id, t] : _tasks) {
    if (t->current_state() == stream_task::state::suspended) continue;
    task_metadata tm;
    tm.task_id = id.to_string();
    tm.state = std::string(to_string(t->current_state()));
    if (t->current_state() != stream_task::state::running) ++not_running;
    for (const auto& in : t->inputs()) tm.partitions.push_back(in.tp);
    out.push_back(std::move(tm));
  }
  return out;
}

int task_manager::process(int max_records, int per_turn, partition_group::clock::time_point now,
                          std::chrono::milliseconds max_idle) {
  int total = 0;
  bool progress = true;
  while (progress && total < max_records) {
    progress = false;
    for (auto& [id, t] : _tasks) {
      if (t->current_state() != stream_task::state::running) continue;
      const int n = t->process(per_turn, now, max_idle);
      if (n > 0) {
        progress = true;
        total += n;
      }
    }
  }
  return total;
}

bool task_manager::processable(partition_group::clock::time_point now, std::chrono::milliseconds max_idle) const {
  return std::any_of(_tasks.begin(), _tasks.end(),
                     [&](const auto& e) { return e.second->processable(now, max_idle); });
}

void task_manager::punctuate(core::timestamp now) {
  for (auto& [id, t] : _tasks) {
    if (t->current_state() == stream_task::state::running) t->punctuate(now);
  }
}

std::optional<bool> task_manager::commit(bool all, bool force, offset_committer& committer) {
  std::vector<stream_task*> tasks;
  for (auto& [id, t] : _tasks) {
    if (t->current_state() == stream_task::state::running && (all || t->commit_needed())) {
      tasks.push_back(t.get());
    }
  }
  if (tasks.empty() && !force) return std::nullopt;
  for (stream_task* t : tasks) {
    if (auto ok = t->flush(); !ok) {
      throw streams_error(fmt::format("task {}: flushing its stores failed: {}", t->id().to_string(),
                                      ok.error().message()));
    }
  }
  std::vector<std::pair<core::topic_partition, int64_t>> offsets;
  for (stream_task* t : tasks) {
    for (auto& o : t->committable_offsets()) offsets.push_back(std::move(o));
  }
  const bool committed = committer.commit_offsets(offsets);
  for (stream_task* t : tasks) {
    if (auto ok = t->checkpoint(committed); !ok) {
      throw streams_error(fmt::format("task {}: writing its checkpoint failed: {}", t->id().to_string(),
                                      ok.error().message()));
    }
  }
  return committed;
}

bool task_manager::all_running() const {
  return std::all_of(_tasks.begin(), _tasks.end(), [](const auto& e) {
    return e.second->current_state() == stream_task::state::running ||
           e.second->current_state() == stream_task::state::suspended;
  });
}

bool task_manager::any_created() const {
  return std::any_of(_tasks.begin(), _tasks.end(), [](const auto& e) {
    return e.second->current_state() == stream_task::state::created;
  });
}

std::size_t task_manager::buffered_bytes() const {
  std::size_t n = 0;
  for (const auto& [id, t] : _tasks) n += t->buffered_bytes();
  return n;
}

void task_manager::close_task(stream_task& t, bool clean) {
  if (_before_close) _before_close(t);
  t.close(clean);
}

void task_manager::forget_routing() {
  _routes.clear();
  ++_routing_version;
}

}  // namespace sluice::runtime::detail
