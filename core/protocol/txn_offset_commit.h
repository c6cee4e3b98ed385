#pragma once
/// TxnOffsetCommit (key 28), versions 0–5; flexible from v3. kafkajs sends v1, librdkafka v3
/// (KIP-447: generation, member and instance id for fencing).
///
/// Request:  transactional_id, group_id, producer_id, producer_epoch, generation_id (v3+),
///           member_id (v3+), group_instance_id (v3+, nullable), topics [name, partitions
///           [partition_index, committed_offset, committed_leader_epoch (v2+),
///           committed_metadata (nullable)]].
/// Response: throttle_time_ms, topics [name, partitions [partition_index, error_code]].
///
/// v4 and v5 have v3's wire format: v4 may answer TRANSACTION_ABORTABLE, v5 is transaction
/// version 2 (KIP-890 part 2), where the commit also adds the group's offsets partition to the
/// transaction (AddOffsetsToTxn's job before).

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

inline constexpr version_range txn_offset_commit_versions{0, 5};

struct txn_offset_commit_request {
  /// TxnOffsetCommitRequestPartition
  struct txn_offset_commit_request_partition {
    core::partition_id partition_index{0};
    core::offset committed_offset{-1};
    int32_t committed_leader_epoch = -1;  ///< v2+
    std::optional<std::string> committed_metadata;
    bool operator==(const txn_offset_commit_request_partition&) const = default;
  };
  /// TxnOffsetCommitRequestTopic
  struct txn_offset_commit_request_topic {
    std::string name;
    std::vector<txn_offset_commit_request_partition> partitions;
    bool operator==(const txn_offset_commit_request_topic&) const = default;
  };

  std::string transactional_id;
  std::string group_id;
  core::producer_id producer_id{-1};
  core::producer_epoch producer_epoch{-1};
  int32_t generation_id = -1;                    ///< v3+
  std::string member_id;                         ///< v3+
  std::optional<std::string> group_instance_id;  ///< v3+
  std::vector<txn_offset_commit_request_topic> topics;

  static result<txn_offset_commit_request> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const txn_offset_commit_request&) const = default;
};

struct txn_offset_commit_response {
  /// TxnOffsetCommitResponsePartition
  struct txn_offset_commit_response_partition {
    core::partition_id partition_index{0};
    protocol::error_code error_code = protocol::error_code::none;
    bool operator==(const txn_offset_commit_response_partition&) const = default;
  };
  /// TxnOffsetCommitResponseTopic
  struct txn_offset_commit_response_topic {
    std::string name;
    std::vector<txn_offset_commit_response_partition> partitions;
    bool operator==(const txn_offset_commit_response_topic&) const = default;
  };

  int32_t throttle_time_ms = 0;
  std::vector<txn_offset_commit_response_topic> topics;

  static result<txn_offset_commit_response> decode(reader& r, int16_t version);
  void encode(writer& w, int16_t version) const;
  bool operator==(const txn_offset_commit_response&) const = default;
};

}  // namespace sluice::protocol
