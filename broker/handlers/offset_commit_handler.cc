#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/offset_commit_shape.h"
#include "broker/protocol/offset_commit.h"

namespace sluice::broker {

void handle_offset_commit(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::offset_commit_request>(req);
  if (!body) return respond(reply::malformed());
  group::offset_commit_request cr;
  cr.group_id = std::move(body->group_id);
  cr.generation = body->generation_id_or_member_epoch;
  cr.member_id = std::move(body->member_id);
  cr.group_instance_id = std::move(body->group_instance_id);
  auto shape = offset_commit_shape<protocol::offset_commit_response>(*body, cr.offsets);
  ctx.groups().commit_offsets(std::move(cr), [respond = std::move(respond), version = req.version,
                                              shape](group::offset_commit_result r) {
    set_offset_commit_errors(*shape, [&](size_t i) { return offset_commit_code(r, i); });
    respond(encode_body(*shape, version));
  });
}

}  // namespace sluice::broker
