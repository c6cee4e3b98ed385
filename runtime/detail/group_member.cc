#include "runtime/detail/group_member.h"

#include "core/protocol/find_coordinator.h"
#include "core/protocol/heartbeat.h"
#include "core/protocol/join_group.h"
#include "core/protocol/leave_group.h"
#include "core/protocol/offset_commit.h"
#include "core/protocol/offset_fetch.h"
#include "core/protocol/sync_group.h"

#include "core/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <climits>

#include <sys/eventfd.h>
#include <unistd.h>

namespace sluice::runtime::detail {
namespace {

using protocol::api_key;
using protocol::error_code;

/// The answers after which a client looks for the coordinator again.
bool is_coordinator_error(error_code e) noexcept {
  return e == error_code::not_coordinator || e == error_code::coordinator_not_available ||
         e == error_code::coordinator_load_in_progress;
}

std::string_view name_of(error_code e) noexcept { return protocol::name(e); }

}  // namespace

/// The way to the group's coordinator for one thread: FindCoordinator through the bootstrap
/// servers (in turn), then a connection to the coordinator, kept until a call fails or the
/// coordinator says it no longer is one. Owned and used by one thread.
class group_member::coordinator_link {
 public:
  coordinator_link(std::vector<core::host_port> bootstrap, connection_options connection, std::string group,
                   std::chrono::milliseconds backoff)
      : _bootstrap(std::move(bootstrap)), _connection(std::move(connection)), _group(std::move(group)),
        _backoff(backoff) {}

  /// Sends the request `make(version)` of `key` to the coordinator and returns the answer.
  /// Connection failures and coordinator errors (`error_of(answer)`) are retried with the
  /// backoff — finding the coordinator again — until `deadline`; one exchange may take until
  /// `per_call` after it starts. A negotiated version below `min_version` fails with
  /// `unsupported_version` (`why` says what needs it).
  template <class Response, class MakeRequest, class ErrorOf>
  result<Response> call(api_key key, MakeRequest&& make, ErrorOf&& error_of, clock::time_point deadline,
                        std::chrono::milliseconds per_call, int16_t min_version = 0,
                        std::string_view why = {}) {
    for (;;) {
      SLUICE_TRY(kafka_connection * c, coordinator(deadline));
      auto v = c->version(key);
      if (!v) {
        _last_error = c->last_error();
        return v.error();
      }
      if (v.value() < min_version) {
        const auto theirs = c->broker_versions(key).value_or(protocol::version_range{});
        _last_error = fmt::format("broker {} serves {} v{}–{}, {} needs v{}+", core::to_string(c->address()),
                                  protocol::name(key), theirs.min, theirs.max, why, min_version);
        return client_errc::unsupported_version;
      }
      auto answer = c->template call_version<Response>(key, v.value(), make(v.value()),
                                                        std::min(deadline, clock::now() + per_call));
      std::error_code e;
      if (answer) {
        const error_code code = error_of(answer.value());
        if (!is_coordinator_error(code)) return answer;
        e = kafka_error(code);
        _last_error = fmt::format("{} for group {} answered {}", protocol::name(key), _group, name_of(code));
      } else {
        e = answer.error();
        _last_error = c->last_error();
        if (e == client_errc::cancelled) return e;
      }
      reset();
      if (clock::now() + _backoff >= deadline) return e;
      std::this_thread::sleep_for(_backoff);
    }
  }

  /// Forgets the coordinator (closing its connection).
  void reset() { _coordinator.reset(); }
  const std::string& last_error() const noexcept { return _last_error; }

 private:
  /// The open coordinator connection, found and opened if needed, retried until `deadline`.
  result<kafka_connection*> coordinator(clock::time_point deadline) {
    for (;;) {
      if (_coordinator && _coordinator->is_open()) return _coordinator.get();
      auto found = find(deadline);
      if (found) return _coordinator.get();
      if (found.error() == client_errc::unsupported_version || found.error() == client_errc::cancelled) {
        return found.error();
      }
      if (clock::now() + _backoff >= deadline) return found.error();
      std::this_thread::sleep_for(_backoff);
    }
  }

