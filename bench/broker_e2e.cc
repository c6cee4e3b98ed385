// End-to-end broker throughput: a librdkafka producer and consumer against an in-process
// sluice-broker, beside two baselines measured in the same run — the same client against
// librdkafka's in-memory mock cluster, and the physical limit (raw loopback TCP, and sequential
// writes to the data directory with and without fsync).
//
//   sluice_broker_e2e [--records N] [--json FILE] [--quick] [--reps N] [--produce-reps N]
//                     [--warm-up-mib N]
//   sluice_broker_e2e --txn [--records N]
//
// Prints a plain table and writes JSON (records/s, MB/s, ratio to the mock cluster). The mock
// cluster keeps only the newest 5 MiB of each partition, so consumption is compared on exactly
// those records on both targets, from a batch start on both, read again and again (seeking
// back, each pass timed from the seek to its last record) until about 64 MiB went by, as the
// median of --reps alternating repetitions; sluice's
// pass over its whole log is reported beside it. SLUICE_BENCH_TIMES=1 prints each consume
// repetition's records and time. `--txn`
// instead measures transactional produce with 100 ms transactions beside non-transactional
// idempotent produce (acks=all) on the same broker, and commit_transaction latency p50/p99.

#include "broker/broker.h"
#include "broker/storage/log_manager.h"
#include "broker/storage/partition_log.h"
#include "broker/storage/record_batch.h"

#include "bench/rdkafka_util.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct scenario {
  size_t record_size;
  std::string acks;  // "1" or "all"
  bool flush_per_batch;
  int partitions;
};

struct measurement {
  std::string target;  // "sluice" or "mock"
  scenario s;
  double produce_rps = 0;  ///< median over the produce repetitions
  std::vector<double> produce_reps;
  /// Median over the consume repetitions, each reading the same records on both targets:
  /// every partition's newest records, as many as the mock cluster retains.
  double consume_rps = 0;
  std::vector<double> consume_reps;
  size_t consumed = 0;  ///< records per repetition
  /// Whether consume_rps read the same stretch of the log as the mock's run (the newest
  /// records, from a batch start on both); not with fsync per batch, which has no mock run.
  bool compared = false;
  int cycles = 1;  ///< timed passes over those records per repetition (the fewest completed)
  /// sluice only: one pass over the whole log (the mock cluster cannot hold it).
  double consume_full_rps = 0;
};

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

using sluice::bench::create_topic;
using sluice::bench::make_client;

/// With SLUICE_BENCH_TIMES set: records, seconds, and the process's CPU time and context
/// switches since `ru0` (both targets run in this process, so this shows what each costs).
void report_times(const char* what, const std::string& bootstrap, size_t records, double secs,
                  const struct rusage& ru0) {
  if (!std::getenv("SLUICE_BENCH_TIMES")) return;
  struct rusage ru1{};
  ::getrusage(RUSAGE_SELF, &ru1);
  auto seconds = [](const struct timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  double user = seconds(ru1.ru_utime) - seconds(ru0.ru_utime);
  double sys = seconds(ru1.ru_stime) - seconds(ru0.ru_stime);
  std::fprintf(stderr,
               "%s %s: %zu records in %.4f s; process cpu %.4f s (user %.4f), %ld+%ld context "
               "switches\n",
               what, bootstrap.c_str(), records, secs, user + sys, user, ru1.ru_nvcsw - ru0.ru_nvcsw,
               ru1.ru_nivcsw - ru0.ru_nivcsw);
}

double run_produce(const std::string& bootstrap, const std::string& topic, const scenario& s,
                   size_t records) {
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, bootstrap,
                               {{"acks", s.acks},
                                {"linger.ms", "5"},
                                {"batch.size", "1000000"},
                                {"queue.buffering.max.messages", "2000000"},
                                {"queue.buffering.max.kbytes", "2097151"},
                                {"partitioner", "murmur2_random"}});
  std::string payload(s.record_size, 'x');
  struct rusage ru0{};
  ::getrusage(RUSAGE_SELF, &ru0);
  auto start = clock_type::now();
  for (size_t i = 0; i < records; ++i) {
    sluice::bench::produce(rk, topic, {}, payload, static_cast<int32_t>(i % s.partitions));
    if ((i & 0xfff) == 0) rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 120000);
  double secs = seconds_since(start);
  report_times("produce", bootstrap, records, secs, ru0);
  rd_kafka_destroy(rk);
  return static_cast<double>(records) / secs;
}

