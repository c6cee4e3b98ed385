#pragma once
/// `group_member`: one member of a Kafka consumer group in the classic rebalance protocol
/// (JoinGroup / SyncGroup / Heartbeat / LeaveGroup, static membership), plus the group's
/// offset commits and fetches under that membership. The streams runtime runs one per
/// application instance: librdkafka 2.0.2 has no public API for a custom partition assignor, so
/// the instance's leader computes the task assignment itself (`task_assignor.h`) and its stream
/// threads' librdkafka consumers only use manual assignment; offsets are committed with this
/// member's generation and member id (OffsetCommit here, or a transactional producer's
/// `send_offsets_to_transaction` with `generation()` and `member_id()`); see
/// streams_membership.h.
///
///     join(protocols, assign)
///       FindCoordinator (retried: COORDINATOR_NOT_AVAILABLE, NOT_COORDINATOR,
///         COORDINATOR_LOAD_IN_PROGRESS, a lost connection)
///       JoinGroup ── MEMBER_ID_REQUIRED: again with the id handed out
///                 ── UNKNOWN_MEMBER_ID: again without a member id
///                 ── FENCED_INSTANCE_ID: fatal; other errors: the caller's
///       leader (and not KIP-814's skip_assignment): assign(protocol, members) → assignments
///       SyncGroup ── REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID: join again
///       → generation, member id, leader flag, protocol, this member's assignment bytes
///
/// Heartbeats: a background thread sends one every `heartbeat_interval` while the member is
/// joined (not during `join`, where the pending JoinGroup/SyncGroup keeps the session alive).
/// It has **its own connection** to the coordinator (and finds the coordinator itself), so a
/// JoinGroup parked for a whole rebalance on the owner's connection never delays a heartbeat.
/// What it learns is kept for the owner to poll and passed to `on_event`:
///   REBALANCE_IN_PROGRESS        → `rejoin_needed()` (heartbeats go on until the owner joins)
///   UNKNOWN_MEMBER_ID,
///   ILLEGAL_GENERATION           → `membership_lost()` and `rejoin_needed()`; heartbeats stop
///   FENCED_INSTANCE_ID           → `fenced()`: fatal, `join` refuses from then on
///
/// After a loss `generation()` and `member_id()` still name the lost membership (commits with
/// them fail at the broker, which is what fences a zombie); the next `join` replaces them
/// (UNKNOWN_MEMBER_ID also makes it join without a member id).
///
/// Static membership (KIP-345): with `group_instance_id` the member joins as that instance
/// (JoinGroup v5+ required), and `leave()` sends nothing, as Kafka's consumer does on close: a
/// new process with the same instance id that joins within `session_timeout` takes the
/// membership over without a rebalance (the broker fences the old member id).
///
/// Offsets: `commit_offsets`, `fetch_offsets` (and `leave`) have a third connection of their
/// own; the offsets calls may be made from any thread (one exchange at a time), also while the
/// owner is parked in `join`: stream threads commit with the membership the instance has at
/// that moment.
///
/// Thread safety: `join`, `leave` and `close` from one owner thread; `commit_offsets` and
/// `fetch_offsets` from any thread; the state queries (`generation`, `member_id`, `rejoin_needed`, ...) from any
/// thread. `on_event` runs on the heartbeat thread: it must be quick and must not call back
/// into the member except for the state queries. Nothing here logs, and nothing it holds is a
/// secret.

#include "runtime/detail/kafka_connection.h"

#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

namespace sluice::runtime::detail {

/// What the heartbeat thread tells the owner (`group_member_options::on_event`).
enum class group_event {
  rejoin_needed,    ///< the group is rebalancing: call `join` again
  membership_lost,  ///< the coordinator no longer knows this member or generation
  fenced,           ///< another member took over this group.instance.id: fatal
};

/// A group member's settings (Kafka's consumer names in the comments).
struct group_member_options {
  std::string bootstrap_servers;                 ///< bootstrap.servers: "host:port[,host:port]"
  std::string group_id;                          ///< group.id
  std::optional<std::string> group_instance_id;  ///< group.instance.id: static membership
  std::string client_id = "sluice";              ///< client.id
  std::chrono::milliseconds session_timeout{45000};     ///< session.timeout.ms (Kafka Streams' default)
  std::chrono::milliseconds rebalance_timeout{300000};  ///< max.poll.interval.ms
  std::chrono::milliseconds heartbeat_interval{3000};   ///< heartbeat.interval.ms
  std::chrono::milliseconds request_timeout{30000};     ///< request.timeout.ms (a JoinGroup gets the rebalance timeout on top)
  std::chrono::milliseconds retry_backoff{100};         ///< retry.backoff.ms
  std::string protocol_type = "consumer";               ///< JoinGroup's protocol type
  /// Called on the heartbeat thread (see the file comment); may be empty.
  std::function<void(group_event)> on_event;
};

/// One protocol this member supports, in preference order (JoinGroup's protocols).
struct group_protocol {
  std::string name;
  core::bytes metadata;  ///< for "consumer": a ConsumerProtocolSubscription
};

/// A member as the leader sees it in the JoinGroup answer.
struct group_member_metadata {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  core::bytes metadata;  ///< its metadata for the chosen protocol
};

/// The leader's assignor: the chosen protocol and every member → each member's assignment
/// bytes (members left out get empty bytes from the coordinator).
using group_assignor = std::function<std::map<std::string, core::bytes>(
    const std::string& protocol, const std::vector<group_member_metadata>& members)>;

/// The outcome of a successful `join`.
struct group_generation {
  int32_t generation = -1;
  std::string member_id;
  /// This member leads the group (it assigned, unless the coordinator said skip_assignment).
  bool leader = false;
  /// KIP-814 (JoinGroup v9): a returning static leader keeps the stored assignment; `assign`
  /// was not called.
  bool skip_assignment = false;
  std::string protocol_name;
  core::bytes assignment;  ///< this member's assignment bytes, as the leader sent them
};

/// An offset to commit.
struct offset_and_metadata {
  core::offset offset{-1};
  std::optional<std::string> metadata;
  int32_t leader_epoch = -1;
};

/// A committed offset as OffsetFetch reports it: offset -1 = none; `error` is the partition's
/// Kafka error (`kafka_error`), false when none.
struct committed_offset {
  core::offset offset{-1};
  std::optional<std::string> metadata;
  int32_t leader_epoch = -1;
  std::error_code error;
};

class group_member {
 public:
  using clock = std::chrono::steady_clock;

