#pragma once
/// librdkafka glue shared by the runtime's .cc files: owning handles, client creation from
/// properties, librdkafka's log lines routed to core::logger, and small conversions.
///
/// librdkafka's headers stay inside runtime/*.cc: this header names its C types
/// only by forward declaration, so it can sit in other runtime headers.
///
/// Thread safety: the functions are stateless; a client handle is used as librdkafka allows
/// (a consumer by the one thread polling it).

#include "core/config.h"
#include "core/error.h"
#include "core/record.h"
#include "core/types.h"

#include <chrono>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
struct rd_kafka_s;
struct rd_kafka_conf_s;
struct rd_kafka_topic_s;
struct rd_kafka_topic_partition_list_s;
struct rd_kafka_message_s;
}

namespace sluice::runtime::detail {

struct kafka_client_deleter {
  /// Closes a consumer (leaving its group) before destroying it.
  void operator()(rd_kafka_s* rk) const noexcept;
};
/// An owned librdkafka client (consumer or producer).
using kafka_client = std::unique_ptr<rd_kafka_s, kafka_client_deleter>;

struct partition_list_deleter {
  void operator()(rd_kafka_topic_partition_list_s* l) const noexcept;
};
using partition_list = std::unique_ptr<rd_kafka_topic_partition_list_s, partition_list_deleter>;

struct topic_handle_deleter {
  void operator()(rd_kafka_topic_s* t) const noexcept;
};
using topic_handle = std::unique_ptr<rd_kafka_topic_s, topic_handle_deleter>;

enum class client_type { consumer, producer };

/// Called on the new configuration before the client is created, to install callbacks.
using conf_hook = void (*)(rd_kafka_conf_s* conf, void* opaque);

/// Creates a client from `settings` (librdkafka property names). Throws streams_error naming
/// the key if librdkafka rejects a setting, or with librdkafka's message if creation fails.
/// `what` names the client in messages ("stream thread 0 consumer"). Logs go to
/// core::logger("runtime.librdkafka").
kafka_client make_client(client_type type, const core::properties& settings,
                         std::string_view what, conf_hook hook = nullptr, void* opaque = nullptr);

/// Whether a failed offset commit (librdkafka's error code) only means the offsets are not
/// committed this time: the group is rebalancing (the revocation that follows commits again)
/// or the coordinator is moving.
bool retriable_commit_error(int rd_kafka_resp_err);

/// Pauses or resumes fetching one partition of `consumer`; false (logged, naming `owner`) if
/// librdkafka refused.
bool pause_partition(rd_kafka_s* consumer, const core::topic_partition& tp, bool paused, std::string_view owner);

/// The end offset (high watermark) `consumer` last saw for `tp`, without asking the broker.
std::optional<int64_t> cached_end_offset(rd_kafka_s* consumer, const core::topic_partition& tp);

/// A partition list holding `offsets`.
partition_list make_offset_list(const std::vector<std::pair<core::topic_partition, int64_t>>& offsets);

/// Commits `offsets` for `consumer`'s group and waits for the answer. Returns whether they were
/// committed: false after an error that only means "not this time" (retriable_commit_error,
/// logged); throws streams_error naming `owner` after any other.
bool commit_offsets(rd_kafka_s* consumer, rd_kafka_topic_partition_list_s* offsets, std::string_view owner);

/// A consumed message as a record (key, value, timestamp and headers copied).
core::record to_record(const rd_kafka_message_s* m);

/// librdkafka's text for an error code.
std::string error_string(int rd_kafka_resp_err);

/// A new partition list holding `partitions` (offsets unset).
partition_list make_partition_list(const std::vector<core::topic_partition>& partitions);

/// Milliseconds as librdkafka's int timeouts.
inline int timeout_ms(std::chrono::milliseconds d) {
  return d.count() < 0 ? 0 : d.count() > 2147483647 ? 2147483647 : static_cast<int>(d.count());
}

}  // namespace sluice::runtime::detail
