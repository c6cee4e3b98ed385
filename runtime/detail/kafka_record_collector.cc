#include "runtime/detail/kafka_record_collector.h"

#include "core/log.h"
#include "runtime/errors.h"

#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

#include <algorithm>

namespace sluice::runtime::detail {
namespace {

const core::logger log("runtime.producer");

struct metadata_deleter {
  void operator()(const rd_kafka_metadata_t* m) const noexcept { rd_kafka_metadata_destroy(m); }
};

struct error_deleter {
  void operator()(rd_kafka_error_t* e) const noexcept { rd_kafka_error_destroy(e); }
};
using error_ptr = std::unique_ptr<rd_kafka_error_t, error_deleter>;

struct group_metadata_deleter {
  void operator()(rd_kafka_consumer_group_metadata_t* m) const noexcept {
    rd_kafka_consumer_group_metadata_destroy(m);
  }
};

using steady = std::chrono::steady_clock;

/// Delivery errors that belong to the transaction rather than to the record: the producer was
/// fenced or lost its epoch. The transaction is aborted
/// and the work since the last commit redone; the thread does not fail.
bool transaction_delivery_error(rd_kafka_resp_err_t e) {
  switch (e) {
    case RD_KAFKA_RESP_ERR__FENCED:
    case RD_KAFKA_RESP_ERR__FATAL:
    case RD_KAFKA_RESP_ERR__STATE:
    case RD_KAFKA_RESP_ERR_PRODUCER_FENCED:
    case RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH:
    case RD_KAFKA_RESP_ERR_INVALID_TXN_STATE:
    case RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID:
    case RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER:
    case RD_KAFKA_RESP_ERR_TRANSACTION_COORDINATOR_FENCED:
      return true;
    default:
      return false;
  }
}

}  // namespace

void kafka_record_collector::configure(rd_kafka_conf_t* conf, void* /*opaque*/) {
  rd_kafka_conf_set_dr_msg_cb(conf, &kafka_record_collector::on_delivery);
}

kafka_record_collector::kafka_record_collector(
    core::properties settings, std::string name,
    std::map<std::string, int32_t, std::less<>> partition_counts,
    std::optional<std::string> transactional_id)
    : _name(std::move(name)), _partition_counts(std::move(partition_counts)) {
  settings["partitioner"] = "murmur2_random";
  if (transactional_id) {
    _transactional = true;
    settings["transactional.id"] = *transactional_id;
    // Kafka Streams' default under exactly-once: a crashed thread's open transaction blocks
    // read_committed readers of its partitions (the last stable offset) until the coordinator
    // aborts it, so keep that short.
    if (!settings.contains("transaction.timeout.ms")) settings["transaction.timeout.ms"] = "10000";
  }
  _producer = make_client(client_type::producer, settings, _name, &configure, this);
}

kafka_record_collector::~kafka_record_collector() {
  _last_topic = nullptr;
  _topics.clear();  // topic handles before the client
  _producer.reset();
}

void kafka_record_collector::on_delivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* m,
                                         void* opaque) {
  auto* self = static_cast<kafka_record_collector*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (self->_transactional && (m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE ||
                                 m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)) {
      return;  // thrown away by our own abort (or after a fatal error, which status() reports)
    }
    if (self->_transactional && transaction_delivery_error(m->err)) {
      self->fail(errc::transaction_failed,
                 fmt::format("{}: the transaction failed: a record for {}-{} was not delivered: {}",
                             self->_name, rd_kafka_topic_name(m->rkt), m->partition,
                             rd_kafka_err2str(m->err)));
      return;
    }
    self->fail(errc::produce_failed,
               fmt::format("{}: a record for {}-{} was not delivered: {}", self->_name,
                           rd_kafka_topic_name(m->rkt), m->partition, rd_kafka_err2str(m->err)));
    return;
  }
  if (auto* pos = static_cast<changelog_position*>(m->_private)) {
    pos->next = std::max(pos->next, m->offset + 1);
  }
}