/// Per-partition [low, high) offsets of `topic` as the target reports them.
std::vector<std::pair<int64_t, int64_t>> watermarks(const std::string& bootstrap,
                                                    const std::string& topic, int partitions) {
  rd_kafka_t* rk = make_client(RD_KAFKA_CONSUMER, bootstrap, {{"group.id", "bench-watermarks"}});
  std::vector<std::pair<int64_t, int64_t>> out;
  for (int p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    if (rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, 10000) != 0) low = high = 0;
    out.emplace_back(low, high);
  }
  rd_kafka_destroy(rk);
  return out;
}

/// Seeks every partition of `tps` to its offset there; false (with a message) if any failed.
bool seek_all(rd_kafka_t* rk, rd_kafka_topic_partition_list_t* tps) {
  if (rd_kafka_error_t* e = rd_kafka_seek_partitions(rk, tps, 10000)) {
    std::fprintf(stderr, "seek: %s\n", rd_kafka_error_string(e));
    rd_kafka_error_destroy(e);
    return false;
  }
  for (int i = 0; i < tps->cnt; ++i) {
    if (tps->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "seek of partition %d: %s\n", tps->elems[i].partition,
                   rd_kafka_err2str(tps->elems[i].err));
      return false;
    }
  }
  return true;
}

/// Consumes the last `tail[p]` records of every partition p (all of them when `tail` is empty)
/// with one fresh consumer. With `cycles` 1: one pass, timed from its first record to its last
/// (connection set-up and offset lookup are not throughput). With more: an untimed warm-up pass,
/// then `cycles` passes, each seeking back to the start and timed from the seek's return to the
/// pass's last record, so every round trip of a timed pass is in its time. `passes_done` gets
/// the timed passes completed.
double run_consume(const std::string& bootstrap, const std::string& topic, const scenario& s,
                   const std::vector<int64_t>& tail = {}, int cycles = 1, int* passes_done = nullptr) {
  // queued.min.messages above any run's record count: librdkafka 2.0.2 stops fetching once
  // that many messages wait in its queue and looks again only on its next 1 s wake-up, not
  // when the application drains the queue — a stall that hits whichever target delivers faster
  // than the application consumes (and the mock too, with 12 partitions), so that figures
  // measured a client timer rather than the target. fetch.wait.max.ms 0: at the end of a pass
  // the client's next Fetch would otherwise wait at the log end, and a seek takes effect only
  // when it returns — inside the next pass's time.
  std::vector<std::pair<std::string, std::string>> extra{{"group.id", "bench"},
                                {"enable.auto.commit", "false"},
                                {"fetch.max.bytes", "52428800"},
                                {"max.partition.fetch.bytes", "1048576"},
                                {"fetch.wait.max.ms", "0"},
                                {"queued.min.messages", "10000000"},
                                {"queued.max.messages.kbytes", "1048576"}};
  if (const char* dbg = std::getenv("SLUICE_BENCH_DEBUG")) extra.emplace_back("debug", dbg);
  auto marks = watermarks(bootstrap, topic, s.partitions);
  rd_kafka_t* rk = make_client(RD_KAFKA_CONSUMER, bootstrap, extra);
  rd_kafka_topic_partition_list_t* tps = rd_kafka_topic_partition_list_new(s.partitions);
  std::vector<int64_t> from(static_cast<size_t>(s.partitions)), next;
  size_t records = 0;
  for (int p = 0; p < s.partitions; ++p) {
    auto [low, high] = marks[static_cast<size_t>(p)];
    from[static_cast<size_t>(p)] = tail.empty() ? low : std::max(low, high - tail[static_cast<size_t>(p)]);
    rd_kafka_topic_partition_list_add(tps, topic.c_str(), p)->offset = from[static_cast<size_t>(p)];
    records += static_cast<size_t>(high - from[static_cast<size_t>(p)]);
  }
  rd_kafka_assign(rk, tps);
  struct rusage ru0{};
  ::getrusage(RUSAGE_SELF, &ru0);
  size_t total = 0;
  double secs = 0;
  int timed = 0;
  const bool warm_up = cycles > 1;
  auto deadline = clock_type::now() + std::chrono::seconds(120);
  for (int pass = 0; pass < cycles + (warm_up ? 1 : 0) && clock_type::now() < deadline; ++pass) {
    if (pass > 0 && !seek_all(rk, tps)) break;
    const bool timing = !warm_up || pass > 0;
    next = from;
    size_t got = 0;
    auto start = clock_type::now();
    while (got < records && clock_type::now() < deadline) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
      if (!m) continue;
      // Only the records this pass expects, in order (nothing from before a seek).
      auto p = static_cast<size_t>(m->partition);
      if (!m->err && p < next.size() && m->offset == next[p]) {
        if (got == 0 && !warm_up) start = clock_type::now();
        ++got;
        ++next[p];
      }
      rd_kafka_message_destroy(m);
    }
    if (got < records) {
      std::fprintf(stderr, "consume: only %zu of %zu records\n", got, records);
      break;
    }
    if (timing) {
      secs += seconds_since(start);
      total += got;
      ++timed;
    }
  }
  if (passes_done) *passes_done = timed;
  rd_kafka_topic_partition_list_destroy(tps);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  report_times("consume", bootstrap, total, secs, ru0);
  return static_cast<double>(total) / secs;
}

