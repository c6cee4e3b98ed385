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

#include <chrono>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace sluice::runtime {

/// The uncaught-error handler's answer (Kafka Streams' StreamThreadExceptionResponse).
enum class uncaught_error_response {
  replace_thread,        ///< start a new stream thread in place of the failed one
  shutdown_client,       ///< stop this instance: its other threads commit and close; state error
  shutdown_application,  ///< ask every instance of the application to shut down (state error)
};

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
  /// Processing, commit, lag, restoration and drop metrics (runtime/README.md lists them).
  core::metrics_registry& metrics() noexcept;
  const streams_config& config() const noexcept;
  const dsl::topology& topology() const noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> _impl;
};

}  // namespace sluice::runtime

namespace sluice {
using runtime::streams;
using runtime::streams_config;
using runtime::uncaught_error_response;
}  // namespace sluice
