#include "runtime/worker.h"

#include "core/host_port.h"
#include "core/http_server.h"
#include "core/log.h"
#include "runtime/clients.h"
#include "runtime/streams.h"

#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <pthread.h>

namespace sluice::runtime {
namespace {

struct flag {
  std::string_view name;
  bool takes_value;
};

constexpr flag flags[] = {
    {"--bootstrap", true},   {"--application-id", true},      {"--threads", true},
    {"--state-dir", true},   {"--config", true},              {"--set", true},
    {"--http", true},        {"--shutdown-timeout-ms", true}, {"--broker-listen", true},
    {"--log-level", true},   {"--help", false},
};


std::string program_name(int argc, const char* const* argv) {
  if (argc < 1 || argv[0] == nullptr) return "worker";
  std::string_view p(argv[0]);
  if (auto slash = p.rfind('/'); slash != std::string_view::npos) p = p.substr(slash + 1);
  return std::string(p);
}

void say(const std::string& program, const std::string& line) {
  std::fprintf(stderr, "%s: %s\n", program.c_str(), line.c_str());
  std::fflush(stderr);
}

core::http_server::response health(const streams& app) {
  const streams_state s = app.state();
  nlohmann::json threads = nlohmann::json::array();
  for (const auto& t : app.metadata()) {
    nlohmann::json tasks = nlohmann::json::array();
    for (const auto& task : t.active_tasks) {
      nlohmann::json parts = nlohmann::json::array();
      for (const auto& tp : task.partitions) parts.push_back(fmt::format("{}-{}", tp.topic, tp.partition.value()));
      tasks.push_back({{"id", task.task_id}, {"state", task.state}, {"partitions", parts}});
    }
    threads.push_back({{"name", t.thread_name}, {"state", t.state}, {"tasks", tasks}});
  }
  const bool healthy = s == streams_state::running || s == streams_state::rebalancing;
  nlohmann::json body{{"state", std::string(to_string(s))}, {"threads", threads}};
  return {healthy ? 200 : 503, "application/json", body.dump() + "\n"};
}

}  // namespace

std::string worker_usage(std::string_view program) {
  return fmt::format(
      "usage: {} [--bootstrap HOST:PORT[,...]] [--application-id ID] [--threads N]\n"
      "       [--state-dir DIR] [--config FILE] [--set KEY=VALUE]... [--http HOST:PORT|off]\n"
      "       [--shutdown-timeout-ms MS] [--broker-listen HOST:PORT] [--log-level LEVEL]\n"
      "Without --bootstrap an embedded broker starts on --broker-listen (default 127.0.0.1:9092).\n",
      program);
}

worker_options parse_worker_args(int argc, const char* const* argv, const core::properties& defaults) {
  worker_options o;
  core::properties from_flags;
  std::optional<std::string> config_file;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg(argv[i]);
    std::string value;
    std::string_view name = arg;
    if (auto eq = arg.find('='); arg.starts_with("--") && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = std::string(arg.substr(eq + 1));
    }
    const flag* f = nullptr;
    for (const auto& candidate : flags) {
      if (candidate.name == name) f = &candidate;
    }
    if (f == nullptr) throw core::config_exception({fmt::format("unknown flag '{}'", arg)});
    if (f->takes_value && name == arg) {
      if (i + 1 >= argc) throw core::config_exception({fmt::format("flag '{}' needs a value", name)});
      value = argv[++i];
    }
    if (name == "--help") {
      o.help = true;
    } else if (name == "--bootstrap") {
      from_flags["bootstrap.servers"] = value;
    } else if (name == "--application-id") {
      from_flags["application.id"] = value;
    } else if (name == "--threads") {
      from_flags["num.stream.threads"] = value;
    } else if (name == "--state-dir") {
      from_flags["state.dir"] = value;
    } else if (name == "--config") {
      config_file = value;
    } else if (name == "--set") {
      auto [k, v] = core::parse_override(value);
      from_flags[k] = v;
    } else if (name == "--http") {
      o.http_listen = value == "off" ? std::nullopt
                                     : std::optional(core::parse_host_port(value, "--http"));
    } else if (name == "--broker-listen") {
      (void)core::parse_host_port(value, "--broker-listen");
      o.broker_listen = value;
    } else if (name == "--shutdown-timeout-ms") {
      int64_t ms = 0;
      if (std::from_chars(value.data(), value.data() + value.size(), ms).ec != std::errc{} || ms < 0) {
        throw core::config_exception(
            {fmt::format("invalid value '{}' for --shutdown-timeout-ms: expected milliseconds", value)});
      }
      o.shutdown_timeout = std::chrono::milliseconds(ms);
    } else if (name == "--log-level") {
      auto level = core::parse_log_level(value);
      if (!level) {
        throw core::config_exception({fmt::format(
            "invalid value '{}' for --log-level: expected trace, debug, info, warn, error or off", value)});
      }
      core::set_log_level(level.value());
    }
  }
  o.config = defaults;
  if (config_file) {
    for (auto& [k, v] : core::load_properties_file(*config_file)) o.config[k] = v;
  }
  for (auto& [k, v] : from_flags) o.config[k] = v;
  return o;
}

