// Golden-output tests of the `sluice` admin CLI, run as a subprocess against an in-process broker.

#include "tests/integration/broker_fixture.h"

#include <nlohmann/json.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

namespace sluice::testing {
namespace {

struct cli_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class cli : public broker_test {
 protected:
  /// Runs `sluice --bootstrap <broker> <args>`; args are passed through the shell unquoted, so
  /// tests only use shell-safe words.
  cli_result run(const std::string& args, const std::string& bootstrap_override = "") {
    auto err_file = data_dir() / "cli.stderr";
    std::string cmd = std::string(SLUICE_CLI_BIN) + " --bootstrap " +
                      (bootstrap_override.empty() ? bootstrap() : bootstrap_override) + " " + args + " 2>" +
                      err_file.string();
    cli_result r;
    FILE* f = ::popen(cmd.c_str(), "r");
    if (f == nullptr) return r;
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) r.out.append(buf, n);
    int status = ::pclose(f);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    std::ifstream in(err_file);
    std::stringstream ss;
    ss << in.rdbuf();
    r.err = ss.str();
    return r;
  }

  /// Commits offsets for `group` through a librdkafka consumer (no subscription).
  void commit(const std::string& group, const std::string& t, const std::map<int32_t, int64_t>& offsets) {
    std::string err;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    conf->set("bootstrap.servers", bootstrap(), err);
    conf->set("group.id", group, err);
    conf->set("enable.auto.commit", "false", err);
    std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
    ASSERT_TRUE(c) << err;
    std::vector<RdKafka::TopicPartition*> tps;
    for (auto [p, off] : offsets) tps.push_back(RdKafka::TopicPartition::create(t, p, off));
    EXPECT_EQ(c->commitSync(tps), RdKafka::ERR_NO_ERROR);
    RdKafka::TopicPartition::destroy(tps);
    c->close();
  }
};

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST_F(cli, topics_create_list_describe_alter_partitions_and_delete) {
  auto t = topic("cli");
  auto r = run("topics create " + t + " --partitions 2 --config retention.ms=3600000");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Created topic " + t + " with 2 partitions.\n");

  r = run("topics list");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, t + "\n");
  auto j = nlohmann::json::parse(run("topics list --json").out);
  EXPECT_EQ(j, nlohmann::json::array({t}));

  r = run("topics describe " + t);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Topic: " + t + "  PartitionCount: 2  ReplicationFactor: 1\n"
                   "PARTITION  LEADER  REPLICAS  ISR\n"
                   "0          0       0         0\n"
                   "1          0       0         0\n");

  r = run("topics alter-partitions " + t + " --partitions 3");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Topic " + t + " now has 3 partitions.\n");
  j = nlohmann::json::parse(run("--json topics describe " + t).out);
  EXPECT_EQ(j["partition_count"], 3);
  EXPECT_EQ(j["partitions"].size(), 3u);

  r = run("topics create " + t);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;

  r = run("topics delete " + t);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Deleted topic " + t + ".\n");
  EXPECT_EQ(run("topics list").out, "");
}

TEST_F(cli, configs_describe_and_alter_for_topic_and_broker) {
  auto t = topic("cfg");
  ASSERT_EQ(create_topic(t, 1, {{"retention.ms", "3600000"}}), RdKafka::ERR_NO_ERROR);
  auto r = run("configs describe --topic " + t);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto ls = lines(r.out);
  EXPECT_NE(std::find(ls.begin(), ls.end(), "retention.ms=3600000"), ls.end()) << r.out;
  EXPECT_NE(std::find(ls.begin(), ls.end(), "cleanup.policy=delete"), ls.end()) << r.out;
  EXPECT_TRUE(std::is_sorted(ls.begin(), ls.end()));

  r = run("configs alter --topic " + t + " --set cleanup.policy=compact");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Set cleanup.policy=compact on topic '" + t + "'.\n");
  auto j = nlohmann::json::parse(run("--json configs describe --topic " + t).out);
  EXPECT_EQ(j["cleanup.policy"], "compact");
  EXPECT_EQ(j["retention.ms"], "3600000");  // kept: alter changes only the given keys

  r = run("configs alter --topic " + t + " --set retention.ms=abc");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << r.err;

  r = run("configs describe --broker 0");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(r.out.empty());
  r = run("configs describe --broker 7");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: unknown broker 7\n");
}

