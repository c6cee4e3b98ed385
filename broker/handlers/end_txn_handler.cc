#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/protocol/end_txn.h"
#include "broker/txn/transaction_coordinator.h"

namespace sluice::broker {

void handle_end_txn(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::end_txn_request>(req);
  if (!body) return respond(reply::malformed());
  ctx.transactions().end_transaction(
      body->transactional_id, body->producer_id, body->producer_epoch, body->committed,
      [respond = std::move(respond), version = req.version](txn::errc e) {
        protocol::end_txn_response resp;
        resp.error_code = map_txn_error(e, version >= 2);
        reply out(encode_body(resp, version));
        respond(std::move(out));
      });
}

}  // namespace sluice::broker
