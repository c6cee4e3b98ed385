#include "runtime/detail/stream_task.h"

#include "core/assert.h"
#include "core/log.h"
#include "runtime/errors.h"

#include <fmt/format.h>

namespace sluice::runtime::detail {
namespace {

const core::logger log("runtime.task");

/// The store provider of a task without stores: the topology never asks it.
class no_stores final : public dsl::store_provider {
 public:
  state::state_store& store(const dsl::store_spec& spec) override {
    throw streams_error("stateless task asked for store '" + spec.name + "'");
  }
};
no_stores empty_provider;

}  // namespace

std::string_view to_string(stream_task::state s) noexcept {
  switch (s) {
    case stream_task::state::created: return "created";
    case stream_task::state::restoring: return "restoring";
    case stream_task::state::running: return "running";
    case stream_task::state::suspended: return "suspended";
    case stream_task::state::closed: return "closed";
  }
  return "unknown";
}

stream_task::stream_task(const dsl::topology& topology, dsl::task_id id,
                         std::vector<core::topic_partition> inputs, std::string application_id,
                         task_stores::resources stores, kafka_record_collector& collector,
                         deserialization_error_sink& errors)
    : _id(id),
      _queues(inputs.size()),
      _errors(errors),
      _keep_raw(errors.keeps_raw_records()),
      _raw(inputs.size()) {
  std::vector<const dsl::store_spec*> specs;
  for (const auto& spec : topology.stores()) {
    if (spec.subtopology == id.subtopology) specs.push_back(&spec);
  }
  if (!specs.empty()) {
    _stores = std::make_unique<task_stores>(id, std::move(specs), std::move(stores));
  }
  _task = topology.create_task(
      id, {.application_id = std::move(application_id)},
      _stores ? static_cast<dsl::store_provider&>(*_stores) : empty_provider, collector);
  for (auto& tp : inputs) {
    input in;
    in.binding = _task->find_source(tp.topic);
    SLUICE_ASSERT(in.binding != nullptr, "a task was given a partition of a topic it does not read");
    in.tp = std::move(tp);
    _inputs.push_back(std::move(in));
  }
}

stream_task::~stream_task() {
  if (_state != state::closed) close(false);
}

std::optional<std::size_t> stream_task::input_index(const core::topic_partition& tp) const {
  for (std::size_t i = 0; i < _inputs.size(); ++i) {
    if (_inputs[i].tp == tp) return i;
  }
  return std::nullopt;
}

void stream_task::assign(std::size_t index, int64_t start_offset) {
  input& in = _inputs[index];
  in.next_expected = start_offset >= 0 ? start_offset : -1;
  if (start_offset >= 0) in.committed_next = start_offset;
  in.paused = false;
}

result<void> stream_task::open() {
  SLUICE_ASSERT(_state == state::created, "stream_task::open twice");
  if (_stores) SLUICE_TRY(_stores->open());
  _state = state::restoring;
  return core::success();
}

void stream_task::start_running() {
  SLUICE_ASSERT(_state == state::restoring, "stream_task::start_running outside restoring");
  if (_stores && _stores->exactly_once()) {
    // From here on the task's writes wait in pending batches for the transaction to commit.
    if (auto ok = _stores->begin_batches(); !ok) {
      throw streams_error(fmt::format("task {}: cannot begin a batch in its stores: {}",
                                      _id.to_string(), ok.error().message()));
    }
  }
  _task->init();
  _state = state::running;
}

template <class Admitted>
stream_task::at_once stream_task::admit(std::size_t index, core::offset off, core::raw_record&& rec,
                                        Admitted&& admitted) {
  input& in = _inputs[index];
  if (off.value() < in.next_expected) return at_once::duplicate;  // fetched twice (pause/resume)
  in.next_expected = off.value() + 1;
  std::optional<core::raw_record> raw;
  if (_keep_raw) raw = rec;
  auto prepared = _task->prepare(*in.binding, in.tp.partition, off, std::move(rec));
  if (!prepared) {
    _errors.on_deserialization_error(in.tp, off, raw ? &*raw : nullptr, prepared.error());
    // Skipped: it counts as processed once the records queued before it are.
    in.skipped_next = off.value() + 1;
    if (_queues.size(index) == 0) {
      in.processed_next = in.skipped_next;
      _commit_needed = true;
    }
    return at_once::skipped;
  }
  admitted(std::move(prepared).value(), std::move(raw));
  return at_once::processed;
}

void stream_task::enqueue(std::size_t index, core::offset off, core::raw_record&& rec) {
  admit(index, off, std::move(rec), [&](dsl::pending_record&& p, std::optional<core::raw_record>&& raw) {
    if (raw) _raw[index].emplace_back(off.value(), std::move(*raw));
    _queues.push(index, std::move(p));
  });
}

stream_task::at_once stream_task::process_at_once(std::size_t index, core::offset off, core::raw_record&& rec) {
  if (_state != state::running || _inputs.size() != 1 || !_queues.empty()) return at_once::queue;
  return admit(index, off, std::move(rec), [&](dsl::pending_record&& p, std::optional<core::raw_record>&& raw) {
    input& in = _inputs[index];
    _commit_needed = true;
    auto ok = _task->process(std::move(p));
    if (!ok) _errors.on_deserialization_error(in.tp, off, raw ? &*raw : nullptr, ok.error());
    in.processed_next = off.value() + 1;
    _task->punctuate_stream_time();
  });
}

bool stream_task::processable(partition_group::clock::time_point now,
                              std::chrono::milliseconds max_idle) {
  return _state == state::running && _queues.next(now, max_idle).has_value();
}

int stream_task::process(int max_records, partition_group::clock::time_point now,
                         std::chrono::milliseconds max_idle) {
  SLUICE_ASSERT(_state == state::running, "stream_task::process outside running");
  int done = 0;
  while (done < max_records) {
    const auto index = _queues.next(now, max_idle);
    if (!index) break;
    dsl::pending_record p = _queues.pop(*index);
    input& in = _inputs[*index];
    const int64_t off = p.off.value();
    std::optional<core::raw_record> raw;
    auto& raws = _raw[*index];
    while (!raws.empty() && raws.front().first < off) raws.pop_front();
    if (!raws.empty() && raws.front().first == off) {
      raw = std::move(raws.front().second);
      raws.pop_front();
    }
    auto ok = _task->process(std::move(p));
    if (!ok) _errors.on_deserialization_error(in.tp, core::offset{off}, raw ? &*raw : nullptr, ok.error());
    in.processed_next = off + 1;
    if (_queues.size(*index) == 0 && in.skipped_next > in.processed_next) {
      in.processed_next = in.skipped_next;
    }
    _task->punctuate_stream_time();
    ++done;
  }
  if (done > 0) _commit_needed = true;
  return done;
}

void stream_task::punctuate(core::timestamp now) {
  if (_task->punctuate_wall_clock(now)) _commit_needed = true;
}

result<void> stream_task::flush() {
  if (_stores) return _stores->flush();
  return core::success();
}

std::vector<std::pair<core::topic_partition, int64_t>> stream_task::committable_offsets() const {
  std::vector<std::pair<core::topic_partition, int64_t>> out;
  for (const auto& in : _inputs) {
    if (in.processed_next >= 0 && in.processed_next != in.committed_next) {
      out.emplace_back(in.tp, in.processed_next);
    }
  }
  return out;
}

result<void> stream_task::checkpoint(bool offsets_committed) {
  if (offsets_committed) {
    for (auto& in : _inputs) {
      if (in.processed_next >= 0) in.committed_next = in.processed_next;
    }
    _commit_needed = false;
  }
  if (_stores && _stores->is_open()) return _stores->checkpoint();
  return core::success();
}

void stream_task::suspend() {
  SLUICE_ASSERT(_state == state::running, "stream_task::suspend outside running");
  _queues.clear();
  for (auto& r : _raw) r.clear();
  for (auto& in : _inputs) {
    in.binding = nullptr;
    in.next_expected = -1;
    in.paused = false;
  }
  _state = state::suspended;
}

void stream_task::resume() {
  SLUICE_ASSERT(_state == state::suspended, "stream_task::resume outside suspended");
  for (auto& in : _inputs) {
    in.binding = _task->find_source(in.tp.topic);
    in.processed_next = in.committed_next;
  }
  _state = state::running;
}

void stream_task::close(bool clean) {
  if (_state == state::closed) return;
  const bool initialized = _state == state::running || _state == state::suspended;
  if (initialized) {
    try {
      _task->close();
    } catch (const std::exception& e) {
      log.warn("task {}: closing its processors threw: {}", _id.to_string(), e.what());
      clean = false;
    }
  }
  if (_stores) _stores->close(clean && initialized);
  _queues.clear();
  _state = state::closed;
}

}  // namespace sluice::runtime::detail
