#include "runtime/clients.h"

#include "runtime/detail/kafka.h"
#include "runtime/detail/kafka_record_collector.h"
#include "runtime/detail/topic_manager.h"
#include "runtime/errors.h"
#include "runtime/streams_config.h"

#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

#include <set>

namespace sluice::runtime {
namespace {

using steady = std::chrono::steady_clock;

/// A configuration good enough for the topic manager: only the client settings matter.
streams_config tool_config(const std::string& bootstrap) {
  streams_config c;
  c.application_id = "sluice-tool";
  c.client_id = "sluice-tool";
  c.bootstrap_servers = bootstrap;
  return c;
}

}  // namespace

std::optional<int32_t> topic_partitions(const std::string& bootstrap, const std::string& topic) {
  const streams_config c = tool_config(bootstrap);
  return detail::topic_manager(c).partitions_of(topic);
}

int32_t ensure_topic(const std::string& bootstrap, const std::string& topic, int32_t partitions,
                     const core::properties& configs) {
  const streams_config c = tool_config(bootstrap);
  detail::topic_manager topics(c);
  if (auto n = topics.partitions_of(topic)) return *n;
  topics.create_topic(topic, partitions,
                      std::map<std::string, std::string>(configs.begin(), configs.end()), "topic");
  return partitions;
}

struct simple_producer::impl {
  detail::kafka_record_collector collector;
  impl(core::properties settings) : collector(std::move(settings), "producer", {}) {}
};

simple_producer::simple_producer(const std::string& bootstrap, const core::properties& extra) {
  core::properties settings = extra;
  settings["bootstrap.servers"] = bootstrap;
  _impl = std::make_unique<impl>(std::move(settings));
}

simple_producer::~simple_producer() = default;

void simple_producer::send(std::string_view topic, std::optional<bytes_view> key,
                           std::optional<bytes_view> value, core::timestamp ts) {
  core::raw_record r;
  if (key) r.key.emplace(key->begin(), key->end());
  if (value) r.value.emplace(value->begin(), value->end());
  r.ts = ts;
  _impl->collector.send_record(topic, r);
  _impl->collector.poll();
  _impl->collector.check();
}

void simple_producer::flush() {
  if (!_impl->collector.flush([] { return true; })) {
    _impl->collector.check();
    throw streams_error("flushing the producer failed");
  }
}

bool read_topic(const std::string& bootstrap, const std::string& topic,
                const std::function<void(read_record&&)>& on_record, const read_options& options) {
  const auto partitions = topic_partitions(bootstrap, topic);
  if (!partitions) throw streams_error(fmt::format("topic '{}' does not exist", topic));
  core::properties settings{{"bootstrap.servers", bootstrap},
                            {"group.id", "sluice-reader"},  // never joined: assign() only
                            {"enable.auto.commit", "false"},
                            {"enable.partition.eof", "true"},
                            {"isolation.level", "read_committed"},
                            {"fetch.wait.max.ms", "100"}};
  detail::kafka_client consumer = detail::make_client(detail::client_type::consumer, settings, "reader");
  std::vector<core::topic_partition> tps;
  for (int32_t p = 0; p < *partitions; ++p) tps.push_back({topic, core::partition_id{p}});
  detail::partition_list list = detail::make_partition_list(tps);
  for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_assign(consumer.get(), list.get());

  std::set<int32_t> at_end;
  const auto deadline = steady::now() + options.timeout;
  auto last_record = steady::now();
  while (steady::now() < deadline) {
    const kafka::message owned = kafka::poll(consumer.get(), 50);
    rd_kafka_message_t* m = owned.get();
    if (m == nullptr) {
      if (static_cast<int32_t>(at_end.size()) == *partitions && steady::now() - last_record >= options.idle) break;
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(m->partition);
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    at_end.erase(m->partition);
    last_record = steady::now();
    read_record r;
    r.partition = core::partition_id{m->partition};
    r.off = core::offset{m->offset};
    if (m->key != nullptr) {
      const auto* k = static_cast<const std::byte*>(m->key);
      r.rec.key.emplace(k, k + m->key_len);
    }
    if (m->payload != nullptr) {
      const auto* v = static_cast<const std::byte*>(m->payload);
      r.rec.value.emplace(v, v + m->len);
    }
    rd_kafka_timestamp_type_t type;
    r.rec.ts = core::from_epoch_ms(rd_kafka_message_timestamp(m, &type));
    on_record(std::move(r));
    if (options.done && options.done()) return true;
  }
  return false;
}

}  // namespace sluice::runtime
