// Broker micro-benchmarks, each beside its baseline in the same run:
//   CRC32C                 vs memcpy of the same bytes
//   batch validation       vs CRC32C alone (what validation adds beyond the checksum)
//   record scan            vs decompressing alone (what walking the records adds; per codec)
//   segment append         vs raw pwrite of the same bytes to a file
//   offset lookup + read   vs pread at a known position (what the index costs)

#include "core/protocol/records.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/record_batch.h"
#include "core/crc32c.h"

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <random>

namespace {

using namespace sluice;

core::bytes random_bytes(size_t n) {
  core::bytes b(n);
  std::mt19937 rng(42);
  for (auto& x : b) x = static_cast<std::byte>(rng());
  return b;
}

core::bytes make_batch(int records, size_t value_size,
                       protocol::compression_codec codec = protocol::compression_codec::none) {
  std::vector<core::raw_record> rs;
  for (int i = 0; i < records; ++i) {
    core::raw_record r;
    r.key = core::to_bytes("key-" + std::to_string(i));
    r.value = core::bytes(value_size, std::byte{'x'});
    r.ts = core::from_epoch_ms(1'700'000'000'000 + i);
    rs.push_back(std::move(r));
  }
  protocol::record_batch_options o;
  o.codec = codec;
  return protocol::encode_record_batch(rs, o).value();
}

std::filesystem::path bench_dir(const char* name) {
  auto d = std::filesystem::temp_directory_path() / (std::string("sluice-bench-") + name + "-" +
                                                     std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

void BM_crc32c(benchmark::State& state) {
  auto data = random_bytes(static_cast<size_t>(state.range(0)));
  uint32_t c = 0;
  for (auto _ : state) benchmark::DoNotOptimize(c = core::crc32c(data));
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_crc32c)->Arg(1024)->Arg(64 * 1024)->Arg(1 << 20);

void BM_baseline_memcpy(benchmark::State& state) {
  auto data = random_bytes(static_cast<size_t>(state.range(0)));
  core::bytes out(data.size());
  for (auto _ : state) {
    std::memcpy(out.data(), data.data(), data.size());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_baseline_memcpy)->Arg(1024)->Arg(64 * 1024)->Arg(1 << 20);

void BM_validate_producer_batch(benchmark::State& state) {
  auto batch = make_batch(static_cast<int>(state.range(0)), 100);
  for (auto _ : state) benchmark::DoNotOptimize(broker::storage::validate_producer_batch(batch));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(batch.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_validate_producer_batch)->Arg(1)->Arg(100)->Arg(1000);

void BM_baseline_crc_of_batch(benchmark::State& state) {
  auto batch = make_batch(static_cast<int>(state.range(0)), 100);
  for (auto _ : state) benchmark::DoNotOptimize(core::crc32c(bytes_view(batch).subspan(21)));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(batch.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_baseline_crc_of_batch)->Arg(1)->Arg(100)->Arg(1000);

// Arg: the codec id (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd); 1000 records of 100 bytes.
void BM_scan_record_batch(benchmark::State& state) {
  const auto codec = static_cast<protocol::compression_codec>(state.range(0));
  auto batch = make_batch(1000, 100, codec);
  for (auto _ : state) benchmark::DoNotOptimize(protocol::scan_record_batch(batch));
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_scan_record_batch)->DenseRange(0, 4);

void BM_baseline_decompress(benchmark::State& state) {
  const auto codec = static_cast<protocol::compression_codec>(state.range(0));
  auto batch = make_batch(1000, 100, codec);
  const auto payload = bytes_view(batch).subspan(protocol::batch_header_size);
  for (auto _ : state) {
    if (codec == protocol::compression_codec::none) {
      benchmark::DoNotOptimize(payload.data());
      continue;
    }
    benchmark::DoNotOptimize(protocol::decompress(codec, payload, 64u << 20));
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_baseline_decompress)->DenseRange(0, 4);

void BM_decode_batch_records(benchmark::State& state) {
  auto batch = make_batch(static_cast<int>(state.range(0)), 100);
  for (auto _ : state) benchmark::DoNotOptimize(protocol::decode_record_batch(batch));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_decode_batch_records)->Arg(100)->Arg(1000);

void BM_partition_log_append(benchmark::State& state) {
  auto dir = bench_dir("append");
  auto log = broker::storage::partition_log::open(dir, {"b", core::partition_id{0}}, {}, true, core::offset{0}, core::offset{0})
                 .value();
  auto batch = make_batch(static_cast<int>(state.range(0)), 100);
  for (auto _ : state) benchmark::DoNotOptimize(log->append(batch));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(batch.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  log.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_partition_log_append)->Arg(1)->Arg(100)->Arg(1000);

void BM_baseline_pwrite(benchmark::State& state) {
  auto dir = bench_dir("pwrite");
  int fd = ::open((dir / "raw.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  auto batch = make_batch(static_cast<int>(state.range(0)), 100);
  off_t pos = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(::pwrite(fd, batch.data(), batch.size(), pos));
    pos += static_cast<off_t>(batch.size());
    // Segments roll at 1 GiB; wrap the raw file similarly so both stay in the page cache.
    if (pos > (1 << 30)) pos = 0;
  }
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(batch.size()));
  state.SetItemsProcessed(state.iterations() * state.range(0));
  ::close(fd);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_baseline_pwrite)->Arg(1)->Arg(100)->Arg(1000);

/// A 100k-batch log; each iteration reads the batch holding a random offset (index lookup +
/// header scan + pread of one batch).
void BM_partition_log_random_read(benchmark::State& state) {
  auto dir = bench_dir("read");
  auto log = broker::storage::partition_log::open(dir, {"b", core::partition_id{0}}, {}, true, core::offset{0}, core::offset{0})
                 .value();
  auto batch = make_batch(10, 100);
  for (int i = 0; i < 100'000; ++i) (void)log->append(batch);
  std::mt19937_64 rng(7);
  int64_t end = log->log_end_offset().value();
  for (auto _ : state) {
    auto off = static_cast<int64_t>(rng() % static_cast<uint64_t>(end));
    benchmark::DoNotOptimize(log->read(core::offset{off}, 1, core::offset{end}));
  }
  state.SetItemsProcessed(state.iterations());
  log.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_partition_log_random_read);

void BM_baseline_pread_known_position(benchmark::State& state) {
  auto dir = bench_dir("pread");
  auto batch = make_batch(10, 100);
  int fd = ::open((dir / "raw.log").c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
  for (int i = 0; i < 100'000; ++i) (void)!::write(fd, batch.data(), batch.size());
  std::mt19937_64 rng(7);
  core::bytes out(batch.size());
  for (auto _ : state) {
    auto i = static_cast<off_t>(rng() % 100'000);
    benchmark::DoNotOptimize(::pread(fd, out.data(), out.size(), i * static_cast<off_t>(batch.size())));
  }
  state.SetItemsProcessed(state.iterations());
  ::close(fd);
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_baseline_pread_known_position);

}  // namespace

BENCHMARK_MAIN();
