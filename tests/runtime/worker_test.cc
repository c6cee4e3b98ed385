#include "dsl/streams.h"
#include "runtime/errors.h"
#include "runtime/worker.h"
#include "tests/support/loopback.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace sluice::runtime {
namespace {

using sluice::testing::http_answer;
using sluice::testing::http_request;

worker_options parse(std::vector<std::string> args, const core::properties& defaults = {}) {
  args.insert(args.begin(), "worker");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return parse_worker_args(static_cast<int>(argv.size()), argv.data(), defaults);
}

std::string error_of(std::vector<std::string> args) {
  try {
    (void)parse(std::move(args));
  } catch (const core::config_exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(worker_args, flags_map_to_streams_configuration_over_the_defaults) {
  const auto o = parse({"--bootstrap", "k1:9092,k2:9092", "--application-id=orders", "--threads", "3",
                        "--state-dir", "/var/lib/x", "--set", "commit.interval.ms=500", "--http",
                        "0.0.0.0:9100", "--shutdown-timeout-ms", "5000", "--broker-listen",
                        "127.0.0.1:19092"},
                       {{"application.id", "default-id"}, {"cache.max.bytes", "0"}});
  EXPECT_EQ(o.config.at("bootstrap.servers"), "k1:9092,k2:9092");
  EXPECT_EQ(o.config.at("application.id"), "orders");
  EXPECT_EQ(o.config.at("num.stream.threads"), "3");
  EXPECT_EQ(o.config.at("state.dir"), "/var/lib/x");
  EXPECT_EQ(o.config.at("commit.interval.ms"), "500");
  EXPECT_EQ(o.config.at("cache.max.bytes"), "0");  // default kept
  ASSERT_TRUE(o.http_listen);
  EXPECT_EQ(core::to_string(*o.http_listen), "0.0.0.0:9100");
  EXPECT_EQ(o.shutdown_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(o.broker_listen, "127.0.0.1:19092");
  EXPECT_FALSE(o.help);
}

TEST(worker_args, a_config_file_sits_between_the_defaults_and_the_flags) {
  const auto file = std::filesystem::temp_directory_path() / "sluice-worker-test.properties";
  {
    std::ofstream f(file);
    f << "# streams\napplication.id = from-file\nnum.stream.threads=2\npoll.ms=30\n";
  }
  const auto o = parse({"--config", file.string(), "--threads", "4"},
                       {{"application.id", "default"}, {"poll.ms", "10"}, {"max.task.idle.ms", "7"}});
  EXPECT_EQ(o.config.at("application.id"), "from-file");
  EXPECT_EQ(o.config.at("num.stream.threads"), "4");
  EXPECT_EQ(o.config.at("poll.ms"), "30");
  EXPECT_EQ(o.config.at("max.task.idle.ms"), "7");
  std::filesystem::remove(file);
}

TEST(worker_args, http_can_be_turned_off_and_help_is_recognized) {
  EXPECT_FALSE(parse({"--http", "off"}).http_listen);
  ASSERT_TRUE(parse({}).http_listen);
  EXPECT_EQ(core::to_string(*parse({}).http_listen), "127.0.0.1:0");
  EXPECT_TRUE(parse({"--help"}).help);
  EXPECT_NE(worker_usage("pv").find("usage: pv"), std::string::npos);
}

TEST(worker_args, bad_flags_are_named) {
  EXPECT_NE(error_of({"--bogus"}).find("unknown flag '--bogus'"), std::string::npos);
  EXPECT_NE(error_of({"--threads"}).find("flag '--threads' needs a value"), std::string::npos);
  EXPECT_NE(error_of({"--http", "nowhere"}).find("--http"), std::string::npos);
  EXPECT_NE(error_of({"--broker-listen", "host:99999"}).find("--broker-listen"), std::string::npos);
  EXPECT_NE(error_of({"--shutdown-timeout-ms", "soon"}).find("--shutdown-timeout-ms"), std::string::npos);
  EXPECT_NE(error_of({"--set", "nokey"}).find("="), std::string::npos) << error_of({"--set", "nokey"});
  EXPECT_NE(error_of({"--config", "/nonexistent/x.properties"}).find("/nonexistent/x.properties"),
            std::string::npos);
  EXPECT_NE(error_of({"--log-level", "loud"}).find("--log-level"), std::string::npos);
}

TEST(run_worker, without_a_bootstrap_or_an_embedded_cluster_it_is_a_usage_error) {
  std::vector<const char*> argv{"worker", "--http", "off"};
  streams_builder b;
  b.stream<std::string, std::string>("in").to("out");
  EXPECT_EQ(run_worker(b.build(), static_cast<int>(argv.size()), argv.data(),
                       {.config = {{"application.id", "x"}}}),
            2);
}

TEST(run_worker, bad_configuration_exits_with_status_2) {
  std::vector<const char*> argv{"worker", "--bootstrap", "127.0.0.1:1", "--http", "off", "--set",
                                "num.stream.threads=zero"};
  streams_builder b;
  b.stream<std::string, std::string>("in").to("out");
  EXPECT_EQ(run_worker(b.build(), static_cast<int>(argv.size()), argv.data(),
                       {.config = {{"application.id", "x"}}}),
            2);
}

}  // namespace
}  // namespace sluice::runtime
