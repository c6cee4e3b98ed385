// sluice-broker: the integrated Kafka-compatible broker as a process.
//
//   sluice-broker [--listen HOST:PORT] [--data-dir DIR] [--config FILE] [--set KEY=VALUE ...]
//                 [--enable-test-hooks]
//
// Test hooks (fault injection, `sluice.test.*` keys) are accepted in --set only with
// --enable-test-hooks; they are never broker configuration.
//
// Configuration precedence: built-in defaults < --config file < --listen/--data-dir < --set.
// A bad key or value exits with status 2 and a message naming the key. SIGTERM and SIGINT shut
// down cleanly (flush, clean-shutdown marker).

#include "broker/broker.h"
#include "broker/broker_config.h"
#include "core/config.h"
#include "core/log.h"

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <pthread.h>

int main(int argc, char** argv) {
  using namespace sluice;
  CLI::App app{"sluice-broker: a durable, partitioned log that speaks the Kafka protocol"};
  std::string listen;
  std::string data_dir;
  std::string config_file;
  std::vector<std::string> sets;
  bool test_hooks = false;
  app.add_option("--listen", listen, "Address to listen on (host:port); sets `listeners`");
  app.add_option("--data-dir", data_dir, "Data directory; sets `log.dirs`");
  app.add_option("--config", config_file, "A broker.properties file");
  app.add_option("--set", sets, "Override one key: --set key=value (repeatable)");
  app.add_flag("--enable-test-hooks", test_hooks,
               "Accept fault-injection keys (sluice.test.*) in --set; for tests only");
  CLI11_PARSE(app, argc, argv);

  broker::broker_options options;
  try {
    core::properties props;
    core::properties hooks;
    if (!config_file.empty()) props = core::load_properties_file(config_file);
    if (!listen.empty()) props["listeners"] = listen;
    if (!data_dir.empty()) props["log.dirs"] = data_dir;
    for (const auto& s : sets) {
      auto [k, v] = core::parse_override(s);
      if (broker::test_hook_config_def().find(k) != nullptr) {
        if (!test_hooks) {
          throw core::config_exception(
              {k + ": a test hook, not configuration; start sluice-broker with --enable-test-hooks to use it"});
        }
        hooks[k] = v;
        continue;
      }
      props[k] = v;
    }
    auto config = broker::broker_config_def().parse(props);
    options = broker::to_broker_options(config);
    if (test_hooks) broker::apply_test_hooks(options, broker::test_hook_config_def().parse(hooks));
    // log.level is an enumeration key: parse() has already rejected anything else.
    core::set_log_level(core::parse_log_level(config.get_string("log.level")).value());
  } catch (const core::config_exception& e) {
    std::cerr << "sluice-broker: " << e.what() << "\n";
    return 2;
  }

  // Block the shutdown signals in every thread; the main thread waits for them below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto started = broker::broker::start(options);
  if (!started) {
    std::cerr << "sluice-broker: failed to start on " << options.host << ":" << options.port
              << " with data in " << options.data_dir << ": " << started.error().message() << "\n";
    return 1;
  }
  auto b = std::move(started).value();
  // One line a supervisor or test can wait for.
  std::printf("sluice-broker ready on %s\n", b->bootstrap().c_str());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&signals, &sig);
  core::logger("broker").info("received {}, shutting down", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  if (auto r = b->stop(); !r) {
    std::cerr << "sluice-broker: shutdown failed: " << r.error().message() << "\n";
    return 1;
  }
  return 0;
}
