#include "runtime/detail/kafka.h"

#include "core/log.h"
#include "runtime/errors.h"

#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

namespace sluice::runtime::detail {
namespace {

const core::logger& rdkafka_log() {
  static const core::logger log("runtime.librdkafka");
  return log;
}

/// librdkafka's log lines (syslog levels) as core log lines.
void log_callback(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  const core::log_level l = level <= 3   ? core::log_level::error
                            : level == 4 ? core::log_level::warn
                            : level <= 6 ? core::log_level::info
                                         : core::log_level::debug;
  rdkafka_log().log(l, "{} {}: {}", rd_kafka_name(rk), facility, message);
}

}  // namespace

void kafka_client_deleter::operator()(rd_kafka_t* rk) const noexcept {
  if (rk == nullptr) return;
  if (rd_kafka_type(rk) == RD_KAFKA_CONSUMER) rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
}

void partition_list_deleter::operator()(rd_kafka_topic_partition_list_t* l) const noexcept {
  if (l != nullptr) rd_kafka_topic_partition_list_destroy(l);
}

void topic_handle_deleter::operator()(rd_kafka_topic_t* t) const noexcept {
  if (t != nullptr) rd_kafka_topic_destroy(t);
}

kafka_client make_client(client_type type, const core::properties& settings, std::string_view what,
                         conf_hook hook, void* opaque) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw streams_error(fmt::format("{}: librdkafka rejects setting '{}'='{}': {}", what, key,
                                      value, err));
    }
  }
  rd_kafka_conf_set_log_cb(conf, &log_callback);
  if (opaque != nullptr) rd_kafka_conf_set_opaque(conf, opaque);
  if (hook != nullptr) hook(conf, opaque);
  rd_kafka_t* rk = rd_kafka_new(type == client_type::consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER,
                                conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);  // not taken over on failure
    throw streams_error(fmt::format("{}: cannot create the librdkafka client: {}", what, err));
  }
  if (type == client_type::consumer) rd_kafka_poll_set_consumer(rk);
  return kafka_client(rk);
}

std::string error_string(int err) { return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err)); }

partition_list make_partition_list(const std::vector<core::topic_partition>& partitions) {
  partition_list l(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(l.get(), tp.topic.c_str(), tp.partition.value());
  }
  return l;
}

}  // namespace sluice::runtime::detail