  /// One FindCoordinator through the next bootstrap server; on success `_coordinator` is open.
  result<void> find(clock::time_point deadline) {
    const core::host_port& server = _bootstrap[_next_bootstrap++ % _bootstrap.size()];
    auto bootstrap = std::make_unique<kafka_connection>(server, _connection);
    if (auto opened = bootstrap->open(deadline); !opened) {
      _last_error = bootstrap->last_error();
      return opened.error();
    }
    int16_t used = 0;
    auto answer = bootstrap->call<protocol::find_coordinator_response>(
        api_key::find_coordinator,
        [&] {
          protocol::find_coordinator_request req;
          req.key = _group;
          req.key_type = protocol::coordinator_type_group;
          req.coordinator_keys = {_group};
          return req;
        }(),
        deadline);
    if (!answer) {
      _last_error = bootstrap->last_error();
      return answer.error();
    }
    used = bootstrap->version(api_key::find_coordinator).value();
    const auto& r = answer.value();
    error_code code = r.error_code;
    core::host_port address{r.host, static_cast<uint16_t>(std::clamp(r.port, 0, 65535))};
    if (used >= 4) {
      auto it = std::find_if(r.coordinators.begin(), r.coordinators.end(),
                             [&](const auto& c) { return c.key == _group; });
      if (it == r.coordinators.end()) {
        _last_error = fmt::format("FindCoordinator for group {} via {}: no answer for the group", _group,
                                  core::to_string(server));
        return client_errc::bad_response;
      }
      code = it->error_code;
      address = {it->host, static_cast<uint16_t>(std::clamp(it->port, 0, 65535))};
    }
    if (code != error_code::none) {
      _last_error = fmt::format("FindCoordinator for group {} via {}: {}", _group, core::to_string(server),
                                name_of(code));
      return kafka_error(code);
    }
    if (address.host == server.host && address.port == server.port) {
      _coordinator = std::move(bootstrap);  // the bootstrap server coordinates the group
      return core::success();
    }
    auto coordinator = std::make_unique<kafka_connection>(address, _connection);
    if (auto opened = coordinator->open(deadline); !opened) {
      _last_error = coordinator->last_error();
      return opened.error();
    }
    _coordinator = std::move(coordinator);
    return core::success();
  }

