#include "runtime/detail/kafka.h"

#include "core/log.h"
#include "runtime/errors.h"

#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

namespace sluice::runtime::detail {
namespace {

const core::logger log("runtime.thread");

}  // namespace

kafka_client make_client(client_type type, const core::properties& settings, std::string_view what,
                         conf_hook hook, void* opaque) {
  try {
    return kafka::make_client(type, settings, {.what = what, .log = true, .hook = hook, .opaque = opaque});
  } catch (const kafka::client_error& e) {
    throw streams_error(e.what());
  }
}

bool retriable_commit_error(int rd_kafka_resp_err) {
  switch (static_cast<rd_kafka_resp_err_t>(rd_kafka_resp_err)) {
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR__ASSIGNMENT_LOST:
    case RD_KAFKA_RESP_ERR__STATE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__WAIT_COORD:
      return true;
    default:
      return false;
  }
}

core::raw_record to_record(const rd_kafka_message_t* m) {
  core::raw_record r;
  if (m->key != nullptr) {
    const auto* k = static_cast<const std::byte*>(m->key);
    r.key.emplace(k, k + m->key_len);
  }
  if (m->payload != nullptr) {
    const auto* v = static_cast<const std::byte*>(m->payload);
    r.value.emplace(v, v + m->len);
  }
  rd_kafka_timestamp_type_t type;
  r.ts = core::from_epoch_ms(rd_kafka_message_timestamp(m, &type));
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != nullptr) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      std::optional<bytes> v;
      if (value != nullptr) {
        const auto* b = static_cast<const std::byte*>(value);
        v.emplace(b, b + size);
      }
      r.hdrs.add(name, std::move(v));
    }
  }
  return r;
}

bool pause_partition(rd_kafka_t* consumer, const core::topic_partition& tp, bool paused, std::string_view owner) {
  partition_list l = make_partition_list({tp});
  const rd_kafka_resp_err_t err = paused ? rd_kafka_pause_partitions(consumer, l.get())
                                         : rd_kafka_resume_partitions(consumer, l.get());
  if (err) {
    log.warn("{}: cannot {} {}-{}: {}", owner, paused ? "pause" : "resume", tp.topic, tp.partition.value(),
             rd_kafka_err2str(err));
    return false;
  }
  return true;
}

std::optional<int64_t> cached_end_offset(rd_kafka_t* consumer, const core::topic_partition& tp) {
  int64_t low = 0;
  int64_t high = 0;
  if (consumer == nullptr ||
      rd_kafka_get_watermark_offsets(consumer, tp.topic.c_str(), tp.partition.value(), &low, &high) !=
          RD_KAFKA_RESP_ERR_NO_ERROR) {
    return std::nullopt;
  }
  return high;
}

partition_list make_offset_list(const std::vector<std::pair<core::topic_partition, int64_t>>& offsets) {
  partition_list list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())));
  for (const auto& [tp, off] : offsets) {
    rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition.value())->offset = off;
  }
  return list;
}

bool commit_offsets(rd_kafka_t* consumer, rd_kafka_topic_partition_list_t* offsets, std::string_view owner) {
  rd_kafka_resp_err_t err = rd_kafka_commit(consumer, offsets, 0);
  for (int i = 0; err == RD_KAFKA_RESP_ERR_NO_ERROR && i < offsets->cnt; ++i) err = offsets->elems[i].err;
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return true;
  if (!retriable_commit_error(err)) {
    throw streams_error(fmt::format("{}: committing offsets failed: {}", owner, rd_kafka_err2str(err)));
  }
  log.warn("{}: offsets not committed ({}); they will be committed later or reprocessed", owner,
           rd_kafka_err2str(err));
  return false;
}

}  // namespace sluice::runtime::detail
