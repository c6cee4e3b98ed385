#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "core/protocol/init_producer_id.h"
#include "broker/txn/transaction_coordinator.h"

namespace sluice::broker {

void handle_init_producer_id(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::init_producer_id_request>(req);
  if (!body) return respond(reply::malformed());
  ctx.transactions().init_producer_id(
      std::move(body->transactional_id), body->transaction_timeout_ms, body->producer_id,
      body->producer_epoch,
      [respond = std::move(respond), version = req.version](txn::init_producer_id_result r) {
        protocol::init_producer_id_response resp;
        resp.error_code = map_txn_error(r.error, version >= 4);
        if (r.error == txn::errc::ok) {
          resp.producer_id = r.producer_id;
          resp.producer_epoch = r.producer_epoch;
        }
        reply out(encode_body(resp, version));
        respond(std::move(out));
      });
}

}  // namespace sluice::broker
