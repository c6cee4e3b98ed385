#include "runtime/detail/stream_thread.h"

#include "core/assert.h"
#include "core/log.h"
#include "runtime/errors.h"

#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

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
constexpr int committed_timeout_ms = 30000;
/// Exactly-once: how long init_transactions, a commit or an abort may take before it fails.
constexpr auto transaction_timeout = std::chrono::seconds(60);

}  // namespace

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

stream_thread::stream_thread(const app_context& app, int index, std::shared_ptr<task_inbox> inbox,
                             std::function<void()> on_change)
    : _app(app),
      _index(index),
      _name(fmt::format("stream-thread-{}", index)),
      _inbox(std::move(inbox)),
      _on_change(std::move(on_change)),
      _eos(app.config.guarantee == processing_guarantee::exactly_once_v2),
      _clients(app.config, app.layout, app.process_id, index, _name),
      _metrics(app.metrics, _name),
      _bad_records(app.config, _name, app.metrics,
                   [this](std::string_view topic, const core::raw_record& r) { _collector->send_record(topic, r); }),
      _pressure(static_cast<std::size_t>(app.config.input_buffer_max_bytes / std::max(1, app.config.num_stream_threads)),
                app.config.buffered_records_per_partition),
      _tasks(app.layout,
             [this](const dsl::task_id& id, std::vector<core::topic_partition> inputs) {
               task_stores::resources res{_app.config.application_id, _app.config.state_dir, &_app.rocksdb,
                                          _cache.get(), _collector.get(), _eos};
               return std::make_unique<stream_task>(_app.topology, id, std::move(inputs), _app.config.application_id,
                                                    res, *_collector, _bad_records);
             },
             *this,
             [this](stream_task& t) {
               const auto s = t.current_state();
               if (s == stream_task::state::restoring || s == stream_task::state::created) _reader->remove(t);
               _metrics.task_closed(t);
             }) {
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
  std::size_t restoring = 0;
  md.active_tasks = _tasks.describe(restoring);
  _metrics.tasks(md.active_tasks.size(), restoring);
  std::lock_guard lock(_mutex);
  _metadata = std::move(md);
}

bool stream_thread::pause(const core::topic_partition& tp, bool paused) {
  return pause_partition(_consumer.get(), tp, paused, _name);
}

// ---- interactive queries ----------------------------------------------------------------------

struct stream_thread::pending_query {
  std::function<void(task_manager&)> read;
  std::exception_ptr error;
  bool done = false;
};

void stream_thread::query(const std::function<void(task_manager&)>& read, std::chrono::milliseconds timeout) {
  auto q = std::make_shared<pending_query>();
  q->read = read;
  std::unique_lock lock(_mutex);
  if (_ended) {
    throw invalid_state_store(invalid_state_store::reason::unavailable, _name + " is not running: retry");
  }
  _queries.push_back(q);
  _has_queries.store(true);
  if (!_dead_cv.wait_for(lock, timeout, [&] { return q->done; })) {
    std::erase(_queries, q);
    throw invalid_state_store(invalid_state_store::reason::unavailable, _name + " did not answer in time: retry");
  }
  if (q->error) std::rethrow_exception(q->error);
}

