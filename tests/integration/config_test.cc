// DescribeConfigs and AlterConfigs through librdkafka's admin API: topic and broker resources,
// sources and synonyms, AlterConfigs' replace-all semantics, validation, live effect and
// persistence across restarts.

#include "tests/integration/broker_fixture.h"

#include "broker/broker_config.h"
#include "core/protocol/alter_configs.h"
#include "core/protocol/describe_configs.h"
#include "core/protocol/records.h"
#include "core/protocol/request_header.h"
#include "broker/storage/log_manager.h"

#include <librdkafka/rdkafka.h>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::testing {
namespace {

struct entry {
  std::string value;
  rd_kafka_ConfigSource_t source = RD_KAFKA_CONFIG_SOURCE_UNKNOWN_CONFIG;
  bool read_only = false;
  bool is_default = false;
  bool sensitive = false;
  std::vector<std::pair<std::string, rd_kafka_ConfigSource_t>> synonyms;  ///< name, source
};

struct described {
  rd_kafka_resp_err_t error = RD_KAFKA_RESP_ERR_NO_ERROR;
  std::string message;
  std::map<std::string, entry> configs;
};

class configs : public broker_test {
 protected:
  rd_kafka_event_t* call(RdKafka::Producer& p,
                         const std::function<void(rd_kafka_t*, rd_kafka_queue_t*)>& fn) {
    rd_kafka_queue_t* q = rd_kafka_queue_new(p.c_ptr());
    fn(p.c_ptr(), q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
    rd_kafka_queue_destroy(q);
    return ev;
  }

  described describe(rd_kafka_ResourceType_t type, const std::string& name) {
    auto p = make_producer();
    rd_kafka_ConfigResource_t* res = rd_kafka_ConfigResource_new(type, name.c_str());
    auto* ev = call(*p, [&](rd_kafka_t* rk, rd_kafka_queue_t* q) {
      rd_kafka_DescribeConfigs(rk, &res, 1, nullptr, q);
    });
    described out;
    EXPECT_NE(ev, nullptr);
    if (ev == nullptr) return out;
    EXPECT_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_event_error_string(ev);
    size_t n = 0;
    const auto** results =
        rd_kafka_DescribeConfigs_result_resources(rd_kafka_event_DescribeConfigs_result(ev), &n);
    EXPECT_EQ(n, 1u);
    if (n == 1) {
      out.error = rd_kafka_ConfigResource_error(results[0]);
      if (const char* m = rd_kafka_ConfigResource_error_string(results[0])) out.message = m;
      size_t cnt = 0;
      const auto** entries = rd_kafka_ConfigResource_configs(results[0], &cnt);
      for (size_t i = 0; i < cnt; ++i) {
        entry e;
        const char* v = rd_kafka_ConfigEntry_value(entries[i]);
        e.value = v ? v : "<null>";
        e.source = rd_kafka_ConfigEntry_source(entries[i]);
        e.read_only = rd_kafka_ConfigEntry_is_read_only(entries[i]) != 0;
        e.is_default = rd_kafka_ConfigEntry_is_default(entries[i]) != 0;
        e.sensitive = rd_kafka_ConfigEntry_is_sensitive(entries[i]) != 0;
        size_t sn = 0;
        const auto** syn = rd_kafka_ConfigEntry_synonyms(entries[i], &sn);
        for (size_t j = 0; j < sn; ++j) {
          e.synonyms.emplace_back(rd_kafka_ConfigEntry_name(syn[j]), rd_kafka_ConfigEntry_source(syn[j]));
        }
        out.configs[rd_kafka_ConfigEntry_name(entries[i])] = e;
      }
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_ConfigResource_destroy(res);
    return out;
  }

  /// AlterConfigs (librdkafka sends v0); returns the resource's error and message.
  std::pair<rd_kafka_resp_err_t, std::string> alter(
      rd_kafka_ResourceType_t type, const std::string& name,
      const std::vector<std::pair<std::string, std::string>>& values, bool validate_only = false) {
    auto p = make_producer();
    rd_kafka_ConfigResource_t* res = rd_kafka_ConfigResource_new(type, name.c_str());
    for (const auto& [k, v] : values) {
      EXPECT_EQ(rd_kafka_ConfigResource_set_config(res, k.c_str(), v.c_str()), RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(p->c_ptr(), RD_KAFKA_ADMIN_OP_ALTERCONFIGS);
    char err[256];
    rd_kafka_AdminOptions_set_validate_only(opts, validate_only ? 1 : 0, err, sizeof err);
    auto* ev = call(*p, [&](rd_kafka_t* rk, rd_kafka_queue_t* q) {
      rd_kafka_AlterConfigs(rk, &res, 1, opts, q);
    });
    std::pair<rd_kafka_resp_err_t, std::string> out{RD_KAFKA_RESP_ERR__FAIL, "no result"};
    EXPECT_NE(ev, nullptr);
    if (ev != nullptr) {
      size_t n = 0;
      const auto** results =
          rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev), &n);
      if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        out = {rd_kafka_event_error(ev), rd_kafka_event_error_string(ev)};
      } else if (n == 1) {
        const char* m = rd_kafka_ConfigResource_error_string(results[0]);
        out = {rd_kafka_ConfigResource_error(results[0]), m ? m : ""};
      }
      rd_kafka_event_destroy(ev);
    }
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_ConfigResource_destroy(res);
    return out;
  }

  /// Produces one record on a producer of its own and returns the delivery report's error.
  RdKafka::ErrorCode delivery_error(const std::string& t, std::optional<std::string> key,
                                    const std::map<std::string, std::string>& extra = {}) {
    struct capture : RdKafka::DeliveryReportCb {
      RdKafka::ErrorCode err = RdKafka::ERR__TIMED_OUT;
      bool done = false;
      void dr_cb(RdKafka::Message& m) override {
        err = m.err();
        done = true;
      }
    } cb;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string err;
    conf->set("bootstrap.servers", bootstrap(), err);
    conf->set("message.send.max.retries", "0", err);
    conf->set("message.timeout.ms", "10000", err);
    for (const auto& [k, v] : extra) EXPECT_EQ(conf->set(k, v, err), RdKafka::Conf::CONF_OK) << err;
    conf->set("dr_cb", &cb, err);
    std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
    EXPECT_TRUE(p) << err;
    std::string value = "v";
    auto e = p->produce(t, 0, RdKafka::Producer::RK_MSG_COPY, value.data(), value.size(),
                        key ? key->data() : nullptr, key ? key->size() : 0, 0, nullptr);
    if (e != RdKafka::ERR_NO_ERROR) return e;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (!cb.done && std::chrono::steady_clock::now() < deadline) p->poll(50);
    return cb.err;
  }
};

/// One request over a plain socket, for what librdkafka cannot send (DescribeConfigs v0/v2,
/// AlterConfigs v1, the cluster-default broker resource "", null values).
template <class Response, class Request>
std::optional<Response> raw_call(uint16_t port, protocol::api_key key, int16_t version,
                                 const Request& body) {
  loopback_connection c(port);
  if (!c.connected()) return std::nullopt;
  return kafka_call<Response>(c, key, version, 7, body);
}

/// Every topic-level config Kafka 4.x accepts (LogConfig's ConfigDef, less the keys 4.0
/// removed: message.format.version, message.timestamp.difference.max.ms,
/// message.downconversion.enable), with its ConfigDef type, default and first broker synonym
/// ("" = none, LogConfig.CONFIGS_WITH_NO_SERVER_DEFAULTS).
struct kafka_topic_key {
  std::string name;
  protocol::config_type type;
  std::string default_value;
  std::string broker_synonym;
};

const std::vector<kafka_topic_key>& kafka_4_topic_keys() {
  using type = protocol::config_type;
  static const std::vector<kafka_topic_key> keys{
      {"cleanup.policy", type::list_type, "delete", "log.cleanup.policy"},
      {"compression.gzip.level", type::int_type, "-1", "compression.gzip.level"},
      {"compression.lz4.level", type::int_type, "9", "compression.lz4.level"},
      {"compression.type", type::string_type, "producer", "compression.type"},
      {"compression.zstd.level", type::int_type, "3", "compression.zstd.level"},
      {"delete.retention.ms", type::long_type, "86400000", "log.cleaner.delete.retention.ms"},
      {"file.delete.delay.ms", type::long_type, "60000", "log.segment.delete.delay.ms"},
      {"flush.messages", type::long_type, "9223372036854775807", "log.flush.interval.messages"},
      {"flush.ms", type::long_type, "9223372036854775807", "log.flush.interval.ms"},
      {"follower.replication.throttled.replicas", type::list_type, "", ""},
      {"index.interval.bytes", type::int_type, "4096", "log.index.interval.bytes"},
      {"leader.replication.throttled.replicas", type::list_type, "", ""},
      {"local.retention.bytes", type::long_type, "-2", "log.local.retention.bytes"},
      {"local.retention.ms", type::long_type, "-2", "log.local.retention.ms"},
      {"max.compaction.lag.ms", type::long_type, "9223372036854775807",
       "log.cleaner.max.compaction.lag.ms"},
      {"max.message.bytes", type::int_type, "1048588", "message.max.bytes"},
      {"message.timestamp.after.max.ms", type::long_type, "3600000",
       "log.message.timestamp.after.max.ms"},
      {"message.timestamp.before.max.ms", type::long_type, "9223372036854775807",
       "log.message.timestamp.before.max.ms"},
      {"message.timestamp.type", type::string_type, "CreateTime", "log.message.timestamp.type"},
      {"min.cleanable.dirty.ratio", type::double_type, "0.5", "log.cleaner.min.cleanable.ratio"},
      {"min.compaction.lag.ms", type::long_type, "0", "log.cleaner.min.compaction.lag.ms"},
      {"min.insync.replicas", type::int_type, "1", "min.insync.replicas"},
      {"preallocate", type::boolean_type, "false", "log.preallocate"},
      {"remote.log.copy.disable", type::boolean_type, "false", ""},
      {"remote.log.delete.on.disable", type::boolean_type, "false", ""},
      {"remote.storage.enable", type::boolean_type, "false", ""},
      {"retention.bytes", type::long_type, "-1", "log.retention.bytes"},
      {"retention.ms", type::long_type, "604800000", "log.retention.ms"},
      {"segment.bytes", type::int_type, "1073741824", "log.segment.bytes"},
      {"segment.index.bytes", type::int_type, "10485760", "log.index.size.max.bytes"},
      {"segment.jitter.ms", type::long_type, "0", "log.roll.jitter.ms"},
      {"segment.ms", type::long_type, "604800000", "log.roll.ms"},
      {"unclean.leader.election.enable", type::boolean_type, "false",
       "unclean.leader.election.enable"},
  };
  return keys;
}

const std::vector<std::string> topic_keys = [] {
  std::vector<std::string> names;
  for (const auto& k : kafka_4_topic_keys()) names.push_back(k.name);
  return names;
}();

TEST_F(configs, describe_topic_reports_every_key_with_its_source) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {{"retention.ms", "3600000"}, {"cleanup.policy", "compact, delete"}}),
            RdKafka::ERR_NO_ERROR);
  auto d = describe(RD_KAFKA_RESOURCE_TOPIC, t);
  ASSERT_EQ(d.error, RD_KAFKA_RESP_ERR_NO_ERROR) << d.message;
  for (const auto& k : topic_keys) EXPECT_TRUE(d.configs.contains(k)) << k;
  EXPECT_EQ(d.configs.size(), topic_keys.size());

  const auto& retention = d.configs["retention.ms"];
  EXPECT_EQ(retention.value, "3600000");
  EXPECT_EQ(retention.source, RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  EXPECT_FALSE(retention.is_default);
  EXPECT_FALSE(retention.read_only);
  EXPECT_FALSE(retention.sensitive);
  EXPECT_EQ(d.configs["cleanup.policy"].value, "compact,delete");  // canonical form

  const auto& segment = d.configs["segment.bytes"];
  EXPECT_EQ(segment.value, "1073741824");
  EXPECT_EQ(segment.source, RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
  EXPECT_TRUE(segment.is_default);
  EXPECT_EQ(d.configs["compression.type"].value, "producer");
  EXPECT_EQ(d.configs["min.cleanable.dirty.ratio"].value, "0.5");
  EXPECT_EQ(d.configs["min.insync.replicas"].value, "1");
  EXPECT_EQ(d.configs["delete.retention.ms"].value, "86400000");

  // Synonyms, highest precedence first, when the client asks for them (librdkafka does).
  if (!retention.synonyms.empty()) {
    ASSERT_EQ(retention.synonyms.size(), 2u);
    EXPECT_EQ(retention.synonyms[0],
              std::make_pair(std::string("retention.ms"), RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG));
    EXPECT_EQ(retention.synonyms[1],
              std::make_pair(std::string("log.retention.ms"), RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG));
  }

  auto missing = describe(RD_KAFKA_RESOURCE_TOPIC, topic("missing"));
  EXPECT_EQ(missing.error, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);
}

TEST_F(configs, describe_configs_lists_every_kafka_4_topic_key_with_type_synonyms_and_doc) {
  namespace protocol = ::sluice::protocol;
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {}), RdKafka::ERR_NO_ERROR);
  protocol::describe_configs_request req;
  req.resources.push_back({protocol::config_resource_topic, t, std::nullopt});
  req.include_synonyms = true;
  req.include_documentation = true;
  auto resp = raw_call<protocol::describe_configs_response>(
      _broker->port(), protocol::api_key::describe_configs, 4, req);
  ASSERT_TRUE(resp);
  ASSERT_EQ(resp->results.size(), 1u);
  const auto& configs = resp->results[0].configs;
  ASSERT_EQ(configs.size(), kafka_4_topic_keys().size());
  for (size_t i = 0; i < configs.size(); ++i) {
    const auto& want = kafka_4_topic_keys()[i];
    const auto& got = configs[i];
    SCOPED_TRACE(want.name);
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.config_type, static_cast<int8_t>(want.type));
    EXPECT_EQ(got.value, want.default_value);
    EXPECT_EQ(got.config_source, static_cast<int8_t>(protocol::config_source::default_config));
    EXPECT_FALSE(got.read_only);
    EXPECT_FALSE(got.is_sensitive);
    ASSERT_TRUE(got.documentation);
    EXPECT_FALSE(got.documentation->empty());
    if (want.broker_synonym.empty()) {
      EXPECT_TRUE(got.synonyms.empty());  // as Kafka: no server default to list
    } else {
      ASSERT_EQ(got.synonyms.size(), 1u);
      EXPECT_EQ(got.synonyms[0].name, want.broker_synonym);
      EXPECT_EQ(got.synonyms[0].value, want.default_value);
      EXPECT_EQ(got.synonyms[0].source, static_cast<int8_t>(protocol::config_source::default_config));
    }
  }
}

