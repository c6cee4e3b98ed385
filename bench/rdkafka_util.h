#pragma once
// librdkafka helpers shared by the end-to-end harnesses: a client from key/value settings
// (exits with the key's error on a bad setting) and topic creation through the admin API.

#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <cstdlib>
#include <string>
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