rd_kafka_topic_t* kafka_record_collector::topic(std::string_view name) {
  if (_last_name != nullptr && *_last_name == name) return _last_topic;
  auto it = _topics.find(name);
  if (it == _topics.end()) {
    rd_kafka_topic_t* t = rd_kafka_topic_new(_producer.get(), std::string(name).c_str(), nullptr);
    if (t == nullptr) {
      throw streams_error(fmt::format("{}: cannot use topic '{}': {}", _name, name,
                                      rd_kafka_err2str(rd_kafka_last_error())));
    }
    it = _topics.emplace(std::string(name), topic_handle(t)).first;
  }
  _last_name = &it->first;
  _last_topic = it->second.get();
  return _last_topic;
}

void kafka_record_collector::produce(rd_kafka_topic_t* t, int32_t partition,
                                     std::optional<bytes_view> key,
                                     std::optional<bytes_view> value, core::timestamp ts,
                                     const core::headers* hdrs, void* opaque) {
  rd_kafka_headers_t* h = nullptr;
  if (hdrs != nullptr && !hdrs->empty()) {
    h = rd_kafka_headers_new(hdrs->size());
    for (const auto& header : *hdrs) {
      rd_kafka_header_add(h, header.key.data(), static_cast<ssize_t>(header.key.size()),
                          header.value ? header.value->data() : nullptr,
                          header.value ? static_cast<ssize_t>(header.value->size()) : 0);
    }
  }
  const void* kp = key ? static_cast<const void*>(key->data()) : nullptr;
  const void* vp = value ? static_cast<const void*>(value->data()) : nullptr;
  const std::size_t klen = key ? key->size() : 0;
  const std::size_t vlen = value ? value->size() : 0;
  if (_transactional && !_in_transaction) begin_transaction();
  for (;;) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        _producer.get(), RD_KAFKA_V_RKT(t), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(kp, klen),
        RD_KAFKA_V_VALUE(const_cast<void*>(vp), vlen),
        RD_KAFKA_V_TIMESTAMP(core::to_epoch_ms(ts)), RD_KAFKA_V_HEADERS(h),
        RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;  // the headers now belong to the message
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(_producer.get(), 10);  // back-pressure: wait for deliveries
      continue;
    }
    if (h != nullptr) rd_kafka_headers_destroy(h);
    std::string what = fmt::format("{}: cannot produce to {}-{}: {}", _name, rd_kafka_topic_name(t),
                                   partition, rd_kafka_err2str(err));
    if (_transactional && (err == RD_KAFKA_RESP_ERR__STATE || err == RD_KAFKA_RESP_ERR__FENCED ||
                           err == RD_KAFKA_RESP_ERR__FATAL)) {
      throw transaction_error(what, fatal());
    }
    fail(errc::produce_failed, what);
    throw streams_error(what);
  }
}

void kafka_record_collector::send(dsl::sink_record&& r) {
  std::optional<bytes_view> key, value;
  if (r.key) key = bytes_view(*r.key);
  if (r.value) value = bytes_view(*r.value);
  produce(topic(r.topic), r.partition ? r.partition->value() : RD_KAFKA_PARTITION_UA, key, value,
          r.ts, &r.hdrs, nullptr);
}

