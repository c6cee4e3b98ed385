#include "broker/broker_context.h"
#include "broker/handlers/handlers.h"
#include "broker/handlers/leader_epoch.h"
#include "core/protocol/fetch.h"
#include "broker/storage/errc.h"
#include "core/metrics.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>

namespace sluice::broker {
namespace {

using clock = std::chrono::steady_clock;

/// Partitions' records of at least this size are sent from the segment file (sendfile); smaller
/// ones are read into the response, where one gather write is cheaper than a sendfile call.
constexpr uint64_t send_from_file_min = 16 * 1024;

/// One Fetch request, possibly parked in a long-poll. It answers when `min_bytes` are
/// available, when a partition reports an error, or when `max_wait_ms` runs out — whichever
/// comes first — and answers exactly once.
class fetch_operation : public std::enable_shared_from_this<fetch_operation> {
 public:
  fetch_operation(broker_context& ctx, protocol::fetch_request req, int16_t version,
                  responder respond)
      : _ctx(ctx), _req(std::move(req)), _version(version), _respond(std::move(respond)),
        _deadline(clock::now() + std::chrono::milliseconds(std::max(0, _req.max_wait_ms))) {}

  void start() {
    if (_req.max_wait_ms <= 0) return (void)attempt(true);
    // The common case under load: enough data is there already — answer without registering
    // for wake-ups or arming the max_wait timer.
    if (attempt(false)) return;
    park();
    if (_done.load()) return;
    auto self = shared_from_this();
    _ctx.sched().run_after(std::chrono::milliseconds(_req.max_wait_ms),
                              [self] { self->attempt(true); });
  }

 private:
  /// Registers for wake-ups on every requested partition, then tries; registering first means
  /// an append between the try and the registration cannot be missed.
  void park() {
    auto weak = weak_from_this();
    _waiter = std::make_shared<fetch_waiters::waiter>([weak, this_ctx = &_ctx] {
      // Re-run on a network thread, not on the producer's thread that appended.
      this_ctx->sched().run_after(std::chrono::milliseconds(0), [weak] {
        if (auto self = weak.lock()) {
          if (!self->_done.load() && !self->attempt(false)) self->park();
        }
      });
    });
    for (const auto& t : _req.topics) {
      if (t.topic.empty()) continue;  // an unknown topic id (v13+): answered at once
      for (const auto& p : t.partitions) _ctx.waiters().add({t.topic, p.partition}, _waiter);
    }
    attempt(false);
  }