TEST_F(configs, kafka_4_keys_are_validated_stored_and_described) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {{"min.compaction.lag.ms", "1000"}, {"preallocate", "TRUE"}}),
            RdKafka::ERR_NO_ERROR);
  // Kafka's validators.
  const std::vector<std::pair<std::string, std::string>> refused{
      {"compression.gzip.level", "0"},     {"compression.lz4.level", "18"},
      {"compression.zstd.level", "23"},    {"segment.index.bytes", "3"},
      {"segment.jitter.ms", "-1"},         {"max.compaction.lag.ms", "0"},
      {"file.delete.delay.ms", "-1"},      {"local.retention.ms", "-3"},
      {"unclean.leader.election.enable", "maybe"},
      {"leader.replication.throttled.replicas", "0:0,*"},
      {"message.format.version", "3.0"},  // removed in Kafka 4.0
      {"message.downconversion.enable", "true"}};
  for (const auto& [key, value] : refused) {
    auto r = alter(RD_KAFKA_RESOURCE_TOPIC, t, {{key, value}});
    EXPECT_EQ(r.first, RD_KAFKA_RESP_ERR_INVALID_CONFIG) << key << "=" << value;
    EXPECT_NE(r.second.find(key), std::string::npos) << r.second;
  }
  // Tiered storage: refused with Kafka's answer on a broker without it.
  auto remote = alter(RD_KAFKA_RESOURCE_TOPIC, t, {{"remote.storage.enable", "true"}});
  EXPECT_EQ(remote.first, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  EXPECT_NE(remote.second.find("Tiered Storage functionality is disabled in the broker"),
            std::string::npos)
      << remote.second;
  // Across keys: min.compaction.lag.ms may not exceed max.compaction.lag.ms.
  auto lags = alter(RD_KAFKA_RESOURCE_TOPIC, t,
                    {{"min.compaction.lag.ms", "5000"}, {"max.compaction.lag.ms", "4000"}});
  EXPECT_EQ(lags.first, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  EXPECT_NE(lags.second.find("min.compaction.lag.ms (5000) > max.compaction.lag.ms (4000)"),
            std::string::npos)
      << lags.second;
  auto d = describe(RD_KAFKA_RESOURCE_TOPIC, t);
  EXPECT_EQ(d.configs["min.compaction.lag.ms"].value, "1000");  // nothing changed
  EXPECT_EQ(d.configs["preallocate"].value, "true");           // canonical
  EXPECT_EQ(d.configs["preallocate"].source, RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  // CreateTopics checks the same.
  EXPECT_EQ(create_topic(topic("remote"), 1, {{"remote.storage.enable", "true"}}),
            RdKafka::ERR_INVALID_CONFIG);
  EXPECT_EQ(create_topic(topic("lags"), 1,
                         {{"min.compaction.lag.ms", "10"}, {"max.compaction.lag.ms", "9"}}),
            RdKafka::ERR_INVALID_CONFIG);
  EXPECT_EQ(create_topic(topic("level"), 1, {{"compression.gzip.level", "0"}}),
            RdKafka::ERR_INVALID_CONFIG);

  // Keys with no effect on one broker are stored and reported like any other.
  auto ok = alter(RD_KAFKA_RESOURCE_TOPIC, t,
                  {{"unclean.leader.election.enable", "true"},
                   {"leader.replication.throttled.replicas", "*"},
                   {"follower.replication.throttled.replicas", "0:0, 1:0"},
                   {"remote.storage.enable", "false"},
                   {"local.retention.ms", "3600000"},
                   {"segment.jitter.ms", "1000"},
                   {"segment.index.bytes", "4096"},
                   {"file.delete.delay.ms", "0"},
                   {"compression.zstd.level", "-7"}});
  ASSERT_EQ(ok.first, RD_KAFKA_RESP_ERR_NO_ERROR) << ok.second;
  d = describe(RD_KAFKA_RESOURCE_TOPIC, t);
  EXPECT_EQ(d.configs["unclean.leader.election.enable"].value, "true");
  EXPECT_EQ(d.configs["leader.replication.throttled.replicas"].value, "*");
  EXPECT_EQ(d.configs["follower.replication.throttled.replicas"].value, "0:0,1:0");
  EXPECT_EQ(d.configs["follower.replication.throttled.replicas"].source,
            RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  EXPECT_EQ(d.configs["remote.storage.enable"].value, "false");
  EXPECT_EQ(d.configs["local.retention.ms"].value, "3600000");
  EXPECT_EQ(d.configs["compression.zstd.level"].value, "-7");
  // Left out of the new set: back to the default.
  EXPECT_EQ(d.configs["min.compaction.lag.ms"].value, "0");
  EXPECT_EQ(d.configs["preallocate"].source, RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
  // They live in the partition's configuration, and survive a restart.
  auto log = _broker->logs().get({t, core::partition_id{0}});
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->config().segment_jitter_ms, 1000);
  EXPECT_EQ(log->config().segment_index_bytes, 4096);
  EXPECT_EQ(log->config().file_delete_delay_ms, 0);
  EXPECT_EQ(log->config().compression_zstd_level, -7);
  stop_broker();
  start_broker();
  d = describe(RD_KAFKA_RESOURCE_TOPIC, t);
  EXPECT_EQ(d.configs["leader.replication.throttled.replicas"].value, "*");
  EXPECT_EQ(d.configs["segment.jitter.ms"].value, "1000");

  // The broker synonyms are dynamic broker keys like the others.
  auto broker_lag = alter(RD_KAFKA_RESOURCE_BROKER, "0", {{"log.segment.delete.delay.ms", "1234"}});
  ASSERT_EQ(broker_lag.first, RD_KAFKA_RESP_ERR_NO_ERROR) << broker_lag.second;
  d = describe(RD_KAFKA_RESOURCE_TOPIC, t);
  EXPECT_EQ(d.configs["file.delete.delay.ms"].value, "0");  // the topic's own still wins
  auto other = topic("other");
  ASSERT_EQ(create_topic(other, 1, {}), RdKafka::ERR_NO_ERROR);
  auto od = describe(RD_KAFKA_RESOURCE_TOPIC, other);
  EXPECT_EQ(od.configs["file.delete.delay.ms"].value, "1234");
  EXPECT_EQ(od.configs["file.delete.delay.ms"].source, RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG);
  auto broker_bad = alter(RD_KAFKA_RESOURCE_BROKER, "0",
                          {{"log.cleaner.min.compaction.lag.ms", "10"},
                           {"log.cleaner.max.compaction.lag.ms", "5"}});
  EXPECT_EQ(broker_bad.first, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  ASSERT_EQ(alter(RD_KAFKA_RESOURCE_BROKER, "0", {}).first, RD_KAFKA_RESP_ERR_NO_ERROR);
}

TEST_F(configs, alter_topic_replaces_the_dynamic_set_applies_live_and_persists) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {{"retention.ms", "3600000"}}), RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  EXPECT_EQ(produce(*p, t, 0, std::nullopt, "keyless is fine for delete"), 0);

  auto r = alter(RD_KAFKA_RESOURCE_TOPIC, t, {{"cleanup.policy", "compact"}, {"segment.ms", "100"}});
  ASSERT_EQ(r.first, RD_KAFKA_RESP_ERR_NO_ERROR) << r.second;
  auto d = describe(RD_KAFKA_RESOURCE_TOPIC, t);
  EXPECT_EQ(d.configs["cleanup.policy"].value, "compact");
  EXPECT_EQ(d.configs["cleanup.policy"].source, RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG);
  EXPECT_EQ(d.configs["segment.ms"].value, "100");
  // Not in the new set: back to the broker default.
  EXPECT_EQ(d.configs["retention.ms"].value, "604800000");
  EXPECT_EQ(d.configs["retention.ms"].source, RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);

  // Live: the topic is compacted now, so a keyless record is refused and a keyed one is not.
  EXPECT_EQ(delivery_error(t, std::nullopt), RdKafka::ERR_INVALID_RECORD);
  EXPECT_EQ(delivery_error(t, "k"), RdKafka::ERR_NO_ERROR);

  stop_broker();
  start_broker();
  d = describe(RD_KAFKA_RESOURCE_TOPIC, t);
  EXPECT_EQ(d.configs["cleanup.policy"].value, "compact");
  EXPECT_EQ(d.configs["segment.ms"].value, "100");
  EXPECT_EQ(d.configs["retention.ms"].source, RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
}

TEST_F(configs, invalid_values_and_validate_only_change_nothing) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {{"retention.ms", "3600000"}}), RdKafka::ERR_NO_ERROR);
  auto bad = alter(RD_KAFKA_RESOURCE_TOPIC, t, {{"retention.ms", "soon"}});
  EXPECT_EQ(bad.first, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  EXPECT_NE(bad.second.find("retention.ms"), std::string::npos) << bad.second;
  auto policy = alter(RD_KAFKA_RESOURCE_TOPIC, t, {{"cleanup.policy", "shred"}});
  EXPECT_EQ(policy.first, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  EXPECT_NE(policy.second.find("cleanup.policy"), std::string::npos) << policy.second;
  auto codec = alter(RD_KAFKA_RESOURCE_TOPIC, t, {{"compression.type", "brotli"}});
  EXPECT_EQ(codec.first, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  auto unknown = alter(RD_KAFKA_RESOURCE_TOPIC, t, {{"retention.msec", "1"}});
  EXPECT_EQ(unknown.first, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  EXPECT_NE(unknown.second.find("retention.msec"), std::string::npos) << unknown.second;
  auto ratio = alter(RD_KAFKA_RESOURCE_TOPIC, t, {{"min.cleanable.dirty.ratio", "1.5"}});
  EXPECT_EQ(ratio.first, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  auto missing = alter(RD_KAFKA_RESOURCE_TOPIC, topic("missing"), {{"retention.ms", "1"}});
  EXPECT_EQ(missing.first, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART);

  auto dry = alter(RD_KAFKA_RESOURCE_TOPIC, t, {{"retention.ms", "1000"}}, true);
  EXPECT_EQ(dry.first, RD_KAFKA_RESP_ERR_NO_ERROR) << dry.second;
  auto d = describe(RD_KAFKA_RESOURCE_TOPIC, t);
  EXPECT_EQ(d.configs["retention.ms"].value, "3600000");
}

TEST_F(configs, broker_resource_describes_effective_keys_and_alters_log_defaults) {
  const std::string node = "0";
  auto d = describe(RD_KAFKA_RESOURCE_BROKER, node);
  ASSERT_EQ(d.error, RD_KAFKA_RESP_ERR_NO_ERROR) << d.message;
  EXPECT_EQ(d.configs["log.retention.ms"].value, "604800000");
  EXPECT_FALSE(d.configs["log.retention.ms"].read_only);
  EXPECT_EQ(d.configs["log.retention.ms"].source, RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
  EXPECT_TRUE(d.configs["listeners"].read_only);
  // The fixture listens on port 0, not the default 9092: a static setting.
  EXPECT_EQ(d.configs["listeners"].source, RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG);
  EXPECT_TRUE(d.configs["log.dirs"].read_only);
  EXPECT_TRUE(d.configs.contains("log.cleaner.min.cleanable.ratio"));
  EXPECT_TRUE(d.configs.contains("metrics.listen"));

  auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {{"segment.bytes", "100000"}}), RdKafka::ERR_NO_ERROR);

  auto r = alter(RD_KAFKA_RESOURCE_BROKER, node, {{"log.retention.ms", "1234567"}});
  ASSERT_EQ(r.first, RD_KAFKA_RESP_ERR_NO_ERROR) << r.second;
  d = describe(RD_KAFKA_RESOURCE_BROKER, node);
  EXPECT_EQ(d.configs["log.retention.ms"].value, "1234567");
  EXPECT_EQ(d.configs["log.retention.ms"].source, RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG);
  // Topics without their own value follow the new default at once.
  auto td = describe(RD_KAFKA_RESOURCE_TOPIC, t);
  EXPECT_EQ(td.configs["retention.ms"].value, "1234567");
  EXPECT_EQ(td.configs["retention.ms"].source, RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG);
  EXPECT_EQ(td.configs["segment.bytes"].value, "100000");

  auto ro = alter(RD_KAFKA_RESOURCE_BROKER, node, {{"listeners", "127.0.0.1:1"}});
  EXPECT_EQ(ro.first, RD_KAFKA_RESP_ERR_INVALID_CONFIG);
  EXPECT_NE(ro.second.find("listeners"), std::string::npos) << ro.second;
  auto bad = alter(RD_KAFKA_RESOURCE_BROKER, node, {{"log.retention.ms", "-7"}});
  EXPECT_EQ(bad.first, RD_KAFKA_RESP_ERR_INVALID_CONFIG);

  // Persisted in the data directory.
  stop_broker();
  start_broker();
  td = describe(RD_KAFKA_RESOURCE_TOPIC, t);
  EXPECT_EQ(td.configs["retention.ms"].value, "1234567");

  // Replacing the broker's set with nothing returns to the static/default value.
  r = alter(RD_KAFKA_RESOURCE_BROKER, node, {});
  ASSERT_EQ(r.first, RD_KAFKA_RESP_ERR_NO_ERROR) << r.second;
  td = describe(RD_KAFKA_RESOURCE_TOPIC, t);
  EXPECT_EQ(td.configs["retention.ms"].value, "604800000");
  EXPECT_EQ(td.configs["retention.ms"].source, RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG);
}

TEST_F(configs, test_hooks_are_not_configuration) {
  // Enabled in this broker, and still neither described nor alterable.
  stop_broker();
  options().test_hooks = true;
  start_broker();
  const std::string node = "0";
  auto d = describe(RD_KAFKA_RESOURCE_BROKER, node);
  ASSERT_EQ(d.error, RD_KAFKA_RESP_ERR_NO_ERROR) << d.message;
  EXPECT_FALSE(d.configs.empty());
  for (const auto& [name, e] : d.configs) EXPECT_NE(name.rfind("sluice.test.", 0), 0u) << name;
  auto r = alter(RD_KAFKA_RESOURCE_BROKER, node, {{"sluice.test.drop.produce.responses", "1"}});
  EXPECT_NE(r.first, RD_KAFKA_RESP_ERR_NO_ERROR);
  EXPECT_EQ(broker::broker_config_def().find("sluice.test.drop.produce.responses"), nullptr);
}

TEST(broker_binary, test_hooks_need_enable_test_hooks) {
  temp_dir dir;
  const std::string base = std::string(SLUICE_BROKER_BIN) + " --listen 127.0.0.1:0 --data-dir " +
                           (dir.path() / "data").string() + " --set sluice.test.drop.produce.responses=1";
  FILE* p = ::popen((base + " 2>&1").c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[512];
  while (size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  const int status = ::pclose(p);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2) << out;
  EXPECT_NE(out.find("sluice.test.drop.produce.responses"), std::string::npos) << out;
  EXPECT_NE(out.find("--enable-test-hooks"), std::string::npos) << out;
  // With the flag the same key is taken (the fault itself is exercised by idempotence_test).
  const uint16_t port = free_port();
  broker_process b(dir.path() / "hooked", port, {"sluice.test.drop.produce.responses=0"}, {"--enable-test-hooks"});
  EXPECT_TRUE(broker_process::exited_cleanly(b.stop()));
}

TEST_F(configs, min_insync_replicas_above_one_fails_acks_all_on_one_broker) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {{"min.insync.replicas", "2"}}), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(delivery_error(t, "k", {{"acks", "all"}}), RdKafka::ERR_NOT_ENOUGH_REPLICAS);
  // acks=1 is not subject to min.insync.replicas.
  EXPECT_EQ(delivery_error(t, "k", {{"acks", "1"}}), RdKafka::ERR_NO_ERROR);
  auto d = describe(RD_KAFKA_RESOURCE_TOPIC, t);
  EXPECT_EQ(d.configs["min.insync.replicas"].value, "2");
}

TEST_F(configs, compression_type_recompresses_and_consumers_read_it) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {{"compression.type", "gzip"}}), RdKafka::ERR_NO_ERROR);
  auto p = make_producer({{"compression.codec", "lz4"}, {"linger.ms", "0"}});
  EXPECT_EQ(produce(*p, t, 0, "a", "1"), 0);
  EXPECT_EQ(produce(*p, t, 0, "b", "2"), 1);
  auto got = consume(t, {0}, 2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].value, "1");
  EXPECT_EQ(got[1].value, "2");
}

