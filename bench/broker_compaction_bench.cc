// Log compaction throughput beside the raw sequential read rate of the same segment files,
// measured in the same run. Per workload (a partition of ~32 MiB in 4 MiB closed segments):
//
//   <workload>/raw_pread    pread of the .log files in 1 MiB chunks (page cache): the floor
//   <workload>/log_read     partition_log::read from the log start, as a consumer's fetches do
//   <workload>/compaction   one forced cleaning pass (key map + rewrite + swap) of a fresh copy
//
// Workloads: dup90 (keys repeat: 90% of records superseded), dup50, unique (nothing to remove:
// every batch is copied verbatim) and dup90_lz4 (lz4 batches: decompress and recompress).
// "MB/s" is bytes of closed segments cleaned (or read) per second of wall time. The table at the
// end prints each figure relative to raw_pread of the same workload. Add
// --benchmark_out=compaction.json --benchmark_out_format=json for the plot script.

#include "core/protocol/records.h"
#include "broker/storage/log_cleaner.h"
#include "broker/storage/partition_log.h"

#include "bench/family_reporter.h"

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace sluice;
using namespace sluice::broker;
namespace fs = std::filesystem;

constexpr uint64_t log_bytes = 32ull << 20;
constexpr uint64_t segment_bytes = 4ull << 20;
constexpr int records_per_batch = 10;
constexpr size_t value_size = 100;

struct workload {
  const char* name;
  double unique_share;  ///< distinct keys / records
  protocol::compression_codec codec;
};

const workload workloads[] = {
    {"dup90", 0.10, protocol::compression_codec::none},
    {"dup50", 0.50, protocol::compression_codec::none},
    {"unique", 1.00, protocol::compression_codec::none},
    {"dup90_lz4", 0.10, protocol::compression_codec::lz4},
};

storage::log_config bench_config() {
  storage::log_config c;
  c.segment_bytes = segment_bytes;
  c.cleanup_compact = true;
  c.cleanup_delete = false;
  c.min_cleanable_dirty_ratio = 0.0;
  return c;
}

