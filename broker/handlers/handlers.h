#pragma once
/// One handler per Kafka API (one .cc file each). Module-private: only the handler table and
/// tests include this.

#include "broker/group/errc.h"
#include "broker/handlers/handler.h"
#include "core/protocol/api_versions.h"
#include "core/protocol/describe_configs.h"
#include "core/protocol/error_code.h"
#include "core/protocol/reader.h"
#include "core/protocol/writer.h"

#include <optional>
#include <system_error>
#include <vector>

namespace sluice::broker {

struct config_error;
enum class config_origin : int8_t;

void handle_api_versions(broker_context& ctx, const request& req, responder respond);
void handle_metadata(broker_context& ctx, const request& req, responder respond);
void handle_produce(broker_context& ctx, const request& req, responder respond);
void handle_fetch(broker_context& ctx, const request& req, responder respond);
void handle_list_offsets(broker_context& ctx, const request& req, responder respond);
void handle_offset_for_leader_epoch(broker_context& ctx, const request& req, responder respond);
void handle_create_topics(broker_context& ctx, const request& req, responder respond);
void handle_delete_topics(broker_context& ctx, const request& req, responder respond);
void handle_create_partitions(broker_context& ctx, const request& req, responder respond);
void handle_delete_records(broker_context& ctx, const request& req, responder respond);
void handle_describe_configs(broker_context& ctx, const request& req, responder respond);
void handle_alter_configs(broker_context& ctx, const request& req, responder respond);
void handle_describe_log_dirs(broker_context& ctx, const request& req, responder respond);
void handle_incremental_alter_configs(broker_context& ctx, const request& req, responder respond);
void handle_describe_cluster(broker_context& ctx, const request& req, responder respond);
void handle_describe_topic_partitions(broker_context& ctx, const request& req, responder respond);
// Group coordinator APIs (broker/group).
void handle_find_coordinator(broker_context& ctx, const request& req, responder respond);
void handle_join_group(broker_context& ctx, const request& req, responder respond);
void handle_sync_group(broker_context& ctx, const request& req, responder respond);
void handle_heartbeat(broker_context& ctx, const request& req, responder respond);
void handle_leave_group(broker_context& ctx, const request& req, responder respond);
void handle_offset_commit(broker_context& ctx, const request& req, responder respond);
void handle_offset_fetch(broker_context& ctx, const request& req, responder respond);
void handle_offset_delete(broker_context& ctx, const request& req, responder respond);
void handle_describe_groups(broker_context& ctx, const request& req, responder respond);
void handle_list_groups(broker_context& ctx, const request& req, responder respond);
void handle_delete_groups(broker_context& ctx, const request& req, responder respond);
// Transaction coordinator APIs (broker/txn); TxnOffsetCommit lands in the group coordinator.
void handle_init_producer_id(broker_context& ctx, const request& req, responder respond);
void handle_add_partitions_to_txn(broker_context& ctx, const request& req, responder respond);
void handle_add_offsets_to_txn(broker_context& ctx, const request& req, responder respond);
void handle_end_txn(broker_context& ctx, const request& req, responder respond);
void handle_txn_offset_commit(broker_context& ctx, const request& req, responder respond);
void handle_describe_producers(broker_context& ctx, const request& req, responder respond);
void handle_describe_transactions(broker_context& ctx, const request& req, responder respond);
void handle_list_transactions(broker_context& ctx, const request& req, responder respond);

/// The ApiVersions list: every entry of the handler table with its version window.
std::vector<std::pair<int16_t, protocol::version_range>> advertised_versions();
/// The full ApiVersions response body (also the list inside the unsupported-version fallback).
protocol::api_versions_response advertised_api_versions_response();

/// Encodes a response body of any message type at `version`, with the error codes it carries
/// (for the per-API error metrics; see protocol::writer::collect_errors).
template <class Response>
reply encode_body(const Response& response, int16_t version) {
  reply out{core::bytes{}};
  protocol::writer w(out.body);
  w.collect_errors(out.errors);
  response.encode(w, version);
  return out;
}

/// Decodes the request body; nullopt when it is malformed (the caller then answers with
/// nullopt, which closes the connection).
template <class Request>
std::optional<Request> decode_body(const request& req) {
  protocol::reader r(req.body);
  auto decoded = Request::decode(r, req.version);
  if (!decoded) return std::nullopt;
  return std::move(decoded).value();
}

/// The Kafka error code for a storage or core error (the one mapping all handlers share for
/// failures that come out of the log layer).
protocol::error_code to_kafka_error(std::error_code ec) noexcept;
/// The Kafka error code for a group coordinator error: one mapping for every group API (each
/// API's coordinator call only produces the errors that API can answer).
protocol::error_code to_kafka_error(group::errc e) noexcept;
/// The Kafka error code for a failed configuration change or lookup (DescribeConfigs,
/// AlterConfigs, IncrementalAlterConfigs).
protocol::error_code to_kafka_error(const config_error& e) noexcept;
/// The failure of a config API asked about a resource type other than TOPIC (2) or BROKER (4).
config_error unsupported_config_resource(int8_t resource_type);
/// Kafka's ConfigSource for a config layer (DescribeConfigs, CreateTopics v5+).
protocol::config_source to_config_source(config_origin origin) noexcept;

}  // namespace sluice::broker
