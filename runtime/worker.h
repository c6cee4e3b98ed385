#pragma once
/// The `main` of a worker process: run a topology as one instance of its application until
/// SIGTERM/SIGINT or a fatal error.
///
///     int main(int argc, char** argv) {
///       return sluice::runtime::run_worker(make_topology(), argc, argv,
///                                          {.config = {{"application.id", "page-views"}}});
///     }
///
/// Flags (later ones win; precedence: `defaults.config` < --config < the flags below and
/// --set):
///
/// | flag | meaning |
/// |---|---|
/// | `--bootstrap HOST:PORT[,...]` | the Kafka cluster (`bootstrap.servers`) |
/// | `--application-id ID` | `application.id` |
/// | `--threads N` | `num.stream.threads` |
/// | `--state-dir DIR` | `state.dir` |
/// | `--config FILE` | a .properties file of streams configuration |
/// | `--set KEY=VALUE` | any streams configuration key (repeatable) |
/// | `--http HOST:PORT` | where /metrics and /health are served (default 127.0.0.1:0; `off`) |
/// | `--shutdown-timeout-ms MS` | how long SIGTERM/SIGINT may take to commit and close (30000) |
/// | `--broker-listen HOST:PORT` | where the embedded broker listens (default 127.0.0.1:9092) |
/// | `--log-level LEVEL` | trace, debug, info, warn, error, off |
///
/// Without a bootstrap server the worker needs an embedded cluster: `run_worker` asks the
/// `embedded` factory for one (the launcher, `sluice::run`, starts an in-process sluice-broker
/// with its data under `<state.dir>/embedded-broker`); without a factory it is a usage error.
/// The runtime itself never links the broker (so that a Sluice app runs unchanged against any Kafka-protocol cluster).
///
/// Exit status: 0 after a clean shutdown on a signal; 1 if the application failed (state error,
/// a start-up failure, or a shutdown that did not finish in time); 2 for bad flags or
/// configuration. Every failure prints one clear line to stderr.
///
/// Thread safety: call once, from the process's main thread, before any other thread exists
/// (it blocks SIGTERM/SIGINT so that only it receives them).

#include "core/config.h"
#include "core/host_port.h"
#include "dsl/topology.h"

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::runtime {

/// What a worker's `main` fixes before its command line is read.
struct worker_defaults {
  /// Streams configuration defaults (e.g. the application.id).
  core::properties config;
  /// Topics created (with this many partitions) before the application starts, if missing —
  /// for examples that must run with zero set-up; production topics are usually created
  /// beforehand with the admin tools.
  std::vector<std::pair<std::string, int32_t>> topics;
};

struct worker_options {
  /// Streams configuration assembled from the defaults, --config and the flags.
  core::properties config;
  /// Where the HTTP endpoint (/metrics, /health) listens; nullopt (`--http off`) for none.
  std::optional<core::host_port> http_listen = core::host_port{"127.0.0.1", 0};
  std::chrono::milliseconds shutdown_timeout{30000};
  std::string broker_listen = "127.0.0.1:9092";
  bool help = false;
};

/// Parses the flags above on top of `defaults`. Throws core::config_exception naming the flag.
worker_options parse_worker_args(int argc, const char* const* argv,
                                 const core::properties& defaults = {});
/// The usage text.
std::string worker_usage(std::string_view program);

/// A Kafka cluster started for this worker because no bootstrap server was given.
class embedded_cluster {
 public:
  virtual ~embedded_cluster() = default;
  virtual std::string bootstrap() const = 0;
};
/// Starts an embedded cluster listening on `listen` with its data in `data_dir`; throws
/// std::runtime_error with a clear message if it cannot.
using embedded_cluster_factory = std::function<std::unique_ptr<embedded_cluster>(
    const std::string& listen, const std::filesystem::path& data_dir)>;

/// Runs `topology` as a worker process; returns the exit status.
int run_worker(dsl::topology topology, int argc, const char* const* argv,
               const worker_defaults& defaults = {},
               const embedded_cluster_factory& embedded = {});

}  // namespace sluice::runtime