/// One batch of `values` with record timestamps `ts`, ts+1, ...; its header's max_timestamp
/// set to `header_max` as a producer may write it (Sarama 1.22 writes -1).
core::bytes batch_with_header_max(const std::vector<std::string>& values, int64_t ts, int64_t header_max) {
  std::vector<core::raw_record> rs;
  for (const auto& v : values) {
    core::raw_record r;
    r.value = core::to_bytes(v);
    r.ts = core::from_epoch_ms(ts++);
    rs.push_back(std::move(r));
  }
  auto b = protocol::encode_record_batch(rs, {}).value();
  protocol::set_max_timestamp(b, protocol::timestamp_type::create_time, header_max);
  return b;
}

TEST_F(configs, the_broker_recomputes_max_timestamp_and_applies_the_timestamp_configs) {
  namespace protocol = ::sluice::protocol;
  const int64_t now = core::to_epoch_ms(core::wall_clock_now());
  loopback_connection c(_broker->port());
  ASSERT_TRUE(c.connected());
  int32_t correlation = 1;
  auto produce_raw = [&](const std::string& t, const core::bytes& batch) {
    auto resp = kafka_call<protocol::produce_response>(c, protocol::api_key::produce, 7, correlation++,
                                                       produce_of(t, 0, batch));
    EXPECT_TRUE(resp);
    return resp ? resp->responses.at(0).partition_responses.at(0) : protocol::produce_response::partition_produce_response{};
  };

  // A header that says -1: ListOffsets by time still finds the records (librdkafka's
  // offsetsForTimes), because the broker stored the records' own maximum.
  auto t = topic("minus-one");
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(produce_raw(t, batch_with_header_max({"a", "b", "c"}, now - 3000, -1)).error_code,
            protocol::error_code::none);
  auto p = make_producer();
  std::vector<RdKafka::TopicPartition*> tps{RdKafka::TopicPartition::create(t, 0, now - 2999)};
  ASSERT_EQ(p->offsetsForTimes(tps, 10000), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(tps[0]->offset(), 1);
  RdKafka::TopicPartition::destroy(tps);

  // message.timestamp.after.max.ms / before.max.ms: INVALID_TIMESTAMP for the whole batch.
  auto bounded = topic("bounded");
  ASSERT_EQ(create_topic(bounded, 1, {{"message.timestamp.after.max.ms", "60000"},
                                      {"message.timestamp.before.max.ms", "86400000"}}),
            RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(produce_raw(bounded, batch_with_header_max({"future"}, now + 600'000, now + 600'000)).error_code,
            protocol::error_code::invalid_timestamp);
  EXPECT_EQ(produce_raw(bounded, batch_with_header_max({"old"}, now - 2 * 86'400'000, -1)).error_code,
            protocol::error_code::invalid_timestamp);
  auto ok = produce_raw(bounded, batch_with_header_max({"now"}, now, now));
  EXPECT_EQ(ok.error_code, protocol::error_code::none);
  EXPECT_EQ(ok.base_offset, core::offset{0}) << "nothing of the refused batches was stored";
  EXPECT_EQ(ok.log_append_time_ms, -1) << "CreateTime";

  // message.timestamp.type=LogAppendTime: the broker's clock, which the Produce answer and
  // librdkafka's consumer both report.
  auto stamped = topic("log-append");
  ASSERT_EQ(create_topic(stamped, 1, {{"message.timestamp.type", "LogAppendTime"}}), RdKafka::ERR_NO_ERROR);
  auto answer = produce_raw(stamped, batch_with_header_max({"x", "y"}, 1000, 1001));
  EXPECT_EQ(answer.error_code, protocol::error_code::none);
  EXPECT_GE(answer.log_append_time_ms, now);
  auto consumer = assigned_consumer(stamped, {0}, topic("g"));
  int seen = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (seen < 2 && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(200));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    EXPECT_EQ(m->timestamp().type, RdKafka::MessageTimestamp::MSG_TIMESTAMP_LOG_APPEND_TIME);
    EXPECT_EQ(m->timestamp().timestamp, answer.log_append_time_ms);
    ++seen;
  }
  EXPECT_EQ(seen, 2);
  auto d = describe(RD_KAFKA_RESOURCE_TOPIC, stamped);
  EXPECT_EQ(d.configs["message.timestamp.type"].value, "LogAppendTime");
  EXPECT_EQ(describe(RD_KAFKA_RESOURCE_TOPIC, t).configs["message.timestamp.after.max.ms"].value, "3600000");
}

TEST_F(configs, protocol_versions_synonyms_and_the_cluster_default_resource) {
  namespace protocol = ::sluice::protocol;
  using dreq = protocol::describe_configs_request;
  using dresp = protocol::describe_configs_response;
  using areq = protocol::alter_configs_request;
  using aresp = protocol::alter_configs_response;
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {{"retention.ms", "3600000"}}), RdKafka::ERR_NO_ERROR);
  const uint16_t port = _broker->port();

  // v0: is_default is "not set on this topic"; no sources or synonyms on the wire.
  dreq d0;
  d0.resources.push_back({protocol::config_resource_topic, t, std::vector<std::string>{"retention.ms", "segment.ms", "no.such.key"}});
  auto v0 = raw_call<dresp>(port, protocol::api_key::describe_configs, 0, d0);
  ASSERT_TRUE(v0);
  ASSERT_EQ(v0->results.size(), 1u);
  ASSERT_EQ(v0->results[0].configs.size(), 2u);  // unknown names are skipped
  EXPECT_EQ(v0->results[0].configs[0].name, "retention.ms");
  EXPECT_FALSE(v0->results[0].configs[0].is_default);
  EXPECT_EQ(v0->results[0].configs[1].name, "segment.ms");
  EXPECT_TRUE(v0->results[0].configs[1].is_default);

  // v2 with synonyms: the topic override first, then the broker default it hides.
  dreq d2;
  d2.include_synonyms = true;
  d2.resources.push_back({protocol::config_resource_topic, t, std::vector<std::string>{"retention.ms"}});
  d2.resources.push_back({protocol::config_resource_broker_logger, "0", std::nullopt});
  auto v2 = raw_call<dresp>(port, protocol::api_key::describe_configs, 2, d2);
  ASSERT_TRUE(v2);
  ASSERT_EQ(v2->results.size(), 2u);
  const auto& c = v2->results[0].configs.at(0);
  EXPECT_EQ(c.config_source, static_cast<int8_t>(protocol::config_source::dynamic_topic_config));
  ASSERT_EQ(c.synonyms.size(), 2u);
  EXPECT_EQ(c.synonyms[0].name, "retention.ms");
  EXPECT_EQ(c.synonyms[0].value, "3600000");
  EXPECT_EQ(c.synonyms[1].name, "log.retention.ms");
  EXPECT_EQ(c.synonyms[1].value, "604800000");
  EXPECT_EQ(c.synonyms[1].source, static_cast<int8_t>(protocol::config_source::default_config));
  EXPECT_EQ(v2->results[1].error_code, protocol::error_code::invalid_request);

  // AlterConfigs v1 on the cluster-default resource "".
  areq a;
  a.resources.push_back({protocol::config_resource_broker, "", {{"log.retention.bytes", "1048576"}}});
  auto ar = raw_call<aresp>(port, protocol::api_key::alter_configs, 1, a);
  ASSERT_TRUE(ar);
  EXPECT_EQ(ar->responses.at(0).error_code, protocol::error_code::none)
      << ar->responses.at(0).error_message.value_or("");
  dreq dd;
  dd.include_synonyms = true;
  dd.resources.push_back({protocol::config_resource_broker, "", std::nullopt});
  dd.resources.push_back({protocol::config_resource_topic, t, std::vector<std::string>{"retention.bytes"}});
  dd.resources.push_back({protocol::config_resource_broker, "0", std::vector<std::string>{"log.retention.bytes"}});
  auto dr = raw_call<dresp>(port, protocol::api_key::describe_configs, 1, dd);
  ASSERT_TRUE(dr);
  ASSERT_EQ(dr->results.at(0).configs.size(), 1u);  // only what the layer sets
  EXPECT_EQ(dr->results[0].configs[0].name, "log.retention.bytes");
  EXPECT_EQ(dr->results[0].configs[0].value, "1048576");
  const auto src = static_cast<int8_t>(protocol::config_source::dynamic_default_broker_config);
  EXPECT_EQ(dr->results[0].configs[0].config_source, src);
  EXPECT_EQ(dr->results.at(1).configs.at(0).value, "1048576");
  EXPECT_EQ(dr->results[1].configs[0].config_source, src);
  const auto& broker_key = dr->results.at(2).configs.at(0);
  EXPECT_EQ(broker_key.config_source, src);
  ASSERT_EQ(broker_key.synonyms.size(), 2u);
  EXPECT_EQ(broker_key.synonyms[1].source, static_cast<int8_t>(protocol::config_source::default_config));

  // Null values, repeated keys and repeated resources are refused whole.
  areq bad;
  bad.resources.push_back({protocol::config_resource_topic, t, {{"retention.ms", std::nullopt}}});
  bad.resources.push_back({protocol::config_resource_broker, "0", {{"log.roll.ms", "1"}, {"log.roll.ms", "2"}}});
  bad.resources.push_back({protocol::config_resource_broker, "7", {}});
  auto br = raw_call<aresp>(port, protocol::api_key::alter_configs, 0, bad);
  ASSERT_TRUE(br);
  ASSERT_EQ(br->responses.size(), 3u);
  for (const auto& r : br->responses) EXPECT_EQ(r.error_code, protocol::error_code::invalid_request);
  EXPECT_NE(br->responses[0].error_message.value_or("").find("retention.ms"), std::string::npos);
}

}  // namespace
}  // namespace sluice::testing
