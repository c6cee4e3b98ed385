#include "broker/broker_context.h"
#include "broker/config_manager.h"
#include "broker/handlers/handlers.h"
#include "core/protocol/create_topics.h"
#include "broker/storage/errc.h"
#include "broker/storage/topic_config.h"

#include <set>

namespace sluice::broker {

void handle_create_topics(broker_context& ctx, const request& req, responder respond) {
  auto body = decode_body<protocol::create_topics_request>(req);
  if (!body) return respond(reply::malformed());
  protocol::create_topics_response resp;
  std::set<std::string> seen;
  for (const auto& t : body->topics) {
    auto& tr = resp.topics.emplace_back();
    tr.name = t.name;
    auto fail = [&](protocol::error_code code, std::string message) {
      tr.error_code = code;
      tr.error_message = std::move(message);
    };
    if (!seen.insert(t.name).second) {
      fail(protocol::error_code::invalid_request, "topic '" + t.name + "' appears twice in the request");
      continue;
    }
    if (!storage::valid_topic_name(t.name) || t.name.starts_with("__")) {
      fail(protocol::error_code::invalid_topic_exception,
           "invalid topic name '" + t.name + "': use 1-249 characters of [a-zA-Z0-9._-], not starting with __");
      continue;
    }
    if (t.replication_factor != -1 && t.replication_factor != 1) {
      fail(protocol::error_code::invalid_replication_factor,
           "replication factor " + std::to_string(t.replication_factor) +
               " is impossible on a single broker: use 1 or -1");
      continue;
    }
    int32_t partitions = t.num_partitions;
    if (!t.assignments.empty()) {
      if (partitions != -1) {
        fail(protocol::error_code::invalid_request,
             "num_partitions must be -1 when replica assignments are given");
        continue;
      }
      partitions = static_cast<int32_t>(t.assignments.size());
      bool bad = false;
      for (const auto& a : t.assignments) {
        for (auto id : a.broker_ids) bad = bad || id.value() != ctx.settings().node_id;
        bad = bad || a.partition_index.value() < 0 || a.partition_index.value() >= partitions;
      }
      if (bad) {
        fail(protocol::error_code::invalid_replica_assignment,
             "replica assignments may only name this broker (node " +
                 std::to_string(ctx.settings().node_id) + ") and partitions 0.." +
                 std::to_string(partitions - 1));
        continue;
      }
    }
    if (partitions == -1) partitions = ctx.settings().num_partitions;
    if (partitions <= 0) {
      fail(protocol::error_code::invalid_partitions, "number of partitions must be positive");
      continue;
    }
    storage::topic_overrides overrides;
    std::optional<std::string> config_error;
    for (const auto& c : t.configs) {
      if (!c.value) continue;  // null = use the default
      if (auto err = storage::validate_topic_config(c.name, *c.value)) {
        config_error = err;
        break;
      }
      overrides[c.name] = storage::canonical_topic_config(c.name, *c.value);
    }
    if (!config_error) {
      // Kafka's checks across keys (min.compaction.lag.ms <= max.compaction.lag.ms).
      config_error = storage::validate_topic_overrides(overrides, ctx.logs().defaults());
    }
    if (config_error) {
      fail(protocol::error_code::invalid_config, *config_error);
      continue;
    }
    if (ctx.logs().topic(t.name)) {
      fail(protocol::error_code::topic_already_exists, "topic '" + t.name + "' already exists");
      continue;
    }
    protocol::uuid topic_id;  // validate_only: none, as Kafka (ZooKeeper mode) answers
    if (!body->validate_only) {
      auto created = ctx.logs().create_topic(t.name, partitions, overrides);
      if (!created) {
        fail(to_kafka_error(created.error()), created.error().message());
        continue;
      }
      topic_id.value = created.value().id;
    }
    // v5+: what the topic is (or would be) created with, as Kafka reports it to clients that
    // may describe the topic's configs (with no authorizer: every client).
    tr.topic_id = topic_id;
    tr.num_partitions = partitions;
    tr.replication_factor = 1;
    if (req.version < 5) continue;
    std::vector<config_description> effective;
    ctx.configs().describe_new_topic(overrides, effective);
    auto& configs = tr.configs.emplace();
    for (auto& d : effective) {
      configs.push_back(
          {std::move(d.name),
           d.sensitive ? std::nullopt : std::optional<std::string>(std::move(d.value)), d.read_only,
           static_cast<int8_t>(to_config_source(d.origin)), d.sensitive});
    }
  }
  respond(encode_body(resp, req.version));
}

}  // namespace sluice::broker