  std::vector<core::host_port> _bootstrap;
  connection_options _connection;
  std::string _group;
  std::chrono::milliseconds _backoff;
  std::size_t _next_bootstrap = 0;
  std::unique_ptr<kafka_connection> _coordinator;
  std::string _last_error;
};

group_member::group_member(group_member_options options) : _options(std::move(options)) {
  std::vector<std::string> problems;
  if (_options.group_id.empty()) problems.push_back("group.id must not be empty");
  if (_options.group_instance_id && _options.group_instance_id->empty()) {
    problems.push_back("group.instance.id must not be empty when set");
  }
  const auto positive = [&](std::chrono::milliseconds value, std::string_view key) {
    if (value.count() <= 0 || value.count() > INT32_MAX) {
      problems.push_back(fmt::format("{} must be between 1 and {} ms, got {}", key, INT32_MAX, value.count()));
    }
  };
  positive(_options.session_timeout, "session.timeout.ms");
  positive(_options.rebalance_timeout, "max.poll.interval.ms");
  positive(_options.heartbeat_interval, "heartbeat.interval.ms");
  positive(_options.request_timeout, "request.timeout.ms");
  if (_options.retry_backoff.count() < 0) problems.push_back("retry.backoff.ms must not be negative");
  if (_options.heartbeat_interval >= _options.session_timeout) {
    problems.push_back("heartbeat.interval.ms must be lower than session.timeout.ms");
  }
  if (!problems.empty()) throw core::config_exception(std::move(problems));
  const auto bootstrap = parse_bootstrap_servers(_options.bootstrap_servers, "bootstrap.servers");
  connection_options connection;
  connection.client_id = _options.client_id;
  _cancel_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  connection_options owner = connection;
  owner.cancel_fd = _cancel_fd;
  _link = std::make_unique<coordinator_link>(bootstrap, owner, _options.group_id, _options.retry_backoff);
  _heartbeat_link =
      std::make_unique<coordinator_link>(bootstrap, connection, _options.group_id, _options.retry_backoff);
  _offsets_link =
      std::make_unique<coordinator_link>(bootstrap, connection, _options.group_id, _options.retry_backoff);
}

group_member::~group_member() {
  close();
  if (_cancel_fd >= 0) ::close(_cancel_fd);
}

void group_member::cancel() {
  if (_cancel_fd < 0) return;
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(_cancel_fd, &one, sizeof one);
}

void group_member::close() {
  {
    std::lock_guard lock(_mutex);
    _stopping = true;
  }
  _wake.notify_all();
  if (_heartbeat.joinable()) _heartbeat.join();
}

int32_t group_member::generation() const {
  std::lock_guard lock(_mutex);
  return _generation;
}

std::string group_member::member_id() const {
  std::lock_guard lock(_mutex);
  return _member_id;
}

bool group_member::joined() const {
  std::lock_guard lock(_mutex);
  return _state == state::joined;
}

std::string group_member::last_error() const {
  std::lock_guard lock(_mutex);
  return _last_error;
}

std::error_code group_member::failed(std::error_code e, std::string message) {
  std::lock_guard lock(_mutex);
  _last_error = std::move(message);
  return e;
}

void group_member::notify(group_event e) {
  if (_options.on_event) _options.on_event(e);
}

// ---- join ------------------------------------------------------------------------------------

result<group_generation> group_member::join(const std::vector<group_protocol>& protocols,
                                            const group_assignor& assign,
                                            std::optional<std::chrono::milliseconds> timeout) {
  if (_fenced.load()) {
    return failed(client_errc::fatal_membership,
                  fmt::format("group {}: group.instance.id {} was fenced by a newer member", _options.group_id,
                              _options.group_instance_id.value_or("")));
  }
  const auto deadline =
      clock::now() + timeout.value_or(2 * _options.rebalance_timeout + _options.request_timeout);
  // JoinGroup and a follower's SyncGroup wait at the coordinator for the whole rebalance.
  const auto per_call = _options.rebalance_timeout + _options.request_timeout;
  std::string member_id;
  {
    std::lock_guard lock(_mutex);
    if (_stopping) {
      _last_error = fmt::format("group {}: the member is closed", _options.group_id);
      return client_errc::not_connected;
    }
    _state = state::joining;
    member_id = _member_id;
    if (!_heartbeat.joinable()) _heartbeat = std::thread([this] { heartbeat_loop(); });
  }
  auto give_up = [&](std::error_code e, std::string message) -> std::error_code {
    std::lock_guard lock(_mutex);
    _state = state::idle;
    _last_error = std::move(message);
    return e;
  };
  auto set_member_id = [&](std::string id) {
    member_id = std::move(id);
    std::lock_guard lock(_mutex);
    _member_id = member_id;
  };
  auto fenced_by = [&](std::string_view api) {
    _fenced = true;
    return give_up(client_errc::fatal_membership,
                   fmt::format("group {}: {} answered FENCED_INSTANCE_ID: group.instance.id {} belongs to a newer "
                               "member",
                               _options.group_id, api, _options.group_instance_id.value_or("")));
  };
  const bool is_static = _options.group_instance_id.has_value();

  for (;;) {
    if (clock::now() >= deadline) {
      return give_up(client_errc::timed_out,
                     fmt::format("group {}: the rebalance did not complete in time", _options.group_id));
    }
    auto joined = _link->call<protocol::join_group_response>(
        api_key::join_group,
        [&](int16_t) {
          protocol::join_group_request req;
          req.group_id = _options.group_id;
          req.session_timeout_ms = static_cast<int32_t>(_options.session_timeout.count());
          req.rebalance_timeout_ms = static_cast<int32_t>(_options.rebalance_timeout.count());
          req.member_id = member_id;
          req.group_instance_id = _options.group_instance_id;
          req.protocol_type = _options.protocol_type;
          for (const auto& p : protocols) req.protocols.push_back({p.name, p.metadata});
          return req;
        },
        [](const protocol::join_group_response& r) { return r.error_code; }, deadline, per_call,
        is_static ? 5 : 0, "static membership (group.instance.id)");
    if (!joined) return give_up(joined.error(), _link->last_error());
    const auto& j = joined.value();
    switch (j.error_code) {
      case error_code::none:
        break;
      case error_code::member_id_required:  // KIP-394: come back with the id handed out
        set_member_id(j.member_id);
        continue;
      case error_code::unknown_member_id:
        set_member_id("");
        std::this_thread::sleep_for(_options.retry_backoff);
        continue;
      case error_code::rebalance_in_progress:  // a newer JoinGroup of ours replaced this one
        std::this_thread::sleep_for(_options.retry_backoff);
        continue;
      case error_code::fenced_instance_id:
        return fenced_by("JoinGroup");
      default:
        return give_up(kafka_error(j.error_code), fmt::format("group {}: JoinGroup failed: {}", _options.group_id,
                                                              name_of(j.error_code)));
    }
    set_member_id(j.member_id);
    group_generation out;
    out.generation = j.generation_id;
    out.member_id = j.member_id;
    out.leader = !j.leader.empty() && j.leader == j.member_id;
    out.skip_assignment = j.skip_assignment;
    out.protocol_name = j.protocol_name.value_or("");

    std::vector<protocol::sync_group_request::sync_group_request_assignment> assignments;
    if (out.leader && !out.skip_assignment) {
      std::vector<group_member_metadata> members;
      members.reserve(j.members.size());
      for (const auto& m : j.members) members.push_back({m.member_id, m.group_instance_id, m.metadata});
      for (auto& [id, bytes] : assign(out.protocol_name, members)) assignments.push_back({id, std::move(bytes)});
    }
    auto synced = _link->call<protocol::sync_group_response>(
        api_key::sync_group,
        [&](int16_t) {
          protocol::sync_group_request req;
          req.group_id = _options.group_id;
          req.generation_id = out.generation;
          req.member_id = member_id;
          req.group_instance_id = _options.group_instance_id;
          req.protocol_type = _options.protocol_type;
          req.protocol_name = out.protocol_name;
          req.assignments = assignments;
          return req;
        },
        [](const protocol::sync_group_response& r) { return r.error_code; }, deadline, per_call);
    if (!synced) return give_up(synced.error(), _link->last_error());
    switch (synced.value().error_code) {
      case error_code::none:
        break;
      case error_code::rebalance_in_progress:
      case error_code::illegal_generation:
        continue;  // another rebalance started: join it
      case error_code::unknown_member_id:
        set_member_id("");
        std::this_thread::sleep_for(_options.retry_backoff);
        continue;
      case error_code::fenced_instance_id:
        return fenced_by("SyncGroup");
      default:
        return give_up(kafka_error(synced.value().error_code),
                       fmt::format("group {}: SyncGroup failed: {}", _options.group_id,
                                   name_of(synced.value().error_code)));
    }
    out.assignment = std::move(synced.value().assignment);
    {
      std::lock_guard lock(_mutex);
      _state = state::joined;
      _generation = out.generation;
      _member_id = out.member_id;
      _rejoin_needed = false;
      _lost = false;
    }
    _wake.notify_all();
    return out;
  }
}

// ---- heartbeats ------------------------------------------------------------------------------

void group_member::expect_rebalance(std::chrono::milliseconds interval, std::chrono::milliseconds window) {
  {
    std::lock_guard lock(_mutex);
    _quick_interval = std::max(interval, std::chrono::milliseconds(1));
    _quick_until = clock::now() + window;
    ++_quick_epoch;
  }
  _wake.notify_all();
}

std::chrono::milliseconds group_member::heartbeat_interval_now() const {
  // REQUIRES: _mutex held.
  return clock::now() < _quick_until ? std::min(_quick_interval, _options.heartbeat_interval)
                                     : _options.heartbeat_interval;
}

void group_member::heartbeat_loop() {
  std::unique_lock lock(_mutex);
  auto next = clock::now() + heartbeat_interval_now();
  uint64_t epoch = _quick_epoch;
  while (!_stopping) {
    if (_state != state::joined) {
      _wake.wait(lock, [&] { return _stopping || _state == state::joined; });
      next = clock::now() + heartbeat_interval_now();
      continue;
    }
    if (_wake.wait_until(lock, next,
                         [&] { return _stopping || _state != state::joined || _quick_epoch != epoch; })) {
      if (_quick_epoch != epoch) {
        epoch = _quick_epoch;
        next = std::min(next, clock::now() + heartbeat_interval_now());
      }
      continue;
    }
    const int32_t generation = _generation;
    const std::string member = _member_id;
    lock.unlock();
    const auto deadline = clock::now() + _options.request_timeout;
    auto answer = _heartbeat_link->call<protocol::heartbeat_response>(
        api_key::heartbeat,
        [&](int16_t) {
          protocol::heartbeat_request req;
          req.group_id = _options.group_id;
          req.generation_id = generation;
          req.member_id = member;
          req.group_instance_id = _options.group_instance_id;
          return req;
        },
        [](const protocol::heartbeat_response& r) { return r.error_code; }, deadline, _options.request_timeout);
    lock.lock();
    next = clock::now() + heartbeat_interval_now();
    // A join that started meanwhile makes this answer stale.
    if (_state != state::joined || _generation != generation || _member_id != member) continue;
    if (!answer) {
      next = clock::now() + _options.retry_backoff;
      continue;
    }
    std::optional<group_event> event;
    switch (answer.value().error_code) {
      case error_code::rebalance_in_progress:
        if (!_rejoin_needed.exchange(true)) event = group_event::rejoin_needed;
        break;
      case error_code::unknown_member_id:
      case error_code::illegal_generation:
        _lost = true;
        _rejoin_needed = true;
        _state = state::idle;
        event = group_event::membership_lost;
        break;
      case error_code::fenced_instance_id:
        _fenced = true;
        _state = state::idle;
        event = group_event::fenced;
        break;
      default:
        break;  // none, or an error that the next heartbeat may not meet
    }
    if (event) {
      lock.unlock();
      notify(*event);
      lock.lock();
    }
  }
}

// ---- offsets ---------------------------------------------------------------------------------

result<std::map<core::topic_partition, std::error_code>> group_member::commit_offsets(
    const std::map<core::topic_partition, offset_and_metadata>& offsets) {
  protocol::offset_commit_request req;
  {
    std::lock_guard lock(_mutex);
    req.generation_id_or_member_epoch = _generation;
    req.member_id = _member_id;
  }
  req.group_id = _options.group_id;
  req.group_instance_id = _options.group_instance_id;
  for (const auto& [tp, o] : offsets) {
    if (req.topics.empty() || req.topics.back().name != tp.topic) req.topics.push_back({tp.topic, {}, {}});
    protocol::offset_commit_request::offset_commit_request_partition p;
    p.partition_index = tp.partition;
    p.committed_offset = o.offset;
    p.committed_leader_epoch = o.leader_epoch;
    p.committed_metadata = o.metadata;
    req.topics.back().partitions.push_back(std::move(p));
  }
  const auto deadline = clock::now() + _options.request_timeout;
  std::lock_guard exchange(_offsets_mutex);
  auto answer = _offsets_link->call<protocol::offset_commit_response>(
      api_key::offset_commit, [&](int16_t) { return req; },
      [](const protocol::offset_commit_response& r) {
        for (const auto& t : r.topics) {
          for (const auto& p : t.partitions) {
            if (is_coordinator_error(p.error_code)) return p.error_code;
          }
        }
        return error_code::none;
      },
      deadline, _options.request_timeout);
  if (!answer) return failed(answer.error(), _offsets_link->last_error());
  std::map<core::topic_partition, std::error_code> out;
  for (const auto& t : answer.value().topics) {
    for (const auto& p : t.partitions) out[{t.name, p.partition_index}] = kafka_error(p.error_code);
  }
  return out;
}

result<std::map<core::topic_partition, committed_offset>> group_member::fetch_offsets(
    const std::vector<core::topic_partition>& partitions, std::optional<std::chrono::milliseconds> timeout) {
  std::map<std::string, std::vector<core::partition_id>> by_topic;
  for (const auto& tp : partitions) by_topic[tp.topic].push_back(tp.partition);
  const auto deadline = clock::now() + timeout.value_or(_options.request_timeout);
  int16_t used = 0;
  auto make = [&](int16_t version) {
    used = version;
    protocol::offset_fetch_request req;
    req.require_stable = true;  // written from v7
    if (version >= 8) {
      protocol::offset_fetch_request::offset_fetch_request_group g;
      g.group_id = _options.group_id;
      g.topics.emplace();
      for (const auto& [topic, ps] : by_topic) g.topics->push_back({topic, {}, ps});
      req.groups.push_back(std::move(g));
    } else {
      req.group_id = _options.group_id;
      req.topics.emplace();
      for (const auto& [topic, ps] : by_topic) req.topics->push_back({topic, ps});
    }
    return req;
  };
  auto group_error = [&](const protocol::offset_fetch_response& r) {
    if (used < 8) return r.error_code;
    for (const auto& g : r.groups) {
      if (g.group_id == _options.group_id) return g.error_code;
    }
    return error_code::none;
  };
  std::unique_lock exchange(_offsets_mutex);
  for (;;) {
    auto answer = _offsets_link->call<protocol::offset_fetch_response>(api_key::offset_fetch, make, group_error,
                                                                        deadline, _options.request_timeout);
    if (!answer) return failed(answer.error(), _offsets_link->last_error());
    const auto& r = answer.value();
    error_code top = group_error(r);
    std::map<core::topic_partition, committed_offset> out;
    auto take = [&](const std::string& topic, const protocol::offset_fetch_response::offset_fetch_response_partition& p) {
      if (p.error_code == error_code::unstable_offset_commit) top = error_code::unstable_offset_commit;
      committed_offset c;
      c.offset = p.committed_offset;
      c.metadata = p.metadata;
      c.leader_epoch = p.committed_leader_epoch;
      c.error = kafka_error(p.error_code);
      out[{topic, p.partition_index}] = std::move(c);
    };
    if (used >= 8) {
      for (const auto& g : r.groups) {
        if (g.group_id != _options.group_id) continue;
        for (const auto& t : g.topics) {
          for (const auto& p : t.partitions) take(t.name, p);
        }
      }
    } else {
      for (const auto& t : r.topics) {
        for (const auto& p : t.partitions) take(t.name, p);
      }
    }
    if (top == error_code::unstable_offset_commit && clock::now() + _options.retry_backoff < deadline) {
      exchange.unlock();  // other threads' commits go on meanwhile
      std::this_thread::sleep_for(_options.retry_backoff);
      exchange.lock();
      continue;  // a transaction holds an offset: it commits or aborts soon
    }
    if (top != error_code::none) {
      return failed(kafka_error(top),
                    fmt::format("group {}: OffsetFetch failed: {}", _options.group_id, name_of(top)));
    }
    return out;
  }
}

// ---- leave -----------------------------------------------------------------------------------

result<void> group_member::leave(const std::string& reason) {
  std::string member;
  {
    std::lock_guard lock(_mutex);
    member = std::move(_member_id);
    _member_id.clear();
    _generation = -1;
    _state = state::idle;
  }
  _wake.notify_all();
  // A static member stays in the group until its session ends, so that its next incarnation
  // takes over without a rebalance (Kafka's consumer does not leave on close either).
  if (_options.group_instance_id || member.empty()) return core::success();
  const auto deadline = clock::now() + _options.request_timeout;
  int16_t used = 0;
  std::lock_guard exchange(_offsets_mutex);  // not the owner's link: it may be cancelled
  auto answer = _offsets_link->call<protocol::leave_group_response>(
      api_key::leave_group,
      [&](int16_t version) {
        used = version;
        protocol::leave_group_request req;
        req.group_id = _options.group_id;
        if (version >= 3) {
          req.members.push_back({member, std::nullopt, reason});
        } else {
          req.member_id = member;
        }
        return req;
      },
      [](const protocol::leave_group_response& r) { return r.error_code; }, deadline, _options.request_timeout);
  if (!answer) return failed(answer.error(), _offsets_link->last_error());
  error_code e = answer.value().error_code;
  if (e == error_code::none && used >= 3 && !answer.value().members.empty()) e = answer.value().members.front().error_code;
  // Already gone (the session ended, or a rebalance dropped it): nothing left to leave.
  if (e != error_code::none && e != error_code::unknown_member_id) {
    return failed(kafka_error(e), fmt::format("group {}: LeaveGroup failed: {}", _options.group_id, name_of(e)));
  }
  return core::success();
}

}  // namespace sluice::runtime::detail
