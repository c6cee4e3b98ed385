#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/describe_transactions.h"
#include "broker/txn/transaction_coordinator.h"

namespace sluice::broker {

// As Kafka's coordinator describes them (TransactionCoordinator.handleDescribeTransactions):
// one entry per requested id, in request order (repeats included). An empty id is
// INVALID_REQUEST, an id the coordinator does not know TRANSACTIONAL_ID_NOT_FOUND — both with
// the schema's defaults ("" and zeros) in the other fields. A known id reports its durable
// state: the state's name, producer id and epoch, timeout, the start time of its open
// transaction (-1 when none is open; Kafka keeps a finished transaction's start time through
// Complete*, this coordinator does not) and the partitions of that transaction, by topic.
void handle_describe_transactions(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::describe_transactions_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::describe_transactions_response resp;
  for (const auto& id : body->transactional_ids) {
    auto& s = resp.transaction_states.emplace_back();
    s.transactional_id = id;
    if (id.empty()) {
      s.error_code = protocol::error_code::invalid_request;
      continue;
    }
    const auto m = ctx.transactions().describe(id);
    if (!m) {
      s.error_code = protocol::error_code::transactional_id_not_found;
      continue;
    }
    s.transaction_state = std::string(txn::to_string(m->state));
    s.transaction_timeout_ms = m->timeout_ms;
    s.transaction_start_time_ms = m->start_ms;
    s.producer_id = m->producer_id;
    s.producer_epoch = m->producer_epoch;
    for (const auto& tp : m->partitions) {  // ordered by topic, then partition
      if (s.topics.empty() || s.topics.back().topic != tp.topic) s.topics.push_back({tp.topic, {}});
      s.topics.back().partitions.push_back(tp.partition);
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
