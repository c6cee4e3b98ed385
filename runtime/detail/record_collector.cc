#include "runtime/detail/record_collector.h"

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

}  // namespace

void kafka_record_collector::configure(rd_kafka_conf_t* conf, void* /*opaque*/) {
  rd_kafka_conf_set_dr_msg_cb(conf, &kafka_record_collector::on_delivery);
}

kafka_record_collector::kafka_record_collector(
    core::properties settings, std::string name,
    std::map<std::string, int32_t, std::less<>> partition_counts)
    : _name(std::move(name)), _partition_counts(std::move(partition_counts)) {
  settings["partitioner"] = "murmur2_random";
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
    if (!self->_failure) {
      self->_failure = fmt::format("{}: a record for {}-{} was not delivered: {}", self->_name,
                                   rd_kafka_topic_name(m->rkt), m->partition,
                                   rd_kafka_err2str(m->err));
      log.error("{}", *self->_failure);
    }
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
    if (!_failure) _failure = what;
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

void kafka_record_collector::send_record(std::string_view name, const core::record& r) {
  std::optional<bytes_view> key, value;
  if (r.key) key = bytes_view(*r.key);
  if (r.value) value = bytes_view(*r.value);
  produce(topic(name), RD_KAFKA_PARTITION_UA, key, value, r.ts, &r.hdrs, nullptr);
}

void kafka_record_collector::poll() { rd_kafka_poll(_producer.get(), 0); }

int64_t kafka_record_collector::in_flight() const { return rd_kafka_outq_len(_producer.get()); }

result<void> kafka_record_collector::flush(const std::function<bool()>& keep_waiting) {
  while (rd_kafka_outq_len(_producer.get()) > 0 && !_failure) {
    rd_kafka_flush(_producer.get(), 100);
    if (keep_waiting && !keep_waiting()) break;
  }
  rd_kafka_poll(_producer.get(), 0);
  if (_failure) return core::failure(make_error_code(errc::produce_failed));
  if (rd_kafka_outq_len(_producer.get()) > 0) return core::failure(make_error_code(errc::produce_failed));
  return core::success();
}

}  // namespace sluice::runtime::detail
