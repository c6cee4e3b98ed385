#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/offset_delete.h"

namespace sluice::broker {
void handle_offset_delete(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::offset_delete_request>(req);
  if (!body) return respond(reply::malformed());
  auto shape = std::make_shared<protocol::offset_delete_response>();
  std::vector<core::topic_partition> partitions;
  for (const auto& t : body->topics) {
    auto& tr = shape->topics.emplace_back();
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      tr.partitions.push_back({p.partition_index, protocol::error_code::none});
      partitions.push_back({t.name, p.partition_index});
    }
  }
  ctx.groups().delete_offsets(std::move(body->group_id), std::move(partitions),
                              [respond = std::move(respond), version = req.version,
                               shape](group::offset_delete_result r) {
    shape->error_code = to_kafka_error(r.error);
    if (r.error != group::errc::ok) {
      shape->topics.clear();  // a group-level error answers for every partition
    } else {
      size_t i = 0;
      for (auto& t : shape->topics) {
        for (auto& p : t.partitions) p.error_code = i < r.partitions.size() ? to_kafka_error(r.partitions[i++]) : protocol::error_code::unknown_server_error;
      }
    }
    respond(encode_body(*shape, version));
  });
}

}  // namespace sluice::broker
