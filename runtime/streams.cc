#include "runtime/streams.h"

#include "core/assert.h"
#include "core/log.h"
#include "core/murmur2.h"
#include "core/host_port.h"
#include "runtime/detail/kafka.h"
#include "runtime/detail/stream_thread.h"
#include "runtime/detail/streams_membership.h"
#include "runtime/detail/topic_manager.h"
#include "state/key_value_store.h"
#include "state/session_store.h"
#include "state/window_store.h"
#include "state/rocksdb_resources.h"

#include <librdkafka/rdkafka.h>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <mutex>
#include <random>
#include <thread>

namespace sluice::runtime {
namespace {

const core::logger log("runtime.streams");

using steady = std::chrono::steady_clock;

constexpr std::array<streams_state, 7> all_states{
    streams_state::created,      streams_state::rebalancing,   streams_state::running,
    streams_state::pending_shutdown, streams_state::not_running, streams_state::pending_error,
    streams_state::error};

bool valid_transition(streams_state from, streams_state to) {
  using s = streams_state;
  switch (from) {
    case s::created: return to == s::rebalancing || to == s::pending_shutdown;
    case s::rebalancing:
    case s::running:
      return to == s::running || to == s::rebalancing || to == s::pending_shutdown ||
             to == s::pending_error;
    case s::pending_shutdown: return to == s::not_running;
    case s::pending_error: return to == s::error || to == s::pending_shutdown;
    case s::error: return to == s::pending_shutdown;
    case s::not_running: return false;
  }
  return false;
}

std::string random_process_id() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  return fmt::format("{:016x}{:016x}", gen(), gen());
}

std::string describe(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "a non-standard exception";
  }
}

/// An exclusive flock(2) on a file, released at destruction (or when the process dies).
class file_lock {
 public:
  explicit file_lock(int fd) : _fd(fd) {}
  file_lock(file_lock&& o) noexcept : _fd(std::exchange(o._fd, -1)) {}
  file_lock& operator=(file_lock&&) = delete;
  ~file_lock() {
    if (_fd >= 0) ::close(_fd);  // releases the lock
  }

 private:
  int _fd;
};

file_lock lock_state_dir(const std::filesystem::path& app_dir) {
  const auto path = app_dir / ".lock";
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw streams_error(fmt::format("cannot open '{}' (state.dir): {}", path.string(),
                                    std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int e = errno;
    ::close(fd);
    throw streams_error(fmt::format(
        "the state directory '{}' (state.dir) is in use by another instance of application "
        "'{}'{}: with processing.guarantee=exactly_once_v2 each instance needs its own state.dir",
        app_dir.string(), app_dir.filename().string(),
        e == EWOULDBLOCK ? "" : std::string(" (") + std::strerror(e) + ")"));
  }
  return file_lock(fd);
}

/// The id in `<app_dir>/process-id`, created (atomically, synced) on first use.
std::string persistent_process_id(const std::filesystem::path& app_dir) {
  const auto path = app_dir / "process-id";
  {
    std::ifstream in(path);
    std::string id;
    if (in >> id && id.size() == 32 &&
        id.find_first_not_of("0123456789abcdef") == std::string::npos) {
      return id;
    }
  }
  const std::string id = random_process_id();
  const auto tmp = app_dir / "process-id.tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  const std::string line = id + "\n";
  if (fd < 0 || ::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) ||
      ::fsync(fd) != 0 || ::close(fd) != 0) {
    const int e = errno;
    if (fd >= 0) ::close(fd);
    throw streams_error(fmt::format("cannot write '{}' (state.dir): {}", tmp.string(), std::strerror(e)));
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    throw streams_error(fmt::format("cannot write '{}' (state.dir): {}", path.string(), ec.message()));
  }
  log.info("new process id {} in {}", id, path.string());
  return id;
}

}  // namespace

