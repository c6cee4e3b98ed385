#pragma once
/// `streams`: a running Sluice application instance — Kafka Streams' `KafkaStreams`.
///
///     sluice::streams app(builder.build(), {{"application.id", "page-views"},
///                                           {"bootstrap.servers", "127.0.0.1:9092"}});
///     app.set_state_listener([](auto now, auto before) { ... });
///     app.start();                       // creates internal topics, starts the threads
///     ...
///     app.close(std::chrono::seconds(30));
///
/// An instance runs `num.stream.threads` stream threads (see runtime/README.md for what each
/// does). Several instances — threads of one process, or processes on several machines — with
/// the same `application.id` split the application's tasks through the consumer-group
/// protocol; tasks, with their state, move between them as instances come and go.
///
/// Errors. The constructor throws `core::config_exception` naming every bad key. `start()`
/// throws `streams_error` if the application cannot run (missing source topics, partition
/// counts that break co-partitioning, an internal topic the broker refuses, under
/// exactly-once a state directory another instance holds). A stream thread that fails later is handed to the uncaught-error
/// handler, whose answer decides: replace the thread, shut this instance down (state error),
/// or shut down every instance of the application (each reaches state error).
///
/// Processing guarantee: at_least_once (default) or exactly_once_v2 — one transactional
/// producer per stream thread, offsets committed inside the transactions, read_committed
/// consumers, stores that roll back to the last commit (runtime/README.md). Under
/// exactly_once_v2 the instance locks `<state.dir>/<application.id>/` and keeps its process id
/// there (part of the transactional.ids).
///
/// Thread safety: every member function may be called from any thread, except that `close()`
/// must not be called from a state listener or the uncaught-error handler (they run on the
/// instance's own threads). Listener and handler calls are serialized.

#include "core/config.h"
#include "core/metrics.h"
#include "core/time.h"
#include "dsl/topology.h"
#include "runtime/errors.h"
#include "core/serde.h"
#include "runtime/metadata.h"
#include "runtime/streams_config.h"

#include <any>
#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::runtime {

/// The uncaught-error handler's answer (Kafka Streams' StreamThreadExceptionResponse).
enum class uncaught_error_response {
  replace_thread,        ///< start a new stream thread in place of the failed one
  shutdown_client,       ///< stop this instance: its other threads commit and close; state error
  shutdown_application,  ///< ask every instance of the application to shut down (state error)
};

template <class K, class V>
class key_value_view;
template <class K, class V>
class window_view;
template <class K, class V>
class session_view;

class streams {
 public:
  using state_listener = std::function<void(streams_state new_state, streams_state old_state)>;
  /// Gets the exception that ended a stream thread.
  using uncaught_error_handler = std::function<uncaught_error_response(std::exception_ptr error)>;

  /// Validates the configuration (throws core::config_exception naming the keys). Registers
  /// metrics in `metrics` if given (it must outlive the instance), else in its own registry.
  streams(dsl::topology topology, const core::properties& config,
          core::metrics_registry* metrics = nullptr);
  /// Closes the instance if it is still running, waiting as long as that takes.
  ~streams();
  streams(const streams&) = delete;
  streams& operator=(const streams&) = delete;

  /// REQUIRES: state created.
  void set_state_listener(state_listener listener);
  /// Default: shutdown_client. REQUIRES: state created.
  void set_uncaught_error_handler(uncaught_error_handler handler);

  /// Checks and creates topics, then starts the stream threads; returns once they are
  /// started (state rebalancing). Throws streams_error (see the class comment).
  /// REQUIRES: state created.
  void start();

  /// Stops every stream thread (each commits, closes its tasks and leaves the group) and
  /// waits up to `timeout`. Returns true if everything stopped in time (state not_running);
  /// false leaves the threads finishing in the background (the destructor waits for them).
  bool close(std::chrono::milliseconds timeout);

  streams_state state() const;
  /// What each live stream thread owns now.
  std::vector<thread_metadata> metadata() const;

