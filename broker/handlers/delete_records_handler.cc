#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/delete_records.h"

namespace sluice::broker {

void handle_delete_records(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::delete_records_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::delete_records_response resp;
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
      auto start = plog->delete_records_before(p.offset.value());
      if (!start) {
        pr.error_code = to_kafka_error(start.error());
        continue;
      }
      pr.low_watermark = core::offset{start.value()};
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
