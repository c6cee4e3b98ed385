#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/leader_epoch.h"
#include "core/protocol/acl.h"
#include "core/protocol/describe_topic_partitions.h"

#include <algorithm>
#include <set>
#include <string>

namespace sluice::broker {
namespace {

using protocol::describe_topic_partitions_response;

/// Kafka's max.request.partition.size.limit default: the most partitions one answer carries,
/// whatever the request's response_partition_limit.
constexpr int32_t max_partitions_per_response = 2000;

describe_topic_partitions_response::response_topic topic_entry(protocol::error_code e,
                                                               const std::string& name) {
  describe_topic_partitions_response::response_topic out;
  out.error_code = e;
  out.name = name;
  out.is_internal = name.starts_with("__");  // as Metadata decides it
  return out;
}

/// Kafka's answer to a request it refuses (a cursor it cannot follow): every requested topic
/// with the error and nothing else.
describe_topic_partitions_response refused(const protocol::describe_topic_partitions_request& r) {
  describe_topic_partitions_response resp;
  for (const auto& t : r.topics) {
    auto& out = resp.topics.emplace_back();
    out.error_code = protocol::error_code::invalid_request;
    out.name = t.name;
  }
  return resp;
}

}  // namespace

void handle_describe_topic_partitions(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::describe_topic_partitions_request>(req);
  if (!body) return respond(reply::malformed());
  const auto& cursor = body->cursor;
  const std::string cursor_topic = cursor ? cursor->topic_name : std::string();

  // The topics to describe, sorted and each once, from the cursor's topic on. An empty list
  // means every topic, and then names that are not topics cannot occur.
  const bool every_topic = body->topics.empty();
  std::set<std::string> names;
  if (every_topic) {
    for (const auto& t : ctx.logs().topics()) {
      if (t.name >= cursor_topic) names.insert(t.name);
    }
  } else {
    for (const auto& t : body->topics) {
      if (t.name >= cursor_topic) names.insert(t.name);
    }
    // Kafka: a cursor must name one of the requested topics.
    if (cursor && !names.contains(cursor->topic_name)) {
      return respond(encode_body(refused(*body), req.version));
    }
  }
  if (cursor && cursor->partition_index.value() < 0) {
    return respond(encode_body(refused(*body), req.version));
  }

  const core::node_id self{ctx.settings().node_id};
  describe_topic_partitions_response resp;
  int64_t remaining =
      std::max(std::min(max_partitions_per_response, body->response_partition_limit), 1);
  for (const auto& name : names) {
    if (remaining == 0) {
      // The page is full: the next one starts at this topic (which may not exist).
      resp.next_cursor = protocol::describe_topic_partitions_cursor{name, core::partition_id{0}};
      break;
    }
    auto info = ctx.logs().topic(name);
    if (!info) {
      // Unknown topics take no room in the page.
      if (!every_topic) {
        resp.topics.push_back(topic_entry(storage::valid_topic_name(name)
                                              ? protocol::error_code::unknown_topic_or_partition
                                              : protocol::error_code::invalid_topic_exception,
                                          name));
      }
      continue;
    }
    auto out = topic_entry(protocol::error_code::none, name);
    out.topic_id = protocol::uuid{info->id};
    const int64_t first = name == cursor_topic ? cursor->partition_index.value() : 0;
    const int64_t end = std::min<int64_t>(info->partitions, first + remaining);
    for (int64_t p = first; p < end; ++p) {
      auto& part = out.partitions.emplace_back();
      part.partition_index = core::partition_id{static_cast<int32_t>(p)};
      part.leader_id = self;
      part.leader_epoch = partition_leader_epoch;
      part.replica_nodes = {self};
      part.isr_nodes = {self};
      // No ELR (KIP-966) without eligible-leader-replica support: empty, not null, as Kafka
      // reports a partition that has none.
      part.eligible_leader_replicas.emplace();
      part.last_known_elr.emplace();
    }
    remaining -= static_cast<int64_t>(out.partitions.size());
    resp.topics.push_back(std::move(out));
    if (end < info->partitions) {
      resp.next_cursor = protocol::describe_topic_partitions_cursor{
          name, core::partition_id{static_cast<int32_t>(end)}};
      break;
    }
  }
  // No authorizer: every operation a topic supports, on every topic answered.
  for (auto& t : resp.topics) {
    t.topic_authorized_operations = protocol::supported_operations(protocol::resource_type::topic);
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