std::optional<int32_t> kafka_record_collector::partition_count(std::string_view name) {
  if (auto it = _partition_counts.find(name); it != _partition_counts.end()) return it->second;
  const rd_kafka_metadata_t* raw = nullptr;
  if (rd_kafka_metadata(_producer.get(), 0, topic(name), &raw, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  std::unique_ptr<const rd_kafka_metadata_t, metadata_deleter> md(raw);
  if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
      md->topics[0].partition_cnt <= 0) {
    return std::nullopt;
  }
  const int32_t n = md->topics[0].partition_cnt;
  _partition_counts.emplace(std::string(name), n);
  return n;
}

kafka_record_collector::changelog_position& kafka_record_collector::position(
    const core::topic_partition& changelog) {
  return _positions[changelog];
}

void kafka_record_collector::send_changelog(const core::topic_partition& changelog,
                                            changelog_position& pos, bytes_view key,
                                            std::optional<bytes_view> value, core::timestamp ts) {
  produce(topic(changelog.topic), changelog.partition.value(), key, value, ts, nullptr, &pos);
}

void kafka_record_collector::send_record(std::string_view name, const core::raw_record& r) {
  std::optional<bytes_view> key, value;
  if (r.key) key = bytes_view(*r.key);
  if (r.value) value = bytes_view(*r.value);
  produce(topic(name), RD_KAFKA_PARTITION_UA, key, value, r.ts, &r.hdrs, nullptr);
}

void kafka_record_collector::poll() { rd_kafka_poll(_producer.get(), 0); }

int64_t kafka_record_collector::in_flight() const { return rd_kafka_outq_len(_producer.get()); }

std::optional<std::string> kafka_record_collector::fatal_reason() const {
  char reason[512];
  if (rd_kafka_fatal_error(_producer.get(), reason, sizeof reason) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  return std::string(reason);
}

void kafka_record_collector::fail(errc code, std::string message) {
  // A failure of the thread outranks a transaction to redo; the first of each kind is kept.
  if (_status.code == errc::produce_failed || _status.code == code) return;
  if (code == errc::produce_failed) {
    log.error("{}", message);
  } else {
    log.warn("{}", message);
  }
  _status = {make_error_code(code), std::move(message)};
}

collector_status kafka_record_collector::status() const {
  if (_status.code == errc::produce_failed) return _status;
  if (_transactional) {
    if (auto reason = fatal_reason()) {
      return {make_error_code(errc::producer_fenced),
              fmt::format("{}: the producer cannot go on: {}", _name, *reason)};
    }
  }
  return _status;
}

void kafka_record_collector::check() const {
  const collector_status s = status();
  if (s) return;
  if (s.code == errc::produce_failed) throw streams_error(s.message);
  throw transaction_error(s.message, s.code == errc::producer_fenced);
}

void kafka_record_collector::init_transactions(std::chrono::milliseconds timeout) {
  const auto deadline = steady::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    error_ptr e(rd_kafka_init_transactions(_producer.get(), timeout_ms(std::max(left, std::chrono::milliseconds(1000)))));
    if (!e) return;
    if (rd_kafka_error_is_retriable(e.get()) && steady::now() < deadline) {
      log.info("{}: initializing transactions: {}; retrying", _name, rd_kafka_error_string(e.get()));
      continue;
    }
    throw streams_error(fmt::format("{}: cannot initialize transactions (processing.guarantee="
                                    "exactly_once_v2 needs a cluster with transactions): {}",
                                    _name, rd_kafka_error_string(e.get())));
  }
}

void kafka_record_collector::begin_transaction() {
  error_ptr e(rd_kafka_begin_transaction(_producer.get()));
  if (e) {
    throw transaction_error(fmt::format("{}: cannot begin a transaction: {}", _name,
                                        rd_kafka_error_string(e.get())),
                            rd_kafka_error_is_fatal(e.get()) != 0 || fatal());
  }
  _in_transaction = true;
  if (_status.code == errc::transaction_failed) _status = {};
}

void kafka_record_collector::commit_transaction(rd_kafka_topic_partition_list_t* offsets,
                                                const group_metadata& membership,
                                                std::chrono::milliseconds timeout) {
  const bool has_offsets = offsets != nullptr && offsets->cnt > 0;
  if (!_in_transaction && !has_offsets) return;
  if (!_in_transaction) begin_transaction();
  const auto deadline = steady::now() + timeout;
  auto left = [&] {
    return timeout_ms(std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now()),
                               std::chrono::milliseconds(1000)));
  };
  // Classifies a failed step: retry it, or abort (throwing transaction_error either way).
  auto fail = [&](rd_kafka_error_t* e, const char* step) {
    const bool is_fatal = rd_kafka_error_is_fatal(e) != 0 || fatal();
    std::string what = fmt::format("{}: {} failed: {}", _name, step, rd_kafka_error_string(e));
    if (!is_fatal) {
      // Abortable, or retriable past the deadline, or unclassified: abort and redo the work.
      try {
        abort_transaction(timeout);
      } catch (const transaction_error& abort_failed) {
        throw transaction_error(what + "; then " + abort_failed.what(), true);
      }
    }
    throw transaction_error(what, is_fatal);
  };
  if (_status.code == errc::transaction_failed) {
    // A record of this transaction was fenced or purged: it cannot commit.
    const std::string what = _status.message;
    const bool is_fatal = fatal();
    if (!is_fatal) abort_transaction(timeout);
    throw transaction_error(what, is_fatal);
  }
  if (has_offsets) {
    std::unique_ptr<rd_kafka_consumer_group_metadata_t, group_metadata_deleter> group(
        rd_kafka_consumer_group_metadata_new_with_genid(
            membership.group_id.c_str(), membership.generation, membership.member_id.c_str(),
            membership.group_instance_id ? membership.group_instance_id->c_str() : nullptr));
    for (;;) {
      error_ptr e(rd_kafka_send_offsets_to_transaction(_producer.get(), offsets, group.get(), left()));
      if (!e) break;
      if (rd_kafka_error_is_retriable(e.get()) && !rd_kafka_error_txn_requires_abort(e.get()) &&
          steady::now() < deadline) {
        continue;  // same offsets, same group metadata (as librdkafka recommends)
      }
      fail(e.get(), "sending the consumed offsets into the transaction");
    }
  }
  for (;;) {
    error_ptr e(rd_kafka_commit_transaction(_producer.get(), left()));
    if (!e) break;
    if (rd_kafka_error_is_retriable(e.get()) && !rd_kafka_error_txn_requires_abort(e.get()) &&
        steady::now() < deadline) {
      continue;  // resumable
    }
    fail(e.get(), "committing the transaction");
  }
  _in_transaction = false;
  rd_kafka_poll(_producer.get(), 0);
}

