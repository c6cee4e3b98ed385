#include "core/protocol/describe_cluster.h"
#include "core/protocol/describe_log_dirs.h"
#include "core/protocol/describe_topic_partitions.h"
#include "core/protocol/incremental_alter_configs.h"
#include "core/protocol/supported_apis.h"

#include "core/protocol/add_offsets_to_txn.h"
#include "core/protocol/add_partitions_to_txn.h"
#include "core/protocol/alter_configs.h"
#include "core/protocol/api_versions.h"
#include "core/protocol/create_partitions.h"
#include "core/protocol/create_topics.h"
#include "core/protocol/delete_groups.h"
#include "core/protocol/delete_records.h"
#include "core/protocol/delete_topics.h"
#include "core/protocol/describe_configs.h"
#include "core/protocol/describe_groups.h"
#include "core/protocol/describe_producers.h"
#include "core/protocol/describe_transactions.h"
#include "core/protocol/end_txn.h"
#include "core/protocol/fetch.h"
#include "core/protocol/find_coordinator.h"
#include "core/protocol/heartbeat.h"
#include "core/protocol/init_producer_id.h"
#include "core/protocol/join_group.h"
#include "core/protocol/leave_group.h"
#include "core/protocol/list_groups.h"
#include "core/protocol/list_offsets.h"
#include "core/protocol/list_transactions.h"
#include "core/protocol/metadata.h"
#include "core/protocol/offset_commit.h"
#include "core/protocol/offset_delete.h"
#include "core/protocol/offset_fetch.h"
#include "core/protocol/offset_for_leader_epoch.h"
#include "core/protocol/produce.h"
#include "core/protocol/sync_group.h"
#include "core/protocol/txn_offset_commit.h"

#include <array>

namespace sluice::protocol {
namespace {

constexpr std::array supported_table{
    supported_api{api_key::produce, produce_versions},
    supported_api{api_key::fetch, fetch_versions},
    supported_api{api_key::list_offsets, list_offsets_versions},
    supported_api{api_key::metadata, metadata_versions},
    supported_api{api_key::offset_commit, offset_commit_versions},
    supported_api{api_key::offset_fetch, offset_fetch_versions},
    supported_api{api_key::find_coordinator, find_coordinator_versions},
    supported_api{api_key::join_group, join_group_versions},
    supported_api{api_key::heartbeat, heartbeat_versions},
    supported_api{api_key::leave_group, leave_group_versions},
    supported_api{api_key::sync_group, sync_group_versions},
    supported_api{api_key::describe_groups, describe_groups_versions},
    supported_api{api_key::list_groups, list_groups_versions},
    supported_api{api_key::api_versions, api_versions_versions},
    supported_api{api_key::create_topics, create_topics_versions},
    supported_api{api_key::delete_topics, delete_topics_versions},
    supported_api{api_key::delete_records, delete_records_versions},
    supported_api{api_key::init_producer_id, init_producer_id_versions},
    supported_api{api_key::offset_for_leader_epoch, offset_for_leader_epoch_versions},
    supported_api{api_key::add_partitions_to_txn, add_partitions_to_txn_versions},
    supported_api{api_key::add_offsets_to_txn, add_offsets_to_txn_versions},
    supported_api{api_key::end_txn, end_txn_versions},
    supported_api{api_key::txn_offset_commit, txn_offset_commit_versions},
    supported_api{api_key::describe_configs, describe_configs_versions},
    supported_api{api_key::alter_configs, alter_configs_versions},
    supported_api{api_key::describe_log_dirs, describe_log_dirs_versions},
    supported_api{api_key::create_partitions, create_partitions_versions},
    supported_api{api_key::delete_groups, delete_groups_versions},
    supported_api{api_key::incremental_alter_configs, incremental_alter_configs_versions},
    supported_api{api_key::offset_delete, offset_delete_versions},
    supported_api{api_key::describe_cluster, describe_cluster_versions},
    supported_api{api_key::describe_producers, describe_producers_versions},
    supported_api{api_key::describe_transactions, describe_transactions_versions},
    supported_api{api_key::list_transactions, list_transactions_versions},
    supported_api{api_key::describe_topic_partitions, describe_topic_partitions_versions},
};

}  // namespace

std::span<const supported_api> supported_apis() noexcept { return supported_table; }

std::optional<version_range> supported_versions(api_key key) noexcept {
  for (const auto& api : supported_table) {
    if (api.key == key) return api.versions;
  }
  return std::nullopt;
}

}  // namespace sluice::protocol
