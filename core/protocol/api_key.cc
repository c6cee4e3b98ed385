#include "core/protocol/api_key.h"

namespace sluice::protocol {

std::optional<api_key> to_api_key(int16_t wire) noexcept {
  switch (static_cast<api_key>(wire)) {
    case api_key::produce:
    case api_key::fetch:
    case api_key::list_offsets:
    case api_key::metadata:
    case api_key::offset_commit:
    case api_key::offset_fetch:
    case api_key::find_coordinator:
    case api_key::join_group:
    case api_key::heartbeat:
    case api_key::leave_group:
    case api_key::sync_group:
    case api_key::describe_groups:
    case api_key::list_groups:
    case api_key::api_versions:
    case api_key::create_topics:
    case api_key::delete_topics:
    case api_key::delete_records:
    case api_key::init_producer_id:
    case api_key::offset_for_leader_epoch:
    case api_key::add_partitions_to_txn:
    case api_key::add_offsets_to_txn:
    case api_key::end_txn:
    case api_key::txn_offset_commit:
    case api_key::describe_configs:
    case api_key::alter_configs:
    case api_key::describe_log_dirs:
    case api_key::create_partitions:
    case api_key::delete_groups:
    case api_key::incremental_alter_configs:
    case api_key::offset_delete:
    case api_key::describe_cluster:
    case api_key::describe_producers:
    case api_key::describe_transactions:
    case api_key::list_transactions:
    case api_key::describe_topic_partitions:
      return static_cast<api_key>(wire);
  }
  return std::nullopt;
}

int16_t first_flexible_version(api_key key) noexcept {
  // From the "flexibleVersions" of each <Api>Request.json / <Api>Response.json pair.
  switch (key) {
    case api_key::produce: return 9;
    case api_key::fetch: return 12;
    case api_key::list_offsets: return 6;
    case api_key::metadata: return 9;
    case api_key::offset_commit: return 8;
    case api_key::offset_fetch: return 6;
    case api_key::find_coordinator: return 3;
    case api_key::join_group: return 6;
    case api_key::heartbeat: return 4;
    case api_key::leave_group: return 4;
    case api_key::sync_group: return 4;
    case api_key::describe_groups: return 5;
    case api_key::list_groups: return 3;
    case api_key::api_versions: return 3;
    case api_key::create_topics: return 5;
    case api_key::delete_topics: return 4;
    case api_key::delete_records: return 2;
    case api_key::init_producer_id: return 2;
    case api_key::offset_for_leader_epoch: return 4;
    case api_key::add_partitions_to_txn: return 3;
    case api_key::add_offsets_to_txn: return 3;
    case api_key::end_txn: return 3;
    case api_key::txn_offset_commit: return 3;
    case api_key::describe_configs: return 4;
    case api_key::alter_configs: return 2;
    case api_key::describe_log_dirs: return 2;
    case api_key::create_partitions: return 2;
    case api_key::delete_groups: return 2;
    case api_key::incremental_alter_configs: return 1;
    case api_key::offset_delete: return no_flexible_version;
    case api_key::describe_cluster:
    case api_key::describe_producers:
    case api_key::describe_transactions:
    case api_key::list_transactions:
    case api_key::describe_topic_partitions: return 0;
  }
  return no_flexible_version;
}

std::string_view name(api_key key) noexcept {
  switch (key) {
    case api_key::produce: return "Produce";
    case api_key::fetch: return "Fetch";
    case api_key::list_offsets: return "ListOffsets";
    case api_key::metadata: return "Metadata";
    case api_key::offset_commit: return "OffsetCommit";
    case api_key::offset_fetch: return "OffsetFetch";
    case api_key::find_coordinator: return "FindCoordinator";
    case api_key::join_group: return "JoinGroup";
    case api_key::heartbeat: return "Heartbeat";
    case api_key::leave_group: return "LeaveGroup";
    case api_key::sync_group: return "SyncGroup";
    case api_key::describe_groups: return "DescribeGroups";
    case api_key::list_groups: return "ListGroups";
    case api_key::api_versions: return "ApiVersions";
    case api_key::create_topics: return "CreateTopics";
    case api_key::delete_topics: return "DeleteTopics";
    case api_key::delete_records: return "DeleteRecords";
    case api_key::init_producer_id: return "InitProducerId";
    case api_key::offset_for_leader_epoch: return "OffsetForLeaderEpoch";
    case api_key::add_partitions_to_txn: return "AddPartitionsToTxn";
    case api_key::add_offsets_to_txn: return "AddOffsetsToTxn";
    case api_key::end_txn: return "EndTxn";
    case api_key::txn_offset_commit: return "TxnOffsetCommit";
    case api_key::describe_configs: return "DescribeConfigs";
    case api_key::alter_configs: return "AlterConfigs";
    case api_key::describe_log_dirs: return "DescribeLogDirs";
    case api_key::create_partitions: return "CreatePartitions";
    case api_key::delete_groups: return "DeleteGroups";
    case api_key::incremental_alter_configs: return "IncrementalAlterConfigs";
    case api_key::offset_delete: return "OffsetDelete";
    case api_key::describe_cluster: return "DescribeCluster";
    case api_key::describe_producers: return "DescribeProducers";
    case api_key::describe_transactions: return "DescribeTransactions";
    case api_key::list_transactions: return "ListTransactions";
    case api_key::describe_topic_partitions: return "DescribeTopicPartitions";
  }
  return "Unknown";
}

}  // namespace sluice::protocol
