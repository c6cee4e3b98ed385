#pragma once
/// `sluice::run`: the `main` of a worker process, with zero set-up.
///
///     int main(int argc, char** argv) {
///       return sluice::run(make_topology(), argc, argv,
///                          {.config = {{"application.id", "page-views"}},
///                           .topics = {{"page-views", 3}, {"page-views-per-minute", 3}}});
///     }
///
/// Exactly `runtime::run_worker` (flags, signals, /metrics and /health, exit codes: see
/// runtime/worker.h), plus: when no bootstrap server is configured, an in-process sluice-broker
/// starts on `--broker-listen` (default 127.0.0.1:9092) with its data under
/// `<state.dir>/embedded-broker`, so an example runs with no cluster at all; other workers,
/// generators and readers reach it at that address. With `--bootstrap` the same binary runs
/// against any Kafka-compatible cluster and no broker starts.
///
/// This is the thin launcher: the one target (`sluice_launcher`) that links
/// both the runtime and the broker; the runtime itself stays broker-agnostic.

#include "dsl/topology.h"
#include "runtime/worker.h"

namespace sluice {

int run(dsl::topology topology, int argc, const char* const* argv,
        const runtime::worker_defaults& defaults = {});

}  // namespace sluice
