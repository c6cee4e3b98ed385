#include "broker/broker_context.h"
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/offset_commit_shape.h"
#include "core/protocol/offset_commit.h"
#include "broker/storage/log_manager.h"

#include <memory>
#include <optional>
#include <utility>
#include <vector>

namespace sluice::broker {

// As in Apache Kafka, partitions this broker does not have are answered before the group is
// consulted — UNKNOWN_TOPIC_OR_PARTITION, or UNKNOWN_TOPIC_ID for a v10 topic id it does not
// know — and when no partition is left the coordinator is not called at all (no group is
// created, no member session touched). v9 changes only an answer: a commit with a generation
// to a group that does not exist is GROUP_ID_NOT_FOUND instead of ILLEGAL_GENERATION; for our
// classic groups the generation field is the generation in every version.
void handle_offset_commit(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::offset_commit_request>(req);
  if (!body) return respond(reply::malformed());
  const int16_t version = req.version;
  const bool by_id = version >= 10;
  auto shape = std::make_shared<protocol::offset_commit_response>();
  group::offset_commit_request cr;
  // Entry i of cr.offsets answers partition slots[i].second of topic slots[i].first.
  std::vector<std::pair<size_t, size_t>> slots;
  for (auto& t : body->topics) {
    auto& answer = shape->topics.emplace_back();
    answer.name = t.name;
    answer.topic_id = t.topic_id;
    const std::optional<storage::topic_info> info =
        by_id ? ctx.logs().topic_by_id(t.topic_id.value) : ctx.logs().topic(t.name);
    const auto missing = by_id && !info ? protocol::error_code::unknown_topic_id
                                        : protocol::error_code::unknown_topic_or_partition;
    for (auto& p : t.partitions) {
      auto& pa = answer.partitions.emplace_back();
      pa.partition_index = p.partition_index;
      if (!info || p.partition_index.value() < 0 || p.partition_index.value() >= info->partitions) {
        pa.error_code = missing;
        continue;
      }
      slots.emplace_back(shape->topics.size() - 1, answer.partitions.size() - 1);
      cr.offsets.push_back({{info->name, p.partition_index},
                            p.committed_offset.value(),
                            p.committed_leader_epoch,
                            std::move(p.committed_metadata)});
    }
  }
  if (cr.offsets.empty()) return respond(encode_body(*shape, version));
  cr.group_id = std::move(body->group_id);
  cr.generation = body->generation_id_or_member_epoch;
  cr.member_id = std::move(body->member_id);
  cr.group_instance_id = std::move(body->group_instance_id);
  cr.unknown_group_is_not_found = version >= 9;
  ctx.groups().commit_offsets(
      std::move(cr), [respond = std::move(respond), version, shape,
                      slots = std::move(slots)](group::offset_commit_result r) {
        for (size_t i = 0; i < slots.size(); ++i) {
          const auto [topic, partition] = slots[i];
          shape->topics[topic].partitions[partition].error_code = offset_commit_code(r, i);
        }
        respond(encode_body(*shape, version));
      });
}

}  // namespace sluice::broker
