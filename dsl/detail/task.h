#pragma once
/// A task: one instance of a sub-topology's processor graph for one partition, and the context
/// its nodes run in: the execution engine, internal to the project. The runtime and the topology
/// test driver drive it; user code never includes this header itself (the DSL headers do, for
/// the node templates they instantiate). What users see of a task is in dsl/task_metadata.h.
///
/// The runtime (and the topology test driver) obtains tasks from `topology::create_task` and
/// drives them with exactly these calls, all from the one thread that owns the task:
///
///     auto task = topology.create_task(id, config, stores, collector);
///     task->init();                                  // after the stores are restored
///     const source_binding* in = task->find_source(topic);   // once per assigned partition
///     auto p = task->prepare(*in, partition, offset, std::move(record));  // per consumed record
///     if (p) queue(*p) else apply the deserialization-error policy;
///     task->process(std::move(next));                // records in the order the runtime picks
///     task->punctuate_stream_time();                 // after each process()
///     task->punctuate_wall_clock(now);               // whenever the thread loops
///     task->close();
///
/// `prepare` deserializes what the timestamp extractor needs and fixes the record's timestamp,
/// so the runtime can pick the next record by lowest timestamp across its partition queues
/// before any processing happens. Stream time is the largest timestamp among processed records.
/// A caller that processes each record as soon as it reads it (the test driver) uses
/// `process(*in, partition, offset, std::move(record))`, which does both steps.
///
/// Per record, nothing here allocates or looks anything up by name: sources are bound to topics
/// once, nodes call their children directly, and records travel as pointers to typed objects.
///
/// Thread safety: a task and its context belong to one thread.

#include "core/error.h"
#include "core/record.h"
#include "core/time.h"
#include "core/types.h"
#include "dsl/detail/erased_record.h"
#include "dsl/fwd.h"
#include "dsl/task_metadata.h"
#include "dsl/detail/processor_node.h"
#include "dsl/detail/record_collector.h"
#include "state/state_store.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::dsl {

/// What the runtime tells a task about its surroundings.
struct task_config {
  std::string application_id;
  /// The wall clock the task reads (wall-clock timestamp extractor, wall-clock punctuation,
  /// `task_context::wall_clock_time`). The runtime passes the system clock; the test driver its
  /// mock clock.
  std::function<timestamp()> wall_clock = [] { return core::wall_clock_now(); };
};

/// Hands a task the state stores of its sub-topology. The runtime implements it (creating,
/// wrapping in change-logging/caching layers and restoring the stores before `init()`); so
/// does the test driver.
class store_provider {
 public:
  virtual ~store_provider() = default;
  /// The open store described by `spec` for this task. Owned by the provider; must stay open
  /// until the task is closed.
  virtual state::state_store& store(const store_spec& spec) = 0;
};

/// The context every node of a task runs in: record metadata, time, stores, punctuation,
/// output. Owned by its `processor_task`.
class task_context {
 public:
  task_context(task_id id, task_config config, record_collector& collector, store_provider& stores,
               std::map<std::string, const store_spec*, std::less<>> specs);
  task_context(const task_context&) = delete;
  task_context& operator=(const task_context&) = delete;

  const task_id& id() const noexcept { return _id; }
  const std::string& application_id() const noexcept { return _config.application_id; }
  /// Metadata of the record being processed; nullopt inside a punctuator.
  const std::optional<record_metadata>& metadata() const noexcept { return _metadata; }
  /// Largest timestamp of any record this task has processed (the epoch before the first).
  timestamp stream_time() const noexcept { return _stream_time; }
  /// The timestamp of the record being processed, or the punctuation time inside a punctuator:
  /// what the Processor API's store views write with (`put(key, value)`).
  timestamp record_timestamp() const noexcept { return _record_timestamp; }
  timestamp wall_clock_time() const { return _config.wall_clock(); }

  /// The state store named `name`, connected to `node`, of the requested interface type.
  /// Throws processing_error if `node` is not connected to such a store or it has another kind.
  template <class Store>
  Store& store(const processor_node& node, std::string_view name) {
    auto* found = dynamic_cast<Store*>(&find_store(node, name));
    if (found == nullptr) throw_wrong_store_kind(node, name);
    return *found;
  }

  /// The spec of this task's store `name`, or nullptr.
  const store_spec* spec(std::string_view name) const noexcept {
    auto it = _specs.find(name);
    return it == _specs.end() ? nullptr : it->second;
  }

  /// Schedules `callback(time)` every `interval` of stream or wall-clock time, on behalf of
  /// `node`. Stream-time punctuators first fire at the first stream time seen after scheduling;
  /// wall-clock ones one interval after scheduling. A punctuator that falls behind fires once
  /// and is rescheduled to the next interval boundary after the current time.
  /// REQUIRES: interval > 0.
  cancellable schedule(const processor_node& node, millis interval, punctuation_type type,
                       std::function<void(timestamp)> callback);

  record_collector& collector() noexcept { return _collector; }
  task_metrics& metrics() noexcept { return _metrics; }
  void record_drop(const processor_node& node, drop_reason why) {
    _metrics.record_drop(node.name(), why);
  }
  /// `<application.id>-<name>-repartition`.
  std::string repartition_topic(std::string_view name) const;

