#include "runtime/detail/stream_thread.h"

#include "core/assert.h"
#include "core/log.h"
#include "runtime/errors.h"
#include "state/errc.h"

#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include <pthread.h>

namespace sluice::runtime::detail {
namespace {

const core::logger log("runtime.thread");

using steady = std::chrono::steady_clock;

/// Records taken from the consumer per loop iteration, at most (Kafka's max.poll.records).
constexpr int max_poll_records = 1000;
/// Records a task processes before the thread turns to the next task.
constexpr int records_per_task_turn = 100;
/// Records processed per loop iteration before the thread polls again.
constexpr int records_per_iteration = 2000;
/// How often a task whose stores are still locked is retried.
constexpr auto store_open_retry = std::chrono::milliseconds(200);
constexpr auto metrics_interval = std::chrono::seconds(1);
constexpr int committed_timeout_ms = 30000;
/// Exactly-once: how long init_transactions, a commit or an abort may take before it fails.
constexpr auto transaction_timeout = std::chrono::seconds(60);

constexpr std::array<dsl::drop_reason, 3> drop_reasons{
    dsl::drop_reason::late, dsl::drop_reason::null_key_or_value,
    dsl::drop_reason::invalid_timestamp};
constexpr std::array<const char*, 3> drop_reason_names{"late", "null_key_or_value",
                                                       "invalid_timestamp"};

/// Commit errors after which the offsets simply are not committed this time: the group is
/// rebalancing (the revocation that follows commits again) or the coordinator is moving.
bool retriable_commit_error(rd_kafka_resp_err_t e) {
  switch (e) {
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST:
    case RD_KAFKA_RESP_ERR__STATE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
      return true;
    default:
      return false;
  }
}

core::record to_record(const rd_kafka_message_t* m) {
  core::record r;
  if (m->key != nullptr) {
    const auto* k = static_cast<const std::byte*>(m->key);
    r.key.emplace(k, k + m->key_len);
  }
  if (m->payload != nullptr) {
    const auto* v = static_cast<const std::byte*>(m->payload);
    r.value.emplace(v, v + m->len);
  }
  rd_kafka_timestamp_type_t type;
  r.ts = core::from_epoch_ms(rd_kafka_message_timestamp(m, &type));
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != nullptr) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      std::optional<bytes> v;
      if (value != nullptr) {
        const auto* b = static_cast<const std::byte*>(value);
        v.emplace(b, b + size);
      }
      r.hdrs.add(name, std::move(v));
    }
  }
  return r;
}

}  // namespace

/// librdkafka's C callbacks, routed to the thread (the client opaque).
struct thread_callbacks {
  static void rebalance(rd_kafka_t* /*rk*/, rd_kafka_resp_err_t err,
                        rd_kafka_topic_partition_list_t* parts, void* opaque) {
    static_cast<stream_thread*>(opaque)->on_rebalance(
        err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS, parts);
  }
  static void configure(rd_kafka_conf_t* conf, void* /*opaque*/) {
    rd_kafka_conf_set_rebalance_cb(conf, &thread_callbacks::rebalance);
  }
};

std::string_view to_string(thread_state s) noexcept {
  switch (s) {
    case thread_state::created: return "created";
    case thread_state::starting: return "starting";
    case thread_state::partitions_revoked: return "partitions_revoked";
    case thread_state::partitions_assigned: return "partitions_assigned";
    case thread_state::running: return "running";
    case thread_state::pending_shutdown: return "pending_shutdown";
    case thread_state::dead: return "dead";
  }
  return "unknown";
}

stream_thread::stream_thread(const app_context& app, int index, std::function<void()> on_change)
    : _app(app),
      _index(index),
      _name(fmt::format("stream-thread-{}", index)),
      _on_change(std::move(on_change)),
      _eos(app.config.guarantee == processing_guarantee::exactly_once_v2),
      _buffer_limit(static_cast<std::size_t>(app.config.input_buffer_max_bytes /
                                             std::max(1, app.config.num_stream_threads))),
      _processed(app.metrics.register_counter("sluice_streams_records_processed_total",
                                              "Records processed by the thread's tasks.",
                                              {{"thread", _name}})),
      _process_rate(app.metrics.register_gauge(
          "sluice_streams_process_rate", "Records processed per second over the last second.",
          {{"thread", _name}})),
      _commit_latency(app.metrics.register_histogram(
          "sluice_streams_commit_latency_seconds",
          "Duration of a commit: flush stores, flush the producer, commit offsets, checkpoint.",
          core::exponential_buckets(0.001, 2, 16), {{"thread", _name}})),
      _skipped(app.metrics.register_counter(
          "sluice_streams_skipped_records_total",
          "Records skipped because they could not be deserialized (log-and-continue).",
          {{"thread", _name}})),
      _dead_lettered(app.metrics.register_counter(
          "sluice_streams_dead_letter_records_total",
          "Undeserializable records sent to the dead-letter topic.", {{"thread", _name}})),
      _active_tasks(app.metrics.register_gauge("sluice_streams_active_tasks",
                                               "Tasks owned by the thread.", {{"thread", _name}})),
      _restoring_tasks(app.metrics.register_gauge(
          "sluice_streams_restoring_tasks", "Tasks of the thread still restoring their state.",
          {{"thread", _name}})) {
  for (std::size_t i = 0; i < drop_reasons.size(); ++i) {
    _dropped[i] = &app.metrics.register_counter(
        "sluice_streams_dropped_records_total",
        "Records dropped by processors: late (window closed), null key or value, invalid "
        "timestamp.",
        {{"thread", _name}, {"reason", drop_reason_names[i]}});
  }
  _metadata.thread_name = _name;
  _metadata.state = std::string(to_string(thread_state::created));
}