std::string_view to_string(streams_state s) noexcept {
  switch (s) {
    case streams_state::created: return "created";
    case streams_state::rebalancing: return "rebalancing";
    case streams_state::running: return "running";
    case streams_state::pending_shutdown: return "pending_shutdown";
    case streams_state::not_running: return "not_running";
    case streams_state::pending_error: return "pending_error";
    case streams_state::error: return "error";
  }
  return "unknown";
}

struct streams::impl {
  impl(dsl::topology t, const core::properties& props, core::metrics_registry* external)
      : topology(std::move(t)),
        config(streams_config::parse(props)),
        own_metrics(external == nullptr ? std::make_unique<core::metrics_registry>() : nullptr),
        metrics(external != nullptr ? *external : *own_metrics),
        process_id(random_process_id()),
        alive_threads(metrics.register_gauge("sluice_streams_alive_threads",
                                             "Stream threads running in this instance.")) {
    for (auto s : all_states) {
      state_gauges[static_cast<std::size_t>(s)] = &metrics.register_gauge(
          "sluice_streams_state", "1 for the instance's current state, 0 for the others.",
          {{"state", std::string(to_string(s))}});
    }
    state_gauges[static_cast<std::size_t>(streams_state::created)]->set(1);
  }

  // Declaration order is destruction order in reverse: threads go before what they use.
  dsl::topology topology;
  streams_config config;
  std::unique_ptr<core::metrics_registry> own_metrics;
  core::metrics_registry& metrics;
  std::string process_id;
  std::optional<file_lock> state_dir_lock;  // exactly-once: <state.dir>/<application.id>/.lock
  std::unique_ptr<state::rocksdb_resources> rocksdb;
  detail::topic_layout layout;
  std::unique_ptr<detail::streams_membership> membership;  // the instance's group member
  std::unique_ptr<detail::app_context> context;
  detail::kafka_client control_consumer;  // the supervisor's
  detail::kafka_client control_producer;  // created when a shutdown request is sent

  core::gauge& alive_threads;
  std::array<core::gauge*, all_states.size()> state_gauges{};

  std::timed_mutex close_mutex;  // one close() at a time
  std::mutex listener_mutex;  // serializes transitions and listener/handler calls
  mutable std::mutex mutex;   // guards the fields below
  std::condition_variable cv;
  streams_state state = streams_state::created;
  state_listener listener;
  uncaught_error_handler handler;
  std::vector<std::unique_ptr<detail::stream_thread>> threads;
  int next_index = 0;
  bool wakeup = false;
  bool stop_supervisor = false;
  bool shutting_down = false;  // no more thread replacements
  std::thread supervisor;

  /// Moves to `to` if allowed and tells the listener; false if the transition is not allowed.
  bool transition(streams_state to) {
    std::lock_guard serial(listener_mutex);
    streams_state from;
    state_listener l;
    {
      std::lock_guard lock(mutex);
      from = state;
      if (from == to || !valid_transition(from, to)) return false;
      state = to;
      l = listener;
    }
    state_gauges[static_cast<std::size_t>(from)]->set(0);
    state_gauges[static_cast<std::size_t>(to)]->set(1);
    log.info("application '{}': state {} -> {}", config.application_id, to_string(from), to_string(to));
    if (l) {
      try {
        l(to, from);
      } catch (const std::exception& e) {
        log.error("the state listener threw: {}", e.what());
      }
    }
    return true;
  }

  streams_state current() const {
    std::lock_guard lock(mutex);
    return state;
  }

  void notify() {
    std::lock_guard lock(mutex);
    wakeup = true;
    cv.notify_all();
  }

  void add_thread() {
    // REQUIRES: mutex held.
    auto t = std::make_unique<detail::stream_thread>(*context, next_index++, std::make_shared<detail::task_inbox>(),
                                                     [this] { notify(); });
    t->start();
    threads.push_back(std::move(t));
  }

