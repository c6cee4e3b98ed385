#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/txn_errors.h"
#include "core/protocol/produce.h"
#include "core/protocol/records.h"
#include "broker/storage/errc.h"
#include "broker/txn/transaction_coordinator.h"
#include "core/log.h"
#include "core/metrics.h"

#include <fmt/ostream.h>

#include <memory>

namespace sluice::broker {
namespace {

const core::logger& log() {
  static const core::logger instance("broker.produce");
  return instance;
}

using protocol::error_code;

/// Produce v13+ names topics by id.
constexpr int16_t first_with_topic_ids = 13;
/// From Produce v12 a transactional produce also adds its partitions to the transaction
/// (KIP-890 part 2); before, the producer sent AddPartitionsToTxn first.
constexpr int16_t first_adding_partitions = 12;
/// zstd batches need Produce v7+ (KIP-110).
constexpr int16_t first_with_zstd = 7;
/// Per-record errors and an error message in the answer (KIP-467).
constexpr int16_t first_with_record_errors = 8;

/// One Produce request, from the decoded body to the answer.
class produce_call : public std::enable_shared_from_this<produce_call> {
 public:
  produce_call(broker_context& ctx, const request& req, protocol::produce_request body,
               responder respond)
      : _ctx(ctx), _version(req.version), _client_id(req.client_id), _body(std::move(body)),
        _respond(std::move(respond)) {}

  void run() {
    const bool acks_ok = _body.acks == 0 || _body.acks == 1 || _body.acks == -1;
    // The answer's shape, and the partitions to append to (`_targets`, one per answer entry).
    for (auto& topic : _body.topic_data) {
      auto& tr = _resp.responses.emplace_back();
      tr.name = topic.name;
      tr.topic_id = topic.topic_id;
      std::optional<std::string> name = topic.name;
      if (_version >= first_with_topic_ids) name = _ctx.logs().topic_name(topic.topic_id.value);
      for (const auto& part : topic.partition_data) {
        auto& pr = tr.partition_responses.emplace_back();
        pr.index = part.index;
        auto& target = _targets.emplace_back();
        if (!acks_ok) {
          pr.error_code = error_code::invalid_required_acks;
        } else if (!name) {
          pr.error_code = error_code::unknown_topic_id;
        } else if (target.log = _ctx.logs().get({*name, part.index}); !target.log) {
          pr.error_code = error_code::unknown_topic_or_partition;
        } else if (!part.records || part.records->empty()) {
          pr.error_code = error_code::corrupt_message;
        } else if (_body.acks == -1 && target.log->min_insync_replicas() > 1) {
          // One broker is the whole in-sync replica set: acks=all cannot reach more (Kafka with
          // replication factor 1 answers the same).
          pr.error_code = error_code::not_enough_replicas;
        } else if (_version < first_with_zstd && is_zstd(*part.records)) {
          pr.error_code = error_code::unsupported_compression_type;
        } else {
          target.records = *part.records;
        }
      }
    }
    if (_version >= first_adding_partitions && _body.transactional_id) return add_to_transaction();
    append_and_answer();
  }

 private:
  struct target {
    std::shared_ptr<storage::partition_log> log;
    bytes_view records;  ///< empty: answered already (an error)
  };

  static bool is_zstd(bytes_view records) {
    auto h = protocol::decode_batch_header(records);
    return h && h.value().codec() == protocol::compression_codec::zstd;
  }

  /// Applies `fn(target, partition_response)` to every partition still to be appended.
  template <class Fn>
  void for_each_pending(Fn&& fn) {
    size_t i = 0;
    for (auto& tr : _resp.responses) {
      for (auto& pr : tr.partition_responses) {
        auto& t = _targets[i++];
        if (!t.records.empty()) fn(t, pr);
      }
    }
  }

