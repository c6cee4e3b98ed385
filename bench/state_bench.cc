// State store micro-benchmarks beside raw RocksDB with identical options, in the same run.
//
// Families (each `<family>/<implementation>`):
//   kv_put, kv_get              key-value store vs rocksdb::DB Put/Get (kv_put also with the
//                               WAL disabled, to show what the buffered WAL costs)
//   window_put, window_fetch    window store vs Put/iterator over encoded window keys in one
//                               unsegmented keyspace (fetch: 10 windows spanning 1 or 3
//                               segments; each segment costs one RocksDB iterator)
//   restore                     restore_batch of 1000 changelog records vs one WriteBatch
// Baseline: `raw_rocksdb`, a rocksdb::DB opened with configure_db_options /
// configure_column_family_options from the same rocksdb_resources, writing with the same
// WriteOptions (WAL on, buffered, no sync). After the run a table prints each implementation's
// time per operation relative to the baseline. Add --benchmark_out=state.json
// --benchmark_out_format=json for machine-readable results.

#include "core/temp_dir.h"
#include "state/changelog_format.h"
#include "state/key_value_store.h"
#include "state/rocksdb_options.h"
#include "state/rocksdb_resources.h"
#include "state/stores.h"
#include "state/window_store.h"

#include "bench/family_reporter.h"

#include <benchmark/benchmark.h>
#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace sluice;
using namespace sluice::state;
using core::temp_dir;

constexpr std::size_t key_count = 100'000;
constexpr std::size_t value_size = 100;
rocksdb_resources& resources() {
  static rocksdb_resources instance([] {
    rocksdb_resources_config c;
    c.memory_budget_bytes = std::size_t{256} << 20;
    return c;
  }());
  return instance;
}

/// 16-byte keys in a shuffled order, so puts and gets are random.
const std::vector<bytes>& keys() {
  static const std::vector<bytes> instance = [] {
    std::vector<bytes> out;
    out.reserve(key_count);
    char buf[32];
    for (std::size_t i = 0; i < key_count; ++i) {
      std::snprintf(buf, sizeof buf, "key-%012zu", i);
      out.push_back(core::to_bytes(buf));
    }
    std::shuffle(out.begin(), out.end(), std::mt19937_64(42));
    return out;
  }();
  return instance;
}

const bytes& value() {
  static const bytes instance(value_size, std::byte{'v'});
  return instance;
}

rocksdb::Slice slice(bytes_view b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(what);
}

void check(const rocksdb::Status& s, const char* what) {
  if (!s.ok()) throw std::runtime_error(std::string(what) + ": " + s.ToString());
}

template <class T>
T must(result<T> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message());
  return std::move(r).value();
}

void must(result<void> r, const char* what) {
  if (!r) throw std::runtime_error(std::string(what) + ": " + r.error().message());
}

/// A raw RocksDB configured exactly like a Sluice store.
std::unique_ptr<rocksdb::DB> open_raw(const std::filesystem::path& dir) {
  rocksdb::DBOptions db;
  rocksdb::ColumnFamilyOptions cf;
  rocksdb_store_options store;
  configure_db_options(resources(), store, db);
  configure_column_family_options(resources(), store, cf);
  rocksdb::DB* raw = nullptr;
  check(rocksdb::DB::Open(rocksdb::Options(db, cf), dir.string(), &raw), "open raw");
  return std::unique_ptr<rocksdb::DB>(raw);
}

void close_raw(std::unique_ptr<rocksdb::DB>& db) {
  check(db->Close(), "close raw");
  db.reset();
}

// ---- key-value put ----

void kv_put_raw(benchmark::State& state) {
  temp_dir dir;
  auto db = open_raw(dir.path());
  rocksdb::WriteOptions wo;
  std::size_t i = 0;
  for (auto _ : state) {
    check(db->Put(wo, slice(keys()[i++ % key_count]), slice(value())), "put");
  }
  close_raw(db);
  state.SetItemsProcessed(state.iterations());
}

