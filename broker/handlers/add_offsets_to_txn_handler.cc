#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "core/protocol/add_offsets_to_txn.h"
#include "broker/txn/transaction_coordinator.h"

namespace sluice::broker {

void handle_add_offsets_to_txn(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::add_offsets_to_txn_request>(req);
  if (!body) return respond(reply::malformed());
  auto answer = [version = req.version](protocol::error_code code) {
    protocol::add_offsets_to_txn_response resp;
    resp.error_code = code;
    reply out(encode_body(resp, version));
    return out;
  };
  if (body->group_id.empty()) return respond(answer(protocol::error_code::invalid_group_id));
  ctx.transactions().add_offsets(body->transactional_id, body->producer_id, body->producer_epoch,
                                 body->group_id,
                                 [respond = std::move(respond), answer, version = req.version](txn::errc e) {
                                   respond(answer(map_txn_error(e, version >= 2)));
                                 });
}

}  // namespace sluice::broker