stream_thread::~stream_thread() {
  request_shutdown();
  if (_thread.joinable()) _thread.join();
}

void stream_thread::start() {
  SLUICE_ASSERT(!_thread.joinable(), "stream_thread::start twice");
  _thread = std::thread([this] { run(); });
}

void stream_thread::request_shutdown() noexcept { _shutdown.store(true); }

bool stream_thread::wait_until_dead(steady::time_point deadline) {
  std::unique_lock lock(_mutex);
  return _dead_cv.wait_until(lock, deadline, [&] { return _state.load() == thread_state::dead; });
}

void stream_thread::join() {
  if (_thread.joinable()) _thread.join();
}

std::exception_ptr stream_thread::error() const {
  std::lock_guard lock(_mutex);
  return _error;
}

thread_metadata stream_thread::metadata() const {
  std::lock_guard lock(_mutex);
  return _metadata;
}

void stream_thread::set_state(thread_state s) {
  const thread_state old = _state.exchange(s);
  if (old == s) return;
  {
    std::lock_guard lock(_mutex);
    _metadata.state = std::string(to_string(s));
  }
  log.debug("{}: {} -> {}", _name, to_string(old), to_string(s));
  if (s == thread_state::dead) {
    std::lock_guard lock(_mutex);
    _dead_cv.notify_all();
  }
  if (_on_change) _on_change();
}

void stream_thread::publish_metadata() {
  thread_metadata md;
  md.thread_name = _name;
  md.state = std::string(to_string(_state.load()));
  int restoring = 0;
  for (const auto& [id, t] : _tasks) {
    if (t->current_state() == stream_task::state::suspended) continue;
    task_metadata tm;
    tm.task_id = id.to_string();
    tm.state = std::string(to_string(t->current_state()));
    if (t->current_state() != stream_task::state::running) ++restoring;
    for (const auto& in : t->inputs()) tm.partitions.push_back(in.tp);
    md.active_tasks.push_back(std::move(tm));
  }
  _active_tasks.set(static_cast<double>(md.active_tasks.size()));
  _restoring_tasks.set(restoring);
  std::lock_guard lock(_mutex);
  _metadata = std::move(md);
}

bool stream_thread::all_tasks_running() const {
  return std::all_of(_tasks.begin(), _tasks.end(), [](const auto& e) {
    return e.second->current_state() == stream_task::state::running ||
           e.second->current_state() == stream_task::state::suspended;
  });
}

// ---- the thread body --------------------------------------------------------------------------

void stream_thread::run() noexcept {
  // Visible in top, perf and gdb (at most 15 characters).
  pthread_setname_np(pthread_self(), fmt::format("sluice-st-{}", _index).substr(0, 15).c_str());
  try {
    set_state(thread_state::starting);
    create_clients();
    loop();
    shutdown(true);
  } catch (...) {
    {
      std::lock_guard lock(_mutex);
      _error = std::current_exception();
    }
    try {
      std::rethrow_exception(std::current_exception());
    } catch (const std::exception& e) {
      log.error("{}: failed: {}", _name, e.what());
    } catch (...) {
      log.error("{}: failed with a non-standard exception", _name);
    }
    shutdown(false);
  }
  set_state(thread_state::dead);
}

