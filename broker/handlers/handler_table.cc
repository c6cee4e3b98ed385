#include "broker/handlers/handler.h"

#include "broker/handlers/handlers.h"
#include "core/protocol/add_offsets_to_txn.h"
#include "core/protocol/add_partitions_to_txn.h"
#include "core/protocol/alter_configs.h"
#include "core/protocol/api_versions.h"
#include "core/protocol/create_partitions.h"
#include "core/protocol/create_topics.h"
#include "core/protocol/delete_groups.h"
#include "core/protocol/delete_records.h"
#include "core/protocol/delete_topics.h"
#include "core/protocol/describe_cluster.h"
#include "core/protocol/describe_configs.h"
#include "core/protocol/describe_groups.h"
#include "core/protocol/describe_log_dirs.h"
#include "core/protocol/describe_producers.h"
#include "core/protocol/describe_topic_partitions.h"
#include "core/protocol/describe_transactions.h"
#include "core/protocol/end_txn.h"
#include "core/protocol/fetch.h"
#include "core/protocol/find_coordinator.h"
#include "core/protocol/heartbeat.h"
#include "core/protocol/incremental_alter_configs.h"
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

#include <algorithm>
#include <array>

namespace sluice::broker {
namespace {

using protocol::api_key;

// Sorted by api_key. Each entry serves exactly the versions its codec implements (Produce
// advertises more: see protocol::produce_advertised_versions).
constexpr std::array table{
    handler_entry{api_key::produce, protocol::produce_versions, &handle_produce,
                  protocol::produce_advertised_versions},
    handler_entry{api_key::fetch, protocol::fetch_versions, &handle_fetch},
    handler_entry{api_key::list_offsets, protocol::list_offsets_versions, &handle_list_offsets},
    handler_entry{api_key::metadata, protocol::metadata_versions, &handle_metadata},
    handler_entry{api_key::offset_commit, protocol::offset_commit_versions, &handle_offset_commit},
    handler_entry{api_key::offset_fetch, protocol::offset_fetch_versions, &handle_offset_fetch},
    handler_entry{api_key::find_coordinator, protocol::find_coordinator_versions,
                  &handle_find_coordinator},
    handler_entry{api_key::join_group, protocol::join_group_versions, &handle_join_group},
    handler_entry{api_key::heartbeat, protocol::heartbeat_versions, &handle_heartbeat},
    handler_entry{api_key::leave_group, protocol::leave_group_versions, &handle_leave_group},
    handler_entry{api_key::sync_group, protocol::sync_group_versions, &handle_sync_group},
    handler_entry{api_key::describe_groups, protocol::describe_groups_versions,
                  &handle_describe_groups},
    handler_entry{api_key::list_groups, protocol::list_groups_versions, &handle_list_groups},
    handler_entry{api_key::api_versions, protocol::api_versions_versions, &handle_api_versions},
    handler_entry{api_key::create_topics, protocol::create_topics_versions, &handle_create_topics},
    handler_entry{api_key::delete_topics, protocol::delete_topics_versions, &handle_delete_topics},
    handler_entry{api_key::delete_records, protocol::delete_records_versions,
                  &handle_delete_records},
    handler_entry{api_key::init_producer_id, protocol::init_producer_id_versions,
                  &handle_init_producer_id},
    handler_entry{api_key::offset_for_leader_epoch, protocol::offset_for_leader_epoch_versions,
                  &handle_offset_for_leader_epoch},
    handler_entry{api_key::add_partitions_to_txn, protocol::add_partitions_to_txn_versions,
                  &handle_add_partitions_to_txn},
    handler_entry{api_key::add_offsets_to_txn, protocol::add_offsets_to_txn_versions,
                  &handle_add_offsets_to_txn},
    handler_entry{api_key::end_txn, protocol::end_txn_versions, &handle_end_txn},
    handler_entry{api_key::txn_offset_commit, protocol::txn_offset_commit_versions,
                  &handle_txn_offset_commit},
    handler_entry{api_key::describe_configs, protocol::describe_configs_versions,
                  &handle_describe_configs},
    handler_entry{api_key::alter_configs, protocol::alter_configs_versions,
                  &handle_alter_configs},
    handler_entry{api_key::describe_log_dirs, protocol::describe_log_dirs_versions,
                  &handle_describe_log_dirs},
    handler_entry{api_key::create_partitions, protocol::create_partitions_versions,
                  &handle_create_partitions},
    handler_entry{api_key::delete_groups, protocol::delete_groups_versions, &handle_delete_groups},
    handler_entry{api_key::incremental_alter_configs, protocol::incremental_alter_configs_versions,
                  &handle_incremental_alter_configs},
    handler_entry{api_key::offset_delete, protocol::offset_delete_versions, &handle_offset_delete},
    handler_entry{api_key::describe_cluster, protocol::describe_cluster_versions,
                  &handle_describe_cluster},
    handler_entry{api_key::describe_producers, protocol::describe_producers_versions,
                  &handle_describe_producers},
    handler_entry{api_key::describe_transactions, protocol::describe_transactions_versions,
                  &handle_describe_transactions},
    handler_entry{api_key::list_transactions, protocol::list_transactions_versions,
                  &handle_list_transactions},
    handler_entry{api_key::describe_topic_partitions, protocol::describe_topic_partitions_versions,
                  &handle_describe_topic_partitions},
};

}  // namespace

std::span<const handler_entry> handler_table() noexcept { return table; }

const handler_entry* find_handler(protocol::api_key key) noexcept {
  auto it = std::find_if(table.begin(), table.end(), [key](const handler_entry& e) { return e.key == key; });
  return it == table.end() ? nullptr : &*it;
}

}  // namespace sluice::broker
