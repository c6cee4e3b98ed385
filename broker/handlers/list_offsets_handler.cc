#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/list_offsets.h"

namespace sluice::broker {

void handle_list_offsets(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::list_offsets_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::list_offsets_response resp;
  for (const auto& t : body->topics) {
    auto& tr = resp.topics.emplace_back();
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = p.partition_index;
      auto plog = ctx.logs().get({t.name, p.partition_index});
      if (!plog) {
        pr.error_code = protocol::error_code::unknown_topic_or_partition;
        continue;
      }
      if (p.timestamp == protocol::list_offsets_latest) {
        // read_committed consumers end at the last stable offset.
        pr.offset = core::offset{body->isolation_level == 1 ? plog->last_stable_offset()
                                                            : plog->high_watermark()};
      } else if (p.timestamp == protocol::list_offsets_earliest) {
        pr.offset = core::offset{plog->log_start_offset()};
      } else if (p.timestamp >= 0) {
        auto found = plog->offset_for_timestamp(p.timestamp);
        if (!found) {
          pr.error_code = to_kafka_error(found.error());
          continue;
        }
        pr.offset = core::offset{found.value().offset};
        pr.timestamp = found.value().timestamp;
      } else {
        pr.error_code = protocol::error_code::invalid_request;
      }
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
