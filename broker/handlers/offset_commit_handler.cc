#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/offset_commit_shape.h"
#include "broker/protocol/offset_commit.h"

namespace sluice::broker {

protocol::error_code offset_commit_error(group::errc e) noexcept {
  using group::errc;
  using protocol::error_code;
  switch (e) {
    case errc::ok: return error_code::none;
    case errc::invalid_group_id: return error_code::invalid_group_id;
    case errc::unknown_member_id: return error_code::unknown_member_id;
    case errc::illegal_generation: return error_code::illegal_generation;
    case errc::rebalance_in_progress: return error_code::rebalance_in_progress;
    case errc::fenced_instance_id: return error_code::fenced_instance_id;
    case errc::unknown_topic_or_partition: return error_code::unknown_topic_or_partition;
    case errc::offset_metadata_too_large: return error_code::offset_metadata_too_large;
    case errc::record_too_large: return error_code::invalid_commit_offset_size;
    case errc::coordinator_not_available:
    case errc::storage_error: return error_code::coordinator_not_available;
    default: return error_code::unknown_server_error;
  }
}

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