template <bool Persistent, wal_mode Wal = wal_mode::buffered>
void kv_put_sluice(benchmark::State& state) {
  temp_dir dir;
  rocksdb_store_options options;
  options.wal = Wal;
  auto store =
      Persistent
          ? must(open_rocksdb_key_value_store("kv", dir.path(), resources(), options), "open")
          : make_in_memory_key_value_store("kv");
  std::size_t i = 0;
  for (auto _ : state) must(store->put(keys()[i++ % key_count], value(), core::timestamp{}), "put");
  must(store->close(), "close");
  state.SetItemsProcessed(state.iterations());
}

// ---- key-value get (data flushed to SST files, hot in the block cache) ----

void kv_get_raw(benchmark::State& state) {
  temp_dir dir;
  auto db = open_raw(dir.path());
  for (const auto& k : keys())
    check(db->Put(rocksdb::WriteOptions(), slice(k), slice(value())), "load");
  check(db->Flush(rocksdb::FlushOptions()), "flush");
  rocksdb::PinnableSlice out;
  std::size_t i = 0;
  for (auto _ : state) {
    out.Reset();
    check(db->Get(rocksdb::ReadOptions(), db->DefaultColumnFamily(),
                  slice(keys()[(i++ * 7919) % key_count]), &out),
          "get");
    // Sluice hands back an owned copy; copy here too so both sides do the same work.
    bytes copy(reinterpret_cast<const std::byte*>(out.data()),
               reinterpret_cast<const std::byte*>(out.data()) + out.size());
    benchmark::DoNotOptimize(copy);
  }
  close_raw(db);
  state.SetItemsProcessed(state.iterations());
}

template <bool Persistent>
void kv_get_sluice(benchmark::State& state) {
  temp_dir dir;
  std::unique_ptr<key_value_store> store;
  if (Persistent) {
    store = must(open_rocksdb_key_value_store("kv", dir.path(), resources()), "open");
    for (const auto& k : keys()) must(store->put(k, value(), core::timestamp{}), "load");
    must(store->close(), "close");  // flushes memtables to SST files
    store = must(open_rocksdb_key_value_store("kv", dir.path(), resources()), "reopen");
  } else {
    store = make_in_memory_key_value_store("kv");
    for (const auto& k : keys()) must(store->put(k, value(), core::timestamp{}), "load");
  }
  std::size_t i = 0;
  for (auto _ : state) {
    auto v = store->get(keys()[(i++ * 7919) % key_count]);
    benchmark::DoNotOptimize(v);
  }
  must(store->close(), "close");
  state.SetItemsProcessed(state.iterations());
}

// ---- window put: windowed aggregation shape, stream time advancing 10 ms per record ----

constexpr std::int64_t window_size_ms = 60'000;

window_store_options window_opts() {
  window_store_options o;
  o.retention = std::chrono::hours(1);
  o.segment_interval = std::chrono::minutes(30);
  return o;
}

core::timestamp window_of(std::size_t i) {
  const auto t = static_cast<std::int64_t>(i) * 10;
  return core::from_epoch_ms(t - t % window_size_ms);
}

void window_put_raw(benchmark::State& state) {
  temp_dir dir;
  auto db = open_raw(dir.path());
  rocksdb::WriteOptions wo;
  std::size_t i = 0;
  for (auto _ : state) {
    const auto k = encode_window_key(keys()[i % 1000], window_of(i), 0);
    ++i;
    check(db->Put(wo, slice(k), slice(value())), "put");
  }
  close_raw(db);
  state.SetItemsProcessed(state.iterations());
}

template <bool Persistent>
void window_put_sluice(benchmark::State& state) {
  temp_dir dir;
  auto store =
      Persistent
          ? must(open_rocksdb_window_store("w", dir.path(), window_opts(), resources()), "open")
          : make_in_memory_window_store("w", window_opts());
  std::size_t i = 0;
  for (auto _ : state) {
    must(store->put(keys()[i % 1000], value(), window_of(i), window_of(i)), "put");
    ++i;
  }
  must(store->close(), "close");
  state.SetItemsProcessed(state.iterations());
}

// ---- window fetch: 10 windows of one key out of 10 000 keys (a stream-stream join probe) ----

constexpr std::size_t fetch_keys = 10'000;
constexpr std::int64_t fetch_windows = 10;

