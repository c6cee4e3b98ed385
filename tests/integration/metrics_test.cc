// The metrics endpoint: scrape /metrics over HTTP after real traffic, parse the Prometheus text
// and check the numbers against what was produced and what is on disk; /health; group metrics
// through the coordinator's interface.

#include "tests/integration/broker_fixture.h"

#include "broker/broker_metrics.h"
#include "core/protocol/delete_topics.h"
#include "core/protocol/heartbeat.h"

#include <unistd.h>

#include <map>
#include <sstream>
#include <string>

namespace sluice::testing {
namespace {

/// GET (or `method`) of `path` on the metrics port; status 0 when nothing answered.
http_answer http_get(uint16_t port, const std::string& path, const std::string& method = "GET") {
  return http_request(port, method, path).value_or(http_answer{});
}

/// Prometheus text: `name{labels} value` per sample, keyed by "name{labels}" exactly as
/// rendered. Also checks that every sample's family has HELP and TYPE lines.
std::map<std::string, double> parse_prometheus(const std::string& text) {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      std::istringstream t(line.substr(7));
      std::string name, type;
      t >> name >> type;
      types[name] = type;
      continue;
    }
    if (line[0] == '#') continue;
    auto space = line.rfind(' ');
    EXPECT_NE(space, std::string::npos) << line;
    auto key = line.substr(0, space);
    samples[key] = std::stod(line.substr(space + 1));
    auto name = key.substr(0, key.find('{'));
    bool typed = types.contains(name);
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      std::string s(suffix);
      if (!typed && name.size() > s.size() && name.ends_with(s)) {
        typed = types.contains(name.substr(0, name.size() - s.size()));
      }
    }
    EXPECT_TRUE(typed) << "no TYPE for " << name;
  }
  return samples;
}

class metrics : public broker_test {
 protected:
  void SetUp() override {
    _options.metrics_listen = core::host_port{"127.0.0.1", 0};
    _options.groups.initial_rebalance_delay_ms = 0;
    broker_test::SetUp();
  }

  struct group_series {
    double members = 0;
    double committed = 0;
    double lag = 0;
  };
  /// The scrape shows exactly one group, `group`, with its series for partition 0 of `topic`.
  static void expect_one_group(std::map<std::string, double>& m, const std::string& group,
                               const std::string& topic, group_series want) {
    const std::string labels =
        "{group=\"" + group + "\",partition=\"0\",topic=\"" + topic + "\"}";
    EXPECT_EQ(m["sluice_broker_consumer_groups"], 1);
    EXPECT_EQ(m["sluice_broker_consumer_group_members{group=\"" + group + "\"}"], want.members);
    EXPECT_EQ(m["sluice_broker_consumer_group_committed_offset" + labels], want.committed);
    EXPECT_EQ(m["sluice_broker_consumer_group_lag" + labels], want.lag);
  }

  std::map<std::string, double> scrape() {
    auto r = http_get(_broker->metrics_port(), "/metrics");
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.content_type, "text/plain; version=0.0.4; charset=utf-8");
    return parse_prometheus(r.body);
  }
};

TEST_F(metrics, health_and_unknown_paths) {
  ASSERT_NE(_broker->metrics_port(), 0);
  auto h = http_get(_broker->metrics_port(), "/health");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok");
  EXPECT_EQ(http_get(_broker->metrics_port(), "/nope").status, 404);
  EXPECT_EQ(http_get(_broker->metrics_port(), "/metrics", "POST").status, 405);
  auto head = http_get(_broker->metrics_port(), "/metrics", "HEAD");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST_F(metrics, scrape_reflects_produced_and_fetched_traffic) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  const int n = 25;
  for (int i = 0; i < n; ++i) ASSERT_EQ(produce(*p, t, 0, "k" + std::to_string(i), "value-" + std::to_string(i)), i);
  ASSERT_EQ(consume(t, {0}, n).size(), static_cast<size_t>(n));

  auto m = scrape();
  const std::string topic_label = "{topic=\"" + t + "\"}";
  const std::string p0 = "{partition=\"0\",topic=\"" + t + "\"}";
  const std::string p1 = "{partition=\"1\",topic=\"" + t + "\"}";
  EXPECT_EQ(m["sluice_broker_topic_records_in_total" + topic_label], n);
  // librdkafka's batches need no rewrite (honest max timestamp, no recompression), so bytes in
  // == the log's size on disk.
  EXPECT_GT(m["sluice_broker_topic_bytes_in_total" + topic_label], 0);
  EXPECT_EQ(m["sluice_broker_topic_bytes_in_total" + topic_label], m["sluice_broker_log_size_bytes" + p0]);
  // The consumer read everything at least once.
  EXPECT_GE(m["sluice_broker_topic_bytes_out_total" + topic_label],
            m["sluice_broker_topic_bytes_in_total" + topic_label]);
  EXPECT_EQ(m["sluice_broker_log_end_offset" + p0], n);
  EXPECT_EQ(m["sluice_broker_log_start_offset" + p0], 0);
  EXPECT_EQ(m["sluice_broker_log_end_offset" + p1], 0);

  const double produces = m["sluice_broker_requests_total{api=\"Produce\"}"];
  EXPECT_GE(produces, n);
  EXPECT_EQ(m["sluice_broker_request_latency_seconds_count{api=\"Produce\"}"], produces);
  EXPECT_EQ(m["sluice_broker_request_latency_seconds_bucket{api=\"Produce\",le=\"+Inf\"}"], produces);
  EXPECT_GT(m["sluice_broker_request_latency_seconds_sum{api=\"Produce\"}"], 0);
  EXPECT_GE(m["sluice_broker_requests_total{api=\"Fetch\"}"], 1);
  EXPECT_GE(m["sluice_broker_requests_total{api=\"Metadata\"}"], 1);
  EXPECT_GE(m["sluice_broker_requests_total{api=\"ApiVersions\"}"], 1);
  EXPECT_GE(m["sluice_broker_active_connections"], 1);  // the producer is still connected

  // Every partition the broker hosts is counted and has its gauges.
  size_t partitions = 0;
  for (const auto& [k, v] : m) partitions += k.rfind("sluice_broker_log_end_offset{", 0) == 0;
  EXPECT_EQ(m["sluice_broker_partitions"], static_cast<double>(partitions));
  EXPECT_GE(partitions, 2u);
}