void stream_thread::create_clients() {
  const streams_config& cfg = _app.config;
  const std::string client = cfg.client_id + "-" + _name;

  const int threads = std::max(1, cfg.num_stream_threads);
  if (cfg.cache_max_bytes > 0) {
    _cache = std::make_unique<state::record_cache>(static_cast<std::size_t>(cfg.cache_max_bytes / threads));
  }
  core::properties producer = cfg.producer;
  producer["bootstrap.servers"] = cfg.bootstrap_servers;
  producer["client.id"] = client + "-producer";
  std::optional<std::string> transactional_id;
  if (_eos) transactional_id = fmt::format("{}-{}-{}", cfg.application_id, _app.process_id, _index);
  _collector = std::make_unique<kafka_record_collector>(
      producer, _name + " producer",
      std::map<std::string, int32_t, std::less<>>(_app.layout.partitions.begin(),
                                                   _app.layout.partitions.end()),
      transactional_id);
  if (_eos) {
    // Before the consumer joins: fences an earlier incarnation of this thread and aborts its
    // open transaction, so the last stable offsets of its partitions move on.
    _collector->init_transactions(transaction_timeout);
    log.info("{}: exactly-once, transactional.id '{}'", _name, *transactional_id);
  }

  // librdkafka 2.0 stops fetching once a consumer's queue holds queued.min.messages (default
  // 100 000) or queued.max.messages.kbytes (64 MiB), and looks again only about a second later
  // (its broker thread's idle wake-up), however fast the queue drains: a thread that drains
  // the queue in less than a second then sits idle for the rest of it. The prefetch must hold
  // about a second of input: a million records, 256 MiB (at ~1 M records/s of 100 B that is
  // 1.3 s). It is a ceiling, reached only by a thread with a backlog; users can lower both.
  auto prefetch = [](core::properties& p) {
    if (!p.contains("queued.min.messages")) p["queued.min.messages"] = "1000000";
    if (!p.contains("queued.max.messages.kbytes")) p["queued.max.messages.kbytes"] = "262144";
  };
  core::properties restore = cfg.consumer;
  prefetch(restore);
  restore["bootstrap.servers"] = cfg.bootstrap_servers;
  restore["client.id"] = client + "-restore-consumer";
  restore["group.id"] = cfg.application_id + "-restore";  // never joined: assign() only
  _reader = std::make_unique<changelog_reader>(restore, _name, _app.metrics, changelog_reader::options{});

  core::properties consumer = cfg.consumer;
  prefetch(consumer);
  consumer["bootstrap.servers"] = cfg.bootstrap_servers;
  consumer["client.id"] = client + "-consumer";
  consumer["group.id"] = cfg.application_id;
  consumer["enable.auto.commit"] = "false";
  consumer["enable.auto.offset.store"] = "false";
  consumer["isolation.level"] = "read_committed";
  consumer["partition.assignment.strategy"] = "range";
  if (!consumer.contains("auto.offset.reset")) consumer["auto.offset.reset"] = "earliest";
  if (!cfg.group_instance_id.empty()) {
    consumer["group.instance.id"] = fmt::format("{}-{}", cfg.group_instance_id, _index);
  }
  _consumer = make_client(client_type::consumer, consumer, _name + " consumer",
                          &thread_callbacks::configure, this);
  std::set<std::string, std::less<>> repartition_topics;
  for (const auto& r : _app.topology.repartition_topics()) {
    repartition_topics.insert(dsl::topic_ref{r.name, true}.resolve(cfg.application_id));
  }
  if (!repartition_topics.empty()) {
    _purger = std::make_unique<repartition_purger>(_consumer.get(), std::move(repartition_topics),
                                                   cfg.repartition_purge_interval, _name);
  }

  partition_list topics(rd_kafka_topic_partition_list_new(static_cast<int>(_app.layout.source_topics.size())));
  for (const auto& t : _app.layout.source_topics) {
    rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_subscribe(_consumer.get(), topics.get()); err) {
    throw streams_error(fmt::format("{}: cannot subscribe: {}", _name, rd_kafka_err2str(err)));
  }
  _last_commit = steady::now();
  _last_metrics = steady::now();
  log.info("{}: started (group '{}', {} source topics)", _name, cfg.application_id,
           _app.layout.source_topics.size());
}

void stream_thread::loop() {
  while (!_shutdown.load(std::memory_order_relaxed)) {
    try {
      if (_pending_txn_error) {
        const transaction_error e = *std::exchange(_pending_txn_error, std::nullopt);
        recover(e);
      }
      poll_records();
      if (_callback_error) std::rethrow_exception(std::exchange(_callback_error, nullptr));
      limit_buffers();
      if (_collector->failure()) throw streams_error(*_collector->failure());
      if (_collector->transaction_failure()) {
        throw transaction_error(*_collector->transaction_failure(), _collector->fatal());
      }
      open_created_tasks();
      restore();
      if (_state.load() == thread_state::partitions_assigned && all_tasks_running() &&
          _reader->idle()) {
        set_state(thread_state::running);
        publish_metadata();
      }
      process_records();
      punctuate();
      maybe_commit();
      if (_purger) _purger->poll();
      _collector->poll();
      update_metrics(false);
    } catch (const transaction_error& e) {
      if (!_eos) throw;
      recover(e);
    }
  }
}

