#pragma once
// The benches' reporters: Google Benchmark's console output, plus a table at the end in which
// each benchmark named `<family>/<member>` is compared with a baseline member of its family.
// `family_reporter` does the grouping; each bench keeps what it needs of a run (`add`) and
// prints its own table (`Finalize`).

#include <benchmark/benchmark.h>

#include <unistd.h>

#include <string>
#include <vector>

namespace sluice::bench {

class family_reporter : public benchmark::ConsoleReporter {
 public:
  using benchmark::ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.run_type != Run::RT_Iteration || run.error_occurred) continue;
      const std::string name = run.benchmark_name();
      const auto slash = name.find('/');
      if (slash == std::string::npos) continue;
      add(name.substr(0, slash), name.substr(slash + 1), run);
    }
  }

 protected:
  /// One finished run of `<family>/<member>` (`member` is everything after the first '/').
  virtual void add(const std::string& family, const std::string& member, const Run& run) = 0;
};

/// A bench's main after registration: parses the flags, runs the benchmarks through `Reporter`
/// (console colours on a terminal, a plain table otherwise) and shuts Google Benchmark down.
/// Returns 1 for a flag it does not know.
template <class Reporter>
int run_benchmarks(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Reporter reporter(::isatty(STDOUT_FILENO) ? benchmark::ConsoleReporter::OO_Defaults
                                            : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace sluice::bench
