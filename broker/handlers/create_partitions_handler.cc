#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/create_partitions.h"

namespace sluice::broker {

void handle_create_partitions(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::create_partitions_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::create_partitions_response resp;
  for (const auto& t : body->topics) {
    auto& r = resp.results.emplace_back();
    r.name = t.name;
    auto info = ctx.logs().topic(t.name);
    if (!info) {
      r.error_code = protocol::error_code::unknown_topic_or_partition;
      r.error_message = "topic '" + t.name + "' does not exist";
      continue;
    }
    if (t.count <= info->partitions) {
      r.error_code = protocol::error_code::invalid_partitions;
      r.error_message = "topic '" + t.name + "' has " + std::to_string(info->partitions) +
                        " partitions; the new count must be larger";
      continue;
    }
    if (t.assignments) {
      bool bad = static_cast<int32_t>(t.assignments->size()) != t.count - info->partitions;
      for (const auto& a : *t.assignments) {
        for (auto id : a.broker_ids) bad = bad || id.value() != ctx.settings().node_id;
      }
      if (bad) {
        r.error_code = protocol::error_code::invalid_replica_assignment;
        r.error_message = "assignments must list one entry per new partition, naming only node " +
                          std::to_string(ctx.settings().node_id);
        continue;
      }
    }
    if (body->validate_only) continue;
    if (auto grown = ctx.logs().create_partitions(t.name, t.count); !grown) {
      r.error_code = to_kafka_error(grown.error());
      r.error_message = grown.error().message();
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
