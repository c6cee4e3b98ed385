#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "broker/protocol/txn_offset_commit.h"
#include "broker/txn/transaction_coordinator.h"

#include <memory>

namespace sluice::broker {
void handle_txn_offset_commit(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::txn_offset_commit_request>(req);
  if (!body) return respond(reply::malformed());
  auto shape = std::make_shared<protocol::txn_offset_commit_response>();
  group::offset_commit_request cr;
  for (auto& t : body->topics) {
    auto& tr = shape->topics.emplace_back();
    tr.name = t.name;
    for (auto& p : t.partitions) {
      tr.partitions.push_back({p.partition_index, protocol::error_code::none});
      cr.offsets.push_back({{t.name, p.partition_index}, p.committed_offset.value(),
                            p.committed_leader_epoch, std::move(p.committed_metadata)});
    }
  }
  const int16_t version = req.version;
  auto answer = [shape, version](const std::vector<protocol::error_code>& codes) {
    size_t i = 0;
    std::vector<protocol::error_code> errors;
    for (auto& t : shape->topics) {
      for (auto& p : t.partitions) {
        p.error_code = codes.size() == 1 ? codes[0] : codes.at(i++);
        if (p.error_code != protocol::error_code::none) errors.push_back(p.error_code);
      }
    }
    reply out(encode_body(*shape, version));
    out.errors = std::move(errors);
    return out;
  };
  // The transaction must be open, with this producer and epoch, and have the group added by
  // AddOffsetsToTxn — otherwise the offsets could never be resolved by a marker.
  if (txn::errc e = ctx.transactions().check_offset_commit(body->transactional_id, body->producer_id,
                                                           body->producer_epoch, body->group_id);
      e != txn::errc::ok) {
    return respond(answer({map_txn_error(e, false)}));
  }
  cr.group_id = std::move(body->group_id);
  cr.generation = body->generation_id;
  cr.member_id = std::move(body->member_id);
  cr.group_instance_id = std::move(body->group_instance_id);
  cr.transaction = group::txn_producer{body->producer_id, body->producer_epoch};
  ctx.groups().commit_offsets(std::move(cr), [respond = std::move(respond), answer](group::offset_commit_result r) {
    std::vector<protocol::error_code> codes;
    for (auto e : r) codes.push_back(offset_commit_error(e));
    if (codes.empty()) codes.push_back(protocol::error_code::none);
    respond(answer(codes));
  });
}

}  // namespace sluice::broker
