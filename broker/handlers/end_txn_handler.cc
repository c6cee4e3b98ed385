#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "core/protocol/end_txn.h"
#include "broker/txn/transaction_coordinator.h"

namespace sluice::broker {
namespace {

/// EndTxn v5+ is transaction version 2 (KIP-890 part 2). Apache Kafka decides by the request
/// version alone (`TransactionVersion.transactionVersionForEndTxn`), not by the finalized
/// `transaction.version` feature, so a v5 end bumps the epoch on this broker too, although
/// ApiVersions finalizes no feature and clients that read it stay on v4.
constexpr int16_t first_bumping_epoch = 5;

}  // namespace

void handle_end_txn(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::end_txn_request>(req);
  if (!body) return respond(reply::malformed());
  const auto rules = req.version >= first_bumping_epoch ? txn::end_txn_protocol::bump_epoch
                                                        : txn::end_txn_protocol::keep_epoch;
  ctx.transactions().end_transaction(
      body->transactional_id, body->producer_id, body->producer_epoch, body->committed, rules,
      [respond = std::move(respond), version = req.version](txn::end_txn_result r) {
        protocol::end_txn_response resp;
        resp.error_code = map_txn_error(r.error, version >= 2);
        // v5+: the identity for the next transaction, -1 when the end failed.
        resp.producer_id = r.producer_id;
        resp.producer_epoch = r.producer_epoch;
        respond(encode_body(resp, version));
      });
}

}  // namespace sluice::broker
