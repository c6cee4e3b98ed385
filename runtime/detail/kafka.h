#pragma once
/// librdkafka glue of the runtime's .cc files: the shared wrapper (runtime/kafka/client.h) under
/// the runtime's names and error type, and the consumer-side helpers only the runtime needs
/// (commits, pausing, conversions).
///
/// librdkafka's headers stay inside .cc files: this header names its C types only by forward
/// declaration, so it can sit in other runtime headers.
///
/// Thread safety: the functions are stateless; a client handle is used as librdkafka allows
/// (a consumer by the one thread polling it).

#include "core/config.h"
#include "core/error.h"
#include "core/record.h"
#include "core/types.h"
#include "runtime/kafka/client.h"

#include <chrono>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

extern "C" {
struct rd_kafka_message_s;  // the other librdkafka types: runtime/kafka/client.h
}

namespace sluice::runtime::detail {

// The shared wrapper's handles under the names the runtime uses (runtime/kafka/client.h).
using kafka_client = kafka::client;
using kafka::partition_list;
using kafka::topic_handle;
using kafka::client_type;
using kafka::conf_hook;
using kafka::error_string;
using kafka::make_partition_list;
using kafka::timeout_ms;

/// kafka::make_client with librdkafka's logs on the `runtime.librdkafka` logger, throwing
/// streams_error (naming the key if librdkafka rejects a setting). `what` names the client in
/// messages ("stream thread 0 consumer").
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
core::raw_record to_record(const rd_kafka_message_s* m);

}  // namespace sluice::runtime::detail
