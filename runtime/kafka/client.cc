#include "runtime/kafka/client.h"

#include "core/log.h"

#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

namespace sluice::kafka {
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

void drop_log(const rd_kafka_t*, int, const char*, const char*) {}

}  // namespace

void client_deleter::operator()(rd_kafka_t* rk) const noexcept {
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

void event_deleter::operator()(rd_kafka_event_t* e) const noexcept {
  if (e != nullptr) rd_kafka_event_destroy(e);
}

void message_deleter::operator()(rd_kafka_message_t* m) const noexcept {
  if (m != nullptr) rd_kafka_message_destroy(m);
}

message poll(rd_kafka_t* consumer, int timeout_ms) {
  return message(rd_kafka_consumer_poll(consumer, timeout_ms));
}

client make_client(client_type type, const core::properties& settings, const client_options& options) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [key, value] : settings) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      throw client_error(fmt::format("{}: librdkafka rejects setting '{}'='{}': {}", options.what, key,
                                     value, err));
    }
  }
  rd_kafka_conf_set_log_cb(conf, options.log ? &log_callback : &drop_log);
  if (options.opaque != nullptr) rd_kafka_conf_set_opaque(conf, options.opaque);
  if (options.hook != nullptr) options.hook(conf, options.opaque);
  rd_kafka_t* rk = rd_kafka_new(type == client_type::consumer ? RD_KAFKA_CONSUMER : RD_KAFKA_PRODUCER,
                                conf, err, sizeof err);
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);  // not taken over on failure
    throw client_error(fmt::format("{}: cannot create the librdkafka client: {}", options.what, err));
  }
  if (type == client_type::consumer) rd_kafka_poll_set_consumer(rk);
  return client(rk);
}

event admin_call(rd_kafka_t* rk, std::string_view what, std::chrono::milliseconds timeout,
                 const std::function<void(rd_kafka_queue_t*)>& submit) {
  std::unique_ptr<rd_kafka_queue_t, decltype(&rd_kafka_queue_destroy)> queue(rd_kafka_queue_new(rk),
                                                                              &rd_kafka_queue_destroy);
  submit(queue.get());
  event ev(rd_kafka_queue_poll(queue.get(), timeout_ms(timeout + std::chrono::seconds(5))));
  if (!ev) throw client_error(fmt::format("{}: timed out", what));
  if (rd_kafka_event_error(ev.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw client_error(fmt::format("{}: {}", what, rd_kafka_event_error_string(ev.get())));
  }
  return ev;
}

std::shared_ptr<const rd_kafka_metadata_t> fetch_metadata(rd_kafka_t* rk, std::string_view bootstrap,
                                                          std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms(timeout));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    throw client_error(fmt::format("cannot reach broker at {}: {}", bootstrap, rd_kafka_err2str(err)));
  }
  return std::shared_ptr<const rd_kafka_metadata_t>(md, [](const rd_kafka_metadata_t* m) {
    rd_kafka_metadata_destroy(m);
  });
}

std::string error_string(int err) { return rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err)); }

partition_list make_partition_list(const std::vector<core::topic_partition>& partitions) {
  partition_list l(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
  for (const auto& tp : partitions) {
    rd_kafka_topic_partition_list_add(l.get(), tp.topic.c_str(), tp.partition.value());
  }
  return l;
}

}  // namespace sluice::kafka
