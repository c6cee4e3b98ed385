#include "runtime/streams_config.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::runtime {
namespace {

core::properties minimal() {
  return {{"application.id", "app"}, {"bootstrap.servers", "127.0.0.1:9092"}};
}

/// The message of the config_exception that parsing `p` throws.
std::string error_of(const core::properties& p) {
  try {
    (void)streams_config::parse(p);
  } catch (const core::config_exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(streams_config, defaults_follow_kafka_streams) {
  const auto c = streams_config::parse(minimal());
  EXPECT_EQ(c.application_id, "app");
  EXPECT_EQ(c.bootstrap_servers, "127.0.0.1:9092");
  EXPECT_EQ(c.num_stream_threads, 1);
  EXPECT_EQ(c.guarantee, processing_guarantee::at_least_once);
  EXPECT_EQ(c.commit_interval, core::millis{30000});
  EXPECT_EQ(c.repartition_purge_interval, core::millis{30000});
  EXPECT_EQ(c.cache_max_bytes, 10 * 1024 * 1024);
  EXPECT_EQ(c.on_deserialization_error, deserialization_handler::log_and_fail);
  EXPECT_EQ(c.replication_factor, -1);
  EXPECT_EQ(c.client_id, "app");  // defaults to application.id
  EXPECT_EQ(c.state_dir, "/tmp/sluice-streams");
  EXPECT_TRUE(c.group_instance_id.empty());
  EXPECT_EQ(c.input_buffer_max_bytes, 512 * 1024 * 1024);
  EXPECT_EQ(c.buffered_records_per_partition, 0);  // off: the byte budget bounds the buffers
}

TEST(streams_config, exactly_once_defaults_to_a_100_ms_commit_interval_unless_set) {
  auto p = minimal();
  p["processing.guarantee"] = "exactly_once_v2";
  EXPECT_EQ(streams_config::parse(p).commit_interval, core::millis{100});
  p["commit.interval.ms"] = "250";
  EXPECT_EQ(streams_config::parse(p).commit_interval, core::millis{250});
  p["processing.guarantee"] = "at_least_once";
  EXPECT_EQ(streams_config::parse(p).commit_interval, core::millis{250});
}

TEST(streams_config, missing_required_keys_are_named) {
  const std::string e = error_of({});
  EXPECT_NE(e.find("missing required config 'application.id'"), std::string::npos) << e;
  EXPECT_NE(e.find("missing required config 'bootstrap.servers'"), std::string::npos) << e;
}

TEST(streams_config, bad_values_name_the_key_and_what_it_accepts) {
  auto p = minimal();
  p["num.stream.threads"] = "0";
  EXPECT_NE(error_of(p).find("'num.stream.threads'"), std::string::npos) << error_of(p);
  p = minimal();
  p["processing.guarantee"] = "exactly_once";
  EXPECT_NE(error_of(p).find("'processing.guarantee'"), std::string::npos);
  EXPECT_NE(error_of(p).find("exactly_once_v2"), std::string::npos);
  p = minimal();
  p["application.id"] = "has space";
  EXPECT_NE(error_of(p).find("'application.id'"), std::string::npos);
  p = minimal();
  p["commit.intervall.ms"] = "5";  // a typo gets a suggestion
  EXPECT_NE(error_of(p).find("did you mean 'commit.interval.ms'"), std::string::npos) << error_of(p);
  p = minimal();
  p["repartition.purge.interval.ms"] = "-1";
  EXPECT_NE(error_of(p).find("'repartition.purge.interval.ms'"), std::string::npos) << error_of(p);
  p = minimal();
  p["replication.factor"] = "0";
  EXPECT_NE(error_of(p).find("'replication.factor'"), std::string::npos);
  p = minimal();
  p["input.buffer.max.bytes"] = "-1";
  EXPECT_NE(error_of(p).find("'input.buffer.max.bytes'"), std::string::npos) << error_of(p);
}

TEST(streams_config, application_server_is_a_host_and_port) {
  auto p = minimal();
  EXPECT_EQ(streams_config::parse(p).application_server, "");
  p["application.server"] = "worker-1.example:8080";
  EXPECT_EQ(streams_config::parse(p).application_server, "worker-1.example:8080");
  for (const char* bad : {"worker-1", "worker-1:", "worker-1:0", "worker-1:65536", ":80"}) {
    p["application.server"] = bad;
    EXPECT_NE(error_of(p).find("'application.server'"), std::string::npos) << bad << ": " << error_of(p);
  }
}

TEST(streams_config, serdes_are_not_configuration_and_say_why) {
  auto p = minimal();
  p["default.key.serde"] = "org.apache.kafka.common.serialization.Serdes$StringSerde";
  const std::string e = error_of(p);
  EXPECT_NE(e.find("'default.key.serde' is not used by Sluice"), std::string::npos) << e;
  EXPECT_NE(e.find("compile time"), std::string::npos) << e;
}

TEST(streams_config, client_pass_through_keeps_prefixed_keys_but_not_the_ones_the_runtime_owns) {
  auto p = minimal();
  p["consumer.session.timeout.ms"] = "10000";
  p["producer.linger.ms"] = "20";
  p["admin.socket.timeout.ms"] = "5000";
  const auto c = streams_config::parse(p);
  EXPECT_EQ(c.consumer.at("session.timeout.ms"), "10000");
  EXPECT_EQ(c.producer.at("linger.ms"), "20");
  EXPECT_EQ(c.admin.at("socket.timeout.ms"), "5000");

  for (const char* owned : {"consumer.group.id", "consumer.enable.auto.commit",
                            "consumer.isolation.level", "producer.partitioner",
                            "consumer.partition.assignment.strategy", "producer.transactional.id"}) {
    auto q = minimal();
    q[owned] = "x";
    const std::string e = error_of(q);
    EXPECT_NE(e.find(std::string("config '") + owned + "' cannot be overridden"), std::string::npos)
        << owned << ": " << e;
  }
}

TEST(streams_config, dead_letter_handler_needs_its_topic_and_only_it_uses_one) {
  auto p = minimal();
  p["default.deserialization.exception.handler"] = "dead-letter";
  EXPECT_NE(error_of(p).find("'errors.dead.letter.queue.topic.name'"), std::string::npos);
  p["errors.dead.letter.queue.topic.name"] = "bad-records";
  const auto c = streams_config::parse(p);
  EXPECT_EQ(c.on_deserialization_error, deserialization_handler::dead_letter);
  EXPECT_EQ(c.dead_letter_topic, "bad-records");

  auto q = minimal();
  q["errors.dead.letter.queue.topic.name"] = "bad-records";
  EXPECT_NE(error_of(q).find("only used by the dead-letter handler"), std::string::npos);
  q["default.deserialization.exception.handler"] = "log-and-continue";
  EXPECT_NE(error_of(q).find("only used by the dead-letter handler"), std::string::npos);
  q.erase("errors.dead.letter.queue.topic.name");
  EXPECT_EQ(streams_config::parse(q).on_deserialization_error,
            deserialization_handler::log_and_continue);
}

TEST(streams_config, every_key_is_documented) {
  for (const auto& key : streams_config::definition().keys()) {
    EXPECT_FALSE(key.doc.empty()) << key.name;
  }
}

}  // namespace
}  // namespace sluice::runtime