void stream_thread::close_all_tasks(bool clean) {
  for (auto& [id, t] : _tasks) {
    try {
      close_task(*t, clean && t->current_state() == stream_task::state::running);
    } catch (const std::exception& e) {
      log.error("{}: closing task {} failed: {}", _name, id.to_string(), e.what());
    }
  }
  _tasks.clear();
  _inputs.clear();
  _last_refs = nullptr;
  unregister_all_lag();
}

void stream_thread::recover(const transaction_error& e) {
  bool fatal = e.fatal() || _collector->fatal();
  log.warn("{}: {}; discarding the work since the last commit{}", _name, e.what(),
           fatal ? " and recreating the producer" : "");
  // Tasks first: anything their processors send while closing lands in the aborted transaction.
  close_all_tasks(false);
  if (!fatal) {
    try {
      _collector->abort_transaction(transaction_timeout);
    } catch (const transaction_error& abort_failed) {
      log.warn("{}: {}", _name, abort_failed.what());
      fatal = true;
    }
  }
  if (fatal) {
    if (_recreated_since_commit && steady::now() - _last_recreation < std::chrono::seconds(30)) {
      throw streams_error(fmt::format("{}: the producer failed again before any commit after it "
                                      "was recreated ({}); is another instance using the same "
                                      "state directory (and so the same transactional.id)?",
                                      _name, e.what()));
    }
    _recreated_since_commit = true;
    _last_recreation = steady::now();
    _collector.reset();
    const streams_config& cfg = _app.config;
    core::properties producer = cfg.producer;
    producer["bootstrap.servers"] = cfg.bootstrap_servers;
    producer["client.id"] = cfg.client_id + "-" + _name + "-producer";
    _collector = std::make_unique<kafka_record_collector>(
        producer, _name + " producer",
        std::map<std::string, int32_t, std::less<>>(_app.layout.partitions.begin(),
                                                     _app.layout.partitions.end()),
        fmt::format("{}-{}-{}", cfg.application_id, _app.process_id, _index));
    _collector->init_transactions(transaction_timeout);
  }
  // Start again from the committed offsets, with the partitions the consumer holds now: new
  // tasks restore their stores' committed tails (aborted records are invisible to
  // read_committed). If the group moved on, the consumer's next rebalance sorts that out.
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (const rd_kafka_resp_err_t err = rd_kafka_assignment(_consumer.get(), &raw); err) {
    throw streams_error(fmt::format("{}: cannot read the assignment: {}", _name, rd_kafka_err2str(err)));
  }
  partition_list current(raw);
  rd_kafka_assign(_consumer.get(), nullptr);  // drops records fetched for the old positions
  if (current->cnt > 0) on_assigned(current.get());
  publish_metadata();
}

bool stream_thread::has_processable_records() {
  const auto now = steady::now();
  for (const auto& [id, t] : _tasks) {
    if (t->processable(now, _app.config.max_task_idle)) return true;
  }
  return false;
}

void stream_thread::poll_records() {
  // Block in poll only when there is nothing else to do (records waiting for
  // max.task.idle.ms do not count: polling is how their missing partitions arrive).
  bool busy = !_reader->idle() || has_processable_records();
  for (const auto& [id, t] : _tasks) {
    if (t->current_state() == stream_task::state::created) busy = true;
  }
  int timeout = busy ? 0 : timeout_ms(_app.config.poll_interval);
  for (int i = 0; i < max_poll_records; ++i) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(_consumer.get(), timeout);
    if (m == nullptr) break;
    timeout = 0;
    struct destroy {
      rd_kafka_message_t* m;
      ~destroy() { rd_kafka_message_destroy(m); }
    } guard{m};
    handle_message(m);
    if (_callback_error) break;
  }
  if (_processed_in_poll > 0) _processed.inc(std::exchange(_processed_in_poll, 0));
}

void stream_thread::handle_message(const rd_kafka_message_t* m) {
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) return;
    char reason[512];
    if (rd_kafka_fatal_error(_consumer.get(), reason, sizeof reason) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw streams_error(fmt::format("{}: fatal consumer error: {}", _name, reason));
    }
    log.warn("{}: consumer: {}", _name, rd_kafka_message_errstr(m));
    return;
  }
  if (_last_rkt != m->rkt || _last_partition != m->partition || _last_refs == nullptr) {
    auto it = _inputs.find(core::topic_partition{rd_kafka_topic_name(m->rkt), core::partition_id{m->partition}});
    if (it == _inputs.end()) return;  // not (or no longer) assigned to a task
    _last_rkt = m->rkt;
    _last_partition = m->partition;
    _last_refs = &it->second;
  }
  auto& refs = *_last_refs;
  core::record rec = to_record(m);
  const core::offset off{m->offset};
  if (refs.size() == 1) {
    switch (refs[0].task->process_at_once(refs[0].index, off, std::move(rec))) {
      case stream_task::at_once::processed: ++_processed_in_poll; return;
      case stream_task::at_once::skipped:
      case stream_task::at_once::duplicate: return;
      case stream_task::at_once::queue: break;
    }
  }
  for (std::size_t i = 0; i < refs.size(); ++i) {
    auto& [task, index] = refs[i];
    if (i + 1 == refs.size()) {
      task->enqueue(index, off, std::move(rec));
    } else {
      task->enqueue(index, off, core::record(rec));
    }
    auto& in = task->inputs()[index];
    const int32_t cap = _app.config.buffered_records_per_partition;
    if (!in.paused && cap > 0 && task->buffered(index) >= static_cast<std::size_t>(cap)) {
      pause(in, true);
    }
  }
}

