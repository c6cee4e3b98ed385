#pragma once
/// librdkafka glue shared by the runtime's .cc files: owning handles, client creation from
/// properties, librdkafka's log lines routed to core::logger, and small conversions.
///
/// librdkafka's headers stay inside runtime/*.cc (STYLE.md): this header names its C types
/// only by forward declaration, so it can sit in other runtime headers.
///
/// Thread safety: the functions are stateless; a client handle is used as librdkafka allows
/// (a consumer by the one thread polling it).

#include "core/config.h"
#include "core/error.h"
#include "core/types.h"

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
struct rd_kafka_s;
struct rd_kafka_conf_s;
struct rd_kafka_topic_s;
struct rd_kafka_topic_partition_list_s;
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

/// librdkafka's text for an error code.
std::string error_string(int rd_kafka_resp_err);

/// A new partition list holding `partitions` (offsets unset).
partition_list make_partition_list(const std::vector<core::topic_partition>& partitions);

/// Milliseconds as librdkafka's int timeouts.
inline int timeout_ms(std::chrono::milliseconds d) {
  return d.count() < 0 ? 0 : d.count() > 2147483647 ? 2147483647 : static_cast<int>(d.count());
}

}  // namespace sluice::runtime::detail
