#include "runtime/detail/streams_membership.h"

#include "core/config.h"
#include "core/log.h"
#include "core/protocol/consumer_protocol.h"
#include "runtime/detail/streams_protocol.h"
#include "runtime/detail/task_assignor.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include <pthread.h>

namespace sluice::runtime::detail {
namespace {

const core::logger log("runtime.group");

/// The JoinGroup protocol name of Sluice's assignor (protocol type "consumer").
constexpr std::string_view assignor_name = "sluice";
/// The consumer-protocol version written (owned partitions and generation are v1/v2 fields).
constexpr int16_t consumer_protocol_version = 3;
constexpr auto max_backoff = std::chrono::milliseconds(10000);
/// How long a rejoin waits for the threads to apply the last assignment (revocations).
constexpr auto settle_timeout = std::chrono::milliseconds(5000);
/// After each rebalance: heartbeats this often for this long (see `join`).
constexpr auto followup_heartbeat = std::chrono::milliseconds(50);
constexpr auto followup_window = std::chrono::milliseconds(2000);

/// A consumer setting in milliseconds (librdkafka's name), or `fallback`.
std::chrono::milliseconds consumer_ms(const streams_config& c, const std::string& key, int64_t fallback) {
  auto it = c.consumer.find(key);
  if (it == c.consumer.end()) return std::chrono::milliseconds(fallback);
  int64_t v = 0;
  const auto* end = it->second.data() + it->second.size();
  if (auto [p, ec] = std::from_chars(it->second.data(), end, v); ec != std::errc() || p != end || v <= 0) {
    throw core::config_exception(
        {fmt::format("consumer.{}: '{}' is not a positive number of milliseconds", key, it->second)});
  }
  return std::chrono::milliseconds(v);
}

group_member_options member_options(const streams_config& c, std::function<void(group_event)> on_event) {
  group_member_options o;
  o.bootstrap_servers = c.bootstrap_servers;
  o.group_id = c.application_id;
  if (!c.group_instance_id.empty()) o.group_instance_id = c.group_instance_id;
  o.client_id = c.client_id + "-group";
  // librdkafka's defaults for the consumer settings a user may have given.
  o.session_timeout = consumer_ms(c, "session.timeout.ms", 45000);
  o.heartbeat_interval = consumer_ms(c, "heartbeat.interval.ms", 3000);
  o.rebalance_timeout = consumer_ms(c, "max.poll.interval.ms", 300000);
  o.on_event = std::move(on_event);
  return o;
}

}  // namespace

// ---- task_inbox --------------------------------------------------------------------------------

uint64_t task_inbox::post(std::set<dsl::task_id> active) {
  std::lock_guard lock(_mutex);
  _posted = std::move(active);
  const uint64_t v = _posted_version.load() + 1;
  _posted_version.store(v, std::memory_order_release);
  return v;
}

std::optional<thread_task_set> task_inbox::take() {
  // Called every loop iteration: no lock unless something was posted.
  if (_posted_version.load(std::memory_order_acquire) == _taken_version) return std::nullopt;
  std::lock_guard lock(_mutex);
  _taken_version = _posted_version.load();
  return thread_task_set{_taken_version, _posted};
}

void task_inbox::applied(uint64_t version) {
  std::lock_guard lock(_mutex);
  _applied_version = std::max(_applied_version, version);
}

bool task_inbox::settled() const {
  std::lock_guard lock(_mutex);
  return _applied_version == _posted_version.load();
}

std::set<dsl::task_id> task_inbox::posted() const {
  std::lock_guard lock(_mutex);
  return _posted;
}

// ---- task partitions ---------------------------------------------------------------------------

std::vector<core::topic_partition> task_partitions(const dsl::topology& topology, const topic_layout& layout,
                                                   std::string_view application_id, const dsl::task_id& id) {
  std::vector<core::topic_partition> out;
  for (const auto& s : topology.subtopologies()) {
    if (s.id != id.subtopology) continue;
    for (const auto& source : s.sources) {
      std::string name = source.resolve(application_id);
      auto count = layout.partitions.find(name);
      if (count == layout.partitions.end() || id.partition.value() >= count->second) continue;
      out.push_back({std::move(name), id.partition});
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// ---- streams_membership ------------------------------------------------------------------------

streams_membership::streams_membership(const dsl::topology& topology, const streams_config& config,
                                       const topic_layout& layout, std::string process_id, thread_list threads,
                                       std::function<void()> on_change)
    : _topology(topology),
      _config(config),
      _layout(layout),
      _process_id(std::move(process_id)),
      _threads(std::move(threads)),
      _on_change(std::move(on_change)),
      _member(member_options(config, [this](group_event) { _wake.notify_all(); })) {
  for (const auto& [sub, count] : layout.task_counts) {
    for (int32_t p = 0; p < count; ++p) _all_tasks.insert(dsl::task_id{sub, core::partition_id{p}});
  }
  for (const auto& s : topology.subtopologies()) {
    if (s.stores.empty()) continue;
    for (const auto& t : _all_tasks) {
      if (t.subtopology == s.id) _stateful.insert(t);
    }
  }
}

streams_membership::~streams_membership() { stop(); }

void streams_membership::start() {
  _thread = std::thread([this] { run(); });
}

void streams_membership::stop() {
  {
    std::lock_guard lock(_mutex);
    if (_stop && !_thread.joinable()) return;
    _stop = true;
  }
  _wake.notify_all();
  _member.cancel();  // a JoinGroup may be parked for a whole rebalance
  if (_thread.joinable()) _thread.join();
  if (auto left = _member.leave("the instance is closing"); !left) {
    log.warn("group '{}': leaving failed: {}", _config.application_id, _member.last_error());
  }
  _member.close();
}

void streams_membership::threads_changed() {
  {
    std::lock_guard lock(_mutex);
    _redistribute = true;
  }
  _wake.notify_all();
}

group_metadata streams_membership::metadata() const {
  return group_metadata{_config.application_id, _member.generation(), _member.member_id(),
                        _member.group_instance_id()};
}

bool streams_membership::commit_offsets(const std::vector<std::pair<core::topic_partition, int64_t>>& offsets,
                                        std::string_view owner) {
  std::map<core::topic_partition, offset_and_metadata> request;
  for (const auto& [tp, off] : offsets) request[tp].offset = core::offset{off};
  auto answer = _member.commit_offsets(request);
  if (!answer) {
    log.warn("{}: committing offsets failed: {}", owner, _member.last_error());
    return false;
  }
  for (const auto& [tp, e] : answer.value()) {
    if (!e) continue;
    // A stale generation or member: the group has moved on (the next rebalance sorts it out).
    log.warn("{}: committing the offset of {}-{} failed: {}", owner, tp.topic, tp.partition.value(), e.message());
    return false;
  }
  return true;
}

std::vector<host_partitions> streams_membership::hosts() const {
  std::lock_guard lock(_mutex);
  return _hosts;
}

std::string streams_membership::failed() const {
  std::lock_guard lock(_mutex);
  return _failed;
}

bool streams_membership::threads_settled() {
  for (const auto& slot : _threads()) {
    if (!slot.inbox->settled()) return false;
  }
  return true;
}

void streams_membership::run() {
  pthread_setname_np(pthread_self(), "sluice-group");
  std::chrono::milliseconds backoff(100);
  bool need_join = true;
  for (;;) {
    {
      std::lock_guard lock(_mutex);
      if (_stop) return;
    }
    if (_member.fenced()) {
      {
        std::lock_guard lock(_mutex);
        _failed = fmt::format("another instance joined group '{}' as group.instance.id '{}'",
                              _config.application_id, _member.group_instance_id().value_or(""));
      }
      log.error("{}; this instance stops", failed());
      if (_on_change) _on_change();
      return;
    }
    bool followup;
    {
      std::lock_guard lock(_mutex);
      followup = _followup;
    }
    if (need_join || _member.rejoin_needed() || !_member.joined() || (followup && threads_settled())) {
      if (!join()) {
        need_join = true;
        std::unique_lock lock(_mutex);
        _wake.wait_for(lock, backoff, [&] { return _stop; });
        backoff = std::min(backoff * 2, max_backoff);
        continue;
      }
      need_join = false;
      backoff = std::chrono::milliseconds(100);
    }
    bool redistribute;
    {
      std::lock_guard lock(_mutex);
      redistribute = std::exchange(_redistribute, false);
    }
    if (redistribute) distribute();
    std::unique_lock lock(_mutex);
    _wake.wait_for(lock, std::chrono::milliseconds(100), [&] { return _stop || _redistribute; });
  }
}

std::vector<group_protocol> streams_membership::protocols() {
  // What this instance runs now: after a revocation, wait (briefly) for the threads to let go,
  // so that the leader hands those tasks on without withholding them again.
  const auto until = std::chrono::steady_clock::now() + settle_timeout;
  while (!threads_settled() && std::chrono::steady_clock::now() < until) {
    std::unique_lock lock(_mutex);
    if (_wake.wait_for(lock, std::chrono::milliseconds(10), [&] { return _stop; })) break;
  }
  const auto threads = _threads();
  std::set<dsl::task_id> running;
  for (const auto& slot : threads) {
    auto tasks = slot.inbox->posted();
    running.insert(tasks.begin(), tasks.end());
  }
  subscription_info info;
  info.process_id = _process_id;
  if (!_config.application_server.empty()) info.endpoint = _config.application_server;
  info.threads = std::max(1, static_cast<int32_t>(threads.size()));
  std::vector<core::topic_partition> owned;
  for (const auto& t : running) {
    info.task_offset_sums.push_back({t, running_task_offset_sum});
    auto parts = task_partitions(_topology, _layout, _config.application_id, t);
    owned.insert(owned.end(), parts.begin(), parts.end());
  }
  protocol::consumer_protocol_subscription sub;
  sub.topics = _layout.source_topics;
  std::sort(sub.topics.begin(), sub.topics.end());
  sub.user_data = encode(info);
  sub.owned_partitions = protocol::group_by_topic(std::move(owned));
  sub.generation_id = _member.generation();
  return {group_protocol{std::string(assignor_name), sub.to_bytes(consumer_protocol_version)}};
}

bool streams_membership::join() {
  auto joined = _member.join(protocols(), [this](const std::string&, const std::vector<group_member_metadata>& members) {
    return assign(members);
  });
  if (!joined) {
    if (joined.error() != client_errc::cancelled) {
      log.warn("group '{}': joining failed: {}", _config.application_id, _member.last_error());
    }
    return false;
  }
  const group_generation& g = joined.value();
  auto assignment = protocol::consumer_protocol_assignment::decode(g.assignment);
  std::optional<assignment_info> info;
  if (assignment && assignment.value().user_data) {
    if (auto decoded = decode_assignment_info(*assignment.value().user_data)) info = std::move(decoded.value());
  }
  if (!info) {
    log.error("group '{}': generation {}: the leader's assignment is not one this instance can read; "
              "running no tasks", _config.application_id, g.generation);
    info.emplace();
  }
  if (info->error != assignment_error::none) {
    log.error("group '{}': generation {}: the leader reported error {}; running no tasks", _config.application_id,
              g.generation, static_cast<int>(info->error));
    info->active.clear();
  }
  // Sorted once here: where-a-key-lives lookups search them.
  for (auto& h : info->hosts) {
    std::sort(h.active.begin(), h.active.end());
    std::sort(h.standby.begin(), h.standby.end());
  }
  std::set<dsl::task_id> active(info->active.begin(), info->active.end());
  log.info("group '{}': generation {}{}: {} active task(s)", _config.application_id, g.generation,
           g.leader ? " (leader)" : "", active.size());
  {
    std::lock_guard lock(_mutex);
    _active = std::move(active);
    _followup = info->next_rebalance_ms == 0;
    _hosts = std::move(info->hosts);
  }
  distribute();
  // A cooperative rebalance that moved a task is followed by another as soon as the old owner
  // has let go of it; quick heartbeats for a moment let every member see that one at once.
  _member.expect_rebalance(followup_heartbeat, followup_window);
  return true;
}

void streams_membership::distribute() {
  const auto threads = _threads();
  if (threads.empty()) return;
  std::set<dsl::task_id> active;
  std::map<int, std::set<dsl::task_id>> before;
  {
    std::lock_guard lock(_mutex);
    active = _active;
    before = _by_thread;
  }
  std::vector<thread_tasks> previous(threads.size());
  for (std::size_t i = 0; i < threads.size(); ++i) {
    auto it = before.find(threads[i].index);
    if (it != before.end()) previous[i].active = it->second;
  }
  const auto spread = assign_to_threads(active, {}, previous, static_cast<int>(threads.size()));
  std::map<int, std::set<dsl::task_id>> now;
  for (std::size_t i = 0; i < threads.size(); ++i) {
    now[threads[i].index] = spread[i].active;
    if (threads[i].inbox->posted() != spread[i].active || !before.contains(threads[i].index)) {
      threads[i].inbox->post(spread[i].active);
    }
  }
  {
    std::lock_guard lock(_mutex);
    _by_thread = std::move(now);
  }
  if (_on_change) _on_change();
}

std::map<std::string, core::bytes> streams_membership::assign(const std::vector<group_member_metadata>& members) {
  std::vector<client_state> clients;
  std::map<std::string, std::string> member_process;  // member id → process id
  std::map<std::string, std::string> endpoints;       // process id → application.server
  for (const auto& m : members) {
    auto sub = protocol::consumer_protocol_subscription::decode(m.metadata);
    if (!sub || !sub.value().user_data) {
      log.warn("group '{}': member {} sent a subscription this leader cannot read; it gets no tasks",
               _config.application_id, m.member_id);
      continue;
    }
    auto info = decode_subscription_info(*sub.value().user_data);
    if (!info) {
      log.warn("group '{}': member {} sent subscription data this leader cannot read; it gets no tasks",
               _config.application_id, m.member_id);
      continue;
    }
    const auto taken = std::find_if(clients.begin(), clients.end(),
                                    [&](const client_state& c) { return c.process_id == info.value().process_id; });
    if (taken != clients.end()) {
      log.warn("group '{}': members share process id {}; {} gets no tasks", _config.application_id,
               info.value().process_id, m.member_id);
      continue;
    }
    if (info.value().endpoint) endpoints[info.value().process_id] = *info.value().endpoint;
    client_state c;
    c.process_id = info.value().process_id;
    c.capacity = info.value().threads;
    for (const auto& s : info.value().task_offset_sums) {
      if (s.offset_sum == running_task_offset_sum) c.previous_active.insert(s.task);
    }
    member_process[m.member_id] = c.process_id;
    clients.push_back(std::move(c));
  }
  // Actives only, balanced and sticky: every client counts as caught up (no warm-ups).
  assignment_config cfg;
  cfg.num_standby_replicas = 0;
  cfg.max_warmup_replicas = 0;
  cfg.acceptable_recovery_lag = no_state_lag;
  const task_assignment result = withhold_until_revoked(assign_tasks(clients, _all_tasks, _stateful, cfg), clients);

  // Where every task runs, for interactive-query metadata: what the target assignment gives each
  // instance with an endpoint (a withheld task is listed at its new owner).
  std::vector<host_partitions> hosts;
  for (const auto& [process, endpoint] : endpoints) {
    const client_assignment& ca = result.clients.at(process);
    host_partitions h;
    h.endpoint = endpoint;
    std::set<dsl::task_id> active = ca.active;
    active.insert(ca.withheld.begin(), ca.withheld.end());
    for (const auto& t : active) {
      auto tp = task_partitions(_topology, _layout, _config.application_id, t);
      h.active.insert(h.active.end(), tp.begin(), tp.end());
    }
    hosts.push_back(std::move(h));
  }
  std::map<std::string, core::bytes> out;
  for (const auto& m : members) {
    assignment_info info;
    info.hosts = hosts;
    protocol::consumer_protocol_assignment a;
    auto p = member_process.find(m.member_id);
    if (p != member_process.end()) {
      const client_assignment& ca = result.clients.at(p->second);
      info.active.assign(ca.active.begin(), ca.active.end());
      const auto client = std::find_if(clients.begin(), clients.end(),
                                       [&](const client_state& c) { return c.process_id == p->second; });
      // A client that gives tasks up rejoins once its threads have let them go (KIP-429).
      const bool revokes = std::any_of(client->previous_active.begin(), client->previous_active.end(),
                                       [&](const dsl::task_id& t) { return !ca.active.contains(t); });
      if (result.followup_rebalance_needed && revokes) info.next_rebalance_ms = 0;
      std::vector<core::topic_partition> parts;
      for (const auto& t : ca.active) {
        auto tp = task_partitions(_topology, _layout, _config.application_id, t);
        parts.insert(parts.end(), tp.begin(), tp.end());
      }
      a.assigned_partitions = protocol::group_by_topic(std::move(parts));
    }
    a.user_data = encode(info);
    out[m.member_id] = a.to_bytes(consumer_protocol_version);
  }
  std::size_t withheld = 0;
  for (const auto& [_, ca] : result.clients) withheld += ca.withheld.size();
  log.info("group '{}': assigned {} task(s) to {} instance(s){}", _config.application_id, _all_tasks.size(),
           clients.size(), withheld > 0 ? fmt::format(", {} withheld until revoked", withheld) : "");
  return out;
}

}  // namespace sluice::runtime::detail