  /// Where the key `serialized_key` (as the store's key serde writes it) of `store` lives: the
  /// instance running its task and the ones with standbys, from the group's last assignment
  /// (so any instance can answer for any key). nullopt if the topology has no such store; an
  /// empty `active` before the first assignment. REQUIRES: after start().
  std::optional<key_query_metadata> query_metadata_for_key(std::string_view store,
                                                           core::bytes_view serialized_key) const;
  /// The same with the key serialized by `key_serde`. Throws std::invalid_argument if the key
  /// does not serialize.
  template <class K>
  std::optional<key_query_metadata> query_metadata_for_key(std::string_view store, const K& key,
                                                           const core::serde<K>& key_serde) const {
    auto bytes = key_serde.serialize(key);
    if (!bytes) throw std::invalid_argument("the key does not serialize: " + bytes.error().message());
    return query_metadata_for_key(store, core::bytes_view(bytes.value()));
  }
  /// Every instance with an `application.server`, as the group's last assignment describes it.
  /// REQUIRES: after start().
  std::vector<instance_metadata> all_metadata() const;

  /// Interactive queries: a read-only view of the key-value store `name` across this instance's
  /// tasks, typed with the store's own serdes. Throws invalid_state_store (unknown_store,
  /// wrong_kind) when there is no such key-value store with these types. Reads throw
  /// invalid_state_store too (see key_value_view). REQUIRES: after start().
  template <class K, class V>
  key_value_view<K, V> key_value_store(std::string_view name) const;
  /// The same for a window store (window_view: fetch, fetch_all). The join buffers of
  /// stream-stream joins are not queryable.
  template <class K, class V>
  window_view<K, V> window_store(std::string_view name) const;
  /// The same for a session store (session_view: fetch).
  template <class K, class V>
  session_view<K, V> session_store(std::string_view name) const;

  /// Bytes-level reads behind key_value_view (the key as the store's key serde writes it).
  std::optional<core::bytes> query_get(std::string_view store, core::bytes_view key) const;
  /// Entries of every local task of `store` with from ≤ key ≤ to (both bounds given; neither:
  /// every entry), task by task, each in key-byte order.
  std::vector<std::pair<core::bytes, core::bytes>> query_range(std::string_view store,
                                                               std::optional<core::bytes> from,
                                                               std::optional<core::bytes> to) const;
  /// One window of a window store, as stored.
  struct raw_window {
    core::bytes key;
    core::timestamp window_start;
    core::bytes value;
  };
  /// Bytes-level reads behind window_view: the windows of `key` (or, without a key, of every
  /// key of every local task) whose start lies in [from, to].
  std::vector<raw_window> query_window(std::string_view store, std::optional<core::bytes> key,
                                       core::timestamp from, core::timestamp to) const;
  /// One session of a session store, as stored: its span, both ends inclusive.
  struct raw_session {
    core::bytes key;
    core::timestamp start;
    core::timestamp end;
    core::bytes value;
  };
  /// Bytes-level read behind session_view: every session of `key`, by end.
  std::vector<raw_session> query_sessions(std::string_view store, core::bytes_view key) const;
  /// Processing, commit, lag, restoration and drop metrics (runtime/README.md lists them).
  core::metrics_registry& metrics() noexcept;
  const streams_config& config() const noexcept;
  const dsl::topology& topology() const noexcept;

 private:
  template <class K, class V>
  struct typed_store {
    const dsl::store_spec& spec;
    core::serde<K> keys;
    core::serde<V> values;
  };
  /// The store `name` of `kind` with serdes of K and V; throws invalid_state_store otherwise.
  template <class K, class V>
  typed_store<K, V> find_typed_store(std::string_view name, dsl::store_kind kind) const;

  struct impl;
  std::unique_ptr<impl> _impl;
};