  /// Nothing is sent until `join`. Throws core::config_exception naming each bad setting: a bad
  /// bootstrap list, an empty group id (or instance id), a timeout outside 1..INT32_MAX ms, a
  /// heartbeat interval not below the session timeout.
  explicit group_member(group_member_options options);
  /// `close()`; a dynamic member that should leave must call `leave()` first.
  ~group_member();
  group_member(const group_member&) = delete;
  group_member& operator=(const group_member&) = delete;

  /// Joins (or rejoins) the group and completes the rebalance (see the file comment). `assign`
  /// runs on this thread, only in the leader. Bounded by `timeout` (default: twice the
  /// rebalance timeout plus the request timeout). Fails with the broker's error
  /// (`kafka_error`), `client_errc::fatal_membership` once fenced, `timed_out`,
  /// `unsupported_version`; `last_error()` has the words.
  result<group_generation> join(const std::vector<group_protocol>& protocols, const group_assignor& assign,
                                std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  /// OffsetCommit with this member's generation, member id and group.instance.id; the broker's
  /// answer per partition (`kafka_error` codes; false = committed). Fails as a whole only
  /// when no answer came within the request timeout (coordinator errors are retried).
  result<std::map<core::topic_partition, std::error_code>> commit_offsets(
      const std::map<core::topic_partition, offset_and_metadata>& offsets);

  /// OffsetFetch of `partitions` with require_stable where the version has it (v7+):
  /// UNSTABLE_OFFSET_COMMIT (an open transaction holds an offset) is retried with the backoff
  /// until `timeout` (default: the request timeout) and then returned as the error.
  result<std::map<core::topic_partition, committed_offset>> fetch_offsets(
      const std::vector<core::topic_partition>& partitions,
      std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  /// A dynamic member leaves the group (LeaveGroup; v3+ with the members list), so the others
  /// rebalance at once. A static member sends nothing (see the file comment). Either way the
  /// member is no longer joined: heartbeats stop, generation -1, no member id.
  result<void> leave(const std::string& reason = "the member is closing");

  /// Stops the heartbeat thread (idempotent). Sends nothing.
  void close();
  /// From any thread: a rebalance is expected soon (the follow-up of a cooperative one), so for
  /// `window` from now heartbeats go every `interval` (when that is shorter than the heartbeat
  /// interval) and the member learns of it at once instead of up to a heartbeat interval later.
  void expect_rebalance(std::chrono::milliseconds interval, std::chrono::milliseconds window);
  /// From any thread: makes the owner thread's current and every later `join`
  /// fail at once with `client_errc::cancelled` — for an owner that stops while a JoinGroup is
  /// parked for a whole rebalance. Irreversible; `leave` and the offsets calls are not affected.
  void cancel();

  /// The generation of the last successful join (-1 before).
  int32_t generation() const;
  /// This member's id ("" before the first JoinGroup answer).
  std::string member_id() const;
  const std::optional<std::string>& group_instance_id() const noexcept { return _options.group_instance_id; }
  const std::string& group_id() const noexcept { return _options.group_id; }
  /// Whether `join` completed and nothing since ended the membership.
  bool joined() const;
  /// The coordinator asked the group to rebalance (or the membership was lost): join again.
  bool rejoin_needed() const { return _rejoin_needed.load(); }
  /// The coordinator no longer knows this member or generation.
  bool membership_lost() const { return _lost.load(); }
  /// Fenced by another member with the same group.instance.id: fatal.
  bool fenced() const { return _fenced.load(); }
  /// The last failure of an owner-thread call, in words.
  std::string last_error() const;

 private:
  class coordinator_link;
  enum class state { idle, joining, joined };

  void heartbeat_loop();
  std::chrono::milliseconds heartbeat_interval_now() const;
  /// Records `message` as the last error; returns `e`.
  std::error_code failed(std::error_code e, std::string message);
  void notify(group_event e);

  group_member_options _options;
  std::unique_ptr<coordinator_link> _link;            ///< the owner thread's
  std::unique_ptr<coordinator_link> _heartbeat_link;  ///< the heartbeat thread's
  std::mutex _offsets_mutex;                          ///< one offsets exchange at a time
  std::unique_ptr<coordinator_link> _offsets_link;    ///< commits and fetches, from any thread

  mutable std::mutex _mutex;  ///< guards everything below that is not atomic
  std::condition_variable _wake;
  state _state = state::idle;
  int32_t _generation = -1;
  std::string _member_id;
  std::string _last_error;
  bool _stopping = false;
  std::atomic<bool> _rejoin_needed{false};
  std::atomic<bool> _lost{false};
  std::atomic<bool> _fenced{false};
  std::thread _heartbeat;
  int _cancel_fd = -1;  ///< an eventfd: readable once cancelled
  // expect_rebalance: quicker heartbeats until _quick_until (guarded by _mutex).
  std::chrono::milliseconds _quick_interval{0};
  clock::time_point _quick_until{};
  uint64_t _quick_epoch = 0;
};

}  // namespace sluice::runtime::detail
