#pragma once
// The benches' reporters: Google Benchmark's console output, plus a table at the end in which
// each benchmark named `<family>/<member>` is compared with a baseline member of its family.
// `family_reporter` does the grouping; each bench keeps what it needs of a run (`add`) and
// prints its own table (`Finalize`).

#include <benchmark/benchmark.h>

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

}  // namespace sluice::bench