void stream_thread::answer_queries(bool fail) {
  if (!fail && !_has_queries.load(std::memory_order_relaxed)) return;
  std::vector<std::shared_ptr<pending_query>> queries;
  {
    std::lock_guard lock(_mutex);
    queries.swap(_queries);
    _has_queries.store(false);
    if (fail) _ended = true;
  }
  for (auto& q : queries) {
    if (fail) {
      q->error = std::make_exception_ptr(
          invalid_state_store(invalid_state_store::reason::unavailable, _name + " is shutting down: retry"));
      continue;
    }
    try {
      q->read(_tasks);
    } catch (...) {
      q->error = std::current_exception();
    }
  }
  {
    std::lock_guard lock(_mutex);
    for (auto& q : queries) q->done = true;
  }
  _dead_cv.notify_all();
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
  if (cfg.cache_max_bytes > 0) {
    _cache = std::make_unique<state::record_cache>(
        static_cast<std::size_t>(cfg.cache_max_bytes / std::max(1, cfg.num_stream_threads)));
  }
  // The producer first: under exactly-once it fences an earlier incarnation of this thread
  // and aborts its open transaction before the consumer joins, so the last stable offsets of
  // its partitions move on.
  _collector = _clients.producer(transaction_timeout);
  _reader = std::make_unique<changelog_reader>(_clients.restore_consumer(), _name, _app.metrics,
                                               changelog_reader::options{});
  _consumer = _clients.consumer();
  _purger = repartition_purger::for_topology(_consumer.get(), _app.topology, cfg.application_id,
                                             cfg.repartition_purge_interval, _name);
  _last_commit = steady::now();
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
      apply_assignment();
      poll_records();
      _pressure.limit(_tasks);
      _collector->check();
      open_created_tasks();
      restore();
      if (_state.load() == thread_state::partitions_assigned && _tasks.all_running() && _reader->idle()) {
        set_state(thread_state::running);
        publish_metadata();
      }
      process_records();
      _tasks.punctuate(core::wall_clock_now());
      if (_has_queries.load(std::memory_order_relaxed)) {
        // Exactly-once: queries see committed state only, so they are answered right after a
        // commit (caches flushed, no pending batch). At-least-once: the latest state.
        if (_eos) commit(false);
        answer_queries(false);
      }
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

void stream_thread::update_metrics(bool force) {
  _metrics.update(
      _tasks, [this](const core::topic_partition& tp) { return cached_end_offset(_consumer.get(), tp); }, force);
}

void stream_thread::close_all_tasks(bool clean) {
  _tasks.close_all(clean);
  _metrics.unregister_lag();
}

void stream_thread::recover(const transaction_error& e) {
  bool fatal = e.fatal() || _collector->status().code == errc::producer_fenced;
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
    _collector = _clients.producer(transaction_timeout);
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

void stream_thread::poll_records() {
  // Block in poll only when there is nothing else to do (records waiting for
  // max.task.idle.ms do not count: polling is how their missing partitions arrive).
  const bool busy = !_reader->idle() || _tasks.any_created() ||
                    _tasks.processable(steady::now(), _app.config.max_task_idle);
  int timeout = busy ? 0 : timeout_ms(_app.config.poll_interval);
  for (int i = 0; i < max_poll_records; ++i) {
    const kafka::message owned = kafka::poll(_consumer.get(), timeout);
    rd_kafka_message_t* m = owned.get();
    if (m == nullptr) break;
    timeout = 0;
    handle_message(m);
  }
  if (_processed_in_poll > 0) _metrics.processed(std::exchange(_processed_in_poll, 0));
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
  if (_last_rkt != m->rkt || _last_partition != m->partition || _last_refs == nullptr ||
      _last_routing != _tasks.routing_version()) {
    _last_refs = _tasks.route(core::topic_partition{rd_kafka_topic_name(m->rkt), core::partition_id{m->partition}});
    if (_last_refs == nullptr) return;  // not (or no longer) assigned to a task
    _last_rkt = m->rkt;
    _last_partition = m->partition;
    _last_routing = _tasks.routing_version();
  }
  _processed_in_poll += static_cast<uint64_t>(_tasks.deliver(*_last_refs, core::offset{m->offset}, to_record(m), _pressure));
}

void stream_thread::open_created_tasks() {
  if (!_tasks.any_created() || steady::now() - _last_open_attempt < store_open_retry) return;
  _last_open_attempt = steady::now();
  _tasks.open_created([this](stream_task& t) { return _reader->add(t); });
  publish_metadata();
}

void stream_thread::restore() {
  const bool busy = _tasks.processable(steady::now(), _app.config.max_task_idle);
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
  _pressure.resume_drained(_tasks);
  publish_metadata();
}

int stream_thread::process_records() {
  const int total = _tasks.process(records_per_iteration, records_per_task_turn, steady::now(),
                                   _app.config.max_task_idle);
  if (total > 0) {
    _metrics.processed(static_cast<uint64_t>(total));
    _pressure.resume_drained(_tasks);
  }
  return total;
}

void stream_thread::maybe_commit() {
  if (steady::now() - _last_commit < _app.config.commit_interval) return;
  commit(false);
}

bool stream_thread::commit(bool all) {
  _last_commit = steady::now();
  const auto started = steady::now();
  const auto committed = _tasks.commit(all, _eos && _collector->in_transaction(), *this);
  if (!committed) return true;
  _metrics.commit_took(steady::now() - started);
  return *committed;
}

bool stream_thread::commit_offsets(const std::vector<std::pair<core::topic_partition, int64_t>>& offsets) {
  if (auto ok = _collector->flush([] { return true; }); !ok) {
    _collector->check();
    throw streams_error(_name + ": flushing the producer failed");
  }
  partition_list list = make_offset_list(offsets);
  if (_eos) {
    // Offsets, outputs and changelog records commit together or not at all; on failure this
    // throws transaction_error and the stores' batches stay pending (to be discarded).
    _collector->commit_transaction(list.get(), _app.membership.metadata(), transaction_timeout);
    _recreated_since_commit = false;
  } else if (!offsets.empty() && !_app.membership.commit_offsets(offsets, _name)) {
    return false;
  }
  // Repartition records before the committed offsets will not be read again.
  if (_purger) _purger->committed(offsets);
  return true;
}

// ---- rebalancing ------------------------------------------------------------------------------

void stream_thread::apply_assignment() {
  auto next = _inbox->take();
  if (!next) return;
  change_tasks(next->active);
  _inbox->applied(next->version);
}

void stream_thread::change_tasks(const std::set<dsl::task_id>& want) {
  auto partitions_of = [&](const std::set<dsl::task_id>& tasks) {
    std::vector<core::topic_partition> parts;
    for (const auto& t : tasks) {
      auto tp = task_partitions(_app.topology, _app.layout, _app.config.application_id, t);
      parts.insert(parts.end(), tp.begin(), tp.end());
    }
    return make_partition_list(parts);
  };
  // The whole set anew (the first one, or after a failed commit).
  auto take_all = [&] {
    _assigned = want;
    partition_list all = partitions_of(want);
    on_assigned(all.get());
  };
  if (!_assigned) return take_all();
  std::set<dsl::task_id> removed, added;
  std::set_difference(_assigned->begin(), _assigned->end(), want.begin(), want.end(),
                      std::inserter(removed, removed.end()));
  std::set_difference(want.begin(), want.end(), _assigned->begin(), _assigned->end(),
                      std::inserter(added, added.end()));
  if (removed.empty() && added.empty()) return;
  // Incremental (KIP-429): tasks that stay go on; removed ones are committed and closed, added
  // ones are created. A commit that fails closes everything dirty and starts the new set from
  // the committed offsets, as a full revocation does.
  if (!removed.empty()) {
    set_state(thread_state::partitions_revoked);
    if (!commit_before_revocation()) {
      revoke_all(false);
      return take_all();
    }
    _tasks.remove(removed, true);
    partition_list gone = partitions_of(removed);
    check_incremental(rd_kafka_incremental_unassign(_consumer.get(), gone.get()), "give up partitions");
    log.info("{}: revoked {} task(s)", _name, removed.size());
  }
  _assigned = want;
  set_state(thread_state::partitions_assigned);
  if (!added.empty()) {
    partition_list fresh = partitions_of(added);
    add_partitions(fresh.get());
  }
  _metrics.unregister_lag();
  _metrics.register_lag(_tasks);
  publish_metadata();
}

void stream_thread::check_incremental(rd_kafka_error_t* error, std::string_view what) const {
  if (error == nullptr) return;
  const std::string why = rd_kafka_error_string(error);
  rd_kafka_error_destroy(error);
  throw streams_error(fmt::format("{}: cannot {}: {}", _name, what, why));
}

void stream_thread::on_revoked() {
  set_state(thread_state::partitions_revoked);
  revoke_all(commit_before_revocation());
}

bool stream_thread::commit_before_revocation() {
  try {
    // Fails if the instance fell out of the group: the broker refuses a stale generation.
    return commit(true);
  } catch (const transaction_error& e) {
    if (!_eos) throw;
    // The tasks are closed dirty; the transaction was aborted (or the producer is unusable,
    // and the loop recreates it).
    log.warn("{}: the commit at revocation failed: {}; closing tasks without committing", _name, e.what());
    if (e.fatal()) _pending_txn_error.emplace(e);
    return false;
  }
}

void stream_thread::revoke_all(bool committed) {
  _tasks.revoke(committed);
  _metrics.unregister_lag();
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

std::map<core::topic_partition, int64_t> stream_thread::start_offsets(rd_kafka_topic_partition_list_t* parts) {
  // Where each partition starts: the committed offset, else the source's reset policy.
  // Under exactly-once librdkafka asks for stable offsets: a previous owner's pending offset
  // commit holds this until its transaction ends (at worst its transaction.timeout.ms plus the
  // coordinator's abort check), hence the longer wait.
  const int wait_ms = _eos ? 3 * committed_timeout_ms : committed_timeout_ms;
  if (parts->cnt == 0) return {};
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
  return start;
}

void stream_thread::on_assigned(rd_kafka_topic_partition_list_t* parts) {
  set_state(thread_state::partitions_assigned);
  const auto start = start_offsets(parts);
  if (const rd_kafka_resp_err_t err = rd_kafka_assign(_consumer.get(), parts); err) {
    throw streams_error(fmt::format("{}: cannot take the assignment: {}", _name, rd_kafka_err2str(err)));
  }
  // Tasks after the consumer has its positions: pausing a partition needs it assigned.
  _tasks.assign(start);
  _metrics.register_lag(_tasks);
  log.info("{}: assigned {} partition(s), {} task(s)", _name, parts->cnt, _tasks.tasks().size());
  publish_metadata();
  // New tasks open their stores in the loop (a previous owner may still be closing them).
  _last_open_attempt = {};
}

void stream_thread::add_partitions(rd_kafka_topic_partition_list_t* parts) {
  const auto start = start_offsets(parts);
  check_incremental(rd_kafka_incremental_assign(_consumer.get(), parts), "take partitions");
  _tasks.add(start);
  log.info("{}: added {} partition(s); {} task(s)", _name, parts->cnt, _tasks.tasks().size());
  _last_open_attempt = {};
}

// ---- shutdown ---------------------------------------------------------------------------------

void stream_thread::shutdown(bool clean) noexcept {
  answer_queries(true);
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
  _purger.reset();
  if (_consumer) {
    rd_kafka_consumer_close(_consumer.get());
    rd_kafka_destroy(_consumer.release());
  }
  _reader.reset();
  if (_collector) {
    _collector->finish(std::chrono::seconds(30));
    _collector.reset();
  }
  _cache.reset();
  update_metrics(true);
  publish_metadata();
  log.info("{}: stopped{}", _name, clean ? "" : " after an error");
}

}  // namespace sluice::runtime::detail