  /// v12+: what AddPartitionsToTxn did before, with the producer id and epoch of the batches.
  void add_to_transaction() {
    std::vector<core::topic_partition> partitions;
    std::optional<protocol::record_batch_header> first;
    for_each_pending([&](target& t, auto&) {
      partitions.push_back(t.log->tp());
      if (!first) {
        if (auto h = protocol::decode_batch_header(t.records)) first = h.value();
      }
    });
    if (partitions.empty() || !first) return append_and_answer();
    _ctx.transactions().add_partitions(
        *_body.transactional_id, first->producer_id, first->producer_epoch, std::move(partitions),
        [self = shared_from_this()](txn::errc e) {
          if (e != txn::errc::ok) {
            const error_code code = map_txn_error(e, true);
            self->for_each_pending([&](target& t, auto& pr) {
              pr.error_code = code;
              t.records = {};
            });
          }
          self->append_and_answer();
        });
  }

  void append_and_answer() {
    flush_set owed;
    bool in_log = false;  // some batch of the request is in the log (appended or a duplicate)
    for_each_pending([&](target& t, protocol::produce_response::partition_produce_response& pr) {
      const auto& tp = t.log->tp();
      auto appended = _ctx.appends().append(t.log, t.records, storage::append_origin::producer, owed);
      if (!appended) {
        pr.error_code = to_kafka_error(appended.error());
        if (_version >= first_with_record_errors) explain(appended.error(), t, pr);
        log().debug("{}: rejected batch from {}: {}", fmt::streamed(tp), _client_id,
                    appended.error().message());
        return;
      }
      // A retry of a batch already written (idempotent producer): success with the original
      // base offset, nothing appended (and nobody woken).
      if (appended.value().duplicate) {
        log().debug("{}: duplicate batch from {} answered with its offset {}", fmt::streamed(tp),
                    _client_id, appended.value().base_offset.value());
      } else if (const auto* traffic = t.log->traffic()) {
        traffic->bytes_in->inc(t.records.size());
        traffic->records_in->inc(static_cast<uint64_t>(appended.value().last_offset.value() -
                                                       appended.value().base_offset.value() + 1));
      }
      pr.base_offset = appended.value().base_offset;
      pr.log_append_time_ms = appended.value().log_append_time;
      pr.log_start_offset = t.log->log_start_offset();
      in_log = true;
    });

    // Test-only fault: lose the response of a request whose batch is in the log, as a network
    // failure would, so the producer retries it (closing the connection after the flush below).
    const bool drop = in_log && _ctx.take_produce_response_drop();
    if (drop) log().warn("test fault: dropping the Produce response to {}", _client_id);
    // The flush policy may want some logs durable before the producer hears back: the append
    // path fsyncs them on the blocking pool and answers from there (at once when none is owed).
    _ctx.appends().when_durable(std::move(owed), [self = shared_from_this(), drop](
                                                     std::vector<flush_set::log_ptr> failed) {
      self->answer(failed, drop);
    });
  }

  /// v8+: the records a refused batch was refused for, and why.
  void explain(std::error_code e, const target& t,
               protocol::produce_response::partition_produce_response& pr) const {
    pr.error_message = e.message();
    if (e != storage::errc::invalid_record && e != storage::errc::invalid_timestamp) return;
    for (auto& r : t.log->rejected_records(t.records)) {
      pr.record_errors.push_back({r.index, std::move(r.reason)});
    }
  }

  void answer(const std::vector<flush_set::log_ptr>& failed, bool drop) {
    for (const auto& plog : failed) {
      size_t i = 0;
      for (auto& tr : _resp.responses) {
        for (auto& pr : tr.partition_responses) {
          if (_targets[i++].log == plog) {
            pr.error_code = error_code::kafka_storage_error;
            pr.base_offset = core::offset{-1};
          }
        }
      }
    }
    if (drop) return _respond(reply::malformed());
    if (_body.acks == 0) return _respond(reply::none());
    _respond(encode_body(_resp, _version));
  }

  broker_context& _ctx;
  const int16_t _version;
  const std::string _client_id;
  protocol::produce_request _body;
  responder _respond;
  protocol::produce_response _resp;
  std::vector<target> _targets;  ///< one per partition of the answer, in its order
};

}  // namespace

void handle_produce(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::produce_request>(req);
  if (!body) return respond(reply::malformed());
  std::make_shared<produce_call>(ctx, req, std::move(*body), std::move(respond))->run();
}

}  // namespace sluice::broker