void stream_thread::pause(stream_task::input& in, bool p) {
  partition_list l = make_partition_list({in.tp});
  const rd_kafka_resp_err_t err = p ? rd_kafka_pause_partitions(_consumer.get(), l.get())
                                    : rd_kafka_resume_partitions(_consumer.get(), l.get());
  if (err) {
    log.warn("{}: cannot {} {}-{}: {}", _name, p ? "pause" : "resume", in.tp.topic,
             in.tp.partition.value(), rd_kafka_err2str(err));
    return;
  }
  in.paused = p;
}

void stream_thread::open_created_tasks() {
  bool any = false;
  for (const auto& [id, t] : _tasks) {
    if (t->current_state() == stream_task::state::created) any = true;
  }
  if (!any || steady::now() - _last_open_attempt < store_open_retry) return;
  _last_open_attempt = steady::now();
  for (auto& [id, t] : _tasks) {
    if (t->current_state() != stream_task::state::created) continue;
    if (auto ok = t->open(); !ok) {
      const auto& ec = ok.error();
      if (ec == state::errc::io_error || ec == state::errc::busy) {
        log.debug("{}: task {}: stores not available yet ({}); retrying", _name, id.to_string(),
                  ec.message());
        continue;
      }
      throw streams_error(fmt::format("{}: task {}: cannot open its state stores: {}", _name,
                                      id.to_string(), ec.message()));
    }
    if (t->has_state()) {
      if (auto ok = _reader->add(*t); !ok) {
        throw streams_error(fmt::format("{}: task {}: cannot start restoring: {}", _name,
                                        id.to_string(), ok.error().message()));
      }
    } else {
      t->start_running();
      for (auto& in : t->inputs()) pause(in, false);
    }
  }
  publish_metadata();
}

void stream_thread::restore() {
  const bool busy = has_processable_records();
  if (!_reader->idle()) {
    if (auto ok = _reader->step(busy ? std::chrono::milliseconds(0) : _app.config.poll_interval); !ok) {
      throw streams_error(fmt::format("{}: restoring state failed: {}", _name, ok.error().message()));
    }
  }
  auto completed = _reader->take_completed();
  if (completed.empty()) return;
  for (stream_task* t : completed) {
    t->start_running();
    log.info("{}: task {} restored; processing", _name, t->id().to_string());
  }
  resume_drained();
  publish_metadata();
}

int stream_thread::process_records() {
  const auto now = steady::now();
  const auto idle = _app.config.max_task_idle;
  int total = 0;
  bool progress = true;
  while (progress && total < records_per_iteration) {
    progress = false;
    for (auto& [id, t] : _tasks) {
      if (t->current_state() != stream_task::state::running) continue;
      const int n = t->process(records_per_task_turn, now, idle);
      if (n > 0) {
        progress = true;
        total += n;
      }
    }
  }
  if (total > 0) {
    _processed.inc(static_cast<uint64_t>(total));
    resume_drained();
  }
  return total;
}

std::size_t stream_thread::buffered_bytes() const {
  std::size_t n = 0;
  for (const auto& [id, t] : _tasks) n += t->buffered_bytes();
  return n;
}

void stream_thread::limit_buffers() {
  if (buffered_bytes() <= _buffer_limit) return;
  for (auto& [id, t] : _tasks) {
    for (std::size_t i = 0; i < t->inputs().size(); ++i) {
      auto& in = t->inputs()[i];
      if (!in.paused && t->buffered(i) > 0) pause(in, true);
    }
  }
}

void stream_thread::resume_drained() {
  const std::size_t bytes = buffered_bytes();
  const int32_t cap = _app.config.buffered_records_per_partition;
  const auto low_water = static_cast<std::size_t>(std::max(1, cap / 2));
  for (auto& [id, t] : _tasks) {
    if (t->current_state() != stream_task::state::running) continue;
    for (std::size_t i = 0; i < t->inputs().size(); ++i) {
      auto& in = t->inputs()[i];
      if (!in.paused) continue;
      const std::size_t n = t->buffered(i);
      // An empty queue always fetches again; others once the thread is well under its share
      // and the partition under its own limit.
      if (n == 0 || (bytes <= _buffer_limit / 2 && (cap == 0 || n < low_water))) pause(in, false);
    }
  }
}