  // Interactive queries (defined with streams::query_get): the thread running `id` (throws
  // not_local), every thread with tasks of a sub-topology, the task holding a key.
  detail::stream_thread& owner_of(const dsl::task_id& id) const;
  std::vector<std::pair<detail::stream_thread*, std::vector<dsl::task_id>>> owners_of(int32_t subtopology) const;
  dsl::task_id task_of(const dsl::store_spec& spec, core::bytes_view key) const;
  /// The task holding `key` of `spec`'s store (murmur2 over its task count); nullopt before the
  /// layout knows the count.
  std::optional<dsl::task_id> task_for_key(const dsl::store_spec& spec, core::bytes_view key) const;

  /// The live stream threads, for the membership.
  std::vector<detail::streams_membership::thread_slot> live_threads() {
    std::lock_guard lock(mutex);
    std::vector<detail::streams_membership::thread_slot> out;
    for (auto& t : threads) {
      if (t->state() != detail::thread_state::dead) out.push_back({t->index(), t->inbox()});
    }
    return out;
  }

  void start_control_consumer() {
    core::properties settings = config.consumer;
    settings.erase("auto.offset.reset");
    settings["bootstrap.servers"] = config.bootstrap_servers;
    settings["client.id"] = config.client_id + "-control-consumer";
    settings["group.id"] = config.application_id + "-control";
    settings["enable.auto.commit"] = "false";
    control_consumer = detail::make_client(detail::client_type::consumer, settings, "control consumer");
    int64_t low = 0, high = 0;
    const rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
        control_consumer.get(), layout.control_topic.c_str(), 0, &low, &high, 30000);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      throw streams_error(fmt::format("cannot read the end of control topic '{}': {}",
                                      layout.control_topic, rd_kafka_err2str(err)));
    }
    detail::partition_list l = detail::make_partition_list({{layout.control_topic, core::partition_id{0}}});
    l->elems[0].offset = high;  // only requests made from now on
    rd_kafka_assign(control_consumer.get(), l.get());
  }

  /// Publishes a request that every instance of the application shuts down.
  void request_application_shutdown(const std::string& reason) {
    try {
      if (!control_producer) {
        core::properties settings = config.producer;
        settings["bootstrap.servers"] = config.bootstrap_servers;
        settings["client.id"] = config.client_id + "-control-producer";
        control_producer = detail::make_client(detail::client_type::producer, settings, "control producer");
      }
      const std::string value =
          nlohmann::json{{"type", "shutdown_application"}, {"process", process_id}, {"reason", reason}}.dump();
      rd_kafka_producev(control_producer.get(), RD_KAFKA_V_TOPIC(layout.control_topic.c_str()),
                        RD_KAFKA_V_PARTITION(0), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                        RD_KAFKA_V_KEY(config.application_id.data(), config.application_id.size()),
                        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()), RD_KAFKA_V_END);
      if (rd_kafka_flush(control_producer.get(), 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log.error("the shutdown request to '{}' was not acknowledged in time", layout.control_topic);
      }
    } catch (const std::exception& e) {
      log.error("cannot publish the shutdown request: {}", e.what());
    }
  }

  /// Checks the control topic for shutdown requests of other instances.
  void poll_control() {
    if (!control_consumer) return;
    for (;;) {
      kafka::message m = kafka::poll(control_consumer.get(), 0);
      if (!m) return;
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      const std::string text(static_cast<const char*>(m->payload), m->len);
      auto j = nlohmann::json::parse(text, nullptr, false);
      if (j.is_discarded() || !j.is_object() || j.value("type", "") != "shutdown_application") continue;
      if (j.value("process", "") == process_id) continue;
      log.error("application '{}': another instance asked every instance to shut down: {}",
                config.application_id, j.value("reason", std::string("(no reason given)")));
      begin_error_shutdown();
    }
  }

  void begin_error_shutdown() {
    if (!transition(streams_state::pending_error)) return;
    std::lock_guard lock(mutex);
    shutting_down = true;
    for (auto& t : threads) t->request_shutdown();
  }

  void handle_dead_threads() {
    std::vector<detail::stream_thread*> failed;
    {
      std::lock_guard lock(mutex);
      for (auto& t : threads) {
        if (t->state() == detail::thread_state::dead && t->error() && !shutting_down) failed.push_back(t.get());
      }
    }
    for (detail::stream_thread* t : failed) {
      const std::exception_ptr error = t->error();
      uncaught_error_response response = uncaught_error_response::shutdown_client;
      uncaught_error_handler h;
      {
        std::lock_guard lock(mutex);
        h = handler;
      }
      if (h) {
        std::lock_guard serial(listener_mutex);
        try {
          response = h(error);
        } catch (const std::exception& e) {
          log.error("the uncaught-error handler threw ({}); shutting the client down", e.what());
        }
      }
      const std::string what = describe(error);
      switch (response) {
        case uncaught_error_response::replace_thread: {
          log.warn("{} failed ({}); replacing it", t->name(), what);
          std::unique_ptr<detail::stream_thread> dead;
          {
            std::lock_guard lock(mutex);
            if (shutting_down) break;
            for (auto& owned : threads) {
              if (owned.get() == t) dead = std::move(owned);
            }
            std::erase(threads, nullptr);
            add_thread();
          }
          membership->threads_changed();
          // Joined without the lock: the dying thread's last state change takes it.
          if (dead) dead->join();
          break;
        }
        case uncaught_error_response::shutdown_client:
          log.error("{} failed ({}); shutting this instance down", t->name(), what);
          begin_error_shutdown();
          break;
        case uncaught_error_response::shutdown_application:
          log.error("{} failed ({}); shutting the whole application down", t->name(), what);
          request_application_shutdown(t->name() + ": " + what);
          begin_error_shutdown();
          break;
      }
    }
  }

  void update_state() {
    std::size_t alive = 0;
    bool all_running = true;
    {
      std::lock_guard lock(mutex);
      for (auto& t : threads) {
        const auto s = t->state();
        if (s == detail::thread_state::dead) continue;
        ++alive;
        if (s != detail::thread_state::running) all_running = false;
      }
    }
    alive_threads.set(static_cast<double>(alive));
    const streams_state now = current();
    if (now == streams_state::pending_error && alive == 0) {
      transition(streams_state::error);
      return;
    }
    if (now != streams_state::running && now != streams_state::rebalancing) return;
    if (alive == 0) return;
    transition(all_running ? streams_state::running : streams_state::rebalancing);
  }

  void supervise() {
    for (;;) {
      {
        std::unique_lock lock(mutex);
        cv.wait_for(lock, std::chrono::milliseconds(200), [&] { return wakeup || stop_supervisor; });
        if (stop_supervisor) return;
        wakeup = false;
      }
      if (const std::string why = membership->failed(); !why.empty() && current() != streams_state::pending_error &&
                                                        current() != streams_state::error) {
        log.error("application '{}': the group membership failed: {}", config.application_id, why);
        begin_error_shutdown();
      }
      handle_dead_threads();
      poll_control();
      update_state();
    }
  }
};

