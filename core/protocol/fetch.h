#pragma once
/// Fetch (key 1), versions 4–18; flexible from v12. v4 adds isolation_level, last_stable_offset
/// and aborted transactions (librdkafka's MsgVer2 needs 4); v10 is needed for zstd; v13
/// names topics by id (KIP-516). Versions 0–3 (message formats v0/v1) are not served, as in
/// Kafka 4.0.
///
/// Request:  replica_id (v4–14), max_wait_ms, min_bytes, max_bytes, isolation_level,
///           session_id (v7+), session_epoch (v7+),
///           topics [topic (v4–12) | topic_id (v13+), partitions [partition,
///           current_leader_epoch (v9+), fetch_offset, last_fetched_epoch (v12+),
///           log_start_offset (v5+), partition_max_bytes]],
///           forgotten_topics_data (v7+) [topic (v7–12) | topic_id (v13+), partitions [int32]],
///           rack_id (v11+).
///           Tagged (skipped): ClusterId (v12+), ReplicaState (v15+), ReplicaDirectoryId (v17+),
///           HighWatermark (v18+) — what brokers and controllers send each other.
/// Response: throttle_time_ms, error_code (v7+), session_id (v7+),
///           responses [topic (v4–12) | topic_id (v13+), partitions [partition_index,
///           error_code, high_watermark, last_stable_offset, log_start_offset (v5+),
///           aborted_transactions [producer_id, first_offset], preferred_read_replica (v11+),
///           records, DivergingEpoch (tag 0, v12+)]].
///           Never written: CurrentLeader and SnapshotId (tags 1, 2) and NodeEndpoints (v16+,
///           top-level tag 0) — one node is always the leader and there is no Raft snapshot.
///
/// Encoding rules clients depend on: `records` is always written with its length (0 when
/// empty, never null); `aborted_transactions` is always written as an array (empty when
/// none; a null on the wire decodes to empty).

#include "core/protocol/api_key.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice::protocol {

inline constexpr version_range fetch_versions{4, 18};

struct fetch_request {
  /// FetchPartition
  struct fetch_partition {
    core::partition_id partition{0};
    int32_t current_leader_epoch = -1;  ///< v9+
    core::offset fetch_offset{0};
    int32_t last_fetched_epoch = -1;    ///< v12+
    core::offset log_start_offset{-1};  ///< v5+
    int32_t partition_max_bytes = 0;
    bool operator==(const fetch_partition&) const = default;
  };
  /// FetchTopic
  struct fetch_topic {
    std::string topic;  ///< v4–12 (the handler fills it from the id for v13+)
    uuid topic_id;      ///< v13+
    std::vector<fetch_partition> partitions;
    bool operator==(const fetch_topic&) const = default;
  };
  /// ForgottenTopic (v7+)
  struct forgotten_topic {
    std::string topic;  ///< v7–12
    uuid topic_id;      ///< v13+
    std::vector<core::partition_id> partitions;
    bool operator==(const forgotten_topic&) const = default;
  };

  core::node_id replica_id{-1};  ///< v4–14
  int32_t max_wait_ms = 0;
  int32_t min_bytes = 0;
  int32_t max_bytes = INT32_MAX;
  int8_t isolation_level = 0;  ///< 0 read_uncommitted, 1 read_committed
  int32_t session_id = 0;      ///< v7+
  int32_t session_epoch = -1;  ///< v7+
  std::vector<fetch_topic> topics;
  std::vector<forgotten_topic> forgotten_topics_data;  ///< v7+
  std::string rack_id;                                 ///< v11+

  static result<fetch_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const fetch_request&) const = default;
};

struct fetch_response {
  /// AbortedTransaction
  struct aborted_transaction {
    core::producer_id producer_id{-1};
    core::offset first_offset{0};
    bool operator==(const aborted_transaction&) const = default;
  };
  /// EpochEndOffset: where the log diverges from the fetcher's last fetched epoch.
  struct epoch_end_offset {
    int32_t epoch = -1;
    core::offset end_offset{-1};
    bool operator==(const epoch_end_offset&) const = default;
  };
  /// PartitionData
  struct partition_data {
    core::partition_id partition_index{0};
    protocol::error_code error_code = protocol::error_code::none;
    core::offset high_watermark{-1};
    core::offset last_stable_offset{-1};
    core::offset log_start_offset{-1};  ///< v5+
    std::vector<aborted_transaction> aborted_transactions;
    core::node_id preferred_read_replica{-1};  ///< v11+; must stay -1 for librdkafka
    std::optional<epoch_end_offset> diverging_epoch;  ///< v12+ (tag 0)
    /// Whole record batches, owned. Empty = no data (length 0 on the wire).
    core::bytes records;
    /// Encoding only, instead of `records`: whole batches that the network layer sends from a
    /// segment file (`writer::write_file_bytes`; the writer must splice). Never decoded.
    std::optional<file_bytes> records_file;
    bool operator==(const partition_data&) const = default;
  };
  /// FetchableTopicResponse
  struct fetchable_topic_response {
    std::string topic;  ///< v4–12
    uuid topic_id;      ///< v13+
    std::vector<partition_data> partitions;
    bool operator==(const fetchable_topic_response&) const = default;
  };

  int32_t throttle_time_ms = 0;
  protocol::error_code error_code = protocol::error_code::none;  ///< v7+; keep 0 (NOTES §f)
  int32_t session_id = 0;                                         ///< v7+
  std::vector<fetchable_topic_response> responses;

  static result<fetch_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const fetch_response&) const = default;
};

}  // namespace sluice::protocol
