#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/describe_producers.h"
#include "broker/storage/log_manager.h"

#include <optional>
#include <string>

namespace sluice::broker {
namespace {

using protocol::describe_producers_response;
using protocol::error_code;

/// The answer for every partition of a topic that cannot be described as a whole: Kafka sends
/// the error's message along for these (its ApiError of the topic check).
struct topic_error {
  error_code code = error_code::none;
  std::string message;
};

std::optional<topic_error> check_topic(broker_context& ctx, const std::string& name) {
  if (!storage::valid_topic_name(name)) {
    return topic_error{error_code::invalid_topic_exception,
                       "invalid topic name '" + name + "': use 1-249 characters of [a-zA-Z0-9._-], not '.' or '..'"};
  }
  if (!ctx.logs().topic(name)) {
    return topic_error{error_code::unknown_topic_or_partition,
                       "This server does not host this topic-partition."};
  }
  return std::nullopt;
}

describe_producers_response::producer_state to_wire(const storage::active_producer& p) {
  describe_producers_response::producer_state s;
  s.producer_id = p.producer_id;
  s.producer_epoch = p.producer_epoch.value();
  s.last_sequence = p.last_sequence;
  s.last_timestamp = p.last_timestamp;
  s.coordinator_epoch = p.coordinator_epoch;
  s.current_txn_start_offset = p.current_txn_start_offset;
  return s;
}

}  // namespace

// As Kafka answers it (KafkaApis.handleDescribeProducersRequest, Partition.activeProducerState):
// a topic that is invalid or unknown fails each requested partition with the error and its
// message; a partition index the topic does not have gets UNKNOWN_TOPIC_OR_PARTITION without a
// message; any other partition lists every producer its producer state holds — idempotent and
// transactional alike, with the first offset of an open transaction or -1.
void handle_describe_producers(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::describe_producers_request>(req);
  if (!body) return respond(reply::malformed());
  describe_producers_response resp;
  for (const auto& t : body->topics) {
    auto& tr = resp.topics.emplace_back();
    tr.name = t.name;
    const auto topic_failed = check_topic(ctx, t.name);
    for (const auto partition : t.partition_indexes) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = partition;
      if (topic_failed) {
        pr.error_code = topic_failed->code;
        pr.error_message = topic_failed->message;
        continue;
      }
      auto plog = ctx.logs().get({t.name, partition});
      if (!plog) {
        pr.error_code = error_code::unknown_topic_or_partition;
        continue;
      }
      for (const auto& p : plog->active_producers()) pr.active_producers.push_back(to_wire(p));
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