TEST_F(cli, groups_list_describe_reset_offsets_and_delete) {
  auto t = topic("grp");
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  for (int i = 0; i < 5; ++i) produce(*p, t, 0, "k", "v" + std::to_string(i));
  for (int i = 0; i < 3; ++i) produce(*p, t, 1, "k", "w" + std::to_string(i));
  auto g = topic("group");
  commit(g, t, {{0, 3}, {1, 1}});

  auto r = run("groups list");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, g + "\n");

  r = run("groups describe " + g);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto ls = lines(r.out);
  ASSERT_EQ(ls.size(), 4u) << r.out;
  std::string pad(t.size() > 5 ? t.size() - 5 : 0, ' ');
  EXPECT_EQ(ls[1], "TOPIC" + pad + "  PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  CONSUMER-ID  HOST  CLIENT-ID");
  EXPECT_EQ(ls[2], t + "  0          3               5               2    -            -     -");
  EXPECT_EQ(ls[3], t + "  1          1               3               2    -            -     -");

  auto j = nlohmann::json::parse(run("groups describe " + g + " --json").out);
  ASSERT_EQ(j["partitions"].size(), 2u);
  EXPECT_EQ(j["partitions"][0]["current_offset"], 3);
  EXPECT_EQ(j["partitions"][0]["log_end_offset"], 5);
  EXPECT_EQ(j["partitions"][0]["lag"], 2);
  EXPECT_EQ(j["partitions"][1]["lag"], 2);

  r = run("groups reset-offsets " + g + " --topic " + t + " --to earliest");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "TOPIC" + pad + "  PARTITION  NEW-OFFSET\n" + t + "  0          0\n" + t + "  1          0\n");
  j = nlohmann::json::parse(run("--json groups describe " + g).out);
  EXPECT_EQ(j["partitions"][0]["lag"], 5);
  EXPECT_EQ(j["partitions"][1]["lag"], 3);

  r = run("groups reset-offsets " + g + " --topic " + t + " --to offset:4 --dry-run");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "TOPIC" + pad + "  PARTITION  NEW-OFFSET\n" + t + "  0          4\n" + t + "  1          3\n");
  j = nlohmann::json::parse(run("--json groups describe " + g).out);
  EXPECT_EQ(j["partitions"][0]["current_offset"], 0);  // dry run: nothing committed

  r = run("groups reset-offsets " + g + " --topic " + t + " --to latest");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  j = nlohmann::json::parse(run("--json groups describe " + g).out);
  EXPECT_EQ(j["partitions"][0]["lag"], 0);
  EXPECT_EQ(j["partitions"][1]["current_offset"], 3);

  r = run("groups delete " + g);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "Deleted group " + g + ".\n");
  EXPECT_EQ(run("groups list").out, "");
  r = run("groups describe " + g);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "error: unknown group '" + g + "'\n");
}

TEST_F(cli, groups_describe_shows_the_owning_member_of_an_active_group) {
  auto t = topic("own");
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  auto g = topic("active");
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap(), err);
  conf->set("group.id", g, err);
  conf->set("client.id", "cli-test-client", err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  ASSERT_TRUE(c) << err;
  ASSERT_EQ(c->subscribe({t}), RdKafka::ERR_NO_ERROR);
  std::vector<RdKafka::TopicPartition*> assigned;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (assigned.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    delete c->consume(100);
    RdKafka::TopicPartition::destroy(assigned);
    c->assignment(assigned);
  }
  RdKafka::TopicPartition::destroy(assigned);
  auto j = nlohmann::json::parse(run("--json groups describe " + g).out);
  EXPECT_EQ(j["state"], "Stable");
  ASSERT_EQ(j["partitions"].size(), 2u) << j.dump();
  for (const auto& row : j["partitions"]) {
    EXPECT_EQ(row["consumer_id"], c->memberid());
    EXPECT_EQ(row["client_id"], "cli-test-client");
    EXPECT_TRUE(row["current_offset"].is_null());
  }
  auto r = run("groups reset-offsets " + g + " --topic " + t + " --to earliest");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  r = run("groups delete " + g);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  c->close();
}

TEST_F(cli, offsets_earliest_latest_and_by_time) {
  auto t = topic("off");
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  produce(*p, t, 0, "a", "1", 1000);
  produce(*p, t, 0, "b", "2", 2000);
  produce(*p, t, 0, "c", "3", 3000);
  produce(*p, t, 1, "d", "4", 1500);

  auto r = run("offsets " + t + " --time earliest");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, t + ":0:0\n" + t + ":1:0\n");
  r = run("offsets " + t);
  EXPECT_EQ(r.out, t + ":0:3\n" + t + ":1:1\n");
  r = run("offsets " + t + " --time 2000");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, t + ":0:1\n" + t + ":1:1\n");
  auto j = nlohmann::json::parse(run("offsets " + t + " --time 1200 --json").out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["offset"], 1);
  EXPECT_EQ(j[1]["offset"], 0);

  r = run("offsets " + t + " --time yesterday");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
}

TEST_F(cli, errors_are_one_line_and_a_non_zero_exit) {
  for (const std::string args : {"topics describe no-such-topic", "topics delete no-such-topic",
                                 "offsets no-such-topic", "configs describe --topic no-such-topic"}) {
    auto r = run(args);
    EXPECT_EQ(r.exit_code, 1) << args;
    EXPECT_EQ(r.out, "") << args;
    EXPECT_EQ(r.err, "error: unknown topic 'no-such-topic'\n") << args;
  }
  auto r = run("--timeout 1500 topics list", "127.0.0.1:1");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(lines(r.err).size(), 1u) << r.err;
  EXPECT_EQ(r.err.rfind("error: cannot reach broker at 127.0.0.1:1", 0), 0u) << r.err;
}

}  // namespace
}  // namespace sluice::testing
