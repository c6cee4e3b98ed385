#pragma once
/// Sluice's own `__consumer_offsets` record format, written before the broker wrote Kafka's
/// (issue #15). Kept only so that `log_migration` can read — and tests can write — a data
/// directory from that time; nothing else may use it (log_format.h is the format in use).
///
/// The records the group coordinator wrote: committed offsets and group metadata, as
/// versioned binary keys and values. The topic is compacted, so a key
/// identifies one logical item (an offset of one group for one partition, or one group's
/// metadata) and the newest value wins; a null value (tombstone) deletes the item.
///
/// All integers big-endian. `string` = int16 length + UTF-8 bytes; `nullable string` uses length
/// -1 for null; `bytes` = int32 length + bytes.
///
/// Key:
///
/// | off | size | field       | notes                                            |
/// |-----|------|-------------|--------------------------------------------------|
/// |   0 |    2 | kind        | int16: 0 = committed offset, 1 = group metadata  |
/// |   2 |    2 | key_version | int16: 0                                         |
/// |   4 |    … | group       | string                                           |
/// |   … |    … | topic       | string (kind 0 only)                             |
/// |   … |    4 | partition   | int32 (kind 0 only)                              |
///
/// Committed-offset value (kind 0), version 0:
///
/// | field            | type            | notes                                      |
/// |------------------|-----------------|--------------------------------------------|
/// | value_version    | int16           | 0                                          |
/// | offset           | int64           | the committed offset                       |
/// | leader_epoch     | int32           | -1 = unknown                               |
/// | metadata         | nullable string | the client's commit metadata               |
/// | commit_timestamp | int64           | ms since the epoch, broker clock           |
///
/// Group-metadata value (kind 1), version 0:
///
/// | field            | type            | notes                                         |
/// |------------------|-----------------|-----------------------------------------------|
/// | value_version    | int16           | 0                                             |
/// | protocol_type    | string          | "" = none chosen yet                          |
/// | generation       | int32           |                                               |
/// | protocol_name    | nullable string | the selected assignor; null when Empty        |
/// | leader           | nullable string | leader member id; null when Empty             |
/// | state_timestamp  | int64           | ms since the epoch when this was written      |
/// | member_count     | int32           | then `member_count` members:                  |
/// | ├ member_id      | string          |                                               |
/// | ├ instance_id    | nullable string | group.instance.id of static members           |
/// | ├ client_id      | string          |                                               |
/// | ├ client_host    | string          |                                               |
/// | ├ session_timeout_ms   | int32     |                                               |
/// | ├ rebalance_timeout_ms | int32     |                                               |
/// | ├ protocol_count | int32           | then per protocol: name string, metadata bytes |
/// | └ assignment     | bytes           | as the leader sent it in SyncGroup            |
///
/// A reader refuses versions it does not know (`errc::corrupt_log`) rather than guessing:
/// losing committed offsets silently is worse than a broker that names the record it cannot
/// read.
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

namespace sluice::broker::group::legacy {

inline constexpr int16_t offset_key_kind = 0;
inline constexpr int16_t group_key_kind = 1;

struct offset_key {
  std::string group;
  core::topic_partition tp;
  bool operator==(const offset_key&) const = default;
};

struct group_key {
  std::string group;
  bool operator==(const group_key&) const = default;
};

using record_key = std::variant<offset_key, group_key>;

struct offset_value {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
  int64_t commit_timestamp_ms = 0;
  bool operator==(const offset_value&) const = default;
};

struct protocol_value {
  std::string name;
  core::bytes metadata;
  bool operator==(const protocol_value&) const = default;
};

struct member_value {
  std::string member_id;
  std::optional<std::string> instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::vector<protocol_value> protocols;
  core::bytes assignment;
  bool operator==(const member_value&) const = default;
};

struct group_value {
  std::string protocol_type;
  int32_t generation = 0;
  std::optional<std::string> protocol_name;
  std::optional<std::string> leader;
  int64_t state_timestamp_ms = 0;
  std::vector<member_value> members;
  bool operator==(const group_value&) const = default;
};

core::bytes encode_key(const offset_key& key);
core::bytes encode_key(const group_key& key);
core::bytes encode_value(const offset_value& value);
core::bytes encode_value(const group_value& value);

/// `errc::corrupt_log` for unknown kinds or versions and malformed bytes.
result<record_key> decode_key(core::bytes_view bytes);
result<offset_value> decode_offset_value(core::bytes_view bytes);
result<group_value> decode_group_value(core::bytes_view bytes);

}  // namespace sluice::broker::group::legacy
