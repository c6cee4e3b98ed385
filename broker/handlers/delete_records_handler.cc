#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/per_partition.h"
#include "core/protocol/delete_records.h"

namespace sluice::broker {

void handle_delete_records(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::delete_records_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::delete_records_response resp;
  answer_per_partition(ctx, body->topics, resp.topics, [](auto& log, const auto& p, auto& pr) {
    auto start = log.delete_records_before(p.offset);
    if (!start) {
      pr.error_code = to_kafka_error(start.error());
      return;
    }
    pr.low_watermark = start.value();
  });
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
