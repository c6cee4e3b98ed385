#pragma once
// librdkafka helpers shared by the end-to-end harnesses: a client from key/value settings
// (exits with the key's error on a bad setting), producing with back-pressure, and topic
// creation through the admin API.

#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::bench {

inline rd_kafka_t* make_client(rd_kafka_type_t type, const std::string& bootstrap,
                               const std::vector<std::pair<std::string, std::string>>& extra) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& k, const std::string& v) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "config %s: %s\n", k.c_str(), err);
      std::exit(1);
    }
  };
  set("bootstrap.servers", bootstrap);
  for (const auto& [k, v] : extra) set(k, v);
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) {
    std::fprintf(stderr, "rd_kafka_new: %s\n", err);
    std::exit(1);
  }
  return rk;
}

/// Produces one record (copied) to `topic`, waiting while librdkafka's queue is full; exits on
/// any other error. A default-constructed `key` is a null key; `timestamp` 0 is "now". Returns
/// how many times it found the queue full.
inline int produce(rd_kafka_t* rk, const std::string& topic, std::string_view key,
                   std::string_view value, int32_t partition = RD_KAFKA_PARTITION_UA,
                   int64_t timestamp = 0) {
  for (int full = 0;; ++full) {
    const rd_kafka_resp_err_t err = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_TIMESTAMP(timestamp), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return full;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      std::fprintf(stderr, "produce to %s: %s\n", topic.c_str(), rd_kafka_err2str(err));
      std::exit(1);
    }
    rd_kafka_poll(rk, 1);
  }
}

/// Creates `topic` (replication factor 1) and waits up to 30 s for the answer.
inline void create_topic(const std::string& bootstrap, const std::string& topic, int partitions) {
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, bootstrap, {});
  char err[256];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err, sizeof err);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  if (ev) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  rd_kafka_destroy(rk);
}

}  // namespace sluice::bench
