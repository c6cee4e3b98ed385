#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "core/protocol/add_partitions_to_txn.h"
#include "broker/txn/transaction_coordinator.h"

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

namespace sluice::broker {
namespace {

using protocol::error_code;
using request_topic = protocol::add_partitions_to_txn_request::add_partitions_to_txn_topic;
using topic_result = protocol::add_partitions_to_txn_response::add_partitions_to_txn_topic_result;

/// The first version that knows TRANSACTION_ABORTABLE; v4 callers (Kafka 3.5–3.7 brokers) hear
/// INVALID_TXN_STATE for a partition that is not in the transaction, as those coordinators
/// answered.
constexpr int16_t first_with_transaction_abortable = 5;

/// One transaction of a request: its answer's shape (an entry per requested partition, in
/// order) and the partitions it names.
struct txn_partitions {
  std::vector<topic_result> results;
  std::vector<core::topic_partition> partitions;
  bool unknown = false;  ///< some partition does not exist
};

txn_partitions look_up(broker_context& ctx, const std::vector<request_topic>& topics) {
  txn_partitions out;
  for (const auto& t : topics) {
    auto& tr = out.results.emplace_back();
    tr.name = t.name;
    auto info = ctx.logs().topic(t.name);
    for (auto p : t.partitions) {
      const bool exists = info && p.value() >= 0 && p.value() < info->partitions;
      tr.results_by_partition.push_back({p, exists ? error_code::none : error_code::unknown_topic_or_partition});
      out.unknown |= !exists;
      out.partitions.push_back({t.name, p});
    }
  }
  if (out.unknown) {
    // As Kafka: the unknown partitions fail, the others are not attempted.
    for (auto& t : out.results) {
      for (auto& p : t.results_by_partition) {
        if (p.partition_error_code == error_code::none) p.partition_error_code = error_code::operation_not_attempted;
      }
    }
  }
  return out;
}

void set_all(std::vector<topic_result>& results, error_code code) {
  for (auto& t : results) {
    for (auto& p : t.results_by_partition) p.partition_error_code = code;
  }
}

/// Adds (or, `verify_only`, checks) the partitions of one transaction; `done(results)` once.
void handle_transaction(broker_context& ctx, int16_t version, const std::string& transactional_id,
                        core::producer_id id, core::producer_epoch epoch, bool verify_only,
                        const std::vector<request_topic>& topics,
                        std::function<void(std::vector<topic_result>)> done) {
  txn_partitions txn = look_up(ctx, topics);
  if (txn.unknown) return done(std::move(txn.results));
  const bool fenced_known = version >= 2;
  if (verify_only) {
    const auto v = ctx.transactions().verify_partitions(transactional_id, id, epoch, txn.partitions);
    if (v.error != txn::errc::ok) {
      set_all(txn.results, map_txn_error(v.error, fenced_known));
    } else {
      const error_code missing = version >= first_with_transaction_abortable ? error_code::transaction_abortable
                                                                             : error_code::invalid_txn_state;
      size_t i = 0;
      for (auto& t : txn.results) {
        for (auto& p : t.results_by_partition) p.partition_error_code = v.in_transaction.at(i++) ? error_code::none : missing;
      }
    }
    return done(std::move(txn.results));
  }
  ctx.transactions().add_partitions(
      transactional_id, id, epoch, std::move(txn.partitions),
      [results = std::move(txn.results), done = std::move(done), fenced_known](txn::errc e) mutable {
        if (e != txn::errc::ok) set_all(results, map_txn_error(e, fenced_known));
        done(std::move(results));
      });
}

/// v4+: every transaction of the request, answered together once the last one is done.
struct batch_answer {
  protocol::add_partitions_to_txn_response resp;
  std::atomic<size_t> remaining{0};
  int16_t version = 0;
  responder respond;
};

}  // namespace

void handle_add_partitions_to_txn(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::add_partitions_to_txn_request>(req);
  if (!body) return respond(reply::malformed());
  const int16_t version = req.version;
  if (version < protocol::add_partitions_to_txn_first_batched_version) {
    return handle_transaction(ctx, version, body->v3_and_below_transactional_id, body->v3_and_below_producer_id,
                              body->v3_and_below_producer_epoch, false, body->v3_and_below_topics,
                              [respond = std::move(respond), version](std::vector<topic_result> results) {
                                protocol::add_partitions_to_txn_response resp;
                                resp.results_by_topic_v3_and_below = std::move(results);
                                respond(encode_body(resp, version));
                              });
  }
  // The batched form brokers send. Apache Kafka requires CLUSTER_ACTION on the cluster for it;
  // without an authorizer every principal has it, so clients are served as brokers are. The
  // top-level error code stays NONE: it only reports a request refused as a whole.
  auto batch = std::make_shared<batch_answer>();
  batch->version = version;
  batch->respond = std::move(respond);
  batch->remaining = body->transactions.size();
  for (const auto& t : body->transactions) batch->resp.results_by_transaction.push_back({t.transactional_id, {}});
  if (body->transactions.empty()) return batch->respond(encode_body(batch->resp, version));
  for (size_t i = 0; i < body->transactions.size(); ++i) {
    const auto& t = body->transactions[i];
    handle_transaction(ctx, version, t.transactional_id, t.producer_id, t.producer_epoch, t.verify_only, t.topics,
                       [batch, i](std::vector<topic_result> results) {
                         // Each callback fills its own entry; the last one sees them all.
                         batch->resp.results_by_transaction[i].topic_results = std::move(results);
                         if (batch->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) {
                           batch->respond(encode_body(batch->resp, batch->version));
                         }
                       });
  }
}

}  // namespace sluice::broker
