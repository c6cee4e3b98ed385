#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/protocol/produce.h"
#include "core/metrics.h"
#include "core/log.h"

#include <fmt/ostream.h>

#include <memory>

namespace sluice::broker {
namespace {

const core::logger& log() {
  static const core::logger instance("broker.produce");
  return instance;
}

}  // namespace

void handle_produce(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::produce_request>(req);
  if (!body) return respond(reply::malformed());
  const bool acks_ok = body->acks == 0 || body->acks == 1 || body->acks == -1;

  auto resp = std::make_shared<protocol::produce_response>();
  flush_set owed;
  bool in_log = false;  // some batch of the request is in the log (appended or a duplicate)
  for (const auto& topic : body->topic_data) {
    auto& tr = resp->responses.emplace_back();
    tr.name = topic.name;
    for (const auto& part : topic.partition_data) {
      auto& pr = tr.partition_responses.emplace_back();
      pr.index = part.index;
      if (!acks_ok) {
        pr.error_code = protocol::error_code::invalid_required_acks;
        continue;
      }
      core::topic_partition tp{topic.name, part.index};
      auto plog = ctx.logs().get(tp);
      if (!plog) {
        pr.error_code = protocol::error_code::unknown_topic_or_partition;
        continue;
      }
      if (!part.records || part.records->empty()) {
        pr.error_code = protocol::error_code::corrupt_message;
        continue;
      }
      if (body->acks == -1 && plog->min_insync_replicas() > 1) {
        // One broker is the whole in-sync replica set: acks=all cannot reach more (Kafka with
        // replication factor 1 answers the same).
        pr.error_code = protocol::error_code::not_enough_replicas;
        continue;
      }
      auto appended = ctx.appends().append(plog, *part.records, storage::append_origin::producer, owed);
      if (!appended) {
        pr.error_code = to_kafka_error(appended.error());
        log().debug("{}: rejected batch from {}: {}", fmt::streamed(tp), req.client_id,
                    appended.error().message());
        continue;
      }
      // A retry of a batch already written (idempotent producer): success with the original
      // base offset, nothing appended (and nobody woken).
      const bool duplicate = appended.value().duplicate;
      if (duplicate) {
        log().debug("{}: duplicate batch from {} answered with its offset {}", fmt::streamed(tp),
                    req.client_id, appended.value().base_offset.value());
      } else if (const auto* traffic = plog->traffic()) {
        traffic->bytes_in->inc(part.records->size());
        traffic->records_in->inc(static_cast<uint64_t>(appended.value().last_offset.value() -
                                                       appended.value().base_offset.value() + 1));
      }
      pr.base_offset = appended.value().base_offset;
      pr.log_append_time_ms = appended.value().log_append_time;
      pr.log_start_offset = plog->log_start_offset();
      in_log = true;
    }
  }

  const int16_t version = req.version;
  const bool silent = body->acks == 0;
  // Test-only fault: lose the response of a request whose batch is in the log, as a network
  // failure would, so the producer retries it (closing the connection after the flush below).
  const bool drop = in_log && ctx.take_produce_response_drop();
  if (drop) log().warn("test fault: dropping the Produce response to {}", req.client_id);
  // The flush policy may want some logs durable before the producer hears back: the append
  // path fsyncs them on the blocking pool and answers from there (at once when none is owed).
  ctx.appends().when_durable(std::move(owed), [resp, version, silent, drop, respond = std::move(respond)](
                                                  std::vector<flush_set::log_ptr> failed) {
    for (const auto& plog : failed) {
      for (auto& tr : resp->responses) {
        if (tr.name != plog->tp().topic) continue;
        for (auto& pr : tr.partition_responses) {
          if (pr.index == plog->tp().partition) {
            pr.error_code = protocol::error_code::kafka_storage_error;
            pr.base_offset = core::offset{-1};
          }
        }
      }
    }
    if (drop) return respond(reply::malformed());
    if (silent) return respond(reply::none());
    respond(encode_body(*resp, version));
  });
}

}  // namespace sluice::broker