/// The batch boundary of `topic`/`partition` in `b`'s log nearest to `offset` (the start of the
/// batch holding it, or of the next one).
int64_t nearest_batch_start(sluice::broker::broker& b, const std::string& topic, int partition,
                                int64_t offset) {
  auto log = b.logs().get({topic, sluice::core::partition_id{partition}});
  auto r = log ? log->read(sluice::core::offset{offset}, 1, sluice::core::offset{std::numeric_limits<int64_t>::max()})
               : sluice::result<sluice::broker::storage::read_result>(sluice::broker::storage::read_result{});
  if (!r || r.value().records.empty()) {
    std::fprintf(stderr, "warning: no batch found at %s-%d offset %lld; comparing from there\n", topic.c_str(),
                 partition, static_cast<long long>(offset));
    return offset;
  }
  auto h = sluice::broker::storage::parse_batch_header(r.value().records);
  if (!h) {
    std::fprintf(stderr, "warning: bad batch header at %s-%d offset %lld\n", topic.c_str(), partition,
                 static_cast<long long>(offset));
    return offset;
  }
  int64_t base = h.value().base_offset.value();
  if (base >= offset) return base;
  // Whichever boundary is nearer: the counts of the two targets then differ by less than half
  // a batch, in either direction.
  int64_t end = sluice::broker::storage::next_offset(h.value());
  return offset - base < end - offset ? base : end;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/// Produces `records` records of `size` bytes round-robin over `partitions`: idempotent
/// (acks=all) when `txn_ms` is 0, else in transactions of `txn_ms` each. Returns records/s and
/// fills `commit_ms` with each commit_transaction's latency.
double run_eos_produce(const std::string& bootstrap, const std::string& topic, size_t size, int partitions,
                       size_t records, int txn_ms, std::vector<double>& commit_ms) {
  // A bounded queue (the same for both modes): a transaction then holds about 100 ms of what
  // the broker absorbs, and its commit flushes a short tail instead of seconds of backlog.
  std::vector<std::pair<std::string, std::string>> conf{{"enable.idempotence", "true"},
                                                        {"linger.ms", "5"},
                                                        {"batch.size", "1000000"},
                                                        {"queue.buffering.max.messages", "50000"},
                                                        {"queue.buffering.max.kbytes", "16384"}};
  if (txn_ms > 0) conf.emplace_back("transactional.id", "bench-" + topic);
  if (const char* dbg = std::getenv("SLUICE_BENCH_DEBUG"); dbg && std::string(dbg) != "1") conf.emplace_back("debug", dbg);
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, bootstrap, conf);
  auto check = [](rd_kafka_error_t* e, const char* what) {
    if (!e) return;
    std::fprintf(stderr, "%s: %s\n", what, rd_kafka_error_string(e));
    std::exit(1);
  };
  if (txn_ms > 0) check(rd_kafka_init_transactions(rk, 30000), "init_transactions");
  std::string payload(size, 'x');
  // Warm-up, not timed: one record per partition (in a transaction of its own when
  // transactional) so that metadata, the producer id and the partitions' leaders are known —
  // librdkafka learns a new topic's leaders up to a second after the first send.
  if (txn_ms > 0) check(rd_kafka_begin_transaction(rk), "begin_transaction");
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(p),
                      RD_KAFKA_V_VALUE(payload.data(), payload.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                      RD_KAFKA_V_END);
  }
  if (txn_ms > 0) check(rd_kafka_commit_transaction(rk, 60000), "commit_transaction");
  rd_kafka_flush(rk, 60000);
  auto start = clock_type::now();
  auto txn_start = start;
  bool open = false;
  size_t full_waits = 0;
  for (size_t i = 0; i < records; ++i) {
    if (txn_ms > 0 && !open) {
      check(rd_kafka_begin_transaction(rk), "begin_transaction");
      open = true;
      txn_start = clock_type::now();
    }
    full_waits += sluice::bench::produce(rk, topic, {}, payload, static_cast<int32_t>(i % partitions));
    if ((i & 0xfff) == 0) rd_kafka_poll(rk, 0);
    if (open && (i + 1 == records || clock_type::now() - txn_start >= std::chrono::milliseconds(txn_ms))) {
      auto c = clock_type::now();
      check(rd_kafka_commit_transaction(rk, 60000), "commit_transaction");
      commit_ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - c).count());
      open = false;
    }
  }
  rd_kafka_flush(rk, 120000);
  double secs = seconds_since(start);
  rd_kafka_destroy(rk);
  if (std::getenv("SLUICE_BENCH_DEBUG")) std::fprintf(stderr, "%s: %.3f s, %zu queue-full waits\n", topic.c_str(), secs, full_waits);
  return static_cast<double>(records) / secs;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())))];
}

