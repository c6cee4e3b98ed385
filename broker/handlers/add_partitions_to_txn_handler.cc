#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/protocol/add_partitions_to_txn.h"
#include "broker/txn/transaction_coordinator.h"

#include <memory>

namespace sluice::broker {

void handle_add_partitions_to_txn(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::add_partitions_to_txn_request>(req);
  if (!body) return respond(reply::malformed());
  using protocol::error_code;
  auto resp = std::make_shared<protocol::add_partitions_to_txn_response>();
  std::vector<core::topic_partition> partitions;
  bool unknown = false;
  for (const auto& t : body->v3_and_below_topics) {
    auto& tr = resp->results_by_topic_v3_and_below.emplace_back();
    tr.name = t.name;
    auto info = ctx.logs().topic(t.name);
    for (auto p : t.partitions) {
      const bool exists = info && p.value() >= 0 && p.value() < info->partitions;
      tr.results_by_partition.push_back({p, exists ? error_code::none : error_code::unknown_topic_or_partition});
      unknown |= !exists;
      partitions.push_back({t.name, p});
    }
  }
  const int16_t version = req.version;
  auto answer = [resp, version](error_code all) {
    for (auto& t : resp->results_by_topic_v3_and_below) {
      for (auto& p : t.results_by_partition) {
        if (all != error_code::none) p.partition_error_code = all;
      }
    }
    return encode_body(*resp, version);
  };
  if (unknown) {
    // As Kafka: the unknown partitions fail, the others are not attempted.
    for (auto& t : resp->results_by_topic_v3_and_below) {
      for (auto& p : t.results_by_partition) {
        if (p.partition_error_code == error_code::none) p.partition_error_code = error_code::operation_not_attempted;
      }
    }
    return respond(answer(error_code::none));
  }
  ctx.transactions().add_partitions(
      body->v3_and_below_transactional_id, body->v3_and_below_producer_id,
      body->v3_and_below_producer_epoch, std::move(partitions),
      [respond = std::move(respond), answer, version](txn::errc e) {
        respond(answer(map_txn_error(e, version >= 2)));
      });
}

}  // namespace sluice::broker