/// A read-only view of a key-value store across one instance's tasks (Kafka Streams'
/// ReadOnlyKeyValueStore from `KafkaStreams.store`). Every read runs on the stream thread that
/// owns the task, between two of its processing turns, and sees what the task has processed:
/// under at_least_once the latest state (through the record cache); under exactly_once_v2 only
/// committed state — the thread commits and then answers, so an aborted transaction's writes
/// are never visible. Reads throw invalid_state_store: `unavailable` (retriable) while the
/// instance rebalances or the task restores or moves — never a partial or stale answer from a
/// task that is not running — and `not_local` for a key whose task runs on another instance.
/// Copyable; valid while the `streams` lives.
template <class K, class V>
class key_value_view {
 public:
  /// The value stored under `key`, or nullopt.
  std::optional<V> get(const K& key) const {
    auto v = _streams->query_get(_name, core::bytes_view(serialize(key)));
    if (!v) return std::nullopt;
    return deserialize(_values, *v);
  }
  /// Entries with from ≤ key ≤ to (by serialized key), task by task.
  std::vector<std::pair<K, V>> range(const K& from, const K& to) const {
    return typed(_streams->query_range(_name, serialize(from), serialize(to)));
  }
  /// Every entry of the local tasks, task by task.
  std::vector<std::pair<K, V>> all() const { return typed(_streams->query_range(_name, std::nullopt, std::nullopt)); }

 private:
  friend class streams;
  key_value_view(const streams& s, std::string name, core::serde<K> keys, core::serde<V> values)
      : _streams(&s), _name(std::move(name)), _keys(std::move(keys)), _values(std::move(values)) {}

  core::bytes serialize(const K& key) const {
    auto b = _keys.serialize(key);
    if (!b) throw std::invalid_argument("the key does not serialize: " + b.error().message());
    return std::move(b.value());
  }
  template <class T>
  T deserialize(const core::serde<T>& serde, const core::bytes& data) const {
    auto v = serde.deserialize(core::bytes_view(data));
    if (!v) throw streams_error("store '" + _name + "' holds bytes its serde cannot read: " + v.error().message());
    return std::move(v.value());
  }
  std::vector<std::pair<K, V>> typed(const std::vector<std::pair<core::bytes, core::bytes>>& raw) const {
    std::vector<std::pair<K, V>> out;
    out.reserve(raw.size());
    for (const auto& [k, v] : raw) out.emplace_back(deserialize(_keys, k), deserialize(_values, v));
    return out;
  }

  const streams* _streams;
  std::string _name;
  core::serde<K> _keys;
  core::serde<V> _values;
};

/// One window of a window store: its key, start and end (start + the window size) and value.
template <class K, class V>
struct windowed_value {
  K key;
  core::timestamp window_start;
  core::timestamp window_end;
  V value;
};

/// A read-only view of a window store across one instance's tasks (Kafka Streams'
/// ReadOnlyWindowStore): reads run like key_value_view's and throw the same errors.
template <class K, class V>
class window_view {
 public:
  /// The windows of `key` whose start lies in [from, to], by window start.
  std::vector<windowed_value<K, V>> fetch(const K& key, core::timestamp from, core::timestamp to) const {
    auto k = _keys.serialize(key);
    if (!k) throw std::invalid_argument("the key does not serialize: " + k.error().message());
    return typed(_streams->query_window(_name, std::move(k.value()), from, to));
  }
  /// Every key's windows whose start lies in [from, to], task by task.
  std::vector<windowed_value<K, V>> fetch_all(core::timestamp from, core::timestamp to) const {
    return typed(_streams->query_window(_name, std::nullopt, from, to));
  }

 private:
  friend class streams;
  window_view(const streams& s, std::string name, core::serde<K> keys, core::serde<V> values, millis size)
      : _streams(&s), _name(std::move(name)), _keys(std::move(keys)), _values(std::move(values)), _size(size) {}

