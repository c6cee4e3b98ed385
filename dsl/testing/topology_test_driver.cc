#include "dsl/testing/topology_test_driver.h"

#include "core/murmur2.h"
#include "core/temp_dir.h"
#include "dsl/detail/store_builder.h"
#include "dsl/topology_error.h"
#include "state/rocksdb_resources.h"
#include "state/stores.h"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <set>
#include <system_error>

namespace sluice::dsl {

namespace detail {
void throw_store_failure(std::string_view what, const std::error_code& ec) {
  throw std::runtime_error("test driver store " + std::string(what) + " failed: " + ec.message());
}
}  // namespace detail

namespace {

template <class T>
T value_or_throw(result<T> r, const std::string& what) {
  if (!r) throw std::runtime_error(what + ": " + r.error().message());
  return std::move(r).value();
}

/// The stores of one task, created up front.
class driver_stores final : public store_provider {
 public:
  state::state_store& store(const store_spec& spec) override {
    auto it = stores.find(spec.name);
    if (it == stores.end())
      throw std::logic_error("test driver: no store '" + spec.name + "' in this task");
    return *it->second;
  }
  std::map<std::string, std::unique_ptr<state::state_store>, std::less<>> stores;
};

}  // namespace

struct topology_test_driver::impl final : record_collector {
  struct task_entry {
    std::unique_ptr<processor_task> task;
    driver_stores stores;
    bool processed = false;
  };
  /// The task reading one partition of a topic, and its source for that topic.
  struct route {
    task_entry* entry = nullptr;
    const source_binding* source = nullptr;
  };
  /// Everything the driver knows about one topic (by full name). Map nodes are stable, so
  /// pointers to them are kept in the queue and in the lookup caches.
  struct topic_state {
    std::string name;
    int32_t partitions = 1;
    std::optional<int32_t> reader;  // the sub-topology reading it
    bool internal = false;
    std::vector<int64_t> next_offset;
    int32_t round_robin = 0;
    driver_output* output = nullptr;  // external topics only
    std::vector<route> routes;        // per partition, if the topology reads it
  };
  struct queued {
    topic_state* topic;
    partition_id partition;
    core::raw_record rec;
  };

  driver_config config;
  std::filesystem::path state_dir;
  std::optional<core::temp_dir> own_state_dir;  // made for persistent stores, removed at the end
  std::unique_ptr<state::rocksdb_resources> rocksdb;
  std::map<std::string, topic_state, std::less<>> topics;
  std::map<task_id, std::unique_ptr<task_entry>> tasks;
  std::deque<queued> queue;
  topology_test_driver* owner = nullptr;
  // One-entry caches of topic lookups by name: piped and produced records mostly go to the
  // same topic as the one before.
  topic_state* last_piped = nullptr;
  topic_state* last_sent = nullptr;

  topic_state& topic(std::string_view name) {
    auto it = topics.find(name);
    if (it == topics.end()) {
      it = topics.emplace(std::string(name), topic_state{}).first;
      it->second.name = it->first;
      it->second.partitions = config.default_partitions;
    }
    auto& t = it->second;
    if (t.next_offset.empty()) t.next_offset.assign(static_cast<std::size_t>(t.partitions), 0);
    if (!t.internal && t.output == nullptr) t.output = &owner->_outputs[t.name];
    return t;
  }

  int32_t count_of(std::string_view name) const {
    auto it = topics.find(name);
    return it == topics.end() ? config.default_partitions : it->second.partitions;
  }

  std::optional<int32_t> partition_count(std::string_view name) override { return count_of(name); }

  static partition_id pick_partition(topic_state& t, const std::optional<bytes>& key) {
    if (t.partitions == 1) return partition_id{0};  // what either rule below gives
    if (key) return partition_id{core::partition_for_key(*key, t.partitions)};
    const int32_t p = t.round_robin;
    t.round_robin = (t.round_robin + 1) % t.partitions;
    return partition_id{p};
  }

  void send(sink_record&& r) override {
    if (last_sent == nullptr || last_sent->name != r.topic) last_sent = &topic(r.topic);
    topic_state& t = *last_sent;
    const partition_id p = r.partition ? *r.partition : pick_partition(t, r.key);
    core::raw_record rec{std::move(r.key), std::move(r.value), r.ts, std::move(r.hdrs)};
    if (t.reader) {
      if (t.internal) {
        queue.push_back({&t, p, std::move(rec)});
        return;
      }
      queue.push_back({&t, p, rec});
    }
    if (t.output != nullptr) t.output->push_back(driver_record{p, std::move(rec)});
  }