 private:
  friend class processor_task;
  friend class cancellable;
  struct punctuator {
    const processor_node* node;
    millis interval;
    punctuation_type type;
    std::optional<timestamp> next;
    std::function<void(timestamp)> callback;
    bool cancelled = false;
  };

  state::state_store& find_store(const processor_node& node, std::string_view name);
  [[noreturn]] static void throw_wrong_store_kind(const processor_node& node,
                                                  std::string_view name);
  bool run_punctuators(punctuation_type type, timestamp now);

  task_id _id;
  task_config _config;
  record_collector& _collector;
  store_provider& _stores;
  std::map<std::string, const store_spec*, std::less<>> _specs;
  std::optional<record_metadata> _metadata;
  timestamp _stream_time{};
  timestamp _record_timestamp{};
  bool _seen_record = false;
  std::vector<punctuator> _punctuators;
  task_metrics _metrics;
};

/// A consumed record after `processor_task::prepare`: its timestamp fixed by the extractor, the
/// parts the extractor deserialized kept so they are not decoded twice.
struct pending_record {
  source_node* source = nullptr;
  std::string_view topic;  ///< owned by the task's topology
  partition_id partition{0};
  offset off{0};
  core::raw_record rec;  ///< `rec.ts` is the extracted timestamp
  erased_box key;    ///< the deserialized key if the extractor needed it
  erased_box value;  ///< the deserialized value if the extractor needed it
  bool key_ready = false;
  bool value_ready = false;
};

/// A source node: decodes consumed records of its topics and feeds them into the graph.
class source_node : public processor_node {
 public:
  /// The topics this node reads, as the runtime subscribes to them (internal ones resolved).
  virtual const std::vector<std::string>& topics() const noexcept = 0;
  /// Runs the timestamp extractor (deserializing what it needs into `p`).
  /// Fails with the serde's error if the key or value cannot be decoded.
  virtual result<void> prepare(pending_record& p) = 0;
  /// Deserializes what `prepare` did not and forwards the record to the children.
  /// Fails with the serde's error if the key or value cannot be decoded.
  virtual result<void> deliver(pending_record& p) = 0;
  /// A source node is fed through deliver(); records passed to process() are forwarded as-is.
  void process(const erased_record& r) override { forward(r); }
};

/// One topic a task reads and the source node that reads it. Owned by the task; valid while
/// it lives. Resolve it once (`processor_task::find_source`) and pass it to `prepare` to spare
/// a lookup by topic name per record.
struct source_binding {
  std::string topic;
  source_node* source = nullptr;
};

/// One task's processor graph and context. Created by `topology::create_task`.
class processor_task {
 public:
  ~processor_task();
  processor_task(const processor_task&) = delete;
  processor_task& operator=(const processor_task&) = delete;

  const task_id& id() const noexcept { return _context.id(); }
  /// Calls init() on every node, sources first. REQUIRES: called once, before process().
  void init();
  /// The topics this task reads (one partition of each, the task's partition).
  std::vector<std::string> source_topics() const;
  /// The binding of `topic` to the source node that reads it, or nullptr if this task does not
  /// read `topic`.
  const source_binding* find_source(std::string_view topic) const noexcept;
  /// Decodes what the timestamp extractor needs and fixes the timestamp. Fails with
  /// dsl::errc::unknown_topic for a topic this task does not read, or with the serde's error.
  result<pending_record> prepare(std::string_view topic, partition_id partition, offset off,
                                 core::raw_record rec);
  /// The same for a topic already resolved with find_source(): no lookup by name.
  /// REQUIRES: `source` belongs to this task.
  result<pending_record> prepare(const source_binding& source, partition_id partition, offset off,
                                 core::raw_record&& rec);
  /// Processes one prepared record: advances stream time, runs it through the graph.
  /// A record with a negative timestamp is dropped and counted (drop_reason::invalid_timestamp).
  /// Fails with the serde's error if the rest of the record cannot be decoded; exceptions from
  /// user code and processing_error propagate.
  result<void> process(pending_record&& p);
  /// prepare() and process() in one step, for callers that process each record as soon as
  /// they read it (the topology test driver): the record never leaves the task.
  /// REQUIRES: `source` belongs to this task.
  result<void> process(const source_binding& source, partition_id partition, offset off,
                       core::raw_record&& rec);
  /// Runs due stream-time punctuators; true if any ran.
  bool punctuate_stream_time();
  /// Runs due wall-clock punctuators against `now`; true if any ran.
  bool punctuate_wall_clock(timestamp now);
  timestamp stream_time() const noexcept { return _context.stream_time(); }
  const task_metrics& metrics() const noexcept { return _context._metrics; }
  /// Closes every node (sinks last). Idempotent.
  void close();

 private:
  friend class topology;
  processor_task(task_id id, task_config config, record_collector& collector,
                 store_provider& stores,
                 std::map<std::string, const store_spec*, std::less<>> specs);

  task_context _context;
  std::vector<std::unique_ptr<processor_node>> _nodes;  // in topological order
  std::vector<source_node*> _sources;
  std::vector<source_binding> _by_topic;  // a task reads few topics: a linear search is fastest
  bool _initialized = false;
  bool _closed = false;
};

}  // namespace sluice::dsl
