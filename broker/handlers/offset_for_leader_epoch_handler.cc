#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/leader_epoch.h"
#include "core/protocol/offset_for_leader_epoch.h"

namespace sluice::broker {

void handle_offset_for_leader_epoch(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::offset_for_leader_epoch_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::offset_for_leader_epoch_response resp;
  for (const auto& t : body->topics) {
    auto& tr = resp.topics.emplace_back();
    tr.topic = t.topic;
    for (const auto& p : t.partitions) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition = p.partition;
      auto plog = ctx.logs().get({t.topic, p.partition});
      if (!plog) {
        pr.error_code = protocol::error_code::unknown_topic_or_partition;
        continue;
      }
      if (auto fenced = check_current_leader_epoch(p.current_leader_epoch);
          fenced != protocol::error_code::none) {
        pr.error_code = fenced;
        continue;
      }
      // The epoch cache's answer; an epoch it cannot place answers -1 / -1 without an error,
      // as Kafka does.
      const auto end = end_offset_for_epoch(p.leader_epoch, plog->log_start_offset(),
                                            plog->log_end_offset());
      pr.leader_epoch = end.epoch;
      pr.end_offset = end.end_offset;
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
