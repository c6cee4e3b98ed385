#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/offset_commit_shape.h"
#include "broker/handlers/txn_errors.h"
#include "broker/protocol/txn_offset_commit.h"
#include "broker/txn/transaction_coordinator.h"

#include <memory>

namespace sluice::broker {
void handle_txn_offset_commit(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::txn_offset_commit_request>(req);
  if (!body) return respond(reply::malformed());
  group::offset_commit_request cr;
  auto shape = offset_commit_shape<protocol::txn_offset_commit_response>(*body, cr.offsets);
  const int16_t version = req.version;
  auto answer = [shape, version](auto code_at) {
    set_offset_commit_errors(*shape, code_at);
    return encode_body(*shape, version);
  };
  // The transaction must be open, with this producer and epoch, and have the group added by
  // AddOffsetsToTxn — otherwise the offsets could never be resolved by a marker.
  if (txn::errc e = ctx.transactions().check_offset_commit(body->transactional_id, body->producer_id,
                                                           body->producer_epoch, body->group_id);
      e != txn::errc::ok) {
    const protocol::error_code code = map_txn_error(e, false);
    return respond(answer([code](size_t) { return code; }));
  }
  cr.group_id = std::move(body->group_id);
  cr.generation = body->generation_id;
  cr.member_id = std::move(body->member_id);
  cr.group_instance_id = std::move(body->group_instance_id);
  cr.transaction = group::txn_producer{body->producer_id, body->producer_epoch};
  ctx.groups().commit_offsets(std::move(cr), [respond = std::move(respond), answer](group::offset_commit_result r) {
    respond(answer([&r](size_t i) { return offset_commit_code(r, i); }));
  });
}

}  // namespace sluice::broker
