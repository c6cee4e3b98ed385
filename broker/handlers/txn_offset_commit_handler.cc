#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/offset_commit_shape.h"
#include "broker/handlers/txn_errors.h"
#include "core/protocol/txn_offset_commit.h"
#include "broker/txn/transaction_coordinator.h"

#include <memory>

namespace sluice::broker {
namespace {

using protocol::error_code;

/// From v4 an offsets partition that is not in the transaction is TRANSACTION_ABORTABLE
/// (INVALID_TXN_STATE before), as Apache Kafka's verification answers the version.
constexpr int16_t first_with_transaction_abortable = 4;
/// From v5 the commit also adds the group's offsets partition to the transaction — what
/// AddOffsetsToTxn did before (KIP-890 part 2). Apache Kafka decides by the request version
/// alone (`txnOffsetCommitRequestVersionToTransactionSupportedOperation`), whatever
/// `transaction.version` is finalized, and so does this broker.
constexpr int16_t first_adding_offsets = 5;

/// The transaction coordinator's answer as this API reports it: Apache Kafka's verification
/// turns PRODUCER_FENCED into INVALID_PRODUCER_EPOCH for every version.
error_code txn_code(txn::errc e, int16_t version) {
  if (e == txn::errc::invalid_txn_state && version >= first_with_transaction_abortable) {
    return error_code::transaction_abortable;
  }
  return map_txn_error(e, false);
}

/// One TxnOffsetCommit after decoding: the answer's shape and the commit for the group
/// coordinator. Shared by the callbacks of the v5 path.
struct txn_commit {
  int16_t version = 0;
  std::string transactional_id;
  group::offset_commit_request commit;
  std::shared_ptr<protocol::txn_offset_commit_response> shape;
  responder respond;

  void answer_all(error_code code) {
    set_offset_commit_errors(*shape, [code](size_t) { return code; });
    respond(encode_body(*shape, version));
  }

  /// The transaction must be open, with this producer and epoch, and hold the group —
  /// otherwise no marker would ever resolve the offsets. Then the group coordinator writes
  /// them as pending transactional offsets.
  void run(broker_context& ctx) {
    const auto& producer = *commit.transaction;
    if (txn::errc e = ctx.transactions().check_offset_commit(transactional_id, producer.id, producer.epoch,
                                                             commit.group_id);
        e != txn::errc::ok) {
      return answer_all(txn_code(e, version));
    }
    ctx.groups().commit_offsets(std::move(commit), [shape = shape, version = version, respond = std::move(respond)](
                                                       group::offset_commit_result r) {
      set_offset_commit_errors(*shape, [&r](size_t i) { return offset_commit_code(r, i); });
      respond(encode_body(*shape, version));
    });
  }
};

}  // namespace

void handle_txn_offset_commit(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::txn_offset_commit_request>(req);
  if (!body) return respond(reply::malformed());
  auto c = std::make_shared<txn_commit>();
  c->version = req.version;
  c->respond = std::move(respond);
  c->shape = offset_commit_shape<protocol::txn_offset_commit_response>(*body, c->commit.offsets);
  c->transactional_id = std::move(body->transactional_id);
  c->commit.group_id = std::move(body->group_id);
  c->commit.generation = body->generation_id;
  c->commit.member_id = std::move(body->member_id);
  c->commit.group_instance_id = std::move(body->group_instance_id);
  c->commit.transaction = group::txn_producer{body->producer_id, body->producer_epoch};
  // As Apache Kafka's group coordinator, an empty group id is refused before the transaction
  // is looked at.
  if (c->commit.group_id.empty()) return c->answer_all(error_code::invalid_group_id);
  if (req.version < first_adding_offsets) return c->run(ctx);

  ctx.transactions().add_offsets(c->transactional_id, body->producer_id, body->producer_epoch, c->commit.group_id,
                                 [&ctx, c](txn::errc e) {
                                   if (e != txn::errc::ok) return c->answer_all(txn_code(e, c->version));
                                   c->run(ctx);
                                 });
}

}  // namespace sluice::broker