fs::path root() {
  static const fs::path r = [] {
    auto d = fs::temp_directory_path() / ("sluice-compaction-bench-" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
  }();
  return r;
}

void fail(benchmark::State& state, const std::string& what) { state.SkipWithError(what.c_str()); }

/// Writes the workload's pristine log once (then reused); returns its directory.
fs::path pristine(const workload& w) {
  auto dir = root() / (std::string(w.name) + "-pristine");
  if (fs::exists(dir)) return dir;
  auto log = storage::partition_log::open(dir, {"bench", core::partition_id{0}}, bench_config(),
                                          true, core::offset{0}, core::offset{0})
                 .value();
  // Roughly how many records fit, to size the key space.
  const uint64_t approx_records = log_bytes / (value_size + 20);
  const auto keys = std::max<uint64_t>(1, static_cast<uint64_t>(w.unique_share * approx_records));
  std::mt19937_64 rng(7);
  uint64_t n = 0;
  std::vector<core::raw_record> rs(records_per_batch);
  protocol::record_batch_options o;
  o.codec = w.codec;
  std::string value(value_size, 'v');
  while (log->size_bytes() < log_bytes) {
    for (auto& r : rs) {
      // Unique: every key once; otherwise uniformly from the key space.
      const uint64_t k = w.unique_share >= 1.0 ? n : rng() % keys;
      r.key = core::to_bytes("key-" + std::to_string(k));
      // Random letters: values compress about as much as text does, not like a run of 'v's.
      for (auto& ch : value) ch = static_cast<char>('a' + rng() % 26);
      r.value = core::to_bytes(value);
      r.ts = core::from_epoch_ms(1'700'000'000'000 + static_cast<int64_t>(n));
      ++n;
    }
    auto batch = protocol::encode_record_batch(rs, o).value();
    (void)log->append(batch).value();
  }
  // Close the last segment so that everything is cleanable.
  auto c = bench_config();
  c.segment_ms = 1;
  log->set_config(c);
  ::usleep(5000);
  (void)log->roll_if_idle(std::chrono::steady_clock::now());
  (void)log->close();
  return dir;
}

uint64_t closed_bytes(const fs::path& dir) {
  auto log = storage::partition_log::open(dir, {"bench", core::partition_id{0}}, bench_config(),
                                          true, core::offset{0}, core::offset{0})
                 .value();
  uint64_t total = 0;
  for (const auto& s : log->closed_segments()) total += s->size();
  return total;
}

void raw_pread(benchmark::State& state, const workload& w) {
  auto dir = pristine(w);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".log") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<char> buf(1 << 20);
  uint64_t bytes = 0;
  for (auto _ : state) {
    for (const auto& f : files) {
      int fd = ::open(f.c_str(), O_RDONLY);
      if (fd < 0) return fail(state, "open " + f.string());
      off_t pos = 0;
      for (;;) {
        auto n = ::pread(fd, buf.data(), buf.size(), pos);
        if (n <= 0) break;
        benchmark::DoNotOptimize(buf.data());
        pos += n;
        bytes += static_cast<uint64_t>(n);
      }
      ::close(fd);
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void log_read(benchmark::State& state, const workload& w) {
  auto dir = pristine(w);
  auto log = storage::partition_log::open(dir, {"bench", core::partition_id{0}}, bench_config(),
                                          true, core::offset{0}, core::offset{0})
                 .value();
  uint64_t bytes = 0;
  for (auto _ : state) {
    int64_t offset = log->log_start_offset().value();
    const int64_t end = log->high_watermark().value();
    while (offset < end) {
      auto r = log->read(core::offset{offset}, 1 << 20, core::offset{end});
      if (!r) return fail(state, r.error().message());
      const auto& data = r.value().records;
      if (data.empty()) break;
      // The next fetch starts after the last whole batch returned.
      protocol::batch_iterator it(data);
      int64_t next = offset;
      for (;;) {
        auto b = it.next().value();
        if (!b) break;
        next = protocol::decode_batch_header(*b).value().last_offset().value() + 1;
      }
      bytes += data.size();
      offset = next;
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}

void compaction(benchmark::State& state, const workload& w) {
  auto source = pristine(w);
  const uint64_t cleaned_per_pass = closed_bytes(source);
  auto work = root() / (std::string(w.name) + "-work");
  uint64_t bytes = 0;
  uint64_t after = 0;
  int64_t removed = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(work);
    fs::copy(source, work, fs::copy_options::recursive);
    auto log = storage::partition_log::open(work, {"bench", core::partition_id{0}}, bench_config(),
                                            true, core::offset{0}, core::offset{0})
                   .value();
    // Warm the page cache as for the read baselines (the copy just wrote these files).
    state.ResumeTiming();
    auto r = storage::clean_log(*log, 1'800'000'000'000, {}, true);
    if (!r) return fail(state, r.error().message());
    bytes += cleaned_per_pass;
    after = r.value().bytes_after;
    removed = r.value().records_removed;
    state.PauseTiming();
    log.reset();
    state.ResumeTiming();
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  state.counters["bytes_after"] = static_cast<double>(after);
  state.counters["records_removed"] = static_cast<double>(removed);
}

/// Console output plus a table of MB/s relative to raw_pread per workload.
class ratio_reporter final : public sluice::bench::family_reporter {
 public:
  using family_reporter::family_reporter;

  void add(const std::string& family, const std::string& member, const Run& run) override {
    auto it = run.counters.find("bytes_per_second");
    if (it == run.counters.end()) return;
    _rates[family][member.substr(0, member.find('/'))] = it->second.value / 1e6;
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    auto& out = GetOutputStream();
    out << "\nMB/s (10^6 bytes of closed segments per second) and ratio to raw_pread of the same "
           "files:\n";
    char line[160];
    std::snprintf(line, sizeof line, "%-12s %-12s %10s %10s\n", "workload", "measure", "MB/s",
                  "x raw_pread");
    out << line;
    for (const auto& [workload, rates] : _rates) {
      auto base = rates.find("raw_pread");
      for (const auto& [measure, rate] : rates) {
        const double ratio = base != rates.end() && base->second > 0 ? rate / base->second : 0;
        std::snprintf(line, sizeof line, "%-12s %-12s %10.1f %10.3f\n", workload.c_str(),
                      measure.c_str(), rate, ratio);
        out << line;
      }
    }
  }

 private:
  std::map<std::string, std::map<std::string, double>> _rates;
};

}  // namespace

int main(int argc, char** argv) {
  for (const auto& w : workloads) {
    benchmark::RegisterBenchmark((std::string(w.name) + "/raw_pread").c_str(),
                                 [&w](benchmark::State& s) { raw_pread(s, w); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string(w.name) + "/log_read").c_str(),
                                 [&w](benchmark::State& s) { log_read(s, w); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
    benchmark::RegisterBenchmark((std::string(w.name) + "/compaction").c_str(),
                                 [&w](benchmark::State& s) { compaction(s, w); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  const int rc = sluice::bench::run_benchmarks<ratio_reporter>(argc, argv);
  std::error_code ec;
  fs::remove_all(root(), ec);
  return rc;
}