  std::vector<windowed_value<K, V>> typed(const std::vector<streams::raw_window>& raw) const {
    std::vector<windowed_value<K, V>> out;
    out.reserve(raw.size());
    for (const auto& w : raw) {
      auto k = _keys.deserialize(core::bytes_view(w.key));
      auto v = _values.deserialize(core::bytes_view(w.value));
      if (!k || !v) throw streams_error("store '" + _name + "' holds bytes its serdes cannot read");
      out.push_back({std::move(k.value()), w.window_start, w.window_start + _size, std::move(v.value())});
    }
    return out;
  }

  const streams* _streams;
  std::string _name;
  core::serde<K> _keys;
  core::serde<V> _values;
  millis _size;
};

/// One session of a session store: its key, span (both ends inclusive) and value.
template <class K, class V>
struct session_value {
  K key;
  core::timestamp start;
  core::timestamp end;
  V value;
};

/// A read-only view of a session store across one instance's tasks (Kafka Streams'
/// ReadOnlySessionStore): reads run like key_value_view's and throw the same errors.
template <class K, class V>
class session_view {
 public:
  /// Every session of `key`.
  std::vector<session_value<K, V>> fetch(const K& key) const {
    auto k = _keys.serialize(key);
    if (!k) throw std::invalid_argument("the key does not serialize: " + k.error().message());
    std::vector<session_value<K, V>> out;
    for (const auto& s : _streams->query_sessions(_name, core::bytes_view(k.value()))) {
      auto v = _values.deserialize(core::bytes_view(s.value));
      if (!v) throw streams_error("store '" + _name + "' holds bytes its serde cannot read");
      out.push_back({key, s.start, s.end, std::move(v.value())});
    }
    return out;
  }

 private:
  friend class streams;
  session_view(const streams& s, std::string name, core::serde<K> keys, core::serde<V> values)
      : _streams(&s), _name(std::move(name)), _keys(std::move(keys)), _values(std::move(values)) {}

  const streams* _streams;
  std::string _name;
  core::serde<K> _keys;
  core::serde<V> _values;
};

template <class K, class V>
streams::typed_store<K, V> streams::find_typed_store(std::string_view name, dsl::store_kind kind) const {
  const dsl::store_spec* spec = topology().find_store(name);
  if (spec == nullptr) {
    throw invalid_state_store(invalid_state_store::reason::unknown_store,
                              "no store '" + std::string(name) + "' in the topology");
  }
  const auto* keys = std::any_cast<core::serde<K>>(&spec->key_serde);
  const auto* values = std::any_cast<core::serde<V>>(&spec->value_serde);
  if (spec->kind != kind || keys == nullptr || values == nullptr ||
      (kind == dsl::store_kind::window && spec->window_size.count() <= 0)) {
    throw invalid_state_store(invalid_state_store::reason::wrong_kind,
                              "store '" + std::string(name) + "' is not of the kind and types asked for");
  }
  return {*spec, *keys, *values};
}

template <class K, class V>
window_view<K, V> streams::window_store(std::string_view name) const {
  auto s = find_typed_store<K, V>(name, dsl::store_kind::window);
  return window_view<K, V>(*this, std::string(name), s.keys, s.values, s.spec.window_size);
}

template <class K, class V>
session_view<K, V> streams::session_store(std::string_view name) const {
  auto s = find_typed_store<K, V>(name, dsl::store_kind::session);
  return session_view<K, V>(*this, std::string(name), s.keys, s.values);
}

template <class K, class V>
key_value_view<K, V> streams::key_value_store(std::string_view name) const {
  auto s = find_typed_store<K, V>(name, dsl::store_kind::key_value);
  return key_value_view<K, V>(*this, std::string(name), s.keys, s.values);
}

}  // namespace sluice::runtime

namespace sluice {
using runtime::key_value_view;
using runtime::session_value;
using runtime::session_view;
using runtime::window_view;
using runtime::windowed_value;
using runtime::streams;
using runtime::streams_config;
using runtime::uncaught_error_response;
}  // namespace sluice
