// DSL throughput through the topology test driver, each beside a hand-written loop that does
// the same work directly (deserialize, compute, touch the same kind of state store, serialize
// the output) in the same run.
//
// Families (`<family>/<implementation>`, one record per iteration):
//   stateless/…            filter -> map_values -> to, string keys and values, one partition
//   stateless_4p/…         the same with 4 partitions in and out: the driver routes every
//                          record to one of 4 tasks by murmur2 of its key and partitions the
//                          output the same way; the hand loop computes both partitions too
//   windowed_count_memory/… group_by_key -> 1-minute tumbling count, in-memory window store
//   windowed_count_rocksdb/… the same on the RocksDB window store
//   join_memory/…          inner stream-stream join (10 s window), in-memory window stores
// Implementations: `driver` (a topology run by topology_test_driver: murmur2 routing, a task,
// type-erased nodes, serdes, the record collector) and `hand_loop` (the baseline). The raw
// RocksDB baseline for the stores themselves is in state_bench (the RocksDB window store
// against raw rocksdb::DB), so it is not repeated here.
//
// After the run a table prints, per family and implementation, the median over repetitions of
// the CPU time and of the real time per record, records/s by CPU time, and each driver's cost
// relative to its hand loop. CPU time is the figure to quote on a shared machine (real time
// includes time the thread waited for a core). Run with
//     taskset -c 1 sluice_dsl_bench --benchmark_repetitions=5
//         --benchmark_enable_random_interleaving=true   (one line)
// Add --benchmark_out=dsl.json --benchmark_out_format=json for machine-readable results.

#include "core/temp_dir.h"
#include "core/murmur2.h"
#include "core/serde.h"
#include "dsl/streams.h"
#include "dsl/testing/topology_test_driver.h"
#include "state/rocksdb_resources.h"
#include "state/stores.h"

#include "bench/family_reporter.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace std::chrono_literals;
using namespace sluice;
using core::temp_dir;
namespace serdes = core::serdes;

constexpr std::size_t distinct_keys = 10'000;
constexpr std::size_t batch = 1024;  // outputs are discarded every `batch` records

struct input {
  std::vector<bytes> keys;
  std::vector<bytes> values;
};

const input& data() {
  static const input d = [] {
    input in;
    for (std::size_t i = 0; i < distinct_keys; ++i) {
      in.keys.push_back(core::to_bytes("user-" + std::to_string(i)));
      // One value in ten is filtered out by the stateless chain.
      in.values.push_back(core::to_bytes((i % 10 == 0 ? "x" : "v") +
                                         std::string(40, 'a' + static_cast<char>(i % 26))));
    }
    return in;
  }();
  return d;
}

template <class T>
T must(result<T> r) {
  if (!r) throw std::runtime_error(r.error().message());
  if constexpr (!std::is_void_v<T>) return std::move(r).value();
}

/// What a hand-written loop does with a consumed record before its own logic: the record as the
/// consumer hands it over (input `k`, timestamp `ts`), then its key and value deserialized.
struct decoded_record {
  core::raw_record rec;
  std::string key;
  std::string value;
};
decoded_record decode_input(std::size_t k, int64_t ts) {
  static const serdes::string s;
  const auto& in = data();
  core::raw_record rec{in.keys[k], in.values[k], core::from_epoch_ms(ts), {}};
  std::string key = must(s.deserialize(*rec.key));
  std::string value = must(s.deserialize(*rec.value));
  return {std::move(rec), std::move(key), std::move(value)};
}