void window_fetch_raw(benchmark::State& state) {
  temp_dir dir;
  auto db = open_raw(dir.path());
  for (std::int64_t w = 0; w < fetch_windows; ++w) {
    for (std::size_t k = 0; k < fetch_keys; ++k) {
      const auto key = encode_window_key(keys()[k], core::from_epoch_ms(w * window_size_ms), 0);
      check(db->Put(rocksdb::WriteOptions(), slice(key), slice(value())), "load");
    }
  }
  check(db->Flush(rocksdb::FlushOptions()), "flush");
  std::size_t i = 0;
  std::int64_t found = 0;
  for (auto _ : state) {
    const auto& key = keys()[(i++ * 7919) % fetch_keys];
    const auto lower = encode_window_key(key, core::from_epoch_ms(0), 0);
    const auto upper =
        encode_window_key(key, core::from_epoch_ms(fetch_windows * window_size_ms), 0);
    rocksdb::Slice lo = slice(lower), hi = slice(upper);
    rocksdb::ReadOptions ro;
    ro.iterate_lower_bound = &lo;
    ro.iterate_upper_bound = &hi;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(ro));
    for (it->Seek(lo); it->Valid(); it->Next()) {
      benchmark::DoNotOptimize(it->value().data());
      ++found;
    }
    check(it->status(), "iterate");
  }
  close_raw(db);
  state.SetItemsProcessed(found);
}

/// Segments = how many segments the 10 fetched windows span (1 or 3).
template <bool Persistent, int Segments>
void window_fetch_sluice(benchmark::State& state) {
  temp_dir dir;
  auto opts = window_opts();
  opts.retention = std::chrono::hours(24);
  opts.segment_interval = Segments == 1 ? std::chrono::minutes(60) : std::chrono::minutes(4);
  std::unique_ptr<window_store> store;
  auto load = [&] {
    for (std::int64_t w = 0; w < fetch_windows; ++w) {
      for (std::size_t k = 0; k < fetch_keys; ++k) {
        must(store->put(keys()[k], value(), core::from_epoch_ms(w * window_size_ms),
                       core::from_epoch_ms(w * window_size_ms)),
             "load");
      }
    }
  };
  if (Persistent) {
    store = must(open_rocksdb_window_store("w", dir.path(), opts, resources()), "open");
    load();
    must(store->close(), "close");
    store = must(open_rocksdb_window_store("w", dir.path(), opts, resources()), "reopen");
  } else {
    store = make_in_memory_window_store("w", opts);
    load();
  }
  std::size_t i = 0;
  std::int64_t found = 0;
  for (auto _ : state) {
    const auto& key = keys()[(i++ * 7919) % fetch_keys];
    auto it = must(store->fetch(key, core::from_epoch_ms(0),
                                core::from_epoch_ms(fetch_windows * window_size_ms - 1)),
                   "fetch");
    for (; it.valid(); it.next()) {
      benchmark::DoNotOptimize(it.value().data());
      ++found;
    }
    must(it.status(), "iterate");
  }
  check(found == static_cast<std::int64_t>(state.iterations()) * fetch_windows, "fetch count");
  must(store->close(), "close");
  state.SetItemsProcessed(found);
}

// ---- restore: 1000 changelog records per batch ----

constexpr std::size_t restore_batch_size = 1000;

void restore_raw(benchmark::State& state) {
  temp_dir dir;
  auto db = open_raw(dir.path());
  std::size_t i = 0;
  for (auto _ : state) {
    rocksdb::WriteBatch batch;
    for (std::size_t r = 0; r < restore_batch_size; ++r) {
      check(batch.Put(slice(keys()[i++ % key_count]), slice(value())), "batch");
    }
    check(db->Write(rocksdb::WriteOptions(), &batch), "write");
  }
  close_raw(db);
  state.SetItemsProcessed(state.iterations() * restore_batch_size);
}