streams::streams(dsl::topology topology, const core::properties& config,
                 core::metrics_registry* metrics)
    : _impl(std::make_unique<impl>(std::move(topology), config, metrics)) {}

streams::~streams() {
  if (_impl) {
    while (!close(std::chrono::hours(1))) {
    }
  }
}

void streams::set_state_listener(state_listener listener) {
  std::lock_guard lock(_impl->mutex);
  SLUICE_ASSERT(_impl->state == streams_state::created, "set_state_listener after start()");
  _impl->listener = std::move(listener);
}

void streams::set_uncaught_error_handler(uncaught_error_handler handler) {
  std::lock_guard lock(_impl->mutex);
  SLUICE_ASSERT(_impl->state == streams_state::created, "set_uncaught_error_handler after start()");
  _impl->handler = std::move(handler);
}

void streams::start() {
  impl& m = *_impl;
  SLUICE_ASSERT(m.current() == streams_state::created, "streams::start called twice");
  const streams_config& cfg = m.config;
  const std::filesystem::path app_dir = cfg.state_dir / cfg.application_id;
  std::error_code ec;
  std::filesystem::create_directories(app_dir, ec);
  if (ec) {
    throw streams_error(fmt::format("cannot create the state directory '{}' (state.dir): {}",
                                    app_dir.string(), ec.message()));
  }
  if (cfg.guarantee == processing_guarantee::exactly_once_v2) {
    // The transactional.ids are <application.id>-<process id>-<thread index>: stable across
    // restarts on this state directory (a restarted worker fences its previous incarnation at
    // once), and unique to it — hence the lock.
    m.state_dir_lock.emplace(lock_state_dir(app_dir));
    m.process_id = persistent_process_id(app_dir);
  }
  state::rocksdb_resources_config rc;
  rc.memory_budget_bytes = static_cast<std::size_t>(cfg.rocksdb_memory_bytes);
  rc.write_buffer_size = std::min<std::size_t>(rc.write_buffer_size, rc.memory_budget_bytes / 8);
  m.rocksdb = std::make_unique<state::rocksdb_resources>(rc);

  {
    detail::topic_manager topics(cfg);
    m.layout = topics.prepare(m.topology);
  }
  try {
    m.membership = std::make_unique<detail::streams_membership>(
        m.topology, m.config, m.layout, m.process_id, [&m] { return m.live_threads(); }, [&m] { m.notify(); });
  } catch (const core::config_exception& e) {
    throw streams_error(fmt::format("the consumer-group settings are not usable: {}", e.what()));
  }
  m.context = std::make_unique<detail::app_context>(
      detail::app_context{m.topology, m.config, m.layout, *m.rocksdb, m.metrics, m.process_id, *m.membership});
  m.start_control_consumer();
  log.info("application '{}' starting: {} stream thread(s), {} source topic(s), state in {}",
           cfg.application_id, cfg.num_stream_threads, m.layout.source_topics.size(),
           app_dir.string());
  m.transition(streams_state::rebalancing);
  {
    std::lock_guard lock(m.mutex);
    for (int i = 0; i < cfg.num_stream_threads; ++i) m.add_thread();
  }
  m.membership->start();
  m.supervisor = std::thread([&m] { m.supervise(); });
}

