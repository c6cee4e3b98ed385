#pragma once
/// `sluice::kafka`: the one librdkafka wrapper of the project — owning handles, client creation
/// from properties (librdkafka's log lines go to the `runtime.librdkafka` logger, or are
/// dropped), blocking
/// admin calls and cluster metadata. The runtime, the `sluice` CLI and the benchmarks all create
/// their clients here, so a setting is rejected, a client named and an admin call timed out the
/// same way everywhere.
///
/// librdkafka's headers stay in .cc files: this header names its C types only by forward
/// declaration. Library `sluice_kafka` (links librdkafka); never links the broker, so whatever
/// uses it works against any Kafka-protocol cluster.
///
/// Errors: `client_error` (a std::runtime_error) with a message that names the client and, for
/// a rejected setting, the key. Thread safety: the functions are stateless; a handle is used as
/// librdkafka allows.

#include "core/config.h"
#include "core/types.h"

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
struct rd_kafka_s;
struct rd_kafka_conf_s;
struct rd_kafka_topic_s;
struct rd_kafka_topic_partition_list_s;
struct rd_kafka_queue_s;
struct rd_kafka_op_s;
struct rd_kafka_message_s;
struct rd_kafka_metadata;
}

namespace sluice::kafka {

class client_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct client_deleter {
  /// Closes a consumer (leaving its group) before destroying it.
  void operator()(rd_kafka_s* rk) const noexcept;
};
/// An owned librdkafka client (consumer or producer).
using client = std::unique_ptr<rd_kafka_s, client_deleter>;

struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_s* l) const noexcept;
};
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_s, partition_list_deleter>;

struct topic_handle_deleter {
  void operator()(rd_kafka_topic_s* t) const noexcept;
};
using topic_handle = std::unique_ptr<rd_kafka_topic_s, topic_handle_deleter>;

/// librdkafka's events are `rd_kafka_op_s` underneath (`rd_kafka_event_t` is a typedef of it).
struct event_deleter {
  void operator()(rd_kafka_op_s* e) const noexcept;
};
using event = std::unique_ptr<rd_kafka_op_s, event_deleter>;

struct message_deleter {
  void operator()(rd_kafka_message_s* m) const noexcept;
};
/// A consumed message (or consumer error/event) owned until the handle goes.
using message = std::unique_ptr<rd_kafka_message_s, message_deleter>;
/// The consumer's next message within `timeout_ms`, or nullptr when none came.
message poll(rd_kafka_s* consumer, int timeout_ms);

enum class client_type { consumer, producer };

/// Called on the new configuration before the client is created, to install callbacks.
using conf_hook = void (*)(rd_kafka_conf_s* conf, void* opaque);

struct client_options {
  /// Names the client in errors ("stream thread 0 consumer", "sluice").
  std::string_view what = "client";
  /// librdkafka's own log lines go to the `runtime.librdkafka` logger (syslog levels mapped to
  /// log levels); false drops them (a tool whose output must stay one line per error).
  bool log = true;
  conf_hook hook = nullptr;
  void* opaque = nullptr;
};

/// Creates a client from `settings` (librdkafka property names). Throws client_error naming the
/// key if librdkafka rejects a setting, or with librdkafka's message if creation fails.
client make_client(client_type type, const core::properties& settings, const client_options& options);

/// Runs one admin request: `submit(queue)` issues it with its result going to `queue`; waits
/// up to `timeout` plus 5 s. Returns the result event. Throws client_error ("<what>: timed out",
/// "<what>: <broker message>") when no result came or the request as a whole failed.
event admin_call(rd_kafka_s* rk, std::string_view what, std::chrono::milliseconds timeout,
                 const std::function<void(rd_kafka_queue_s*)>& submit);

/// Cluster-wide metadata (every topic; never auto-creates). Throws client_error naming
/// `bootstrap` when the cluster cannot be reached in `timeout`.
std::shared_ptr<const rd_kafka_metadata> fetch_metadata(rd_kafka_s* rk, std::string_view bootstrap,
                                                        std::chrono::milliseconds timeout);

/// librdkafka's text for an error code.
std::string error_string(int rd_kafka_resp_err);

/// A new partition list holding `partitions` (offsets unset).
partition_list make_partition_list(const std::vector<core::topic_partition>& partitions);

/// Milliseconds as librdkafka's int timeouts (clamped to 0..INT32_MAX).
inline int timeout_ms(std::chrono::milliseconds d) {
  return d.count() < 0 ? 0 : d.count() > 2147483647 ? 2147483647 : static_cast<int>(d.count());
}

}  // namespace sluice::kafka
