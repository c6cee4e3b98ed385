#include "dsl/detail/task.h"

#include "core/assert.h"
#include "dsl/errc.h"
#include "dsl/topology.h"
#include "dsl/topology_error.h"

#include <algorithm>

namespace sluice::dsl {

std::string task_id::to_string() const {
  return std::to_string(subtopology) + "_" + std::to_string(partition.value());
}

void task_metrics::record_drop(const std::string& node, drop_reason why) {
  const std::pair<std::string_view, drop_reason> key{node, why};
  auto it = _drops.find(key);
  if (it == _drops.end()) it = _drops.emplace(std::pair{node, why}, 0).first;
  ++it->second;
}

int64_t task_metrics::dropped(std::string_view node, drop_reason why) const {
  auto it = _drops.find(std::pair{node, why});
  return it == _drops.end() ? 0 : it->second;
}

int64_t task_metrics::dropped_total(drop_reason why) const {
  int64_t n = 0;
  for (const auto& [k, v] : _drops) {
    if (k.second == why) n += v;
  }
  return n;
}

int64_t task_metrics::dropped_total() const {
  int64_t n = 0;
  for (const auto& [k, v] : _drops) n += v;
  return n;
}

void task_metrics::merge(const task_metrics& other) {
  for (const auto& [k, v] : other._drops) _drops[k] += v;
}

void cancellable::cancel() {
  if (_ctx != nullptr) _ctx->_punctuators.at(_slot).cancelled = true;
}

task_context::task_context(task_id id, task_config config, record_collector& collector,
                           store_provider& stores,
                           std::map<std::string, const store_spec*, std::less<>> specs)
    : _id(id),
      _config(std::move(config)),
      _collector(collector),
      _stores(stores),
      _specs(std::move(specs)) {}

state::state_store& task_context::find_store(const processor_node& node, std::string_view name) {
  const auto names = node.store_names();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    throw processing_error(node.name(), "is not connected to state store '" + std::string(name) +
                                            "'; name the store when adding the processor");
  }
  auto it = _specs.find(name);
  SLUICE_ASSERT(it != _specs.end(), "a connected store is missing from its sub-topology");
  return _stores.store(*it->second);
}

void task_context::throw_wrong_store_kind(const processor_node& node, std::string_view name) {
  throw processing_error(node.name(),
                         "state store '" + std::string(name) + "' is not of the requested kind");
}

cancellable task_context::schedule(const processor_node& node, millis interval,
                                   punctuation_type type, std::function<void(timestamp)> callback) {
  SLUICE_ASSERT(interval.count() > 0, "a punctuation interval must be positive");
  punctuator p{&node, interval, type, std::nullopt, std::move(callback)};
  if (type == punctuation_type::wall_clock_time) {
    p.next = wall_clock_time() + interval;
  } else if (_seen_record) {
    p.next = _stream_time + interval;
  }
  _punctuators.push_back(std::move(p));
  return cancellable(this, _punctuators.size() - 1);
}

bool task_context::run_punctuators(punctuation_type type, timestamp now) {
  if (_punctuators.empty()) return false;
  bool ran = false;
  // By index: a punctuator may schedule another one.
  for (std::size_t i = 0; i < _punctuators.size(); ++i) {
    auto& p = _punctuators[i];
    if (p.cancelled || p.type != type) continue;
    if (!p.next) p.next = now;
    if (now < *p.next) continue;
    const auto behind = (now - *p.next) / p.interval;
    p.next = *p.next + p.interval * (behind + 1);
    _metadata.reset();
    _record_timestamp = now;
    auto callback = p.callback;  // the vector may grow while it runs
    callback(now);
    ran = true;
  }
  return ran;
}

std::string task_context::repartition_topic(std::string_view name) const {
  return topic_ref{std::string(name), true}.resolve(_config.application_id);
}

processor_task::processor_task(task_id id, task_config config, record_collector& collector,
                               store_provider& stores,
                               std::map<std::string, const store_spec*, std::less<>> specs)
    : _context(id, std::move(config), collector, stores, std::move(specs)) {}

processor_task::~processor_task() = default;

void processor_task::init() {
  SLUICE_ASSERT(!_initialized, "processor_task::init called twice");
  _initialized = true;
  for (auto& n : _nodes) n->init();
}

std::vector<std::string> processor_task::source_topics() const {
  std::vector<std::string> out;
  for (const auto& b : _by_topic) out.push_back(b.topic);
  std::sort(out.begin(), out.end());
  return out;
}

const source_binding* processor_task::find_source(std::string_view topic) const noexcept {
  for (const auto& b : _by_topic) {
    if (b.topic == topic) return &b;
  }
  return nullptr;
}

result<pending_record> processor_task::prepare(std::string_view topic, partition_id partition,
                                               offset off, core::raw_record rec) {
  const source_binding* b = find_source(topic);
  if (b == nullptr) return core::failure(make_error_code(errc::unknown_topic));
  return prepare(*b, partition, off, std::move(rec));
}

result<pending_record> processor_task::prepare(const source_binding& source, partition_id partition,
                                               offset off, core::raw_record&& rec) {
  // One result object on every path, so it is built in the caller's slot (no move).
  result<pending_record> out{std::in_place_type<pending_record>};
  pending_record& p = out.value();
  p.source = source.source;
  p.topic = source.topic;
  p.partition = partition;
  p.off = off;
  p.rec = std::move(rec);
  if (auto ok = p.source->prepare(p); !ok) [[unlikely]]
    out = std::move(ok).as_failure();
  return out;
}

result<void> processor_task::process(const source_binding& source, partition_id partition,
                                     offset off, core::raw_record&& rec) {
  pending_record p{.source = source.source,
                   .topic = source.topic,
                   .partition = partition,
                   .off = off,
                   .rec = std::move(rec)};
  SLUICE_TRY(p.source->prepare(p));
  return process(std::move(p));
}

result<void> processor_task::process(pending_record&& p) {
  SLUICE_ASSERT(_initialized && !_closed, "processor_task::process outside init()..close()");
  if (p.source == nullptr) return core::failure(make_error_code(errc::not_prepared));
  if (core::to_epoch_ms(p.rec.ts) < 0) {
    _context.record_drop(*p.source, drop_reason::invalid_timestamp);
    return core::success();
  }
  if (!_context._seen_record || p.rec.ts > _context._stream_time) _context._stream_time = p.rec.ts;
  _context._seen_record = true;
  _context._metadata = record_metadata{p.topic, p.partition, p.off};
  _context._record_timestamp = p.rec.ts;
  return p.source->deliver(p);
}

bool processor_task::punctuate_stream_time() {
  if (!_context._seen_record) return false;
  return _context.run_punctuators(punctuation_type::stream_time, _context._stream_time);
}

bool processor_task::punctuate_wall_clock(timestamp now) {
  return _context.run_punctuators(punctuation_type::wall_clock_time, now);
}

void processor_task::close() {
  if (_closed) return;
  _closed = true;
  for (auto& p : _context._punctuators) p.cancelled = true;
  if (!_initialized) return;
  for (auto& n : _nodes) n->close();
}

}  // namespace sluice::dsl