int run_worker(dsl::topology topology, int argc, const char* const* argv,
               const worker_defaults& defaults, const embedded_cluster_factory& embedded) {
  const std::string program = program_name(argc, argv);
  worker_options opts;
  try {
    opts = parse_worker_args(argc, argv, defaults.config);
  } catch (const core::config_exception& e) {
    say(program, e.what());
    std::fputs(worker_usage(program).c_str(), stderr);
    return 2;
  }
  if (opts.help) {
    std::fputs(worker_usage(program).c_str(), stdout);
    return 0;
  }

  // Only this thread takes SIGTERM/SIGINT (every thread started from now on inherits the mask).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigset_t previous;
  pthread_sigmask(SIG_BLOCK, &signals, &previous);
  struct restore_mask {
    sigset_t mask;
    ~restore_mask() { pthread_sigmask(SIG_SETMASK, &mask, nullptr); }
  } restore{previous};

  std::unique_ptr<embedded_cluster> cluster;
  if (!opts.config.contains("bootstrap.servers")) {
    if (!embedded) {
      say(program, "no --bootstrap given, and this worker has no embedded broker (link "
                   "sluice_launcher and call sluice::run to get one)");
      return 2;
    }
    const auto it = opts.config.find("state.dir");
    const std::filesystem::path state_dir =
        it != opts.config.end() ? it->second
                                : streams_config::definition().find("state.dir")->default_value.value();
    const auto data = state_dir / "embedded-broker";
    try {
      cluster = embedded(opts.broker_listen, data);
    } catch (const std::exception& e) {
      say(program, fmt::format("cannot start the embedded broker on {}: {} (if a broker already "
                               "runs there, pass --bootstrap {})",
                               opts.broker_listen, e.what(), opts.broker_listen));
      return 1;
    }
    opts.config["bootstrap.servers"] = cluster->bootstrap();
    say(program, fmt::format("embedded broker on {} (data in {})", cluster->bootstrap(), data.string()));
  }

  for (const auto& [name, partitions] : defaults.topics) {
    try {
      const std::string& bootstrap = opts.config.at("bootstrap.servers");
      if (!topic_partitions(bootstrap, name)) {
        ensure_topic(bootstrap, name, partitions);
        say(program, fmt::format("created topic '{}' with {} partitions", name, partitions));
      }
    } catch (const std::exception& e) {
      say(program, fmt::format("cannot create topic '{}': {}", name, e.what()));
      return 1;
    }
  }

  std::unique_ptr<streams> app;
  try {
    app = std::make_unique<streams>(std::move(topology), opts.config);
  } catch (const core::config_exception& e) {
    say(program, fmt::format("invalid configuration: {}", e.what()));
    return 2;
  }

  std::unique_ptr<core::http_server> http;
  if (opts.http_listen) {
    auto served = core::http_server::serve(*opts.http_listen, "sluice-worker", [&app = *app](std::string_view path) {
      if (path == "/metrics") {
        return core::http_server::response{200, std::string(core::http_server::prometheus_text),
                                           app.metrics().render_prometheus()};
      }
      if (path == "/health") return health(app);
      return core::http_server::response{404, "text/plain; charset=utf-8", "try /metrics or /health\n"};
    });
    if (!served) {
      say(program, fmt::format("cannot serve HTTP on {}: {}", core::to_string(*opts.http_listen),
                               served.error().message()));
      return 1;
    }
    http = std::move(served).value();
    say(program, fmt::format("metrics on http://{}:{}/metrics, health on /health", opts.http_listen->host,
                             http->port()));
  }

  try {
    app->start();
  } catch (const std::exception& e) {
    say(program, fmt::format("cannot start: {}", e.what()));
    app->close(opts.shutdown_timeout);
    return 1;
  }
  say(program, fmt::format("application '{}' started against {} with {} stream thread(s); "
                           "SIGTERM or SIGINT stops it",
                           app->config().application_id, app->config().bootstrap_servers,
                           app->config().num_stream_threads));

  int status = 0;
  for (;;) {
    timespec wait{0, 200 * 1000 * 1000};
    const int sig = sigtimedwait(&signals, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM) {
      say(program, fmt::format("{}: committing and closing (at most {} ms)",
                               sig == SIGINT ? "SIGINT" : "SIGTERM", opts.shutdown_timeout.count()));
      break;
    }
    const streams_state s = app->state();
    if (s == streams_state::error || s == streams_state::not_running) {
      say(program, "the application failed (the log above says why); shutting down");
      status = 1;
      break;
    }
  }
  if (!app->close(opts.shutdown_timeout)) {
    say(program, fmt::format("shutdown did not finish within {} ms; exiting anyway",
                             opts.shutdown_timeout.count()));
    std::_Exit(1);
  }
  http.reset();
  app.reset();
  say(program, status == 0 ? "stopped" : "stopped after a failure");
  return status;
}

}  // namespace sluice::runtime