void stream_thread::punctuate() {
  const core::timestamp now = core::wall_clock_now();
  for (auto& [id, t] : _tasks) {
    if (t->current_state() == stream_task::state::running) t->punctuate(now);
  }
}

void stream_thread::maybe_commit() {
  if (steady::now() - _last_commit < _app.config.commit_interval) return;
  commit(false);
}

bool stream_thread::commit(bool all) {
  _last_commit = steady::now();
  std::vector<stream_task*> tasks;
  for (auto& [id, t] : _tasks) {
    if (t->current_state() == stream_task::state::running && (all || t->commit_needed())) {
      tasks.push_back(t.get());
    }
  }
  if (tasks.empty() && !(_eos && _collector->in_transaction())) return true;
  const auto started = steady::now();
  for (stream_task* t : tasks) {
    if (auto ok = t->flush(); !ok) {
      throw streams_error(fmt::format("{}: task {}: flushing its stores failed: {}", _name,
                                      t->id().to_string(), ok.error().message()));
    }
  }
  if (auto ok = _collector->flush([] { return true; }); !ok) {
    if (_collector->transaction_failure() && !_collector->failure()) {
      throw transaction_error(*_collector->transaction_failure(), _collector->fatal());
    }
    throw streams_error(_collector->failure().value_or(_name + ": flushing the producer failed"));
  }
  std::vector<core::topic_partition> tps;
  std::vector<int64_t> offsets;
  for (stream_task* t : tasks) {
    for (auto& [tp, off] : t->committable_offsets()) {
      tps.push_back(tp);
      offsets.push_back(off);
    }
  }
  bool committed = true;
  if (_eos) {
    // Offsets, outputs and changelog records commit together or not at all; on failure this
    // throws transaction_error and the stores' batches stay pending (to be discarded).
    partition_list list = make_partition_list(tps);
    for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = offsets[static_cast<std::size_t>(i)];
    _collector->commit_transaction(list.get(), _consumer.get(), transaction_timeout);
    _recreated_since_commit = false;
  } else if (!tps.empty()) {
    partition_list list = make_partition_list(tps);
    for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = offsets[static_cast<std::size_t>(i)];
    rd_kafka_resp_err_t err = rd_kafka_commit(_consumer.get(), list.get(), 0);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (int i = 0; i < list->cnt; ++i) {
        if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) err = list->elems[i].err;
      }
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (!retriable_commit_error(err)) {
        throw streams_error(fmt::format("{}: committing offsets failed: {}", _name, rd_kafka_err2str(err)));
      }
      log.warn("{}: offsets not committed ({}); they will be committed later or reprocessed",
               _name, rd_kafka_err2str(err));
      committed = false;
    }
  }
  // Repartition records before the committed offsets will not be read again.
  if (committed && _purger) _purger->committed(tps, offsets);
  for (stream_task* t : tasks) {
    if (auto ok = t->checkpoint(committed); !ok) {
      throw streams_error(fmt::format("{}: task {}: writing its checkpoint failed: {}", _name,
                                      t->id().to_string(), ok.error().message()));
    }
  }
  _commit_latency.observe(std::chrono::duration<double>(steady::now() - started).count());
  return committed;
}

// ---- rebalancing ------------------------------------------------------------------------------

void stream_thread::on_rebalance(bool assigned, rd_kafka_topic_partition_list_t* parts) {
  if (_closing) {  // leaving the group: the tasks are closed already
    rd_kafka_assign(_consumer.get(), nullptr);
    return;
  }
  try {
    if (assigned) {
      on_assigned(parts);
    } else {
      on_revoked();
    }
  } catch (...) {
    if (!_callback_error) _callback_error = std::current_exception();
    if (!assigned) rd_kafka_assign(_consumer.get(), nullptr);
  }
}

void stream_thread::close_task(stream_task& t, bool clean) {
  if (t.current_state() == stream_task::state::restoring ||
      t.current_state() == stream_task::state::created) {
    _reader->remove(t);
  }
  fold_drops(t);
  _drops_seen.erase(t.id());
  t.close(clean);
}

void stream_thread::on_revoked() {
  set_state(thread_state::partitions_revoked);
  const bool lost = rd_kafka_assignment_lost(_consumer.get()) != 0;
  bool committed = false;
  if (!lost) {
    try {
      committed = commit(true);
    } catch (const transaction_error& e) {
      if (!_eos) throw;
      // The tasks are closed dirty below; the transaction was aborted (or the producer is
      // unusable, and the loop recreates it).
      log.warn("{}: the commit at revocation failed: {}; closing tasks without committing",
               _name, e.what());
      if (e.fatal()) _pending_txn_error.emplace(e);
    }
  } else {
    log.warn("{}: assignment lost (evicted from the group); closing tasks without committing",
             _name);
  }
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
  _inputs.clear();
  _last_refs = nullptr;
  unregister_all_lag();
  if (_eos && !committed && !_pending_txn_error) {
    // Whatever the closed tasks sent since the last commit must not become visible.
    try {
      _collector->abort_transaction(transaction_timeout);
    } catch (const transaction_error& e) {
      _pending_txn_error.emplace(e);
    }
  }
  rd_kafka_assign(_consumer.get(), nullptr);
  publish_metadata();
}

