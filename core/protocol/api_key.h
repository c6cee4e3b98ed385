#pragma once
/// Kafka API keys known to the broker, their first flexible (KIP-482) versions and their names.
///
/// `first_flexible_version` follows the official schemas ("flexibleVersions"), independently of
/// which versions Sluice implements: the request header version depends on it, and a broker
/// must be able to read the header of any version of a known API (to answer
/// UNSUPPORTED_VERSION, for instance).
///
/// Thread safety: constexpr / pure functions, usable from any thread.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::protocol {

/// An inclusive window of API versions [min, max].
struct version_range {
  int16_t min = 0;
  int16_t max = -1;

  constexpr bool contains(int16_t v) const noexcept { return v >= min && v <= max; }
  constexpr bool operator==(const version_range&) const noexcept = default;
};

/// Every API the broker knows by key (served or not).
enum class api_key : int16_t {
  produce = 0,
  fetch = 1,
  list_offsets = 2,
  metadata = 3,
  offset_commit = 8,
  offset_fetch = 9,
  find_coordinator = 10,
  join_group = 11,
  heartbeat = 12,
  leave_group = 13,
  sync_group = 14,
  describe_groups = 15,
  list_groups = 16,
  api_versions = 18,
  create_topics = 19,
  delete_topics = 20,
  delete_records = 21,
  init_producer_id = 22,
  offset_for_leader_epoch = 23,
  add_partitions_to_txn = 24,
  add_offsets_to_txn = 25,
  end_txn = 26,
  txn_offset_commit = 28,
  describe_configs = 32,
  alter_configs = 33,
  describe_log_dirs = 35,
  create_partitions = 37,
  delete_groups = 42,
  incremental_alter_configs = 44,
  offset_delete = 47,
  describe_cluster = 60,
  describe_producers = 61,
  describe_transactions = 65,
  list_transactions = 66,
  describe_topic_partitions = 75,
};

/// Sentinel returned by `first_flexible_version` for APIs without flexible versions.
inline constexpr int16_t no_flexible_version = INT16_MAX;

/// The key for a wire value, or nullopt if it is not one of the APIs above.
std::optional<api_key> to_api_key(int16_t wire) noexcept;

/// The first version of `key` that uses the flexible encoding (compact strings and arrays,
/// tagged fields, request header v2, response header v1 except for ApiVersions).
/// `no_flexible_version` if none does.
int16_t first_flexible_version(api_key key) noexcept;

inline bool is_flexible(api_key key, int16_t version) noexcept {
  return version >= first_flexible_version(key);
}

/// The Kafka name of the API ("Produce", "ApiVersions", ...) for logs and metric labels.
std::string_view name(api_key key) noexcept;

}  // namespace sluice::protocol