  /// The same stores the runtime builds (detail::build_store), without change-logging or
  /// caching: the driver forwards every update at once.
  std::unique_ptr<state::state_store> make_store(const store_spec& spec, const task_id& id) {
    detail::store_layers layers;
    layers.persistent =
        spec.type == store_type::persistent ||
        (spec.type == store_type::automatic && config.stores == store_backend::rocksdb);
    if (layers.persistent && !rocksdb) {
      state::rocksdb_resources_config rc;
      rc.memory_budget_bytes = std::size_t{64} << 20;
      rc.write_buffer_size = std::size_t{4} << 20;
      rocksdb = std::make_unique<state::rocksdb_resources>(rc);
    }
    layers.rocksdb = rocksdb.get();
    layers.task_dir = state_dir / config.application_id / id.to_string();
    return value_or_throw(detail::build_store(spec, layers),
                          "test driver: cannot open RocksDB store '" + spec.name + "'");
  }

  void process_one(topic_state& t, partition_id p, core::raw_record&& rec) {
    const auto index = static_cast<std::size_t>(p.value());
    if (p.value() < 0 || index >= t.routes.size() || t.routes[index].entry == nullptr) {
      throw std::invalid_argument("test driver: partition " + std::to_string(p.value()) +
                                  " of topic '" + t.name + "' has no task");
    }
    const route& to = t.routes[index];
    auto& entry = *to.entry;
    auto& off = t.next_offset.at(index);
    auto done = entry.task->process(*to.source, p, offset{off++}, std::move(rec));
    if (!done) {
      throw std::runtime_error("test driver: cannot deserialize a record of topic '" + t.name +
                               "': " + done.error().message());
    }
    entry.processed = true;
    entry.task->punctuate_stream_time();
  }

