#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/leader_epoch.h"
#include "core/protocol/list_offsets.h"

#include <set>

namespace sluice::broker {
namespace {

namespace protocol = ::sluice::protocol;
using protocol::error_code;
using partition_response = protocol::list_offsets_response::list_offsets_partition_response;

/// Kafka's consumer replica id: its lookups see only what it may fetch (the high watermark, or
/// the last stable offset under read_committed); other ids (-2, a debugging tool) see the
/// whole log.
constexpr int32_t consumer_replica_id = -1;

/// v0: the legacy lookup, several offsets per partition, newest first.
void answer_v0(const storage::partition_log& log, const protocol::list_offsets_request& req,
               const protocol::list_offsets_request::list_offsets_partition& p,
               partition_response& pr) {
  if (p.timestamp < protocol::list_offsets_earliest) {
    // v0 knows only -1 and -2 among the special timestamps.
    pr.error_code = error_code::unsupported_version;
    return;
  }
  auto offsets = log.legacy_offsets_before(p.timestamp, std::max(0, p.max_num_offsets));
  if (req.replica_id.value() == consumer_replica_id) {
    // A consumer never sees past the high watermark.
    const int64_t hwm = log.high_watermark().value();
    if (std::any_of(offsets.begin(), offsets.end(), [&](int64_t o) { return o > hwm; })) {
      std::erase_if(offsets, [&](int64_t o) { return o >= hwm; });
      offsets.insert(offsets.begin(), hwm);
    }
  }
  pr.old_style_offsets = std::move(offsets);
}

/// v1+: one offset (and its timestamp and leader epoch) per partition.
void answer(const storage::partition_log& log, const protocol::list_offsets_request& req,
            const protocol::list_offsets_request::list_offsets_partition& p,
            partition_response& pr, std::error_code& failure) {
  if (auto fenced = check_current_leader_epoch(p.current_leader_epoch); fenced != error_code::none) {
    pr.error_code = fenced;
    return;
  }
  const bool consumer = req.replica_id.value() == consumer_replica_id;
  // What the asker may fetch: later offsets are not answered.
  const core::offset fetchable = !consumer              ? log.log_end_offset()
                                 : req.isolation_level == 1 ? log.last_stable_offset()
                                                            : log.high_watermark();
  const bool ever_appended = log.log_end_offset().value() > 0;
  auto found = [&](int64_t ts, core::offset o) {
    if (o.value() < 0 || o >= fetchable) return;  // nothing, or not fetchable yet
    pr.timestamp = ts;
    pr.offset = o;
    pr.leader_epoch = partition_leader_epoch;
  };
  switch (p.timestamp) {
    case protocol::list_offsets_latest:
      pr.offset = fetchable;
      pr.leader_epoch = partition_leader_epoch;
      return;
    case protocol::list_offsets_earliest:
    case protocol::list_offsets_earliest_local:  // no tiered storage: the whole log is local
      pr.offset = log.log_start_offset();
      pr.leader_epoch = ever_appended ? partition_leader_epoch : undefined_epoch;
      return;
    case protocol::list_offsets_latest_tiered:
    case protocol::list_offsets_earliest_pending_upload:
      // No tiered storage: nothing was uploaded and nothing waits to be (-1, as Kafka answers
      // for a topic without remote storage).
      return;
    case protocol::list_offsets_max_timestamp: {
      auto max = log.offset_of_max_timestamp();
      if (!max) {
        failure = max.error();
        return;
      }
      return found(max.value().timestamp, max.value().offset);
    }
    default: {
      auto at = log.offset_for_timestamp(p.timestamp);
      if (!at) {
        failure = at.error();
        return;
      }
      return found(at.value().timestamp, at.value().offset);
    }
  }
}

}  // namespace

void handle_list_offsets(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::list_offsets_request>(req);
  if (!body) return respond(reply::malformed());
  const int16_t version = req.version;
  // A partition named twice: every copy is answered INVALID_REQUEST (v1+, as Kafka).
  std::set<core::topic_partition> seen, duplicates;
  if (version >= 1) {
    for (const auto& t : body->topics) {
      for (const auto& p : t.partitions) {
        if (!seen.insert({t.name, p.partition_index}).second) duplicates.insert({t.name, p.partition_index});
      }
    }
  }
  protocol::list_offsets_response resp;
  for (const auto& t : body->topics) {
    auto& tr = resp.topics.emplace_back();
    tr.name = t.name;
    for (const auto& p : t.partitions) {
      auto& pr = tr.partitions.emplace_back();
      pr.partition_index = p.partition_index;
      core::topic_partition tp{t.name, p.partition_index};
      if (version >= 1) {
        if (duplicates.contains(tp)) {
          pr.error_code = error_code::invalid_request;
          continue;
        }
        if (p.timestamp < 0) {
          const int16_t needs = protocol::list_offsets_min_version_for(p.timestamp);
          if (needs < 0 || version < needs) {
            pr.error_code = error_code::unsupported_version;
            continue;
          }
        }
      }
      auto plog = ctx.logs().get(tp);
      if (!plog) {
        pr.error_code = error_code::unknown_topic_or_partition;
        continue;
      }
      if (version == 0) {
        answer_v0(*plog, *body, p, pr);
        continue;
      }
      std::error_code failure;
      answer(*plog, *body, p, pr, failure);
      if (failure) {
        pr = partition_response{};
        pr.partition_index = p.partition_index;
        pr.error_code = to_kafka_error(failure);
      }
    }
  }
  respond(encode_body(resp, version));
}

}  // namespace sluice::broker
