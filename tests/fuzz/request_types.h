#pragma once
// Every request codec of core/protocol with its API key, as a type list: the `api_requests`
// fuzz target dispatches on it, and the golden tests (tests/core/protocol/golden.h) use it to
// name the API of each request they check when they write fuzz seeds. Only forward
// declarations here, so that golden.h stays cheap to include; the users that decode include the
// codec headers themselves. `seeds/api_requests_seeds.cc` checks that the list matches
// protocol::supported_apis() exactly.

#include "core/protocol/api_key.h"

#include <optional>
#include <type_traits>

namespace sluice::protocol {
struct produce_request;
struct fetch_request;
struct list_offsets_request;
struct metadata_request;
struct offset_commit_request;
struct offset_fetch_request;
struct find_coordinator_request;
struct join_group_request;
struct heartbeat_request;
struct leave_group_request;
struct sync_group_request;
struct describe_groups_request;
struct list_groups_request;
struct api_versions_request;
struct create_topics_request;
struct delete_topics_request;
struct delete_records_request;
struct init_producer_id_request;
struct offset_for_leader_epoch_request;
struct add_partitions_to_txn_request;
struct add_offsets_to_txn_request;
struct end_txn_request;
struct txn_offset_commit_request;
struct describe_configs_request;
struct alter_configs_request;
struct describe_log_dirs_request;
struct create_partitions_request;
struct delete_groups_request;
struct incremental_alter_configs_request;
struct offset_delete_request;
struct describe_cluster_request;
struct describe_producers_request;
struct describe_transactions_request;
struct list_transactions_request;
struct describe_topic_partitions_request;
}  // namespace sluice::protocol

namespace sluice::fuzz {

/// One API: its key and its request type.
template <protocol::api_key Key, class Request>
struct api_request {
  static constexpr protocol::api_key key = Key;
  using type = Request;
};

template <class... Entries>
struct api_request_list {
  static constexpr int size = sizeof...(Entries);

  /// Calls `f.template operator()<Entry>()` for each entry, in order.
  template <class F>
  static void for_each(F&& f) {
    (f.template operator()<Entries>(), ...);
  }

  /// The key whose request type is `M`; nullopt when `M` is not a request of the list.
  template <class M>
  static constexpr std::optional<protocol::api_key> key_of() noexcept {
    std::optional<protocol::api_key> key;
    ((std::is_same_v<M, typename Entries::type> ? (key = Entries::key, 0) : 0), ...);
    return key;
  }
};

namespace detail {
namespace p = ::sluice::protocol;
using k = p::api_key;
}  // namespace detail

using request_types = api_request_list<
    api_request<detail::k::produce, detail::p::produce_request>,
    api_request<detail::k::fetch, detail::p::fetch_request>,
    api_request<detail::k::list_offsets, detail::p::list_offsets_request>,
    api_request<detail::k::metadata, detail::p::metadata_request>,
    api_request<detail::k::offset_commit, detail::p::offset_commit_request>,
    api_request<detail::k::offset_fetch, detail::p::offset_fetch_request>,
    api_request<detail::k::find_coordinator, detail::p::find_coordinator_request>,
    api_request<detail::k::join_group, detail::p::join_group_request>,
    api_request<detail::k::heartbeat, detail::p::heartbeat_request>,
    api_request<detail::k::leave_group, detail::p::leave_group_request>,
    api_request<detail::k::sync_group, detail::p::sync_group_request>,
    api_request<detail::k::describe_groups, detail::p::describe_groups_request>,
    api_request<detail::k::list_groups, detail::p::list_groups_request>,
    api_request<detail::k::api_versions, detail::p::api_versions_request>,
    api_request<detail::k::create_topics, detail::p::create_topics_request>,
    api_request<detail::k::delete_topics, detail::p::delete_topics_request>,
    api_request<detail::k::delete_records, detail::p::delete_records_request>,
    api_request<detail::k::init_producer_id, detail::p::init_producer_id_request>,
    api_request<detail::k::offset_for_leader_epoch, detail::p::offset_for_leader_epoch_request>,
    api_request<detail::k::add_partitions_to_txn, detail::p::add_partitions_to_txn_request>,
    api_request<detail::k::add_offsets_to_txn, detail::p::add_offsets_to_txn_request>,
    api_request<detail::k::end_txn, detail::p::end_txn_request>,
    api_request<detail::k::txn_offset_commit, detail::p::txn_offset_commit_request>,
    api_request<detail::k::describe_configs, detail::p::describe_configs_request>,
    api_request<detail::k::alter_configs, detail::p::alter_configs_request>,
    api_request<detail::k::describe_log_dirs, detail::p::describe_log_dirs_request>,
    api_request<detail::k::create_partitions, detail::p::create_partitions_request>,
    api_request<detail::k::delete_groups, detail::p::delete_groups_request>,
    api_request<detail::k::incremental_alter_configs, detail::p::incremental_alter_configs_request>,
    api_request<detail::k::offset_delete, detail::p::offset_delete_request>,
    api_request<detail::k::describe_cluster, detail::p::describe_cluster_request>,
    api_request<detail::k::describe_producers, detail::p::describe_producers_request>,
    api_request<detail::k::describe_transactions, detail::p::describe_transactions_request>,
    api_request<detail::k::list_transactions, detail::p::list_transactions_request>,
    api_request<detail::k::describe_topic_partitions, detail::p::describe_topic_partitions_request>>;

}  // namespace sluice::fuzz
