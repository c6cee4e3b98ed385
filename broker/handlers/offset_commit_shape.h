#pragma once
/// What OffsetCommit and TxnOffsetCommit share. Their requests list topics and partitions with
/// the same fields, and their answers repeat that list with an error code per partition.
/// Module-private.

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/error_code.h"

#include <cstddef>
#include <memory>
#include <vector>

namespace sluice::broker {

/// The answer's shape (every partition of `body`, error `none`), and each partition's offset
/// appended to `entries` in the same order. Moves the metadata strings out of `body`.
template <class Response, class Request>
std::shared_ptr<Response> offset_commit_shape(Request& body,
                                              std::vector<group::offset_commit_entry>& entries) {
  auto shape = std::make_shared<Response>();
  for (auto& t : body.topics) {
    auto& tr = shape->topics.emplace_back();
    tr.name = t.name;
    for (auto& p : t.partitions) {
      tr.partitions.push_back({p.partition_index, protocol::error_code::none});
      entries.push_back({{t.name, p.partition_index}, p.committed_offset.value(),
                         p.committed_leader_epoch, std::move(p.committed_metadata)});
    }
  }
  return shape;
}

/// Sets the i-th partition's error to `code_at(i)`, in shape order.
template <class Response, class CodeAt>
void set_offset_commit_errors(Response& shape, CodeAt code_at) {
  size_t i = 0;
  for (auto& t : shape.topics) {
    for (auto& p : t.partitions) p.error_code = code_at(i++);
  }
}

/// The coordinator's answer for entry i (one per entry of the request).
inline protocol::error_code offset_commit_code(const group::offset_commit_result& r, size_t i) {
  return i < r.size() ? to_kafka_error(r[i]) : protocol::error_code::unknown_server_error;
}

}  // namespace sluice::broker
