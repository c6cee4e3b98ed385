#pragma once
/// Produce (key 0), versions 3–13; flexible from v9. v3 is the first with record batch v2
/// (librdkafka's MsgVer2 needs 3); v7 allows zstd; v8 adds per-record errors; v12 makes a
/// transactional produce add its partition to the transaction (KIP-890); v13 names topics by
/// id (KIP-516).
///
/// Request:  transactional_id (nullable), acks, timeout_ms,
///           topic_data [name (v3–12) | topic_id (v13+), partition_data [index,
///           records (nullable bytes)]].
/// Response: responses [name (v3–12) | topic_id (v13+), partition_responses [index, error_code,
///           base_offset, log_append_time_ms, log_start_offset (v5+),
///           record_errors (v8+) [batch_index, batch_index_error_message (nullable)],
///           error_message (v8+, nullable)]], throttle_time_ms (last!).
///           Never written: CurrentLeader (v10+, partition tag 0) and NodeEndpoints (v10+,
///           top-level tag 0), which only accompany NOT_LEADER_OR_FOLLOWER — one node leads
///           every partition.
///
/// acks = 0 requests get no response at all (as in Kafka); that is the handler's business.

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range produce_versions{3, 13};
/// What ApiVersions advertises for Produce: from v0, although v0–2 (message formats v0 and v1)
/// are not served and a request for them closes the connection. librdkafka (2.0.2, which Sluice
/// links, and later releases) decides whether the broker can take gzip, snappy and lz4 batches by asking whether it
/// serves Produce v0; without it, it silently sends them uncompressed. Kafka 4.x advertises the
/// same way for the same reason.
inline constexpr version_range produce_advertised_versions{0, produce_versions.max};

struct produce_request {
  /// PartitionProduceData
  struct partition_produce_data {
    core::partition_id index{0};
    /// The record batches as sent, **borrowed from the request buffer**: valid only while the
    /// frame the request was decoded from is alive and unmodified. A handler that keeps the
    /// bytes beyond the request (e.g. an async append) must copy them or keep the frame alive.
    /// nullopt = null on the wire.
    std::optional<bytes_view> records;

    bool operator==(const partition_produce_data& o) const noexcept;
  };
  /// TopicProduceData
  struct topic_produce_data {
    std::string name;  ///< v3–12 (the handler fills it from the id for v13+)
    uuid topic_id;     ///< v13+
    std::vector<partition_produce_data> partition_data;
    bool operator==(const topic_produce_data&) const = default;
  };

  std::optional<std::string> transactional_id;
  int16_t acks = -1;
  int32_t timeout_ms = 0;
  std::vector<topic_produce_data> topic_data;

  static result<produce_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  /// Equality compares record bytes by content.
  bool operator==(const produce_request&) const = default;
};

struct produce_response {
  /// BatchIndexAndErrorMessage (v8+): a record the batch was refused for.
  struct record_error {
    int32_t batch_index = 0;
    std::optional<std::string> batch_index_error_message;
    bool operator==(const record_error&) const = default;
  };
  /// PartitionProduceResponse
  struct partition_produce_response {
    core::partition_id index{0};
    protocol::error_code error_code = protocol::error_code::none;
    core::offset base_offset{-1};
    int64_t log_append_time_ms = -1;  ///< -1 for CreateTime topics
    core::offset log_start_offset{-1};  ///< v5+
    std::vector<record_error> record_errors;  ///< v8+
    std::optional<std::string> error_message;  ///< v8+
    bool operator==(const partition_produce_response&) const = default;
  };
  /// TopicProduceResponse
  struct topic_produce_response {
    std::string name;  ///< v3–12
    uuid topic_id;     ///< v13+
    std::vector<partition_produce_response> partition_responses;
    bool operator==(const topic_produce_response&) const = default;
  };

  std::vector<topic_produce_response> responses;
  int32_t throttle_time_ms = 0;

  static result<produce_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const produce_response&) const = default;
};

}  // namespace sluice::protocol
