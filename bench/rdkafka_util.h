#pragma once
// librdkafka helpers shared by the end-to-end harnesses, on top of the project's one librdkafka
// wrapper (runtime/kafka/client.h): a client from key/value settings (exits with the key's
// error on a bad setting), producing with back-pressure, and topic creation through the admin
// API.

#include "runtime/kafka/client.h"

#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::bench {

/// A client through the project's one librdkafka wrapper (runtime/kafka/client.h), as a raw
/// handle the harness destroys; exits with the wrapper's message (naming a rejected key) on
/// failure. librdkafka's logs go to the `runtime.librdkafka` logger.
inline rd_kafka_t* make_client(rd_kafka_type_t type, const std::string& bootstrap,
                               const std::vector<std::pair<std::string, std::string>>& extra) {
  core::properties settings{{"bootstrap.servers", bootstrap}};
  for (const auto& [k, v] : extra) settings[k] = v;
  try {
    return kafka::make_client(type == RD_KAFKA_CONSUMER ? kafka::client_type::consumer : kafka::client_type::producer,
                              settings, {.what = "bench client"})
        .release();
  } catch (const kafka::client_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    std::exit(1);
  }
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

/// Creates `topic` (replication factor 1) and waits up to 30 s for the answer (an existing
/// topic is fine: the harnesses reuse names across scenarios only after deleting the data).
inline void create_topic(const std::string& bootstrap, const std::string& topic, int partitions) {
  kafka::client rk(make_client(RD_KAFKA_PRODUCER, bootstrap, {}));
  char err[256];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(topic.c_str(), partitions, 1, err, sizeof err);
  try {
    (void)kafka::admin_call(rk.get(), "create topic " + topic, std::chrono::seconds(25),
                            [&](rd_kafka_queue_t* q) { rd_kafka_CreateTopics(rk.get(), &nt, 1, nullptr, q); });
  } catch (const kafka::client_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
  }
  rd_kafka_NewTopic_destroy(nt);
}

}  // namespace sluice::bench
