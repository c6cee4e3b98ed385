#pragma once
/// The shape shared by the APIs that answer partition by partition from the local logs
/// (ListOffsets, DeleteRecords): for every requested partition, a response entry carrying its
/// topic and index; a partition this broker does not host answers UNKNOWN_TOPIC_OR_PARTITION,
/// the others are filled by `fn(log, request_partition, response_partition)`.

#include "broker/broker_context.h"
#include "core/protocol/error_code.h"

namespace sluice::broker {

template <class RequestTopics, class ResponseTopics, class Fn>
void answer_per_partition(broker_context& ctx, const RequestTopics& topics, ResponseTopics& out,
                          Fn fn) {
  for (const auto& t : topics) {
    auto& tr = out.emplace_back();
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = p.partition_index;
      auto plog = ctx.logs().get({t.name, p.partition_index});
      if (!plog) {
        pr.error_code = protocol::error_code::unknown_topic_or_partition;
        continue;
      }
      fn(*plog, p, pr);
    }
  }
}

}  // namespace sluice::broker