/// `--txn`: transactional (100 ms transactions) against idempotent produce, same broker.
int run_txn_comparison(size_t records, const std::filesystem::path& dir) {
  std::printf("%-6s %5s %5s | %14s %14s %7s | %9s %9s %6s\n", "size", "parts", "txns", "idempotent r/s",
              "txn 100ms r/s", "ratio", "commit p50", "p99 (ms)", "count");
  int run = 0;
  for (size_t size : {size_t{100}, size_t{1024}}) {
    for (int parts : {1, 4}) {
      size_t n = size >= 1024 ? records / 4 : records;
      sluice::broker::broker_options o;
      o.port = 0;
      o.data_dir = dir / ("txn-" + std::to_string(run++));
      auto b = sluice::broker::broker::start(o);
      if (!b) {
        std::fprintf(stderr, "broker start failed: %s\n", b.error().message().c_str());
        return 1;
      }
      const std::string bootstrap = b.value()->bootstrap();
      create_topic(bootstrap, "idem", parts);
      create_topic(bootstrap, "txn", parts);
      std::vector<double> none, commits;
      double idem = run_eos_produce(bootstrap, "idem", size, parts, n, 0, none);
      const char* ms = std::getenv("SLUICE_BENCH_TXN_MS");
      double txn = run_eos_produce(bootstrap, "txn", size, parts, n, ms ? std::atoi(ms) : 100, commits);
      (void)b.value()->stop();
      std::filesystem::remove_all(o.data_dir);
      std::printf("%-6zu %5d %5s | %14.0f %14.0f %6.2fx | %9.2f %9.2f %6zu\n", size, parts, "100ms", idem, txn,
                  txn / idem, percentile(commits, 0.5), percentile(commits, 0.99), commits.size());
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}

/// Raw loopback TCP: one thread writes 1 MiB buffers, another reads them. Bytes/s.
double loopback_tcp_limit(size_t total_bytes) {
  int srv = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(srv, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(srv, reinterpret_cast<sockaddr*>(&addr), &len);
  ::listen(srv, 1);
  std::thread reader([srv] {
    int c = ::accept(srv, nullptr, nullptr);
    std::vector<char> buf(1 << 20);
    while (::read(c, buf.data(), buf.size()) > 0) {
    }
    ::close(c);
  });
  int cli = ::socket(AF_INET, SOCK_STREAM, 0);
  ::connect(cli, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  std::vector<char> buf(1 << 20, 'x');
  auto start = clock_type::now();
  size_t sent = 0;
  while (sent < total_bytes) {
    ssize_t n = ::write(cli, buf.data(), buf.size());
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  ::close(cli);
  reader.join();
  double secs = seconds_since(start);
  ::close(srv);
  return static_cast<double>(sent) / secs;
}

/// Writes `bytes` to a file in `dir` and deletes it; returns the write rate. On this project's
/// VM a page-cache page the guest has not used lately costs a fault on the host at first touch:
/// a plain write() loop runs at ~450 MB/s into such pages and at ~5 GB/s into pages a deleted
/// file just gave back. Without this, whichever run first writes a few hundred MB pays that,
/// and the in-memory mock never does. A broker that has run for a while (retention deleting
/// segments, the LRU recycling pages) writes into recycled pages too.
double warm_page_cache(const std::filesystem::path& dir, size_t bytes) {
  auto path = dir / "warm-up.bin";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return 0;
  std::vector<char> buf(1 << 20, 'w');
  auto start = clock_type::now();
  size_t written = 0;
  while (written < bytes && ::write(fd, buf.data(), buf.size()) > 0) written += buf.size();
  double secs = seconds_since(start);
  ::close(fd);
  std::filesystem::remove(path);
  return static_cast<double>(written) / secs;
}

/// Sequential writes of `chunk`-sized blocks to a file in `dir`, fsync every `sync_every`
/// chunks (0 = only at the end). Bytes/s.
double sequential_write_limit(const std::filesystem::path& dir, size_t total_bytes, size_t chunk,
                              size_t sync_every) {
  auto path = dir / "seqwrite.bin";
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char> buf(chunk, 'x');
  auto start = clock_type::now();
  size_t written = 0, n = 0;
  while (written < total_bytes) {
    if (::write(fd, buf.data(), buf.size()) <= 0) break;
    written += chunk;
    if (sync_every && ++n % sync_every == 0) ::fdatasync(fd);
  }
  ::fdatasync(fd);
  double secs = seconds_since(start);
  ::close(fd);
  std::filesystem::remove(path);
  return static_cast<double>(written) / secs;
}

}  // namespace

int main(int argc, char** argv) {
  size_t records = 1'000'000;
  std::string json_path = "broker_e2e.json";
  bool quick = false;
  bool txn = false;
  // Optional filters: run only the scenarios that match (profiling one case).
  int only_size = 0, only_parts = 0, only_flush = -1;
  int reps = 5;  // consume repetitions per target, alternating
  int produce_reps = 3;  // produce repetitions per target, alternating
  int warm_up_mib = 3072;  // page-cache warm-up before the runs (see warm_page_cache)
  std::string only_acks;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--records" && i + 1 < argc) records = std::stoul(argv[++i]);
    else if (a == "--json" && i + 1 < argc) json_path = argv[++i];
    else if (a == "--quick") quick = true;
    else if (a == "--txn") txn = true;
    else if (a == "--size" && i + 1 < argc) only_size = std::stoi(argv[++i]);
    else if (a == "--partitions" && i + 1 < argc) only_parts = std::stoi(argv[++i]);
    else if (a == "--acks" && i + 1 < argc) only_acks = argv[++i];
    else if (a == "--flush" && i + 1 < argc) only_flush = std::stoi(argv[++i]);
    else if (a == "--reps" && i + 1 < argc) reps = std::max(1, std::stoi(argv[++i]));
    else if (a == "--produce-reps" && i + 1 < argc) produce_reps = std::max(1, std::stoi(argv[++i]));
    else if (a == "--warm-up-mib" && i + 1 < argc) warm_up_mib = std::max(0, std::stoi(argv[++i]));
    else {
      std::fprintf(stderr,
                   "usage: %s [--txn] [--records N] [--json FILE] [--quick] [--size 100|1024] "
                   "[--partitions 1|12] [--acks 1|all] [--flush 0|1] [--reps N] [--produce-reps N] "
                   "[--warm-up-mib N]\n",
                   argv[0]);
      return 2;
    }
  }
  if (quick) records = std::min<size_t>(records, 100'000);

  auto dir = std::filesystem::temp_directory_path() / ("sluice-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  if (warm_up_mib > 0) {
    double mbps = warm_page_cache(dir, static_cast<size_t>(warm_up_mib) << 20);
    std::printf("page cache warm-up: %d MiB written and deleted at %.0f MB/s\n", warm_up_mib, mbps / 1e6);
  }
  if (txn) return run_txn_comparison(records, dir);

  std::vector<scenario> scenarios;
  for (size_t size : {size_t{100}, size_t{1024}}) {
    for (const char* acks : {"1", "all"}) {
      for (bool flush : {false, true}) {
        for (int parts : {1, 12}) {
          if (only_size != 0 && static_cast<size_t>(only_size) != size) continue;
          if (only_parts != 0 && only_parts != parts) continue;
          if (!only_acks.empty() && only_acks != acks) continue;
          if (only_flush >= 0 && (only_flush == 1) != flush) continue;
          scenarios.push_back({size, acks, flush, parts});
        }
      }
    }
  }

  std::vector<measurement> results;
  int run = 0;
  for (const auto& s : scenarios) {
    // Fewer records with fsync per batch: it is bounded by the disk, not the broker.
    size_t n = s.flush_per_batch ? records / 4 : records;
    if (s.record_size >= 1024) n /= 4;
    sluice::broker::broker_options o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.data_dir = dir / ("broker-" + std::to_string(run++));
    if (s.flush_per_batch) o.log.flush_interval_messages = 1;
    auto b = sluice::broker::broker::start(o);
    if (!b) {
      std::fprintf(stderr, "broker start failed: %s\n", b.error().message().c_str());
      return 1;
    }
    const std::string sb = b.value()->bootstrap();
    measurement m{"sluice", s};
    measurement mm{"mock", s};
    // The same client against librdkafka's in-memory mock cluster (not with fsync per batch,
    // which the mock cannot do).
    rd_kafka_t* holder = nullptr;
    rd_kafka_mock_cluster_t* mc = nullptr;
    std::string mb;
    if (!s.flush_per_batch) {
      holder = make_client(RD_KAFKA_PRODUCER, "", {});
      mc = rd_kafka_mock_cluster_new(holder, 1);
      mb = rd_kafka_mock_cluster_bootstraps(mc);
    }
    // Production: --produce-reps alternating repetitions, each into a topic of its own; the
    // median counts, and the last topics are the ones read below.
    std::string topic;
    std::vector<double> sluice_produce, mock_produce;
    for (int rep = 0; rep < produce_reps; ++rep) {
      topic = "bench-" + std::to_string(rep);
      create_topic(sb, topic, s.partitions);
      if (mc) rd_kafka_mock_topic_create(mc, topic.c_str(), s.partitions, 1);
      // Which target goes first alternates, so that an order effect is no bias.
      bool mock_first = mc && rep % 2 == 1;
      if (mock_first) mock_produce.push_back(run_produce(mb, topic, s, n));
      sluice_produce.push_back(run_produce(sb, topic, s, n));
      if (mc && !mock_first) mock_produce.push_back(run_produce(mb, topic, s, n));
    }
    m.produce_reps = sluice_produce;
    mm.produce_reps = mock_produce;
    m.produce_rps = median(sluice_produce);
    mm.produce_rps = median(mock_produce);
    m.consume_full_rps = run_consume(sb, topic, s);
    if (s.flush_per_batch) {
      m.consume_rps = m.consume_full_rps;
      m.consumed = n;
    } else {
      // The mock keeps only the newest 5 MiB of each partition, so both targets are compared
      // on exactly those records: the newest ones of every partition, as many as the mock
      // holds, in alternating repetitions (a fresh consumer each) so that load from elsewhere
      // hits both alike.
      std::vector<int64_t> tail;
      for (auto [low, high] : watermarks(mb, topic, s.partitions)) {
        tail.push_back(high - low);
        mm.consumed += static_cast<size_t>(high - low);
      }
      // The mock drops whole batches, so its records start at one of its batches; start
      // sluice's at one of its own batches too (the one nearest the same offset). Otherwise
      // its first answer carries records before the start that the client skips, and every
      // pass needs one round trip more than the mock's: with 1 KiB records that is five
      // answers instead of four, a 20 % handicap that has nothing to do with the broker.
      std::vector<int64_t> own_tail = tail;
      auto marks = watermarks(sb, topic, s.partitions);
      m.consumed = 0;
      m.compared = true;
      for (int p = 0; p < s.partitions; ++p) {
        auto pi = static_cast<size_t>(p);
        own_tail[pi] = marks[pi].second - nearest_batch_start(*b.value(), topic, p,
                                                                   marks[pi].second - tail[pi]);
        m.consumed += static_cast<size_t>(own_tail[pi]);
      }
      // Each repetition reads its tail over and over until about 64 MiB went by: one pass
      // over the mock's 5 MiB takes a millisecond or two, too short to time on a shared machine.
      size_t tail_bytes = mm.consumed * s.record_size;
      int cycles = static_cast<int>(std::clamp<size_t>((64u << 20) / std::max<size_t>(tail_bytes, 1), 1, 100));
      m.cycles = mm.cycles = cycles;
      for (int rep = 0; rep < reps; ++rep) {
        int done = 0;
        m.consume_reps.push_back(run_consume(sb, topic, s, own_tail, cycles, &done));
        m.cycles = std::min(m.cycles, done);
        mm.consume_reps.push_back(run_consume(mb, topic, s, tail, cycles, &done));
        mm.cycles = std::min(mm.cycles, done);
      }
      m.consume_rps = median(m.consume_reps);
      mm.consume_rps = median(mm.consume_reps);
      rd_kafka_mock_cluster_destroy(mc);
      rd_kafka_destroy(holder);
      results.push_back(m);
      results.push_back(mm);
    }
    if (s.flush_per_batch) results.push_back(m);
    (void)b.value()->stop();
    std::filesystem::remove_all(o.data_dir);
  }

  size_t raw_bytes = quick ? (256u << 20) : (1024u << 20);
  double tcp = loopback_tcp_limit(raw_bytes);
  double seq = sequential_write_limit(dir, raw_bytes, 1 << 20, 0);
  double seq_sync = sequential_write_limit(dir, raw_bytes / 8, 64 << 10, 1);
  std::filesystem::remove_all(dir);

  auto find_mock = [&](const scenario& s) -> const measurement* {
    for (const auto& r : results) {
      if (r.target == "mock" && r.s.record_size == s.record_size && r.s.acks == s.acks &&
          r.s.partitions == s.partitions)
        return &r;
    }
    return nullptr;
  };

  std::printf("%-7s %6s %4s %6s %5s | %12s %9s %8s | %12s %9s %8s %8s | %12s\n", "target", "size",
              "acks", "fsync", "parts", "produce r/s", "MB/s", "vs mock", "consume r/s", "MB/s",
              "vs mock", "records", "full log r/s");
  std::ofstream json(json_path);
  json << "{\n  \"records\": " << records << ",\n  \"consume_repetitions\": " << reps
       << ",\n  \"produce_repetitions\": " << produce_reps
       << ",\n  \"baselines\": {\"loopback_tcp_MBps\": "
       << tcp / 1e6 << ", \"sequential_write_MBps\": " << seq / 1e6
       << ", \"sequential_write_fsync_per_64KiB_MBps\": " << seq_sync / 1e6 << "},\n  \"runs\": [\n";
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    const auto* mock = r.target == "sluice" ? find_mock(r.s) : nullptr;
    double mbp = r.produce_rps * static_cast<double>(r.s.record_size) / 1e6;
    double mbc = r.consume_rps * static_cast<double>(r.s.record_size) / 1e6;
    char vp[16] = "-", vc[16] = "-", full[24] = "-";
    if (mock) {
      std::snprintf(vp, sizeof vp, "%.2fx", r.produce_rps / mock->produce_rps);
      // Consumption only where both read the same records (with fsync per batch there is no
      // mock run of its own).
      if (r.compared) std::snprintf(vc, sizeof vc, "%.2fx", r.consume_rps / mock->consume_rps);
    }
    if (r.target == "sluice") std::snprintf(full, sizeof full, "%.0f", r.consume_full_rps);
    std::printf("%-7s %6zu %4s %6s %5d | %12.0f %9.1f %8s | %12.0f %9.1f %8s %8zu | %12s\n",
                r.target.c_str(), r.s.record_size, r.s.acks.c_str(),
                r.s.flush_per_batch ? "batch" : "off", r.s.partitions, r.produce_rps, mbp, vp,
                r.consume_rps, mbc, vc, r.consumed, full);
    json << "    {\"target\": \"" << r.target << "\", \"record_size\": " << r.s.record_size
         << ", \"acks\": \"" << r.s.acks << "\", \"flush_per_batch\": "
         << (r.s.flush_per_batch ? "true" : "false") << ", \"partitions\": " << r.s.partitions
         << ", \"produce_records_per_s\": " << r.produce_rps << ", \"produce_MBps\": " << mbp
         << ", \"consume_records_per_s\": " << r.consume_rps << ", \"consume_MBps\": " << mbc
         << ", \"consume_records\": " << r.consumed << ", \"consume_passes\": " << r.cycles << ", \"consume_repetitions_records_per_s\": [";
    for (size_t k = 0; k < r.consume_reps.size(); ++k) json << (k ? ", " : "") << r.consume_reps[k];
    json << "]";
    json << ", \"produce_repetitions_records_per_s\": [";
    for (size_t k = 0; k < r.produce_reps.size(); ++k) json << (k ? ", " : "") << r.produce_reps[k];
    json << "]";
    if (r.target == "sluice") json << ", \"consume_full_log_records_per_s\": " << r.consume_full_rps;
    json << "}" << (i + 1 < results.size() ? "," : "") << "\n";
  }
  json << "  ]\n}\n";
  std::printf("\nphysical limits: loopback TCP %.0f MB/s; sequential write %.0f MB/s "
              "(%.0f MB/s with fdatasync every 64 KiB)\n", tcp / 1e6, seq / 1e6, seq_sync / 1e6);
  std::printf("1 KiB produce vs sequential write: see MB/s column against %.0f MB/s\n", seq / 1e6);
  std::printf("JSON written to %s\n", json_path.c_str());
  return 0;
}
