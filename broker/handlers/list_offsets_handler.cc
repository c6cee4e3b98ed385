#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/per_partition.h"
#include "broker/protocol/list_offsets.h"

namespace sluice::broker {

void handle_list_offsets(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::list_offsets_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::list_offsets_response resp;
  const bool read_committed = body->isolation_level == 1;
  answer_per_partition(ctx, body->topics, resp.topics, [&](auto& log, const auto& p, auto& pr) {
    if (p.timestamp == protocol::list_offsets_latest) {
      // read_committed consumers end at the last stable offset.
      pr.offset = read_committed ? log.last_stable_offset() : log.high_watermark();
    } else if (p.timestamp == protocol::list_offsets_earliest) {
      pr.offset = log.log_start_offset();
    } else if (p.timestamp >= 0) {
      auto found = log.offset_for_timestamp(p.timestamp);
      if (!found) {
        pr.error_code = to_kafka_error(found.error());
        return;
      }
      pr.offset = found.value().offset;
      pr.timestamp = found.value().timestamp;
    } else {
      pr.error_code = protocol::error_code::invalid_request;
    }
  });
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
