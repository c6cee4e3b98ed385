// `sluice`: the admin CLI. Topics, configs, consumer groups and offsets through librdkafka's
// admin API only, so the same commands work against sluice-broker and any Kafka cluster.
//
// Errors: every failure ends the command with one line on stderr ("error: ...") and exit
// code 1; a usage mistake exits with CLI11's code. Output on stdout is stable (golden-tested in
// tests/integration/cli_test.cc); `--json` prints one JSON document instead of the table.

#include "runtime/cli/commands.h"

#include <CLI/CLI.hpp>

#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

namespace sluice::cli {
namespace {

int run(int argc, char** argv) {
  CLI::App app{"sluice: administer topics, configs, consumer groups and offsets of a Kafka cluster"};
  app.require_subcommand(1);
  global_options g;
  app.add_option("--bootstrap,-b", g.bootstrap, "bootstrap servers (host:port[,host:port])")->capture_default_str();
  app.add_option("--timeout", g.timeout_ms, "request timeout in milliseconds")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_flag("--json", g.json, "print JSON instead of a table");
  // Options given after a subcommand are accepted too (`sluice topics list --json`).
  app.fallthrough();

  std::string name, topic, to, time = "latest";
  int partitions = 1, rf = 1;
  bool all = false, dry_run = false;
  std::optional<int> broker;
  std::vector<std::string> configs;
  std::function<void()> action;

  auto* topics = app.add_subcommand("topics", "create, list, describe, delete topics, add partitions");
  topics->require_subcommand(1);
  auto* tc = topics->add_subcommand("create", "create a topic");
  tc->add_option("name", name, "topic name")->required();
  tc->add_option("--partitions,-p", partitions, "partition count")->capture_default_str()->check(CLI::PositiveNumber);
  tc->add_option("--replication-factor,-r", rf, "replication factor")->capture_default_str()->check(CLI::PositiveNumber);
  tc->add_option("--config,-c", configs, "topic config KEY=VALUE (repeatable)");
  tc->callback([&] { action = [&] { topics_create(g, name, partitions, rf, configs); }; });
  auto* tl = topics->add_subcommand("list", "list topics");
  tl->add_flag("--all", all, "include internal topics (__consumer_offsets)");
  tl->callback([&] { action = [&] { topics_list(g, all); }; });
  auto* td = topics->add_subcommand("describe", "partitions, leaders and replicas of a topic");
  td->add_option("name", name, "topic name")->required();
  td->callback([&] { action = [&] { topics_describe(g, name); }; });
  auto* tx = topics->add_subcommand("delete", "delete a topic");
  tx->add_option("name", name, "topic name")->required();
  tx->callback([&] { action = [&] { topics_delete(g, name); }; });
  auto* ta = topics->add_subcommand("alter-partitions", "grow a topic to a new partition count");
  ta->add_option("name", name, "topic name")->required();
  ta->add_option("--partitions,-p", partitions, "new total partition count")->required()->check(CLI::PositiveNumber);
  ta->callback([&] { action = [&] { topics_alter_partitions(g, name, partitions); }; });

  auto* cfg = app.add_subcommand("configs", "describe and alter topic or broker configs");
  cfg->require_subcommand(1);
  auto* cd = cfg->add_subcommand("describe", "print KEY=VALUE for every config");
  cd->add_option("--topic", topic, "topic name");
  cd->add_option("--broker", broker, "broker id");
  cd->callback([&] { action = [&] { configs_describe(g, topic, broker); }; });
  auto* ca = cfg->add_subcommand("alter", "set configs (others keep their values)");
  ca->add_option("--topic", topic, "topic name");
  ca->add_option("--broker", broker, "broker id");
  ca->add_option("--set", configs, "KEY=VALUE (repeatable)")->required();
  ca->callback([&] { action = [&] { configs_alter(g, topic, broker, configs); }; });

  auto* grp = app.add_subcommand("groups", "list, describe, delete consumer groups, reset offsets");
  grp->require_subcommand(1);
  auto* gl = grp->add_subcommand("list", "list consumer groups");
  gl->callback([&] { action = [&] { groups_list(g); }; });
  auto* gd = grp->add_subcommand("describe", "offsets, log-end offsets, lag and owners per partition");
  gd->add_option("group", name, "group id")->required();
  gd->callback([&] { action = [&] { groups_describe(g, name); }; });
  auto* gx = grp->add_subcommand("delete", "delete an empty consumer group");
  gx->add_option("group", name, "group id")->required();
  gx->callback([&] { action = [&] { groups_delete(g, name); }; });
  auto* gr = grp->add_subcommand("reset-offsets", "set an (inactive) group's committed offsets on a topic");
  gr->add_option("group", name, "group id")->required();
  gr->add_option("--topic", topic, "topic name")->required();
  gr->add_option("--to", to, "earliest, latest, offset:N or a timestamp in ms")->required();
  gr->add_flag("--dry-run", dry_run, "print the new offsets without committing them");
  gr->callback([&] { action = [&] { groups_reset_offsets(g, name, topic, to, dry_run); }; });

  auto* off = app.add_subcommand("offsets", "earliest, latest or by-time offset per partition");
  off->add_option("topic", topic, "topic name")->required();
  off->add_option("--time", time, "earliest, latest or a timestamp in ms")->capture_default_str();
  off->callback([&] { action = [&] { offsets(g, topic, time); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    if (action) action();
  } catch (const cli_error& e) {
    std::cout.flush();
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace sluice::cli

int main(int argc, char** argv) { return sluice::cli::run(argc, argv); }