TEST_F(metrics, errors_are_counted_per_api_and_error_code) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {{"cleanup.policy", "compact"}}), RdKafka::ERR_NO_ERROR);
  {
    // A keyless record in a compacted topic: INVALID_RECORD from Produce.
    auto p = make_producer({{"message.send.max.retries", "0"}});
    std::string v = "v";
    ASSERT_EQ(p->produce(t, 0, RdKafka::Producer::RK_MSG_COPY, v.data(), v.size(), nullptr, 0, 0, nullptr),
              RdKafka::ERR_NO_ERROR);
    p->flush(10000);
  }
  auto m = scrape();
  EXPECT_GE((m["sluice_broker_request_errors_total{api=\"Produce\",error=\"INVALID_RECORD\"}"]), 1);
  EXPECT_EQ(m["sluice_broker_log_end_offset{partition=\"0\",topic=\"" + t + "\"}"], 0);
}

TEST_F(metrics, errors_of_every_api_are_counted_from_what_the_response_says) {
  // APIs whose handlers never listed their errors before: the count comes from the encoded
  // response itself now.
  loopback_connection c(_broker->port());
  ASSERT_TRUE(c.connected());
  namespace protocol = ::sluice::protocol;
  protocol::heartbeat_request hb;
  hb.group_id = topic("group");
  hb.generation_id = 1;
  hb.member_id = "nobody";
  auto h = kafka_call<protocol::heartbeat_response>(c, protocol::api_key::heartbeat, 3, 1, hb);
  ASSERT_TRUE(h);
  ASSERT_NE(h->error_code, protocol::error_code::none);
  protocol::delete_topics_request dt;
  dt.topic_names = {topic("missing-1"), topic("missing-2")};
  dt.timeout_ms = 1000;
  auto d = kafka_call<protocol::delete_topics_response>(c, protocol::api_key::delete_topics, 1, 2, dt);
  ASSERT_TRUE(d);
  auto m = scrape();
  double heartbeat_errors = 0;
  for (const auto& [k, v] : m) {
    if (k.rfind("sluice_broker_request_errors_total{api=\"Heartbeat\"", 0) == 0) heartbeat_errors += v;
  }
  EXPECT_EQ(heartbeat_errors, 1);
  EXPECT_EQ((m["sluice_broker_request_errors_total{api=\"DeleteTopics\",error=\"UNKNOWN_TOPIC_OR_PARTITION\"}"]), 2);
}

TEST_F(metrics, group_metrics_come_from_the_coordinator_interface) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  for (int i = 0; i < 10; ++i) produce(*p, t, 0, "k", "v");
  std::vector<broker::group_metrics_snapshot> groups{
      {"orders-app", 2, {{{t, core::partition_id{0}}, 4}}}};
  _broker->metrics().set_group_source([&groups] { return groups; }, &_broker->logs());

  auto m = scrape();
  expect_one_group(m, "orders-app", t, {.members = 2, .committed = 4, .lag = 6});

  // A group that disappears takes its series with it.
  groups.clear();
  m = scrape();
  EXPECT_EQ(m["sluice_broker_consumer_groups"], 0);
  EXPECT_FALSE(m.contains("sluice_broker_consumer_group_members{group=\"orders-app\"}"));
  EXPECT_FALSE(m.contains("sluice_broker_consumer_group_lag{group=\"orders-app\",partition=\"0\",topic=\"" +
                          t + "\"}"));
}

TEST_F(metrics, a_real_consumer_group_shows_members_committed_offsets_and_lag) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  for (int i = 0; i < 5; ++i) produce(*p, t, 0, "k", "v");

  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  conf->set("bootstrap.servers", bootstrap(), err);
  conf->set("group.id", "metrics-group", err);
  conf->set("enable.auto.commit", "false", err);
  conf->set("auto.offset.reset", "earliest", err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  ASSERT_TRUE(c) << err;
  ASSERT_EQ(c->subscribe({t}), RdKafka::ERR_NO_ERROR);
  int got = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (got < 5 && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(c->consume(100));
    if (m->err() == RdKafka::ERR_NO_ERROR) ++got;
  }
  ASSERT_EQ(got, 5);
  ASSERT_EQ(c->commitSync(), RdKafka::ERR_NO_ERROR);
  for (int i = 0; i < 3; ++i) produce(*p, t, 0, "k", "v");

  auto m = scrape();
  expect_one_group(m, "metrics-group", t, {.members = 1, .committed = 5, .lag = 3});
  c->close();
}

}  // namespace
}  // namespace sluice::testing