bool streams::close(std::chrono::milliseconds timeout) {
  impl& m = *_impl;
  const auto deadline = steady::now() + timeout;
  std::unique_lock closing(m.close_mutex, std::defer_lock);
  if (!closing.try_lock_until(deadline)) return false;
  const streams_state s = m.current();
  if (s == streams_state::not_running) return true;
  if (s == streams_state::created) {
    m.transition(streams_state::pending_shutdown);
    m.transition(streams_state::not_running);
    return true;
  }
  if (s == streams_state::pending_error) {
    // Let the failing instance reach error first, then close it like any other.
    while (m.current() == streams_state::pending_error && steady::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  m.transition(streams_state::pending_shutdown);
  std::vector<detail::stream_thread*> threads;
  {
    std::lock_guard lock(m.mutex);
    m.shutting_down = true;
    for (auto& t : m.threads) {
      t->request_shutdown();
      threads.push_back(t.get());
    }
  }
  for (auto* t : threads) {
    if (!t->wait_until_dead(deadline)) {
      log.warn("close: {} did not stop within the timeout", t->name());
      return false;
    }
  }
  {
    std::lock_guard lock(m.mutex);
    m.stop_supervisor = true;
    m.cv.notify_all();
  }
  if (m.supervisor.joinable()) m.supervisor.join();
  std::vector<std::unique_ptr<detail::stream_thread>> stopped;
  {
    std::lock_guard lock(m.mutex);
    stopped = std::move(m.threads);
    m.threads.clear();
  }
  // Joined without the lock: a thread's last state change (dead) notifies under it.
  for (auto& t : stopped) t->join();
  stopped.clear();
  // The tasks are committed and closed: leave the group (a static member stays).
  m.membership->stop();
  m.alive_threads.set(0);
  m.control_consumer.reset();
  if (m.control_producer) {
    rd_kafka_flush(m.control_producer.get(), 5000);
    m.control_producer.reset();
  }
  m.state_dir_lock.reset();
  m.transition(streams_state::not_running);
  return true;
}

streams_state streams::state() const { return _impl->current(); }

std::vector<thread_metadata> streams::metadata() const {
  std::lock_guard lock(_impl->mutex);
  std::vector<thread_metadata> out;
  for (auto& t : _impl->threads) {
    if (t->state() != detail::thread_state::dead) out.push_back(t->metadata());
  }
  return out;
}

namespace {

std::optional<host_info> parse_endpoint(const std::string& endpoint) {
  try {
    auto hp = core::parse_host_port(endpoint, "application.server");
    return host_info{std::move(hp.host), hp.port};
  } catch (const core::config_exception&) {
    return std::nullopt;  // another instance's; it validated its own
  }
}

bool holds_any(const std::vector<core::topic_partition>& held, const std::vector<core::topic_partition>& wanted) {
  return std::any_of(wanted.begin(), wanted.end(),
                     [&](const auto& tp) { return std::binary_search(held.begin(), held.end(), tp); });
}

}  // namespace

std::optional<key_query_metadata> streams::query_metadata_for_key(std::string_view store,
                                                                  core::bytes_view serialized_key) const {
  const impl& m = *_impl;
  const dsl::store_spec* spec = m.topology.find_store(store);
  if (spec == nullptr) return std::nullopt;
  key_query_metadata out;
  if (!m.membership) return out;
  const auto id = m.task_for_key(*spec, serialized_key);
  if (!id) return out;
  out.partition = id->partition;
  const auto partitions = detail::task_partitions(m.topology, m.layout, m.config.application_id, *id);
  for (const auto& h : m.membership->hosts()) {
    auto host = parse_endpoint(h.endpoint);
    if (!host) continue;
    if (!out.active && holds_any(h.active, partitions)) {
      out.active = std::move(*host);
    } else if (holds_any(h.standby, partitions)) {
      out.standbys.push_back(std::move(*host));
    }
  }
  return out;
}

std::vector<instance_metadata> streams::all_metadata() const {
  const impl& m = *_impl;
  std::vector<instance_metadata> out;
  if (!m.membership) return out;
  for (auto& h : m.membership->hosts()) {
    auto host = parse_endpoint(h.endpoint);
    if (!host) continue;
    instance_metadata md;
    md.host = std::move(*host);
    for (const auto& tp : h.active) {
      auto readers = m.layout.readers.find(tp.topic);
      if (readers == m.layout.readers.end()) continue;
      for (const auto& s : m.topology.subtopologies()) {
        if (std::find(readers->second.begin(), readers->second.end(), s.id) == readers->second.end()) continue;
        md.stores.insert(s.stores.begin(), s.stores.end());
      }
    }
    md.active_partitions = std::move(h.active);
    md.standby_partitions = std::move(h.standby);
    out.push_back(std::move(md));
  }
  return out;
}

namespace {

constexpr auto query_timeout = std::chrono::seconds(30);

[[noreturn]] void unavailable(const std::string& why) {
  throw invalid_state_store(invalid_state_store::reason::unavailable, why + ": retry");
}

template <class T>
T value_or_unavailable(result<T> r, const std::string& what) {
  if (!r) unavailable(what + " failed: " + r.error().message());
  return std::move(r.value());
}

/// `store` of the topology if it is of `kind`; throws unknown_store / wrong_kind otherwise.
const dsl::store_spec& queryable(const dsl::topology& topology, std::string_view store, dsl::store_kind kind) {
  const dsl::store_spec* spec = topology.find_store(store);
  if (spec == nullptr) {
    throw invalid_state_store(invalid_state_store::reason::unknown_store,
                              "no store '" + std::string(store) + "' in the topology");
  }
  if (spec->kind != kind) {
    throw invalid_state_store(invalid_state_store::reason::wrong_kind,
                              "store '" + std::string(store) + "' is not of the kind asked for");
  }
  return *spec;
}

/// The running task `id`'s store `spec` as a `Store`; throws unavailable otherwise.
template <class Store>
Store& running_store_as(detail::task_manager& tasks, const dsl::task_id& id, const dsl::store_spec& spec) {
  auto it = tasks.tasks().find(id);
  if (it == tasks.tasks().end() || it->second->current_state() != detail::stream_task::state::running ||
      it->second->stores() == nullptr) {
    unavailable("task " + id.to_string() + " of store '" + spec.name + "' is not running here now");
  }
  auto* typed = dynamic_cast<Store*>(&it->second->stores()->store(spec));
  if (typed == nullptr) {
    throw invalid_state_store(invalid_state_store::reason::wrong_kind, "store '" + spec.name + "' is of another kind");
  }
  return *typed;
}

}  // namespace

/// The stream thread running `id` (by the tasks the membership gave it); throws not_local.
detail::stream_thread& streams::impl::owner_of(const dsl::task_id& id) const {
  const impl& m = *this;
  if (!m.membership || m.current() != streams_state::running) unavailable("the instance is not running");
  std::lock_guard lock(m.mutex);
  for (const auto& t : m.threads) {
    if (t->state() != detail::thread_state::dead && t->inbox()->posted().contains(id)) return *t;
  }
  throw invalid_state_store(invalid_state_store::reason::not_local,
                            "the key's task " + id.to_string() + " runs on another instance");
}

/// Every stream thread with tasks of `subtopology`, with those tasks.
std::vector<std::pair<detail::stream_thread*, std::vector<dsl::task_id>>> streams::impl::owners_of(
    int32_t subtopology) const {
  const impl& m = *this;
  if (!m.membership || m.current() != streams_state::running) unavailable("the instance is not running");
  std::vector<std::pair<detail::stream_thread*, std::vector<dsl::task_id>>> owners;
  std::lock_guard lock(m.mutex);
  for (const auto& t : m.threads) {
    if (t->state() == detail::thread_state::dead) continue;
    std::vector<dsl::task_id> mine;
    for (const auto& id : t->inbox()->posted()) {
      if (id.subtopology == subtopology) mine.push_back(id);
    }
    if (!mine.empty()) owners.emplace_back(t.get(), std::move(mine));
  }
  return owners;
}

/// The task holding `key` of `spec`'s store.
std::optional<dsl::task_id> streams::impl::task_for_key(const dsl::store_spec& spec, core::bytes_view key) const {
  auto count = layout.task_counts.find(spec.subtopology);
  if (count == layout.task_counts.end() || count->second <= 0) return std::nullopt;
  return dsl::task_id{spec.subtopology, partition_id{core::partition_for_key(key, count->second)}};
}

dsl::task_id streams::impl::task_of(const dsl::store_spec& spec, core::bytes_view key) const {
  auto id = task_for_key(spec, key);
  if (!id) unavailable("no tasks yet");
  return *id;
}

std::optional<core::bytes> streams::query_get(std::string_view store, core::bytes_view key) const {
  const auto& spec = queryable(_impl->topology, store, dsl::store_kind::key_value);
  const dsl::task_id id = _impl->task_of(spec, key);
  std::optional<core::bytes> out;
  _impl->owner_of(id).query(
      [&](detail::task_manager& tasks) {
        out = value_or_unavailable(running_store_as<state::key_value_store>(tasks, id, spec).get(key),
                                   "reading store '" + spec.name + "'");
      },
      query_timeout);
  return out;
}

std::vector<std::pair<core::bytes, core::bytes>> streams::query_range(std::string_view store,
                                                                      std::optional<core::bytes> from,
                                                                      std::optional<core::bytes> to) const {
  const auto& spec = queryable(_impl->topology, store, dsl::store_kind::key_value);
  std::vector<std::pair<core::bytes, core::bytes>> out;
  // Each thread with tasks of the store's sub-topology reads all of them at once.
  for (auto& [thread, ids] : _impl->owners_of(spec.subtopology)) {
    thread->query(
        [&](detail::task_manager& tasks) {
          for (const auto& id : ids) {
            auto& kv = running_store_as<state::key_value_store>(tasks, id, spec);
            const std::string what = "scanning store '" + spec.name + "'";
            auto it = value_or_unavailable(from && to ? kv.range(*from, *to) : kv.all(), what);
            for (; it.valid(); it.next()) {
              out.emplace_back(core::bytes(it.key().begin(), it.key().end()),
                               core::bytes(it.value().begin(), it.value().end()));
            }
            if (auto ok = it.status(); !ok) unavailable(what + " failed: " + ok.error().message());
          }
        },
        query_timeout);
  }
  return out;
}

std::vector<streams::raw_window> streams::query_window(std::string_view store, std::optional<core::bytes> key,
                                                       core::timestamp from, core::timestamp to) const {
  const auto& spec = queryable(_impl->topology, store, dsl::store_kind::window);
  std::vector<raw_window> out;
  auto read = [&](detail::task_manager& tasks, const dsl::task_id& id) {
    auto& ws = running_store_as<state::window_store>(tasks, id, spec);
    const std::string what = "fetching from store '" + spec.name + "'";
    auto it = value_or_unavailable(key ? ws.fetch(*key, from, to) : ws.fetch_all(from, to), what);
    for (; it.valid(); it.next()) {
      out.push_back({core::bytes(it.key().begin(), it.key().end()), it.window_start(),
                     core::bytes(it.value().begin(), it.value().end())});
    }
    if (auto ok = std::move(it).release().status(); !ok) unavailable(what + " failed: " + ok.error().message());
  };
  if (key) {
    const dsl::task_id id = _impl->task_of(spec, *key);
    _impl->owner_of(id).query([&](detail::task_manager& tasks) { read(tasks, id); }, query_timeout);
    return out;
  }
  for (auto& [thread, ids] : _impl->owners_of(spec.subtopology)) {
    thread->query(
        [&](detail::task_manager& tasks) {
          for (const auto& id : ids) read(tasks, id);
        },
        query_timeout);
  }
  return out;
}

std::vector<streams::raw_session> streams::query_sessions(std::string_view store, core::bytes_view key) const {
  const auto& spec = queryable(_impl->topology, store, dsl::store_kind::session);
  const dsl::task_id id = _impl->task_of(spec, key);
  std::vector<raw_session> out;
  _impl->owner_of(id).query(
      [&](detail::task_manager& tasks) {
        auto& ss = running_store_as<state::session_store>(tasks, id, spec);
        const std::string what = "fetching from store '" + spec.name + "'";
        auto it = value_or_unavailable(ss.fetch(key), what);
        for (; it.valid(); it.next()) {
          out.push_back({core::bytes(it.key().begin(), it.key().end()), it.window().start, it.window().end,
                         core::bytes(it.value().begin(), it.value().end())});
        }
        if (auto ok = it.status(); !ok) unavailable(what + " failed: " + ok.error().message());
      },
      query_timeout);
  return out;
}

core::metrics_registry& streams::metrics() noexcept { return _impl->metrics; }

const streams_config& streams::config() const noexcept { return _impl->config; }

const dsl::topology& streams::topology() const noexcept { return _impl->topology; }

}  // namespace sluice::runtime
