#pragma once
/// The consumer protocol: the payloads a consumer-group member embeds in JoinGroup (its
/// subscription, `join_group_request_protocol::metadata`) and that the leader hands out through
/// SyncGroup (each member's assignment, `sync_group_request_assignment::assignment`), for groups
/// of protocol type "consumer". Kafka's schemas ConsumerProtocolSubscription and
/// ConsumerProtocolAssignment, versions 0–3, never flexible. Both payloads start with their
/// version as an int16:
///
/// Subscription:
///
/// | field            | type                                  | versions |
/// |------------------|---------------------------------------|----------|
/// | version          | int16                                 | all      |
/// | topics           | [string]                              | 0+       |
/// | user_data        | nullable bytes (int32 length, -1)     | 0+       |
/// | owned_partitions | [topic string, partitions [int32]]    | 1+       |
/// | generation_id    | int32 (default -1)                    | 2+       |
/// | rack_id          | nullable string (int16 length, -1)    | 3+       |
///
/// Assignment:
///
/// | field               | type                               | versions |
/// |---------------------|------------------------------------|----------|
/// | version             | int16                              | all      |
/// | assigned_partitions | [topic string, partitions [int32]] | 0+       |
/// | user_data           | nullable bytes                     | 0+       |
///
/// (Assignment versions 1–3 exist only to follow the subscription's; their bytes are v0's.)
///
/// Compatibility rules, as Kafka's `ConsumerProtocol`: a payload of a version above 3 is parsed
/// with v3's fields, and bytes after the last field of the parsed version are ignored (a newer
/// writer may only append fields); a negative version fails with `unsupported_version`; bytes
/// that end early, a null array or a null non-nullable string fail with `malformed`. Fields
/// absent in the parsed version keep their defaults; encoding leaves out what the version does
/// not have. Arrays keep their wire order (a topic may appear twice; nothing is merged).
///
/// Thread safety: values and pure functions.

#include "core/protocol/api_key.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"
#include "core/bytes.h"
#include "core/error.h"
#include "core/types.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::protocol {

/// The versions this codec writes; any version ≥ 0 is read (above 3 as v3).
inline constexpr version_range consumer_protocol_versions{0, 3};

/// The JoinGroup protocol type of consumer groups.
inline constexpr std::string_view consumer_protocol_type = "consumer";

/// One topic's partitions (the schemas' TopicPartition).
struct consumer_protocol_topic_partitions {
  std::string topic;
  std::vector<core::partition_id> partitions;
  bool operator==(const consumer_protocol_topic_partitions&) const = default;
};

/// The schemas' `[]TopicPartition` array: read (a null array or a truncated one fails the
/// reader) and written, without a version prefix.
std::vector<consumer_protocol_topic_partitions> read_topic_partitions(reader& r);
void write_topic_partitions(writer& w, const std::vector<consumer_protocol_topic_partitions>& items);
/// Partitions grouped by topic, topics and partitions in increasing order.
std::vector<consumer_protocol_topic_partitions> group_by_topic(std::vector<core::topic_partition> partitions);
/// The reverse of `group_by_topic` (in the order given).
std::vector<core::topic_partition> flatten(const std::vector<consumer_protocol_topic_partitions>& grouped);

/// ConsumerProtocolSubscription: what a member asks for when it joins.
struct consumer_protocol_subscription {
  std::vector<std::string> topics;
  std::optional<core::bytes> user_data;  ///< null by default
  /// v1+: the partitions the member owned before this rebalance (cooperative protocol).
  std::vector<consumer_protocol_topic_partitions> owned_partitions;
  int32_t generation_id = -1;           ///< v2+: the generation `owned_partitions` belong to
  std::optional<std::string> rack_id;   ///< v3+

  /// Decodes version + body from `r` (the whole payload). The reader is left after the last
  /// field of the parsed version.
  static result<consumer_protocol_subscription> decode(reader& r);
  /// Decodes a whole payload.
  static result<consumer_protocol_subscription> decode(bytes_view payload);
  /// Writes version + body. REQUIRES: `consumer_protocol_versions.contains(version)`.
  void encode(writer& w, int16_t version) const;
  /// The payload in `version`.
  core::bytes to_bytes(int16_t version) const;
  bool operator==(const consumer_protocol_subscription&) const = default;
};

/// ConsumerProtocolAssignment: what the leader gives a member.
struct consumer_protocol_assignment {
  std::vector<consumer_protocol_topic_partitions> assigned_partitions;
  std::optional<core::bytes> user_data;  ///< null by default

  /// Decodes version + body (see the subscription's).
  static result<consumer_protocol_assignment> decode(reader& r);
  static result<consumer_protocol_assignment> decode(bytes_view payload);
  /// REQUIRES: `consumer_protocol_versions.contains(version)`.
  void encode(writer& w, int16_t version) const;
  core::bytes to_bytes(int16_t version) const;
  bool operator==(const consumer_protocol_assignment&) const = default;
};

}  // namespace sluice::protocol