void stream_thread::on_assigned(rd_kafka_topic_partition_list_t* parts) {
  set_state(thread_state::partitions_assigned);
  std::map<dsl::task_id, std::vector<core::topic_partition>> wanted;
  for (int i = 0; i < parts->cnt; ++i) {
    const core::topic_partition tp{parts->elems[i].topic, core::partition_id{parts->elems[i].partition}};
    auto readers = _app.layout.readers.find(tp.topic);
    if (readers == _app.layout.readers.end()) continue;
    for (int32_t sub : readers->second) wanted[{sub, tp.partition}].push_back(tp);
  }
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
  task_stores::resources res{_app.config.application_id, _app.config.state_dir, &_app.rocksdb,
                             _cache.get(), _collector.get(), _eos};
  for (auto& [id, inputs] : wanted) {
    if (_tasks.contains(id)) continue;
    _tasks.emplace(id, std::make_unique<stream_task>(_app.topology, id, inputs,
                                                     _app.config.application_id, res,
                                                     *_collector,
                                                     static_cast<deserialization_error_sink&>(*this)));
  }

  // Where each partition starts: the committed offset, else the source's reset policy.
  // Under exactly-once librdkafka asks for stable offsets: a previous owner's pending offset
  // commit holds this until its transaction ends (at worst its transaction.timeout.ms plus the
  // coordinator's abort check), hence the longer wait.
  const int wait_ms = _eos ? 3 * committed_timeout_ms : committed_timeout_ms;
  if (const rd_kafka_resp_err_t err = rd_kafka_committed(_consumer.get(), parts, wait_ms); err) {
    throw streams_error(fmt::format("{}: cannot read the committed offsets: {}", _name, rd_kafka_err2str(err)));
  }
  std::map<core::topic_partition, int64_t> start;
  for (int i = 0; i < parts->cnt; ++i) {
    auto& e = parts->elems[i];
    if (e.offset < 0) {
      auto r = _app.layout.reset.find(e.topic);
      const bool latest = r != _app.layout.reset.end() && r->second == dsl::offset_reset::latest;
      e.offset = latest ? RD_KAFKA_OFFSET_END : RD_KAFKA_OFFSET_BEGINNING;
    }
    start[{e.topic, core::partition_id{e.partition}}] = e.offset;
  }
  if (const rd_kafka_resp_err_t err = rd_kafka_assign(_consumer.get(), parts); err) {
    throw streams_error(fmt::format("{}: cannot take the assignment: {}", _name, rd_kafka_err2str(err)));
  }

  _inputs.clear();
  _last_refs = nullptr;
  for (auto& [id, t] : _tasks) {
    for (std::size_t i = 0; i < t->inputs().size(); ++i) {
      auto& in = t->inputs()[i];
      const int64_t s = start.at(in.tp);
      in.next_expected = s >= 0 ? s : -1;
      if (s >= 0) in.committed_next = s;
      in.paused = false;
      _inputs[in.tp].push_back({t.get(), i});
      register_lag(in.tp);
      if (t->current_state() != stream_task::state::running) pause(in, true);
    }
  }
  log.info("{}: assigned {} partition(s), {} task(s)", _name, parts->cnt, _tasks.size());
  publish_metadata();
  // New tasks open their stores in the loop (a previous owner may still be closing them).
  _last_open_attempt = {};
}

// ---- shutdown ---------------------------------------------------------------------------------

void stream_thread::shutdown(bool clean) noexcept {
  set_state(thread_state::pending_shutdown);
  if (clean) {
    try {
      commit(true);
    } catch (const std::exception& e) {
      log.error("{}: the final commit failed: {}", _name, e.what());
      clean = false;
    }
  }
  close_all_tasks(clean);
  _closing = true;
  _purger.reset();
  if (_consumer) {
    rd_kafka_consumer_close(_consumer.get());  // leaves the group (unless static membership)
    rd_kafka_destroy(_consumer.release());
  }
  _reader.reset();
  if (_collector && _eos) {
    // Nothing since the last commit may become visible; a clean shutdown has committed it all.
    try {
      if (!_collector->fatal()) _collector->abort_transaction(std::chrono::seconds(30));
    } catch (const std::exception& e) {
      log.warn("{}: {}", _name, e.what());
    }
    _collector.reset();
  } else if (_collector) {
    // Output already produced by closed tasks (at-least-once: also after a failure).
    (void)_collector->flush([deadline = steady::now() + std::chrono::seconds(30)] {
      return steady::now() < deadline;
    });
    _collector.reset();
  }
  _cache.reset();
  update_metrics(true);
  publish_metadata();
  log.info("{}: stopped{}", _name, clean ? "" : " after an error");
}

