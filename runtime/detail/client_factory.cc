#include "runtime/detail/client_factory.h"

#include "core/log.h"
#include "runtime/errors.h"

#include <librdkafka/rdkafka.h>

#include <fmt/format.h>

namespace sluice::runtime::detail {
namespace {

const core::logger log("runtime.thread");

void prefetch(core::properties& p) {
  if (!p.contains("queued.min.messages")) p["queued.min.messages"] = "1000000";
  if (!p.contains("queued.max.messages.kbytes")) p["queued.max.messages.kbytes"] = "262144";
}

}  // namespace

client_factory::client_factory(const streams_config& config, const topic_layout& layout,
                               const std::string& process_id, int thread_index, std::string thread_name)
    : _config(config),
      _layout(layout),
      _thread(std::move(thread_name)),
      _client(config.client_id + "-" + _thread) {
  if (config.guarantee == processing_guarantee::exactly_once_v2) {
    _transactional_id = fmt::format("{}-{}-{}", config.application_id, process_id, thread_index);
  }
}

std::unique_ptr<kafka_record_collector> client_factory::producer(std::chrono::milliseconds init_timeout) const {
  core::properties settings = _config.producer;
  settings["bootstrap.servers"] = _config.bootstrap_servers;
  settings["client.id"] = _client + "-producer";
  auto collector = std::make_unique<kafka_record_collector>(
      settings, _thread + " producer",
      std::map<std::string, int32_t, std::less<>>(_layout.partitions.begin(), _layout.partitions.end()),
      _transactional_id);
  if (_transactional_id) {
    collector->init_transactions(init_timeout);
    log.info("{}: exactly-once, transactional.id '{}'", _thread, *_transactional_id);
  }
  return collector;
}

core::properties client_factory::restore_consumer() const {
  core::properties settings = _config.consumer;
  prefetch(settings);
  settings["bootstrap.servers"] = _config.bootstrap_servers;
  settings["client.id"] = _client + "-restore-consumer";
  settings["group.id"] = _config.application_id + "-restore";  // never joined: assign() only
  return settings;
}

kafka_client client_factory::consumer() const {
  core::properties settings = _config.consumer;
  prefetch(settings);
  settings["bootstrap.servers"] = _config.bootstrap_servers;
  settings["client.id"] = _client + "-consumer";
  // Never joins the group (the instance's streams_membership does): the thread assigns its
  // tasks' partitions itself. The group id is for reading the committed offsets.
  settings["group.id"] = _config.application_id;
  settings["enable.auto.commit"] = "false";
  settings["enable.auto.offset.store"] = "false";
  settings["isolation.level"] = "read_committed";
  if (!settings.contains("auto.offset.reset")) settings["auto.offset.reset"] = "earliest";
  return make_client(client_type::consumer, settings, _thread + " consumer");
}

}  // namespace sluice::runtime::detail