void kafka_record_collector::abort_transaction(std::chrono::milliseconds timeout) {
  if (!_in_transaction) return;
  const auto deadline = steady::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    error_ptr e(rd_kafka_abort_transaction(_producer.get(), timeout_ms(std::max(left, std::chrono::milliseconds(1000)))));
    if (!e) break;
    if (rd_kafka_error_is_retriable(e.get()) && !rd_kafka_error_is_fatal(e.get()) &&
        steady::now() < deadline) {
      continue;
    }
    throw transaction_error(fmt::format("{}: aborting the transaction failed: {}", _name,
                                        rd_kafka_error_string(e.get())),
                            true);
  }
  _in_transaction = false;
  rd_kafka_poll(_producer.get(), 0);  // the purged records' reports
  if (_status.code == errc::transaction_failed) _status = {};
  log.info("{}: transaction aborted", _name);
}

void kafka_record_collector::finish(std::chrono::milliseconds timeout) noexcept {
  try {
    if (_transactional) {
      if (!fatal()) abort_transaction(timeout);
      return;
    }
    const auto flushed = flush([deadline = steady::now() + timeout] { return steady::now() < deadline; });
    if (!flushed) {
      const auto s = status();
      log.error("{}: output not delivered at shutdown ({} record(s) still in flight): {}", _name, in_flight(),
                s ? flushed.error().message() : s.message);
    }
  } catch (const std::exception& e) {
    log.warn("{}: {}", _name, e.what());
  }
}

result<void> kafka_record_collector::flush(const std::function<bool()>& keep_waiting) {
  while (rd_kafka_outq_len(_producer.get()) > 0 && !_status.code) {
    rd_kafka_flush(_producer.get(), 100);
    if (keep_waiting && !keep_waiting()) break;
  }
  rd_kafka_poll(_producer.get(), 0);
  if (auto s = status(); !s) return core::failure(s.code);
  if (rd_kafka_outq_len(_producer.get()) > 0) return core::failure(make_error_code(errc::produce_failed));
  return core::success();
}

}  // namespace sluice::runtime::detail