// ---- errors, metrics ----------------------------------------------------------------------------

bool stream_thread::keeps_raw_records() const noexcept {
  return _app.config.on_deserialization_error == deserialization_handler::dead_letter;
}

void stream_thread::on_deserialization_error(const core::topic_partition& tp, core::offset off,
                                             const core::record* raw, const std::error_code& ec) {
  switch (_app.config.on_deserialization_error) {
    case deserialization_handler::log_and_continue:
      log.warn("{}: skipping record {}-{}@{}: cannot deserialize it: {}", _name, tp.topic,
               tp.partition.value(), off.value(), ec.message());
      _skipped.inc();
      return;
    case deserialization_handler::log_and_fail:
      throw streams_error(fmt::format(
          "cannot deserialize record {}-{}@{}: {} (default.deserialization.exception.handler is "
          "log-and-fail)",
          tp.topic, tp.partition.value(), off.value(), ec.message()));
    case deserialization_handler::dead_letter: {
      SLUICE_ASSERT(raw != nullptr, "dead-letter handler without the raw record");
      core::record r = *raw;
      // The error in headers, with KIP-1034's names, so any Kafka tooling can read them.
      r.hdrs.add("__streams.errors.exception", core::to_bytes("deserialization_failed"));
      r.hdrs.add("__streams.errors.message", core::to_bytes(ec.message()));
      r.hdrs.add("__streams.errors.topic", core::to_bytes(tp.topic));
      r.hdrs.add("__streams.errors.partition", core::to_bytes(std::to_string(tp.partition.value())));
      r.hdrs.add("__streams.errors.offset", core::to_bytes(std::to_string(off.value())));
      _collector->send_record(_app.config.dead_letter_topic, r);
      log.warn("{}: record {}-{}@{} cannot be deserialized ({}); sent to dead-letter topic '{}'",
               _name, tp.topic, tp.partition.value(), off.value(), ec.message(),
               _app.config.dead_letter_topic);
      _dead_lettered.inc();
      return;
    }
  }
}

void stream_thread::register_lag(const core::topic_partition& tp) {
  if (_lag.contains(tp)) return;
  _lag[tp] = &_app.metrics.register_gauge(
      "sluice_streams_records_lag",
      "Records in the partition after the last one processed (end offset - position).",
      {{"topic", tp.topic}, {"partition", std::to_string(tp.partition.value())}});
}

void stream_thread::unregister_all_lag() {
  for (const auto& [tp, g] : _lag) {
    _app.metrics.unregister("sluice_streams_records_lag",
                            {{"topic", tp.topic}, {"partition", std::to_string(tp.partition.value())}});
  }
  _lag.clear();
}

void stream_thread::fold_drops(const stream_task& t) {
  auto& seen = _drops_seen[t.id()];
  for (std::size_t i = 0; i < drop_reasons.size(); ++i) {
    const int64_t now = t.metrics().dropped_total(drop_reasons[i]);
    if (now > seen[i]) _dropped[i]->inc(static_cast<uint64_t>(now - seen[i]));
    seen[i] = now;
  }
}

void stream_thread::update_metrics(bool force) {
  const auto now = steady::now();
  const auto elapsed = now - _last_metrics;
  if (!force && elapsed < metrics_interval) return;
  _last_metrics = now;
  const uint64_t processed = _processed.value();
  const double secs = std::chrono::duration<double>(elapsed).count();
  if (secs > 0) {
    _process_rate.set(static_cast<double>(processed - _processed_at_last_metrics) / secs);
  }
  _processed_at_last_metrics = processed;
  for (auto& [id, t] : _tasks) {
    if (t->current_state() == stream_task::state::closed) continue;
    if (t->current_state() == stream_task::state::running ||
        t->current_state() == stream_task::state::suspended) {
      fold_drops(*t);
    }
    for (const auto& in : t->inputs()) {
      auto g = _lag.find(in.tp);
      if (g == _lag.end() || !_consumer) continue;
      int64_t low = 0, high = 0;
      if (rd_kafka_get_watermark_offsets(_consumer.get(), in.tp.topic.c_str(), in.tp.partition.value(),
                                         &low, &high) != RD_KAFKA_RESP_ERR_NO_ERROR ||
          high < 0) {
        continue;
      }
      const int64_t position = in.processed_next >= 0 ? in.processed_next : in.committed_next;
      if (position >= 0) g->second->set(static_cast<double>(std::max<int64_t>(0, high - position)));
    }
  }
}

}  // namespace sluice::runtime::detail
