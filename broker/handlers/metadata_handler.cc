#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/metadata.h"
#include "broker/storage/errc.h"

namespace sluice::broker {
namespace {

using protocol::metadata_response;

protocol::uuid to_uuid(const storage::topic_id& id) { return protocol::uuid{id}; }

metadata_response::response_topic describe(const broker_context& ctx, const storage::topic_info& t,
                                           bool include_operations) {
  metadata_response::response_topic out;
  out.name = t.name;
  out.topic_id = to_uuid(t.id);
  out.is_internal = t.name.starts_with("__");
  // No authorizer: every operation a topic supports (Kafka's answer without one).
  if (include_operations) out.topic_authorized_operations = protocol::supported_operations(protocol::resource_type::topic);
  core::node_id self{ctx.settings().node_id};
  for (int32_t p = 0; p < t.partitions; ++p) {
    metadata_response::response_partition part;
    part.partition_index = core::partition_id{p};
    part.leader_id = self;
    part.leader_epoch = 0;  // one broker, never re-elected
    part.replica_nodes = {self};
    part.isr_nodes = {self};
    out.partitions.push_back(std::move(part));
  }
  return out;
}

metadata_response::response_topic failed(protocol::error_code e, std::optional<std::string> name,
                                         protocol::uuid id = {}) {
  metadata_response::response_topic out;
  out.error_code = e;
  out.name = std::move(name);
  out.topic_id = id;
  return out;
}

/// The topic a request names, created if auto-creation is on and allowed.
std::optional<storage::topic_info> find_or_create(broker_context& ctx, const std::string& name,
                                                  bool allow_auto_creation) {
  const auto& settings = ctx.settings();
  auto info = ctx.logs().topic(name);
  if (!info && settings.auto_create_topics && allow_auto_creation && storage::valid_topic_name(name) &&
      !name.starts_with("__")) {
    auto created = ctx.logs().create_topic(name, settings.num_partitions, {});
    if (created) {
      info = created.value();
    } else if (created.error() == storage::errc::topic_exists) {
      info = ctx.logs().topic(name);  // a concurrent request created it
    }
  }
  return info;
}

}  // namespace

void handle_metadata(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::metadata_request>(req);
  if (!body) return respond(reply::malformed());
  const auto& settings = ctx.settings();
  metadata_response resp;
  resp.brokers.push_back({core::node_id{settings.node_id}, settings.advertised_host,
                          settings.advertised_port, std::nullopt});
  resp.cluster_id = settings.cluster_id;
  resp.controller_id = core::node_id{settings.node_id};
  if (body->include_cluster_authorized_operations) {
    resp.cluster_authorized_operations = protocol::supported_operations(protocol::resource_type::cluster);
  }
  const bool operations = body->include_topic_authorized_operations;

  if (!body->topics) {
    for (const auto& t : ctx.logs().topics()) resp.topics.push_back(describe(ctx, t, operations));
    return respond(encode_body(resp, req.version));
  }
  for (const auto& requested : *body->topics) {
    const bool by_id = requested.topic_id != protocol::uuid{};
    if ((req.version < 12 && by_id) || (!by_id && !requested.name)) {
      // Kafka: topic ids in requests only from v12; a topic needs a name or an id.
      resp.topics.push_back(failed(protocol::error_code::invalid_request, requested.name));
      continue;
    }
    if (by_id) {
      // By id: never auto-created; an unknown id is UNKNOWN_TOPIC_ID with a null name.
      auto info = ctx.logs().topic_by_id(requested.topic_id.value);
      if (info) {
        resp.topics.push_back(describe(ctx, *info, operations));
      } else {
        resp.topics.push_back(failed(protocol::error_code::unknown_topic_id, std::nullopt, requested.topic_id));
      }
      continue;
    }
    const std::string& name = *requested.name;
    if (auto info = find_or_create(ctx, name, body->allow_auto_topic_creation)) {
      resp.topics.push_back(describe(ctx, *info, operations));
    } else {
      resp.topics.push_back(failed(storage::valid_topic_name(name)
                                       ? protocol::error_code::unknown_topic_or_partition
                                       : protocol::error_code::invalid_topic_exception,
                                   name));
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
