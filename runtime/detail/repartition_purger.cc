#include "runtime/detail/repartition_purger.h"

#include "core/log.h"
#include "runtime/detail/kafka.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <utility>

namespace sluice::runtime::detail {
namespace {

const core::logger log("runtime.purge");

/// How long a DeleteRecords may take before librdkafka gives up on it.
constexpr int request_timeout_ms = 30000;

}  // namespace

repartition_purger::repartition_purger(rd_kafka_s* client, std::set<std::string, std::less<>> topics,
                                       std::chrono::milliseconds interval, std::string owner)
    : _client(client),
      _queue(rd_kafka_queue_new(client)),
      _topics(std::move(topics)),
      _interval(interval),
      _owner(std::move(owner)),
      _last_send(std::chrono::steady_clock::now()) {}

std::unique_ptr<repartition_purger> repartition_purger::for_topology(rd_kafka_s* client,
                                                                     const dsl::topology& topology,
                                                                     const std::string& application_id,
                                                                     std::chrono::milliseconds interval,
                                                                     std::string owner) {
  std::set<std::string, std::less<>> topics;
  for (const auto& r : topology.repartition_topics()) {
    topics.insert(dsl::topic_ref{r.name, true}.resolve(application_id));
  }
  if (topics.empty()) return nullptr;
  return std::make_unique<repartition_purger>(client, std::move(topics), interval, std::move(owner));
}

repartition_purger::~repartition_purger() { rd_kafka_queue_destroy(_queue); }

void repartition_purger::committed(const std::vector<std::pair<core::topic_partition, int64_t>>& offsets) {
  for (const auto& [tp, offset] : offsets) {
    if (offset <= 0 || !_topics.contains(tp.topic)) continue;
    auto [it, fresh] = _pending.try_emplace(tp, offset);
    if (!fresh) it->second = std::max(it->second, offset);
  }
}

void repartition_purger::poll() {
  if (_waiting) take_answer();
  if (!_waiting && !_pending.empty() &&
      std::chrono::steady_clock::now() - _last_send >= _interval) {
    send();
  }
}

void repartition_purger::send() {
  std::vector<core::topic_partition> tps;
  for (const auto& [tp, off] : _pending) tps.push_back(tp);
  partition_list list = make_partition_list(tps);
  std::size_t i = 0;
  for (const auto& [tp, off] : _pending) list->elems[i++].offset = off;
  rd_kafka_DeleteRecords_t* request = rd_kafka_DeleteRecords_new(list.get());
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(_client, RD_KAFKA_ADMIN_OP_DELETERECORDS);
  char err[256];
  rd_kafka_AdminOptions_set_request_timeout(options, request_timeout_ms, err, sizeof err);
  rd_kafka_DeleteRecords(_client, &request, 1, options, _queue);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_DeleteRecords_destroy(request);
  _in_flight = std::exchange(_pending, {});
  _waiting = true;
  _last_send = std::chrono::steady_clock::now();
  log.debug("{}: purging {} repartition partition(s)", _owner, _in_flight.size());
}

void repartition_purger::take_answer() {
  rd_kafka_event_t* ev = rd_kafka_queue_poll(_queue, 0);
  if (ev == nullptr) return;
  _waiting = false;
  auto retry = [this](const core::topic_partition& tp, int64_t off) {
    auto [it, fresh] = _pending.try_emplace(tp, off);
    if (!fresh) it->second = std::max(it->second, off);
  };
  if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    log.warn("{}: purging repartition topics failed ({}); retrying with the next purge", _owner,
             rd_kafka_event_error_string(ev));
    for (const auto& [tp, off] : _in_flight) retry(tp, off);
  } else if (const rd_kafka_DeleteRecords_result_t* result = rd_kafka_event_DeleteRecords_result(ev)) {
    const rd_kafka_topic_partition_list_t* done = rd_kafka_DeleteRecords_result_offsets(result);
    for (int i = 0; done != nullptr && i < done->cnt; ++i) {
      const auto& e = done->elems[i];
      if (e.err == RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      core::topic_partition tp{e.topic, core::partition_id{e.partition}};
      log.warn("{}: purging {}-{} failed ({}); retrying with the next purge", _owner, e.topic,
               e.partition, rd_kafka_err2str(e.err));
      if (auto it = _in_flight.find(tp); it != _in_flight.end()) retry(tp, it->second);
    }
  }
  _in_flight.clear();
  rd_kafka_event_destroy(ev);
}

}  // namespace sluice::runtime::detail