void pipe_all(benchmark::State& state, topology_test_driver& d, const std::string& topic,
              int64_t ms_per_record, const std::vector<std::string>& outputs) {
  const auto& in = data();
  std::size_t i = 0;
  int64_t ts = 0;
  for (auto _ : state) {
    const std::size_t k = i % distinct_keys;
    d.pipe_raw(topic, std::nullopt,
               core::raw_record{in.keys[k], in.values[k], core::from_epoch_ms(ts), {}});
    ts += ms_per_record;
    if (++i % batch == 0) {
      for (const auto& o : outputs) d.output(o).clear();
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// ---- stateless -------------------------------------------------------------------------------

/// in → filter (values not starting with 'x') → map_values (append "!") → out.
dsl::topology stateless_topology() {
  streams_builder b;
  b.stream<std::string, std::string>("in")
      .filter([](const std::string&, const std::string& v) { return v[0] != 'x'; })
      .map_values([](const std::string& v) { return v + "!"; })
      .to("out");
  return b.build();
}

void stateless_driver(benchmark::State& state) {
  topology_test_driver d(stateless_topology());
  pipe_all(state, d, "in", 1, {"out"});
}

void stateless_hand_loop(benchmark::State& state) {
  const serdes::string s;
  std::vector<dsl::sink_record> out;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto [rec, key, value] = decode_input(i % distinct_keys, static_cast<int64_t>(i));
    if (value[0] != 'x') {
      const std::string mapped = value + "!";
      out.push_back(dsl::sink_record{"out", std::nullopt, must(s.serialize(key)),
                                     must(s.serialize(mapped)), rec.ts, rec.hdrs});
    }
    if (++i % batch == 0) out.clear();
  }
  benchmark::DoNotOptimize(out.data());
  state.SetItemsProcessed(state.iterations());
}

// ---- stateless, 4 partitions ------------------------------------------------------------------

void stateless_4p_driver(benchmark::State& state) {
  topology_test_driver d(stateless_topology(), {.partitions = {{"in", 4}, {"out", 4}}});
  pipe_all(state, d, "in", 1, {"out"});
}

void stateless_4p_hand_loop(benchmark::State& state) {
  const serdes::string s;
  std::vector<std::pair<int32_t, dsl::sink_record>> out;
  std::size_t i = 0;
  int64_t routed = 0;
  for (auto _ : state) {
    const auto [rec, key, value] = decode_input(i % distinct_keys, static_cast<int64_t>(i));
    routed += core::partition_for_key(*rec.key, 4);  // the task that reads the record
    if (value[0] != 'x') {
      const std::string mapped = value + "!";
      dsl::sink_record r{"out",  std::nullopt, must(s.serialize(key)), must(s.serialize(mapped)),
                         rec.ts, rec.hdrs};
      const int32_t p = core::partition_for_key(*r.key, 4);  // the output partition
      out.emplace_back(p, std::move(r));
    }
    if (++i % batch == 0) out.clear();
  }
  benchmark::DoNotOptimize(routed);
  benchmark::DoNotOptimize(out.data());
  state.SetItemsProcessed(state.iterations());
}

// ---- windowed count --------------------------------------------------------------------------

template <dsl::store_backend Backend>
void windowed_count_driver(benchmark::State& state) {
  streams_builder b;
  b.stream<std::string, std::string>("in")
      .group_by_key()
      .windowed_by(time_windows::of(1min))
      .count()
      .to_stream()
      .to("out", {.key_serde = time_windowed_serde<std::string>(serdes::string{}, 1min),
                  .value_serde = serdes::int64{}});
  topology_test_driver d(b.build(), {.stores = Backend});
  pipe_all(state, d, "in", 1, {"out"});
}

template <dsl::store_backend Backend>
void windowed_count_hand_loop(benchmark::State& state) {
  temp_dir dir;
  state::rocksdb_resources resources(state::rocksdb_resources_config{
      .memory_budget_bytes = std::size_t{64} << 20, .write_buffer_size = std::size_t{4} << 20});
  const state::window_store_options opts{.retention = 60s, .segment_interval = 30s};
  std::unique_ptr<state::window_store> store =
      Backend == dsl::store_backend::rocksdb
          ? must(state::open_rocksdb_window_store("counts", dir.path() / "task", opts, resources))
          : state::make_in_memory_window_store("counts", opts);
  const serdes::string s;
  const serdes::int64 i64;
  const time_windowed_serde<std::string> wk(serdes::string{}, 1min);
  std::vector<dsl::sink_record> out;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto [rec, key, value] = decode_input(i % distinct_keys, static_cast<int64_t>(i));
    benchmark::DoNotOptimize(value.data());
    const int64_t t = core::to_epoch_ms(rec.ts);
    const timestamp start = core::from_epoch_ms(t - t % 60000);
    const bytes kb = must(s.serialize(key));
    const auto old = must(store->fetch(kb, start));
    const int64_t count = (old ? must(i64.deserialize(*old)) : 0) + 1;
    must(store->put(kb, must(i64.serialize(count)), start, rec.ts));
    out.push_back(dsl::sink_record{
        "out", std::nullopt, must(wk.serialize(windowed<std::string>{key, {start, start + 1min}})),
        must(i64.serialize(count)), rec.ts, rec.hdrs});
    if (++i % batch == 0) out.clear();
  }
  benchmark::DoNotOptimize(out.data());
  (void)store->close();
  state.SetItemsProcessed(state.iterations());
}

// ---- stream-stream join ----------------------------------------------------------------------

void join_driver(benchmark::State& state) {
  streams_builder b;
  b.stream<std::string, std::string>("left")
      .join(
          b.stream<std::string, std::string>("right"),
          [](const std::string& l, const std::string& r) {
            return l.substr(0, 8) + r.substr(0, 8);
          },
          join_windows::of(10s))
      .to("out");
  topology_test_driver d(b.build());
  const auto& in = data();
  std::size_t i = 0;
  int64_t ts = 0;
  for (auto _ : state) {
    const std::size_t k = (i / 2) % distinct_keys;
    d.pipe_raw(i % 2 == 0 ? "left" : "right", std::nullopt,
               core::raw_record{in.keys[k], in.values[k], core::from_epoch_ms(ts), {}});
    ++ts;
    if (++i % batch == 0) d.output("out").clear();
  }
  state.SetItemsProcessed(state.iterations());
}

void join_hand_loop(benchmark::State& state) {
  const state::window_store_options opts{
      .retention = 20s + 1ms, .segment_interval = 10s, .retain_duplicates = true};
  auto left = state::make_in_memory_window_store("left", opts);
  auto right = state::make_in_memory_window_store("right", opts);
  const serdes::string s;
  std::vector<dsl::sink_record> out;
  std::size_t i = 0;
  for (auto _ : state) {
    const std::size_t k = (i / 2) % distinct_keys;
    const bool is_left = i % 2 == 0;
    const auto [rec, key, value] = decode_input(k, static_cast<int64_t>(i));
    const bytes kb = must(s.serialize(key));
    must((is_left ? left : right)->put(kb, must(s.serialize(value)), rec.ts, rec.ts));
    auto& other = is_left ? right : left;
    auto it = must(other->fetch(kb, std::max(core::from_epoch_ms(0), rec.ts - 10s), rec.ts + 10s));
    for (; it.valid(); it.next()) {
      const std::string o = must(s.deserialize(it.value()));
      const std::string joined =
          is_left ? value.substr(0, 8) + o.substr(0, 8) : o.substr(0, 8) + value.substr(0, 8);
      out.push_back(dsl::sink_record{"out", std::nullopt, kb, must(s.serialize(joined)),
                                     std::max(rec.ts, it.window_start()), rec.hdrs});
    }
    if (++i % batch == 0) out.clear();
  }
  benchmark::DoNotOptimize(out.data());
  state.SetItemsProcessed(state.iterations());
}

/// Console output, then per family and implementation the median CPU and real time per record
/// over repetitions, and each driver's cost relative to the hand loop of its family.
class ratio_reporter final : public sluice::bench::family_reporter {
 public:
  using family_reporter::family_reporter;

  void add(const std::string& family, const std::string& member, const Run& run) override {
    auto& cell = _ns[family][member];
    cell.cpu.push_back(run.GetAdjustedCPUTime());
    cell.real.push_back(run.GetAdjustedRealTime());
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    auto& out = GetOutputStream();
    char line[200];
    out << "\nDriver against the hand-written loop (same run; medians over repetitions):\n";
    std::snprintf(line, sizeof line, "%-24s %-10s %10s %10s %14s %10s %10s\n", "family", "impl",
                  "cpu ns/rec", "real ns/rec", "records/s cpu", "x hand cpu", "x hand real");
    out << line;
    for (const auto& [family, impls] : _ns) {
      const auto base = impls.find("hand_loop");
      for (const auto& [impl, cell] : impls) {
        const double cpu = median(cell.cpu);
        const double real = median(cell.real);
        const double cpu_ratio = base == impls.end() ? 0 : cpu / median(base->second.cpu);
        const double real_ratio = base == impls.end() ? 0 : real / median(base->second.real);
        std::snprintf(line, sizeof line, "%-24s %-10s %10.1f %10.1f %14.0f %10.2f %10.2f\n",
                      family.c_str(), impl.c_str(), cpu, real, 1e9 / cpu, cpu_ratio, real_ratio);
        out << line;
      }
    }
  }

 private:
  struct cell {
    std::vector<double> cpu;
    std::vector<double> real;
  };
  static double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t n = v.size();
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
  std::map<std::string, std::map<std::string, cell>> _ns;
};

}  // namespace

BENCHMARK(stateless_driver)->Name("stateless/driver");
BENCHMARK(stateless_hand_loop)->Name("stateless/hand_loop");
BENCHMARK(stateless_4p_driver)->Name("stateless_4p/driver");
BENCHMARK(stateless_4p_hand_loop)->Name("stateless_4p/hand_loop");
BENCHMARK(windowed_count_driver<dsl::store_backend::in_memory>)
    ->Name("windowed_count_memory/driver");
BENCHMARK(windowed_count_hand_loop<dsl::store_backend::in_memory>)
    ->Name("windowed_count_memory/hand_loop");
BENCHMARK(windowed_count_driver<dsl::store_backend::rocksdb>)
    ->Name("windowed_count_rocksdb/driver");
BENCHMARK(windowed_count_hand_loop<dsl::store_backend::rocksdb>)
    ->Name("windowed_count_rocksdb/hand_loop");
BENCHMARK(join_driver)->Name("join_memory/driver");
BENCHMARK(join_hand_loop)->Name("join_memory/hand_loop");

int main(int argc, char** argv) {
  return sluice::bench::run_benchmarks<ratio_reporter>(argc, argv);
}
