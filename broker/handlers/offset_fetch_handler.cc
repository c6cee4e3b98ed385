#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/offset_fetch.h"
#include "broker/storage/log_manager.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::broker {
namespace {

using response = protocol::offset_fetch_response;

response::offset_fetch_response_partition answer_of(group::fetched_offset& f) {
  response::offset_fetch_response_partition p;
  p.partition_index = f.tp.partition;
  p.committed_offset = core::offset{f.offset};
  p.committed_leader_epoch = f.leader_epoch;
  p.metadata = std::move(f.metadata);
  p.error_code = to_kafka_error(f.error);
  return p;
}

/// v1–v7: one group, topics by name.
response fetch_one_group(broker_context& ctx, const protocol::offset_fetch_request& body) {
  group::offset_fetch_request fr;
  fr.group_id = body.group_id;
  fr.require_stable = body.require_stable;
  if (body.topics) {  // null (v2+) = every committed offset of the group
    fr.partitions.emplace();
    for (const auto& t : *body.topics) {
      for (auto p : t.partition_indexes) fr.partitions->push_back({t.name, p});
    }
  }
  auto r = ctx.groups().fetch_offsets(fr);
  response resp;
  resp.error_code = to_kafka_error(r.error);
  for (auto& f : r.offsets) {
    // Request order groups partitions by topic already; the "all" answer is sorted.
    if (resp.topics.empty() || resp.topics.back().name != f.tp.topic) {
      resp.topics.emplace_back().name = f.tp.topic;
    }
    resp.topics.back().partitions.push_back(answer_of(f));
  }
  return resp;
}

/// v8+: one group of the batch, answered on its own (its own error code). From v10 topics are
/// named by id: an id this broker does not know is answered UNKNOWN_TOPIC_ID for each of its
/// partitions (after the group's other topics, as Kafka does), and in an "all offsets" answer
/// a topic that no longer exists (no id to name it by) is left out.
///
/// member_id / member_epoch (v9+) are not checked: Kafka validates them only for KIP-848
/// consumer groups (ConsumerGroup.validateOffsetFetch); a classic group — the only kind this
/// broker has — ignores them (ClassicGroup.validateOffsetFetch only refuses a Dead group, which
/// then reads as unknown: offsets -1 without an error).
response::offset_fetch_response_group fetch_group(
    broker_context& ctx, const protocol::offset_fetch_request::offset_fetch_request_group& g,
    bool require_stable, bool by_id) {
  response::offset_fetch_response_group out;
  out.group_id = g.group_id;
  group::offset_fetch_request fr;
  fr.group_id = g.group_id;
  fr.require_stable = require_stable;
  std::map<std::string, protocol::uuid> ids;  // v10: the id each resolved name was asked by
  std::vector<response::offset_fetch_response_topics> unknown_ids;
  if (g.topics) {
    fr.partitions.emplace();
    for (const auto& t : *g.topics) {
      std::string name = t.name;
      if (by_id) {
        auto found = ctx.logs().topic_by_id(t.topic_id.value);
        if (!found) {
          auto& u = unknown_ids.emplace_back();
          u.topic_id = t.topic_id;
          for (auto p : t.partition_indexes) {
            auto& pa = u.partitions.emplace_back();
            pa.partition_index = p;
            pa.metadata = "";  // Kafka's answer for these partitions: offset -1, metadata ""
            pa.error_code = protocol::error_code::unknown_topic_id;
          }
          continue;
        }
        name = std::move(found->name);
        ids.emplace(name, t.topic_id);
      }
      for (auto p : t.partition_indexes) fr.partitions->push_back({name, p});
    }
  }
  auto r = ctx.groups().fetch_offsets(fr);
  if (r.error != group::errc::ok) {
    out.error_code = to_kafka_error(r.error);  // a group-level error carries no topics
    return out;
  }
  std::optional<std::string> current;  // the topic of the previous offset
  bool keep = true;                    // false: current has no id (v10 "all" answer only)
  for (auto& f : r.offsets) {
    if (current != f.tp.topic) {
      current = f.tp.topic;
      protocol::uuid id;
      if (by_id) {
        if (auto it = ids.find(f.tp.topic); it != ids.end()) {
          id = it->second;
        } else if (auto info = ctx.logs().topic(f.tp.topic)) {
          id.value = info->id;
        }
      }
      keep = !by_id || id != protocol::uuid{};
      if (keep) {
        auto& t = out.topics.emplace_back();
        t.name = f.tp.topic;
        t.topic_id = id;
      }
    }
    if (keep) out.topics.back().partitions.push_back(answer_of(f));
  }
  for (auto& u : unknown_ids) out.topics.push_back(std::move(u));
  return out;
}

}  // namespace

void handle_offset_fetch(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::offset_fetch_request>(req);
  if (!body) return respond(reply::malformed());
  if (req.version <= 7) return respond(encode_body(fetch_one_group(ctx, *body), req.version));
  response resp;
  for (const auto& g : body->groups) {
    resp.groups.push_back(fetch_group(ctx, g, body->require_stable, req.version >= 10));
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