  void drain() {
    while (!queue.empty()) {
      queued q = std::move(queue.front());
      queue.pop_front();
      process_one(*q.topic, q.partition, std::move(q.rec));
    }
  }
};

topology_test_driver::topology_test_driver(topology t, driver_config config)
    : _topology(std::move(t)),
      _wall_clock(config.wall_clock_start),
      _impl(std::make_unique<impl>()) {
  auto& im = *_impl;
  im.owner = this;
  im.config = std::move(config);
  if (im.config.default_partitions <= 0)
    throw std::invalid_argument("driver_config.default_partitions must be positive");
  const std::string& app = im.config.application_id;

  const auto counts =
      _topology.resolve_partitions([&](std::string_view topic) -> std::optional<int32_t> {
        auto it = im.config.partitions.find(std::string(topic));
        return it == im.config.partitions.end() ? im.config.default_partitions : it->second;
      });
  auto declare = [&im](const std::string& name, int32_t n, bool internal) {
    auto& t = im.topics[name];
    t.name = name;
    t.partitions = n;
    t.internal = internal;
  };
  for (const auto& [topic, n] : im.config.partitions) {
    if (n <= 0)
      throw std::invalid_argument("driver_config.partitions: topic '" + topic +
                                  "' needs a positive count");
    declare(topic, n, false);
  }
  for (const auto& [ref, n] : counts) declare(ref.resolve(app), n, ref.internal);
  for (const auto& sub : _topology.subtopologies()) {
    for (const auto& src : sub.sources) im.topic(src.resolve(app)).reader = sub.id;
  }

  const bool needs_dir =
      im.config.stores == store_backend::rocksdb ||
      std::any_of(_topology.stores().begin(), _topology.stores().end(),
                  [](const store_spec& s) { return s.type == store_type::persistent; });
  if (needs_dir) {
    if (im.config.state_dir.empty()) {
      im.own_state_dir.emplace("sluice-driver");
      im.state_dir = im.own_state_dir->path();
    } else {
      im.state_dir = im.config.state_dir;
    }
  }

  for (const auto& sub : _topology.subtopologies()) {
    const int32_t n = _topology.task_count(sub.id, counts);
    for (int32_t p = 0; p < n; ++p) {
      const task_id id{sub.id, partition_id{p}};
      auto entry = std::make_unique<impl::task_entry>();
      for (const auto& spec : _topology.stores()) {
        if (spec.subtopology == sub.id)
          entry->stores.stores.emplace(spec.name, im.make_store(spec, id));
      }
      task_config tc;
      tc.application_id = app;
      tc.wall_clock = [this] { return _wall_clock; };
      entry->task = _topology.create_task(id, std::move(tc), entry->stores, im);
      im.tasks.emplace(id, std::move(entry));
    }
  }
  // Routes: which task (and which of its sources) reads each partition of each read topic.
  for (auto& [name, t] : im.topics) {
    if (!t.reader) continue;
    t.routes.resize(static_cast<std::size_t>(t.partitions));
    for (int32_t p = 0; p < t.partitions; ++p) {
      auto it = im.tasks.find(task_id{*t.reader, partition_id{p}});
      if (it == im.tasks.end()) continue;
      const source_binding* b = it->second->task->find_source(name);
      if (b == nullptr) continue;
      t.routes[static_cast<std::size_t>(p)] = impl::route{it->second.get(), b};
    }
  }
  for (auto& [id, entry] : im.tasks) entry->task->init();
}

topology_test_driver::~topology_test_driver() {
  auto& im = *_impl;
  for (auto& [id, entry] : im.tasks) entry->task->close();
  for (auto& [id, entry] : im.tasks) {
    entry->task.reset();
    for (auto& [name, store] : entry->stores.stores) (void)store->close();
    entry->stores.stores.clear();
  }
  im.tasks.clear();
  im.rocksdb.reset();
  im.own_state_dir.reset();
}

void topology_test_driver::require_input(const std::string& topic) const {
  auto it = _impl->topics.find(topic);
  if (it == _impl->topics.end() || !it->second.reader) {
    throw std::invalid_argument("test driver: the topology does not read topic '" + topic + "'");
  }
}

void topology_test_driver::pipe_raw(std::string_view topic, std::optional<partition_id> partition,
                                    core::raw_record rec) {
  auto& im = *_impl;
  if (im.last_piped == nullptr || im.last_piped->name != topic) {
    auto it = im.topics.find(topic);
    if (it == im.topics.end() || !it->second.reader) require_input(std::string(topic));
    im.last_piped = &it->second;
  }
  auto& t = *im.last_piped;
  const partition_id p = partition ? *partition : impl::pick_partition(t, rec.key);
  if (p.value() < 0 || p.value() >= t.partitions) {
    throw std::invalid_argument("test driver: topic '" + t.name + "' has no partition " +
                                std::to_string(p.value()));
  }
  im.process_one(t, p, std::move(rec));
  im.drain();
}

void topology_test_driver::advance_wall_clock_time(millis d) {
  _wall_clock += d;
  for (auto& [id, entry] : _impl->tasks) entry->task->punctuate_wall_clock(_wall_clock);
  _impl->drain();
}

int32_t topology_test_driver::partitions(std::string_view topic) const {
  return _impl->count_of(topic);
}

task_metrics topology_test_driver::metrics() const {
  task_metrics out;
  for (const auto& [id, entry] : _impl->tasks) out.merge(entry->task->metrics());
  return out;
}

std::optional<timestamp> topology_test_driver::stream_time(task_id id) const {
  auto it = _impl->tasks.find(id);
  if (it == _impl->tasks.end() || !it->second->processed) return std::nullopt;
  return it->second->task->stream_time();
}

const store_spec& topology_test_driver::typed_spec(std::string_view name, store_kind kind) const {
  const store_spec* spec = _topology.find_store(name);
  if (spec == nullptr || spec->kind != kind) {
    throw std::invalid_argument("test driver: no " +
                                std::string(kind == store_kind::window ? "window" : "key-value") +
                                " store named '" + std::string(name) + "'");
  }
  return *spec;
}

std::vector<state::key_value_store*> topology_test_driver::key_value_stores(std::string_view name) {
  std::vector<state::key_value_store*> out;
  for (auto& [id, entry] : _impl->tasks) {
    auto it = entry->stores.stores.find(name);
    if (it != entry->stores.stores.end())
      out.push_back(dynamic_cast<state::key_value_store*>(it->second.get()));
  }
  return out;
}

std::vector<state::window_store*> topology_test_driver::window_stores(std::string_view name) {
  std::vector<state::window_store*> out;
  for (auto& [id, entry] : _impl->tasks) {
    auto it = entry->stores.stores.find(name);
    if (it != entry->stores.stores.end())
      out.push_back(dynamic_cast<state::window_store*>(it->second.get()));
  }
  return out;
}

}  // namespace sluice::dsl
