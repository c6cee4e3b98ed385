#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/metadata.h"
#include "broker/storage/errc.h"

namespace sluice::broker {
namespace {

protocol::metadata_response::response_topic describe(const broker_context& ctx,
                                                     const storage::topic_info& t) {
  protocol::metadata_response::response_topic out;
  out.name = t.name;
  out.is_internal = t.name.starts_with("__");
  core::node_id self{ctx.settings().node_id};
  for (int32_t p = 0; p < t.partitions; ++p) {
    protocol::metadata_response::response_partition part;
    part.partition_index = core::partition_id{p};
    part.leader_id = self;
    part.replica_nodes = {self};
    part.isr_nodes = {self};
    out.partitions.push_back(std::move(part));
  }
  return out;
}

}  // namespace

void handle_metadata(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::metadata_request>(req);
  if (!body) return respond(reply::malformed());
  const auto& settings = ctx.settings();
  protocol::metadata_response resp;
  resp.brokers.push_back({core::node_id{settings.node_id}, settings.advertised_host,
                          settings.advertised_port, std::nullopt});
  resp.cluster_id = settings.cluster_id;
  resp.controller_id = core::node_id{settings.node_id};

  if (!body->topics) {
    for (const auto& t : ctx.logs().topics()) resp.topics.push_back(describe(ctx, t));
  } else {
    for (const auto& requested : *body->topics) {
      auto info = ctx.logs().topic(requested.name);
      if (!info && settings.auto_create_topics && body->allow_auto_topic_creation &&
          storage::valid_topic_name(requested.name) && !requested.name.starts_with("__")) {
        auto created = ctx.logs().create_topic(requested.name, settings.num_partitions, {});
        if (created) {
          info = created.value();
        } else if (created.error() == storage::errc::topic_exists) {
          info = ctx.logs().topic(requested.name);  // a concurrent request created it
        }
      }
      if (info) {
        resp.topics.push_back(describe(ctx, *info));
      } else {
        protocol::metadata_response::response_topic missing;
        missing.name = requested.name;
        missing.error_code = storage::valid_topic_name(requested.name)
                                 ? protocol::error_code::unknown_topic_or_partition
                                 : protocol::error_code::invalid_topic_exception;
        resp.topics.push_back(std::move(missing));
      }
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