  /// Builds the response; sends it if it is final or satisfies min_bytes. Returns whether the
  /// operation is finished.
  bool attempt(bool final) {
    std::lock_guard lock(_mutex);
    if (_done.load()) return true;
    protocol::fetch_response resp;
    std::vector<std::shared_ptr<const storage::segment>> files;  // segments sent from
    // The client's limit, and the broker's own (fetch.max.bytes): see broker/README.md.
    int64_t budget = std::max(0, std::min(_req.max_bytes, _ctx.settings().fetch_max_bytes));
    int64_t total = 0;
    bool error = false;
    std::vector<std::pair<core::counter*, size_t>> sent;  // bytes out per topic, if answered
    for (const auto& t : _req.topics) {
      auto& tr = resp.responses.emplace_back();
      tr.topic = t.topic;
      tr.topic_id = t.topic_id;
      for (const auto& p : t.partitions) {
        auto& pr = tr.partitions.emplace_back();
        pr.partition_index = p.partition;
        if (_version >= 13 && t.topic.empty()) {  // the id named no topic (see handle_fetch)
          pr.error_code = protocol::error_code::unknown_topic_id;
          error = true;
          continue;
        }
        auto plog = _ctx.logs().get({t.topic, p.partition});
        if (!plog) {
          pr.error_code = protocol::error_code::unknown_topic_or_partition;
          error = true;
          continue;
        }
        if (_version < 10 && plog->compression_type() == protocol::compression_codec::zstd) {
          // zstd is served from Fetch v10 (KIP-110); Kafka checks the topic's compression.type.
          pr.error_code = protocol::error_code::unsupported_compression_type;
          error = true;
          continue;
        }
        if (auto fenced = check_current_leader_epoch(p.current_leader_epoch);
            fenced != protocol::error_code::none) {
          pr.error_code = fenced;
          error = true;
          continue;
        }
        // The LSO before the watermark: both only grow, so stable <= hwm holds.
        const core::offset stable = plog->last_stable_offset();
        const core::offset hwm = plog->high_watermark();
        pr.high_watermark = hwm;
        pr.last_stable_offset = stable;
        pr.log_start_offset = plog->log_start_offset();
        // KIP-74: the partition's own limit and what is left of the response's both apply.
        // Only the first batch of the first non-empty partition goes out whole when it alone is
        // larger than them (so that a consumer always makes progress); any later partition
        // whose first batch does not fit contributes nothing.
        if (p.last_fetched_epoch >= 0 && diverged(*plog, p, pr)) {
          error = error || pr.error_code != protocol::error_code::none;
          continue;
        }
        const bool first_data = total == 0;
        const uint64_t limit = std::min<uint64_t>(static_cast<uint64_t>(std::max(0, p.partition_max_bytes)),
                                                  static_cast<uint64_t>(std::max<int64_t>(0, budget - total)));
        if (!first_data && limit == 0) continue;
        const bool committed = _req.isolation_level == 1;
        const core::offset upto = committed ? stable : hwm;
        // Locate the batches without reading them; large ones are sent straight from the
        // segment file by the connection.
        auto slice = plog->read_slice(p.fetch_offset, std::max<uint64_t>(limit, 1), upto, committed);
        if (!slice) {
          pr.error_code = to_kafka_error(slice.error());
          error = true;
          continue;
        }
        auto& s = slice.value();
        pr.high_watermark = s.high_watermark;
        pr.log_start_offset = s.log_start_offset;
        if (s.size == 0) continue;
        // read_slice returns its first batch whole even beyond `limit`: only a first batch can
        // exceed it, and only the response's first one may.
        if (!first_data && s.size > limit) continue;
        if (s.size >= send_from_file_min) {
          pr.records_file = protocol::file_bytes{s.source->log_fd(), s.position, s.size};
          files.push_back(std::move(s.source));
        } else if (auto r = s.source->read({s.position, s.size}, pr.records); !r) {
          pr.error_code = to_kafka_error(r.error());
          pr.records.clear();
          error = true;
          continue;
        }
        total += static_cast<int64_t>(s.size);
        if (const auto* traffic = plog->traffic()) sent.emplace_back(traffic->bytes_out, s.size);
        for (const auto& a : s.aborted) {
          pr.aborted_transactions.push_back({a.producer_id, a.first_offset});
        }
      }
    }
    if (!final && !error && total < std::max(1, _req.min_bytes) && clock::now() < _deadline) {
      return false;
    }
    if (_done.exchange(true)) return true;
    _waiter.reset();
    for (auto [counter, bytes] : sent) counter->inc(bytes);
    // The records are not copied into the body: the body holds the framing and the network
    // layer sends each partition's records in place — from the segment file (sendfile) or from
    // `resp` (one gather write) — while `owned` keeps both alive.
    struct held_records {
      protocol::fetch_response resp;
      std::vector<std::shared_ptr<const storage::segment>> files;
    };
    auto owned = std::make_shared<held_records>(held_records{std::move(resp), std::move(files)});
    core::bytes body;
    body.reserve(256 + 96 * static_cast<size_t>(_req.topics.size()));
    std::vector<protocol::splice> splices;
    std::vector<protocol::error_code> errors;
    protocol::writer w(body);
    w.splice_large_bytes(splices, 4096);
    w.collect_errors(errors);
    owned->resp.encode(w, _version);
    reply out(std::move(body));
    out.splices = std::move(splices);
    out.errors = std::move(errors);
    out.keepalive = std::move(owned);
    _respond(std::move(out));
    return true;
  }

  /// v12+: Kafka's truncation check of a fetcher that names the epoch of the last batch it
  /// fetched. Fills `pr` and returns true when no records are to be read: the epoch's end lies
  /// before the fetch offset (DivergingEpoch: the fetcher truncates), or is unknown
  /// (OFFSET_OUT_OF_RANGE), or the offset is below the log start (OFFSET_OUT_OF_RANGE).
  static bool diverged(const storage::partition_log& log,
                       const protocol::fetch_request::fetch_partition& p,
                       protocol::fetch_response::partition_data& pr) {
    const core::offset log_start = log.log_start_offset();
    const auto end = end_offset_for_epoch(p.last_fetched_epoch, log_start, log.log_end_offset());
    if (end.epoch == undefined_epoch || end.end_offset.value() < 0 || p.fetch_offset < log_start) {
      pr.error_code = protocol::error_code::offset_out_of_range;
      return true;
    }
    if (end.epoch < p.last_fetched_epoch || end.end_offset < p.fetch_offset) {
      pr.diverging_epoch = protocol::fetch_response::epoch_end_offset{end.epoch, end.end_offset};
      return true;
    }
    return false;
  }

  broker_context& _ctx;
  protocol::fetch_request _req;
  int16_t _version;
  responder _respond;
  clock::time_point _deadline;
  std::mutex _mutex;
  std::atomic<bool> _done{false};
  std::shared_ptr<fetch_waiters::waiter> _waiter;
};

}  // namespace

void handle_fetch(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::fetch_request>(req);
  if (!body) return respond(reply::malformed());
  // v13+ names topics by id: resolve each once; an unknown id leaves the name empty and its
  // partitions are answered UNKNOWN_TOPIC_ID.
  if (req.version >= 13) {
    for (auto& t : body->topics) {
      t.topic = ctx.logs().topic_name(t.topic_id.value).value_or(std::string());
    }
  }
  auto op = std::make_shared<fetch_operation>(ctx, std::move(*body), req.version, std::move(respond));
  op->start();
}

}  // namespace sluice::broker
