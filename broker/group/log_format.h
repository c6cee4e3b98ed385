#pragma once
/// The records of `__consumer_offsets`, byte for byte as Apache Kafka writes them, so that tools
/// reading the topic (Burrow, kafka-python consumers decoding it, Kafka's own formatters and
/// `kafka-dump-log --offsets-decoder`) understand it. The reference is Kafka's message schemas
/// `OffsetCommitKey`, `OffsetCommitValue`, `GroupMetadataKey` and `GroupMetadataValue`
/// (group-coordinator/src/main/resources/common/message/).
///
/// A key is an int16 record type (Kafka calls it the key "version") and the key's fields; a
/// value is an int16 version and that version's fields. A null value (tombstone) deletes what
/// its key names; the topic is compacted, so the newest value per key wins.
///
/// `string` = int16 length + UTF-8; `nullable string` has length -1 for null; `bytes` = int32
/// length + bytes; arrays = int32 count + elements. Flexible versions (4+) use Kafka's compact
/// forms instead (unsigned varint of length + 1, 0 = null) and end each struct with a
/// tagged-field section (a varint count, then tag, size, data per field); unknown tags are
/// skipped. All integers big-endian.
///
/// Key, record type 0 or 1 (an offset commit; Kafka has written 1 since 0.9, both read the same):
///
/// | off | size | field     | notes        |
/// |-----|------|-----------|--------------|
/// |   0 |    2 | type      | int16: 1     |
/// |   2 |    … | group     | string       |
/// |   … |    … | topic     | string       |
/// |   … |    4 | partition | int32        |
///
/// Key, record type 2 (group metadata): type int16 2, then `group` string.
///
/// Record types 3 and above are the groups of protocols this broker does not serve (KIP-848
/// consumer groups, share groups, ...). A data directory copied from Kafka may hold them; the
/// replay skips them, as Kafka skips record types it does not know.
///
/// OffsetCommitValue — written: v3 (v1 when an expire timestamp is set, which this broker
/// never does; Kafka 2.1–4.x write the same); read: v0–v4:
///
/// | field            | versions | type   | notes                                             |
/// |------------------|----------|--------|---------------------------------------------------|
/// | version          | all      | int16  |                                                   |
/// | offset           | 0+       | int64  |                                                   |
/// | leader_epoch     | 3+       | int32  | -1 = unknown (read as -1 below v3)                |
/// | metadata         | 0+       | string | never null: a commit without metadata stores ""   |
/// | commit_timestamp | 0+       | int64  | ms since the epoch                                |
/// | expire_timestamp | 1 only   | int64  | -1 = none                                         |
/// | (tagged fields)  | 4+       |        | Kafka 4.1 tags the topic id (tag 0); skipped      |
///
/// GroupMetadataValue — written: v3 (Kafka 2.3–4.x write v3); read: v0–v4:
///
/// | field                   | versions | type            | notes                          |
/// |-------------------------|----------|-----------------|--------------------------------|
/// | version                 | all      | int16           |                                |
/// | protocol_type           | 0+       | string          | "" = none (an Empty group)     |
/// | generation              | 0+       | int32           |                                |
/// | protocol                | 0+       | nullable string | the selected assignor          |
/// | leader                  | 0+       | nullable string | the leader's member id         |
/// | current_state_timestamp | 2+       | int64           | -1 = unknown                   |
/// | members                 | 0+       | array of:       |                                |
/// | ├ member_id             | 0+       | string          |                                |
/// | ├ group_instance_id     | 3+       | nullable string | static members                 |
/// | ├ client_id             | 0+       | string          |                                |
/// | ├ client_host           | 0+       | string          |                                |
/// | ├ rebalance_timeout     | 1+       | int32           | v0: read as the session timeout|
/// | ├ session_timeout       | 0+       | int32           |                                |
/// | ├ subscription          | 0+       | bytes           | the selected protocol's metadata|
/// | └ assignment            | 0+       | bytes           | from the leader's SyncGroup    |
///
/// A reader refuses value versions it does not know and malformed bytes (`errc::corrupt_log`)
/// rather than guessing: losing committed offsets silently is worse than a broker that names
/// the record it cannot read.
///
/// Thread safety: pure functions.

#include "broker/group/errc.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace sluice::broker::group {

/// The key record types this broker writes.
inline constexpr int16_t offset_commit_key_type = 1;
inline constexpr int16_t group_metadata_key_type = 2;
/// The value versions it writes.
inline constexpr int16_t offset_commit_value_version = 3;
inline constexpr int16_t group_metadata_value_version = 3;

struct offset_key {
  std::string group;
  core::topic_partition tp;
  bool operator==(const offset_key&) const = default;
};

struct group_key {
  std::string group;
  bool operator==(const group_key&) const = default;
};

/// A record of a type this coordinator does not serve (record type 3 and above).
struct other_key {
  int16_t type = 0;
  bool operator==(const other_key&) const = default;
};

using record_key = std::variant<offset_key, group_key, other_key>;

struct offset_value {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp_ms = 0;
  int64_t expire_timestamp_ms = -1;  ///< v1 only; -1 = none
  bool operator==(const offset_value&) const = default;
};

struct member_value {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = -1;
  int32_t session_timeout_ms = 0;
  core::bytes subscription;
  core::bytes assignment;
  bool operator==(const member_value&) const = default;
};

struct group_value {
  std::string protocol_type;
  int32_t generation = 0;
  std::optional<std::string> protocol_name;
  std::optional<std::string> leader;
  int64_t state_timestamp_ms = -1;
  std::vector<member_value> members;
  bool operator==(const group_value&) const = default;
};

/// Record type 1.
core::bytes encode_key(const offset_key& key);
/// Record type 2.
core::bytes encode_key(const group_key& key);
/// v3, or v1 when `expire_timestamp_ms` is set (Kafka's choice).
core::bytes encode_value(const offset_value& value);
/// v3.
core::bytes encode_value(const group_value& value);

/// `errc::corrupt_log` for a negative record type and malformed bytes.
result<record_key> decode_key(core::bytes_view bytes);
/// `errc::corrupt_log` for unknown versions and malformed bytes.
result<offset_value> decode_offset_value(core::bytes_view bytes);
result<group_value> decode_group_value(core::bytes_view bytes);

}  // namespace sluice::broker::group
