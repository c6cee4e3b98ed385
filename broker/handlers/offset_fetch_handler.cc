#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/offset_fetch.h"

namespace sluice::broker {
void handle_offset_fetch(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::offset_fetch_request>(req);
  if (!body) return respond(reply::malformed());
  group::offset_fetch_request fr;
  fr.group_id = body->group_id;
  fr.require_stable = body->require_stable;
  if (body->topics) {  // null (v2+) = every committed offset of the group
    fr.partitions.emplace();
    for (const auto& t : *body->topics) {
      for (auto p : t.partition_indexes) fr.partitions->push_back({t.name, p});
    }
  }
  auto r = ctx.groups().fetch_offsets(fr);
  protocol::offset_fetch_response resp;
  resp.error_code = to_kafka_error(r.error);
  for (auto& f : r.offsets) {
    // Request order groups partitions by topic already; the "all" answer is sorted.
    if (resp.topics.empty() || resp.topics.back().name != f.tp.topic) resp.topics.emplace_back().name = f.tp.topic;
    auto& p = resp.topics.back().partitions.emplace_back();
    p.partition_index = f.tp.partition;
    p.committed_offset = core::offset{f.offset};
    p.committed_leader_epoch = f.leader_epoch;
    p.metadata = std::move(f.metadata);
    p.error_code = to_kafka_error(f.error);
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
