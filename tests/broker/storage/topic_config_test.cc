// The topic-level keys (topic_config.h): Kafka 4.x's full list with each key's type, default and
// broker synonym, Kafka's validators, the checks across keys, and how values resolve into a
// log_config.

#include "broker/storage/topic_config.h"

#include "core/config.h"

#include <gtest/gtest.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

namespace sluice::broker::storage {
namespace {

/// Kafka 4.x's topic configs (LogConfig's ConfigDef and ServerTopicConfigSynonyms): name,
/// ConfigDef type, default, first broker synonym ("" = none), and whether it means anything on
/// one broker without tiered storage.
struct kafka_key {
  std::string name;
  std::string type;  ///< INT, LONG, DOUBLE, BOOLEAN, STRING, LIST
  std::string default_value;
  std::string broker_name;
  bool has_effect;
};

const std::vector<kafka_key>& kafka_4_topic_keys() {
  static const std::vector<kafka_key> keys{
      {"cleanup.policy", "LIST", "delete", "log.cleanup.policy", true},
      {"compression.gzip.level", "INT", "-1", "compression.gzip.level", true},
      {"compression.lz4.level", "INT", "9", "compression.lz4.level", true},
      {"compression.type", "STRING", "producer", "compression.type", true},
      {"compression.zstd.level", "INT", "3", "compression.zstd.level", true},
      {"delete.retention.ms", "LONG", "86400000", "log.cleaner.delete.retention.ms", true},
      {"file.delete.delay.ms", "LONG", "60000", "log.segment.delete.delay.ms", true},
      {"flush.messages", "LONG", "9223372036854775807", "log.flush.interval.messages", true},
      {"flush.ms", "LONG", "9223372036854775807", "log.flush.interval.ms", true},
      {"follower.replication.throttled.replicas", "LIST", "", "", false},
      {"index.interval.bytes", "INT", "4096", "log.index.interval.bytes", true},
      {"leader.replication.throttled.replicas", "LIST", "", "", false},
      {"local.retention.bytes", "LONG", "-2", "log.local.retention.bytes", false},
      {"local.retention.ms", "LONG", "-2", "log.local.retention.ms", false},
      {"max.compaction.lag.ms", "LONG", "9223372036854775807", "log.cleaner.max.compaction.lag.ms",
       true},
      {"max.message.bytes", "INT", "1048588", "message.max.bytes", true},
      {"message.timestamp.after.max.ms", "LONG", "3600000", "log.message.timestamp.after.max.ms",
       true},
      {"message.timestamp.before.max.ms", "LONG", "9223372036854775807",
       "log.message.timestamp.before.max.ms", true},
      {"message.timestamp.type", "STRING", "CreateTime", "log.message.timestamp.type", true},
      {"min.cleanable.dirty.ratio", "DOUBLE", "0.5", "log.cleaner.min.cleanable.ratio", true},
      {"min.compaction.lag.ms", "LONG", "0", "log.cleaner.min.compaction.lag.ms", true},
      {"min.insync.replicas", "INT", "1", "min.insync.replicas", true},
      {"preallocate", "BOOLEAN", "false", "log.preallocate", false},
      {"remote.log.copy.disable", "BOOLEAN", "false", "", false},
      {"remote.log.delete.on.disable", "BOOLEAN", "false", "", false},
      {"remote.storage.enable", "BOOLEAN", "false", "", false},
      {"retention.bytes", "LONG", "-1", "log.retention.bytes", true},
      {"retention.ms", "LONG", "604800000", "log.retention.ms", true},
      {"segment.bytes", "INT", "1073741824", "log.segment.bytes", true},
      {"segment.index.bytes", "INT", "10485760", "log.index.size.max.bytes", true},
      {"segment.jitter.ms", "LONG", "0", "log.roll.jitter.ms", true},
      {"segment.ms", "LONG", "604800000", "log.roll.ms", true},
      {"unclean.leader.election.enable", "BOOLEAN", "false", "unclean.leader.election.enable",
       false},
  };
  return keys;
}

std::string kafka_type(const core::config_key& k) {
  switch (k.type) {
    case core::config_type::integer: return k.width == core::int_width::int32 ? "INT" : "LONG";
    case core::config_type::floating: return "DOUBLE";
    case core::config_type::boolean: return "BOOLEAN";
    case core::config_type::list: return "LIST";
    case core::config_type::string:
    case core::config_type::enumeration: return "STRING";
  }
  return "?";
}

bool accepted(const std::string& key, const std::string& value) {
  return !validate_topic_config(key, value).has_value();
}

TEST(topic_config, every_kafka_4_topic_key_with_its_type_default_and_broker_synonym) {
  const auto& expected = kafka_4_topic_keys();
  ASSERT_EQ(topic_keys().size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& want = expected[i];
    SCOPED_TRACE(want.name);
    const auto& got = topic_keys()[i];  // sorted by name, like the list above
    EXPECT_EQ(got.name, want.name);
    EXPECT_EQ(got.broker_name, want.broker_name);
    EXPECT_EQ(got.has_effect, want.has_effect);
    const auto* def = topic_config_def().find(want.name);
    ASSERT_NE(def, nullptr);
    EXPECT_EQ(kafka_type(*def), want.type);
    EXPECT_EQ(def->default_value.value_or("<none>"), want.default_value);
    EXPECT_FALSE(def->doc.empty());
    if (!want.has_effect) {
      EXPECT_NE(def->doc.find("No effect here"), std::string::npos);
    }
    if (want.broker_name.empty()) {
      EXPECT_EQ(find_topic_key_by_broker_name(want.broker_name), nullptr);
    } else {
      EXPECT_EQ(find_topic_key_by_broker_name(want.broker_name), &got);
    }
  }
}

TEST(topic_config, broker_synonyms_are_defined_with_the_same_definition_and_only_those) {
  core::config_def broker;
  define_broker_defaults(broker);
  size_t with_synonym = 0;
  for (const auto& k : kafka_4_topic_keys()) {
    if (k.broker_name.empty()) {
      EXPECT_EQ(broker.find(k.name), nullptr) << k.name;  // no broker key of that name either
      continue;
    }
    ++with_synonym;
    const auto* b = broker.find(k.broker_name);
    ASSERT_NE(b, nullptr) << k.broker_name;
    EXPECT_EQ(kafka_type(*b), k.type) << k.broker_name;
    EXPECT_EQ(b->default_value, k.default_value) << k.broker_name;
  }
  EXPECT_EQ(broker.keys().size(), with_synonym);
}

TEST(topic_config, keys_removed_in_kafka_4_are_unknown) {
  for (const char* removed : {"message.format.version", "message.timestamp.difference.max.ms",
                              "message.downconversion.enable"}) {
    auto problem = validate_topic_config(removed, "true");
    ASSERT_TRUE(problem) << removed;
    EXPECT_NE(problem->find("unknown topic config"), std::string::npos) << *problem;
  }
}

TEST(topic_config, kafka_validators_for_the_new_keys) {
  // compression.<codec>.level: Kafka's CompressionType level validators.
  EXPECT_TRUE(accepted("compression.gzip.level", "-1"));
  EXPECT_TRUE(accepted("compression.gzip.level", "1"));
  EXPECT_TRUE(accepted("compression.gzip.level", "9"));
  EXPECT_FALSE(accepted("compression.gzip.level", "0"));
  EXPECT_FALSE(accepted("compression.gzip.level", "10"));
  EXPECT_FALSE(accepted("compression.gzip.level", "-2"));
  EXPECT_TRUE(accepted("compression.lz4.level", "1"));
  EXPECT_TRUE(accepted("compression.lz4.level", "17"));
  EXPECT_FALSE(accepted("compression.lz4.level", "0"));
  EXPECT_FALSE(accepted("compression.lz4.level", "18"));
  EXPECT_TRUE(accepted("compression.zstd.level", "-131072"));
  EXPECT_TRUE(accepted("compression.zstd.level", "22"));
  EXPECT_FALSE(accepted("compression.zstd.level", "-131073"));
  EXPECT_FALSE(accepted("compression.zstd.level", "23"));
  // Ranges (atLeast).
  EXPECT_TRUE(accepted("segment.index.bytes", "4"));
  EXPECT_FALSE(accepted("segment.index.bytes", "3"));
  EXPECT_FALSE(accepted("segment.index.bytes", "2147483648"));  // INT
  EXPECT_TRUE(accepted("segment.jitter.ms", "0"));
  EXPECT_FALSE(accepted("segment.jitter.ms", "-1"));
  EXPECT_TRUE(accepted("min.compaction.lag.ms", "0"));
  EXPECT_FALSE(accepted("min.compaction.lag.ms", "-1"));
  EXPECT_TRUE(accepted("max.compaction.lag.ms", "1"));
  EXPECT_FALSE(accepted("max.compaction.lag.ms", "0"));
  EXPECT_TRUE(accepted("file.delete.delay.ms", "0"));
  EXPECT_FALSE(accepted("file.delete.delay.ms", "-1"));
  EXPECT_TRUE(accepted("local.retention.ms", "-2"));
  EXPECT_FALSE(accepted("local.retention.ms", "-3"));
  EXPECT_TRUE(accepted("local.retention.bytes", "-2"));
  EXPECT_FALSE(accepted("local.retention.bytes", "-3"));
  EXPECT_TRUE(accepted("retention.bytes", "-5"));  // Kafka: no lower bound, negative = none
  // Booleans, case-insensitive as Kafka's; stored in canonical lower case.
  EXPECT_TRUE(accepted("preallocate", "TRUE"));
  EXPECT_EQ(canonical_topic_config("preallocate", " TRUE "), "true");
  EXPECT_FALSE(accepted("unclean.leader.election.enable", "yes"));
  EXPECT_TRUE(accepted("remote.log.copy.disable", "true"));
  EXPECT_TRUE(accepted("remote.log.delete.on.disable", "false"));
  // ThrottledReplicaListValidator: "*" or [partitionId]:[brokerId] items.
  EXPECT_TRUE(accepted("leader.replication.throttled.replicas", ""));
  EXPECT_TRUE(accepted("leader.replication.throttled.replicas", "*"));
  EXPECT_TRUE(accepted("follower.replication.throttled.replicas", "0:0, 1:0"));
  EXPECT_EQ(canonical_topic_config("follower.replication.throttled.replicas", "0:0, 1:0"), "0:0,1:0");
  EXPECT_FALSE(accepted("leader.replication.throttled.replicas", "0:0,*"));
  EXPECT_FALSE(accepted("leader.replication.throttled.replicas", "a:0"));
  EXPECT_FALSE(accepted("follower.replication.throttled.replicas", "0"));
}

TEST(topic_config, remote_storage_is_refused_as_by_kafka_without_tiered_storage) {
  EXPECT_TRUE(accepted("remote.storage.enable", "false"));
  auto problem = validate_topic_config("remote.storage.enable", "true");
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("Tiered Storage functionality is disabled in the broker"),
            std::string::npos)
      << *problem;
  EXPECT_NE(problem->find("remote.storage.enable"), std::string::npos);
  EXPECT_TRUE(validate_topic_config("remote.storage.enable", "TRUE"));
}

TEST(topic_config, min_compaction_lag_may_not_exceed_max_compaction_lag) {
  log_config defaults;
  EXPECT_FALSE(validate_topic_overrides({{"min.compaction.lag.ms", "1000"}}, defaults));
  EXPECT_FALSE(validate_topic_overrides(
      {{"min.compaction.lag.ms", "1000"}, {"max.compaction.lag.ms", "1000"}}, defaults));
  auto problem = validate_topic_overrides(
      {{"min.compaction.lag.ms", "1001"}, {"max.compaction.lag.ms", "1000"}}, defaults);
  ASSERT_TRUE(problem);
  EXPECT_EQ(*problem,
            "conflict topic config setting min.compaction.lag.ms (1001) > max.compaction.lag.ms "
            "(1000)");
  // Against the inherited default (Kafka validates the topic's keys over the broker's).
  defaults.min_compaction_lag_ms = 5000;
  EXPECT_TRUE(validate_topic_overrides({{"max.compaction.lag.ms", "4000"}}, defaults));
  EXPECT_FALSE(validate_topic_overrides({{"max.compaction.lag.ms", "5000"}}, defaults));
}

TEST(topic_config, new_keys_resolve_into_the_log_config_and_back) {
  const topic_overrides overrides{{"segment.jitter.ms", "1234"},
                                  {"segment.index.bytes", "4096"},
                                  {"file.delete.delay.ms", "0"},
                                  {"min.compaction.lag.ms", "10"},
                                  {"max.compaction.lag.ms", "20"},
                                  {"compression.gzip.level", "9"},
                                  {"compression.lz4.level", "12"},
                                  {"compression.zstd.level", "-5"},
                                  {"unclean.leader.election.enable", "true"},
                                  {"preallocate", "true"},
                                  {"local.retention.ms", "100"},
                                  {"local.retention.bytes", "200"},
                                  {"remote.log.copy.disable", "true"},
                                  {"leader.replication.throttled.replicas", "*"}};
  const log_config c = resolve_log_config({}, overrides);
  EXPECT_EQ(c.segment_jitter_ms, 1234);
  EXPECT_EQ(c.segment_index_bytes, 4096);
  EXPECT_EQ(c.file_delete_delay_ms, 0);
  EXPECT_EQ(c.min_compaction_lag_ms, 10);
  EXPECT_EQ(c.max_compaction_lag_ms, 20);
  EXPECT_EQ(c.compression_gzip_level, 9);
  EXPECT_EQ(c.compression_lz4_level, 12);
  EXPECT_EQ(c.compression_zstd_level, -5);
  EXPECT_TRUE(c.unclean_leader_election_enable);
  EXPECT_TRUE(c.preallocate);
  EXPECT_EQ(c.local_retention_ms, 100);
  EXPECT_EQ(c.local_retention_bytes, 200);
  for (const auto& [key, value] : overrides) {
    if (find_topic_key(key)->broker_name.empty()) {
      // Only the topic's override holds these; the broker-wide value is the default.
      EXPECT_EQ(topic_config_value(c, key), topic_config_def().find(key)->default_value) << key;
    } else {
      EXPECT_EQ(topic_config_value(c, key), value) << key;
    }
  }
  // The broker synonym sets the same field.
  log_config b;
  apply_config(b, "log.roll.jitter.ms", "77");
  apply_config(b, "log.segment.delete.delay.ms", "5");
  EXPECT_EQ(b.segment_jitter_ms, 77);
  EXPECT_EQ(b.file_delete_delay_ms, 5);
}

TEST(topic_config, roll_age_jitter_and_compression_level) {
  log_config c;
  c.segment_ms = 1000;
  EXPECT_EQ(max_segment_ms(c), 1000);
  c.max_compaction_lag_ms = 300;
  EXPECT_EQ(max_segment_ms(c), 1000);  // only compacted logs roll at max.compaction.lag.ms
  c.cleanup_compact = true;
  EXPECT_EQ(max_segment_ms(c), 300);
  c.max_compaction_lag_ms = 5000;
  EXPECT_EQ(max_segment_ms(c), 1000);

  // Kafka's randomSegmentJitter: random % min(segment.jitter.ms, segment.ms), 0 when unset.
  EXPECT_EQ(roll_jitter_ms(c, 123456), 0);
  c.segment_jitter_ms = 100;
  EXPECT_EQ(roll_jitter_ms(c, 123456), 56);
  EXPECT_EQ(roll_jitter_ms(c, std::numeric_limits<uint64_t>::max()), 15);
  c.segment_jitter_ms = 5000;  // capped by segment.ms
  EXPECT_EQ(roll_jitter_ms(c, 123456), 456);
  for (uint64_t r = 0; r < 5000; r += 7) EXPECT_LT(roll_jitter_ms(c, r), c.segment_ms);

  EXPECT_EQ(compression_level(c), std::nullopt);  // producer
  c.compression = protocol::compression_codec::gzip;
  EXPECT_EQ(compression_level(c), -1);
  c.compression = protocol::compression_codec::lz4;
  EXPECT_EQ(compression_level(c), 9);
  c.compression = protocol::compression_codec::zstd;
  c.compression_zstd_level = 19;
  EXPECT_EQ(compression_level(c), 19);
  c.compression = protocol::compression_codec::snappy;
  EXPECT_EQ(compression_level(c), std::nullopt);
}

}  // namespace
}  // namespace sluice::broker::storage