template <bool Persistent>
void restore_sluice(benchmark::State& state) {
  temp_dir dir;
  auto store = Persistent
                   ? must(open_rocksdb_key_value_store("kv", dir.path(), resources()), "open")
                   : make_in_memory_key_value_store("kv");
  std::vector<changelog_record> records(restore_batch_size);
  std::size_t i = 0;
  std::int64_t position = 0;
  for (auto _ : state) {
    for (auto& r : records) r = {keys()[i++ % key_count], bytes_view(value())};
    position += restore_batch_size;
    must(store->restore_batch(records, core::offset(position)), "restore");
  }
  must(store->close(), "close");
  state.SetItemsProcessed(state.iterations() * restore_batch_size);
}

/// Console output plus, at the end, each implementation's time per operation relative to
/// `raw_rocksdb` of the same family.
class ratio_reporter final : public sluice::bench::family_reporter {
 public:
  using family_reporter::family_reporter;

  void add(const std::string& family, const std::string& member, const Run& run) override {
    auto& cell = _times[family][member];
    cell.real += run.GetAdjustedRealTime();
    cell.cpu += run.GetAdjustedCPUTime();
    cell.runs += 1;
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    auto& out = GetOutputStream();
    out << "\nRelative to raw RocksDB with the same options (per operation, lower is better;\n"
           "CPU time is the steadier figure on a shared machine):\n";
    char line[160];
    std::snprintf(line, sizeof line, "%-14s %-22s %12s %12s %8s %8s\n", "family", "implementation",
                  "real ns/op", "cpu ns/op", "x raw", "x raw cpu");
    out << line;
    for (const auto& [family, impls] : _times) {
      const auto base = impls.find("raw_rocksdb");
      for (const auto& [impl, cell] : impls) {
        const double real = cell.real / cell.runs;
        const double cpu = cell.cpu / cell.runs;
        double real_ratio = 0;
        double cpu_ratio = 0;
        if (base != impls.end()) {
          real_ratio = real / (base->second.real / base->second.runs);
          cpu_ratio = cpu / (base->second.cpu / base->second.runs);
        }
        std::snprintf(line, sizeof line, "%-14s %-22s %12.1f %12.1f %8.2f %8.2f\n", family.c_str(),
                      impl.c_str(), real, cpu, real_ratio, cpu_ratio);
        out << line;
      }
    }
  }

 private:
  struct cell_t {
    double real = 0;
    double cpu = 0;
    int runs = 0;
  };
  std::map<std::string, std::map<std::string, cell_t>> _times;
};

}  // namespace

BENCHMARK(kv_put_raw)->Name("kv_put/raw_rocksdb");
BENCHMARK(kv_put_sluice<true>)->Name("kv_put/sluice_rocksdb");
BENCHMARK(kv_put_sluice<true, wal_mode::disabled>)->Name("kv_put/sluice_rocksdb_nowal");
BENCHMARK(kv_put_sluice<false>)->Name("kv_put/sluice_memory");
BENCHMARK(kv_get_raw)->Name("kv_get/raw_rocksdb");
BENCHMARK(kv_get_sluice<true>)->Name("kv_get/sluice_rocksdb");
BENCHMARK(kv_get_sluice<false>)->Name("kv_get/sluice_memory");
BENCHMARK(window_put_raw)->Name("window_put/raw_rocksdb");
BENCHMARK(window_put_sluice<true>)->Name("window_put/sluice_rocksdb");
BENCHMARK(window_put_sluice<false>)->Name("window_put/sluice_memory");
BENCHMARK(window_fetch_raw)->Name("window_fetch/raw_rocksdb");
BENCHMARK(window_fetch_sluice<true, 1>)->Name("window_fetch/sluice_rocksdb_1seg");
BENCHMARK(window_fetch_sluice<true, 3>)->Name("window_fetch/sluice_rocksdb_3seg");
BENCHMARK(window_fetch_sluice<false, 3>)->Name("window_fetch/sluice_memory_3seg");
BENCHMARK(restore_raw)->Name("restore/raw_rocksdb");
BENCHMARK(restore_sluice<true>)->Name("restore/sluice_rocksdb");
BENCHMARK(restore_sluice<false>)->Name("restore/sluice_memory");

int main(int argc, char** argv) {
  return sluice::bench::run_benchmarks<ratio_reporter>(argc, argv);
}
