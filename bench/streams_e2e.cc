// End-to-end streams benchmarks against an in-process sluice-broker, through librdkafka, all
// in one run on the same broker:
//
// - throughput: a stateless topology (filter → map_values → to), a windowed count (group_by_key
//   → 1-minute tumbling windows → count → to) and a windowed stream-stream join of two topics,
//   each under at_least_once and exactly_once_v2, with one and with two stream threads, beside
//   the baselines on the same input — a hand-written librdkafka consume → produce loop, plain
//   (offsets committed every 100 ms after the producer is flushed, like at_least_once) and
//   transactional (a transaction every 100 ms carrying the offsets, like exactly_once_v2);
// - restoration: a table's store is built from distinct keys, its state directory deleted, and
//   the store restored from its changelog; MB/s of key and value bytes from the first restored
//   record until the instance runs, beside a raw librdkafka consumer reading the same changelog;
// - latency: end-to-end latency (produce → read_committed consume of the output) of the
//   stateless topology under exactly_once_v2 at half the peak rate measured above.
//
//   sluice_streams_e2e [--records N] [--threads N] [--only TEXT] [--repeat N] [--latency-rate R]
//                      [--json FILE] [--quick]
//
// With --repeat N every throughput row runs N times (the rows interleaved) and reports the median.
//
// Throughput runs read the same preloaded input topic (100-byte values, 1000 keys, 4
// partitions; the join also a second topic keyed alike) with their own consumer group and write
// their own output topic. A run ends when the group's committed offsets reach the end of the
// input (so the output is acknowledged — and, under exactly-once, committed); throughput = input
// records / that time, from the first record processed (start-up and the group join are not
// counted). commit.interval.ms is 100 for every run, so at-least-once and exactly-once commit
// equally often (at-least-once's default is 30 s). `--only` keeps the rows whose
// "pipeline mode" contains the text, or one of several separated by '|' ("restoration" and
// "latency" are rows too).
// Environment: SLUICE_BENCH_SET="key=value,..." adds streams config to every app (experiments);
// SLUICE_BENCH_DEBUG prints processed records every 100 ms; SLUICE_BENCH_LOG sets the log level.

#include "broker/broker.h"
#include "core/log.h"
#include "core/serde.h"
#include "dsl/streams.h"
#include "runtime/streams.h"

#include "bench/rdkafka_util.h"

#include <librdkafka/rdkafka.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <map>
#include <tuple>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr int partitions = 4;
constexpr int keys = 1000;
constexpr std::size_t value_size = 100;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

using sluice::bench::create_topic;

/// bench/rdkafka_util.h's client; a consumer also serves its main queue through consumer_poll.
rd_kafka_t* make_client(rd_kafka_type_t type, const std::string& bootstrap,
                        const std::vector<std::pair<std::string, std::string>>& extra) {
  rd_kafka_t* rk = sluice::bench::make_client(type, bootstrap, extra);
  if (type == RD_KAFKA_CONSUMER) rd_kafka_poll_set_consumer(rk);
  return rk;
}

/// `records` records, keys k0..k999 (murmur2 partitioned), timestamps spread over 10 minutes
/// from `offset_ms` on.
void preload(const std::string& bootstrap, const std::string& topic, std::size_t records,
             int64_t offset_ms) {
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, bootstrap,
                               {{"linger.ms", "5"}, {"batch.size", "1000000"},
                                {"queue.buffering.max.messages", "2000000"},
                                {"partitioner", "murmur2_random"}});
  const std::string value(value_size, 'v');
  const int64_t t0 = 1700000000000 + offset_ms;
  for (std::size_t i = 0; i < records; ++i) {
    const std::string key = "k" + std::to_string(i % keys);
    const int64_t ts = t0 + static_cast<int64_t>(i * 600000 / records);
    sluice::bench::produce(rk, topic, key, value, RD_KAFKA_PARTITION_UA, ts);
  }
  rd_kafka_flush(rk, 120000);
  rd_kafka_destroy(rk);
}

/// Sum of the committed offsets of `reader`'s group over the partitions of `topics`.
int64_t committed_total(rd_kafka_t* reader, const std::vector<std::string>& topics) {
  rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(partitions);
  for (const auto& t : topics) {
    for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(l, t.c_str(), p);
  }
  int64_t total = 0;
  if (rd_kafka_committed(reader, l, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < l->cnt; ++i) total += std::max<int64_t>(0, l->elems[i].offset);
  }
  rd_kafka_topic_partition_list_destroy(l);
  return total;
}

/// Waits until `group` has committed `records` records of `topics`; seconds since `start`, or -1.
double wait_committed(const std::string& bootstrap, const std::string& group,
                      const std::vector<std::string>& topics, int64_t records,
                      clock_type::time_point start) {
  rd_kafka_t* reader = make_client(RD_KAFKA_CONSUMER, bootstrap, {{"group.id", group}});
  double secs = -1;
  const auto deadline = clock_type::now() + 600s;
  while (clock_type::now() < deadline) {
    if (committed_total(reader, topics) >= records) {
      secs = seconds_since(start);
      break;
    }
    std::this_thread::sleep_for(20ms);
  }
  rd_kafka_destroy(reader);
  return secs;
}

// ---- the raw librdkafka loop ------------------------------------------------------------------

/// consume → (filter, upper-case first byte) → produce, committing every 100 ms: plain
/// (flush the producer, then commit the offsets) or transactional (offsets in the transaction).
double raw_loop(const std::string& bootstrap, const std::string& in, const std::string& out,
                const std::string& group, int64_t records, bool transactional) {
  std::vector<std::pair<std::string, std::string>> pconf{
      {"linger.ms", "5"}, {"partitioner", "murmur2_random"}, {"queue.buffering.max.messages", "1000000"}};
  if (transactional) pconf.emplace_back("transactional.id", group + "-txn");
  rd_kafka_t* producer = make_client(RD_KAFKA_PRODUCER, bootstrap, pconf);
  rd_kafka_t* consumer = make_client(RD_KAFKA_CONSUMER, bootstrap,
                                     {{"group.id", group}, {"enable.auto.commit", "false"},
                                      {"auto.offset.reset", "earliest"},
                                      {"isolation.level", "read_committed"},
                                      {"partition.assignment.strategy", "range"},
                                      // As the runtime's consumers: librdkafka 2.0 stops
                                      // fetching above these and looks again only after ~1 s.
                                      {"queued.min.messages", "1000000"},
                                      {"queued.max.messages.kbytes", "262144"}});
  if (transactional) {
    if (rd_kafka_error_t* e = rd_kafka_init_transactions(producer, 60000)) {
      std::fprintf(stderr, "init_transactions: %s\n", rd_kafka_error_string(e));
      std::exit(1);
    }
  }
  rd_kafka_topic_partition_list_t* sub = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(sub, in.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(consumer, sub);
  rd_kafka_topic_partition_list_destroy(sub);
  rd_kafka_topic_t* out_topic = rd_kafka_topic_new(producer, out.c_str(), nullptr);

  std::map<int32_t, int64_t> next;  // partition → offset after the last processed record
  int64_t processed = 0;
  bool in_txn = false;
  auto last_commit = clock_type::now();
  std::optional<clock_type::time_point> start;
  auto commit = [&] {
    rd_kafka_topic_partition_list_t* offs = rd_kafka_topic_partition_list_new(partitions);
    for (auto [p, o] : next) rd_kafka_topic_partition_list_add(offs, in.c_str(), p)->offset = o;
    if (transactional) {
      if (!in_txn) {
        rd_kafka_begin_transaction(producer);
        in_txn = true;
      }
      rd_kafka_consumer_group_metadata_t* md = rd_kafka_consumer_group_metadata(consumer);
      if (rd_kafka_error_t* e = rd_kafka_send_offsets_to_transaction(producer, offs, md, 60000)) {
        std::fprintf(stderr, "send_offsets_to_transaction: %s\n", rd_kafka_error_string(e));
        std::exit(1);
      }
      rd_kafka_consumer_group_metadata_destroy(md);
      if (rd_kafka_error_t* e = rd_kafka_commit_transaction(producer, 60000)) {
        std::fprintf(stderr, "commit_transaction: %s\n", rd_kafka_error_string(e));
        std::exit(1);
      }
      in_txn = false;
    } else {
      rd_kafka_flush(producer, 60000);
      if (offs->cnt > 0) rd_kafka_commit(consumer, offs, 0);
    }
    rd_kafka_topic_partition_list_destroy(offs);
    last_commit = clock_type::now();
  };
  while (processed < records) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 100);
    if (m != nullptr) {
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (!start) start = clock_type::now();
        if (transactional && !in_txn) {
          rd_kafka_begin_transaction(producer);
          in_txn = true;
        }
        std::string value(static_cast<const char*>(m->payload), m->len);
        if (!value.empty() && value[0] != '#') {  // the stateless topology's filter and map
          value[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(value[0])));
          for (;;) {
            auto err = rd_kafka_producev(producer, RD_KAFKA_V_RKT(out_topic),
                                         RD_KAFKA_V_KEY(m->key, m->key_len),
                                         RD_KAFKA_V_VALUE(value.data(), value.size()),
                                         RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
            rd_kafka_poll(producer, 1);
          }
        }
        next[m->partition] = m->offset + 1;
        ++processed;
      }
      rd_kafka_message_destroy(m);
    }
    rd_kafka_poll(producer, 0);
    if (clock_type::now() - last_commit >= 100ms) commit();
  }
  // The last commit on the same 100 ms schedule as the runtime's (which cannot know that the
  // input has ended), not at once.
  while (clock_type::now() - last_commit < 100ms) rd_kafka_poll(producer, 1);
  commit();
  const double secs = wait_committed(bootstrap, group, {in}, records, *start);
  rd_kafka_topic_destroy(out_topic);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_destroy(producer);
  return secs;
}

// ---- the streams runtime -----------------------------------------------------------------------

sluice::topology stateless(const std::string& in, const std::string& out) {
  sluice::streams_builder b;
  b.stream<std::string, std::string>(in)
      .filter([](const std::string&, const std::string& v) { return !v.empty() && v[0] != '#'; })
      .map_values([](const std::string& v) {
        std::string s = v;
        s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
        return s;
      })
      .to(out);
  return b.build();
}

sluice::topology windowed_count(const std::string& in, const std::string& out) {
  sluice::streams_builder b;
  b.stream<std::string, std::string>(in)
      .group_by_key()
      .windowed_by(sluice::time_windows::of(std::chrono::minutes(1)))
      .count(sluice::materialized<std::string, int64_t>::as("counts"))
      .to_stream()
      .to(out, {.key_serde = sluice::time_windowed_serde<std::string>(sluice::core::serdes::string{},
                                                                        std::chrono::minutes(1)),
                .value_serde = sluice::core::serdes::int64{}});
  return b.build();
}

/// Record i of `b` is record i of `a`'s key 100 ms later; same-key records are 600 ms apart (at
/// 1 M records), so with ±200 ms windows each record finds exactly its partner.
sluice::topology stream_join(const std::string& a, const std::string& b, const std::string& out) {
  sluice::streams_builder builder;
  builder.stream<std::string, std::string>(a)
      .join(builder.stream<std::string, std::string>(b),
            [](const std::string& l, const std::string& r) { return l.substr(0, 50) + r.substr(0, 50); },
            sluice::join_windows::of(200ms))
      .to(out);
  return builder.build();
}

/// A materialized table of `in`: its store's changelog is what restoration reads.
sluice::topology table_of(const std::string& in) {
  sluice::streams_builder b;
  b.table<std::string, std::string>(in, sluice::materialized<std::string, std::string>::as("kv"));
  return b.build();
}

sluice::core::properties app_config(const std::string& bootstrap, const std::filesystem::path& state,
                                    const std::string& app_id, const std::string& guarantee,
                                    int threads) {
  sluice::core::properties config{{"application.id", app_id},
                                  {"bootstrap.servers", bootstrap},
                                  {"state.dir", state.string()},
                                  {"num.stream.threads", std::to_string(threads)},
                                  {"processing.guarantee", guarantee},
                                  {"commit.interval.ms", "100"},
                                  {"producer.linger.ms", "5"}};
  // SLUICE_BENCH_SET="key=value,key=value": extra streams config, for experiments.
  if (const char* extra = std::getenv("SLUICE_BENCH_SET")) {
    const std::string s = extra;
    for (std::size_t pos = 0; pos < s.size();) {
      std::size_t end = s.find(',', pos);
      if (end == std::string::npos) end = s.size();
      const std::string kv = s.substr(pos, end - pos);
      if (auto eq = kv.find('='); eq != std::string::npos) config[kv.substr(0, eq)] = kv.substr(eq + 1);
      pos = end + 1;
    }
  }
  return config;
}

/// The runtime's thread-labelled counters the benchmark reads (a registration must repeat the
/// runtime's help text).
struct thread_counter {
  const char* name;
  const char* help;
};
constexpr thread_counter processed_counter{"sluice_streams_records_processed_total",
                                           "Records processed by the thread's tasks."};
constexpr thread_counter restored_records_counter{"sluice_streams_restored_records_total",
                                                  "Changelog records applied to restoring stores."};
constexpr thread_counter restored_bytes_counter{"sluice_streams_restored_bytes_total",
                                                "Key and value bytes applied to restoring stores."};

/// Counter `c` of every stream thread of `app`.
std::vector<sluice::core::counter*> thread_counters(sluice::streams& app, thread_counter c, int threads) {
  std::vector<sluice::core::counter*> out;
  for (int i = 0; i < threads; ++i) {
    out.push_back(&app.metrics().register_counter(c.name, c.help, {{"thread", "stream-thread-" + std::to_string(i)}}));
  }
  return out;
}

uint64_t sum(const std::vector<sluice::core::counter*>& counters) {
  uint64_t n = 0;
  for (auto* c : counters) n += c->value();
  return n;
}

/// Seconds from the first processed record until `app_id` has committed `records` records of
/// `inputs`.
double run_streams(const std::string& bootstrap, const std::filesystem::path& state,
                   sluice::topology t, const std::string& app_id,
                   const std::vector<std::string>& inputs, const std::string& guarantee,
                   int threads, int64_t records) {
  sluice::streams app(std::move(t), app_config(bootstrap, state, app_id, guarantee, threads));
  app.start();
  // From the first processed record, like the raw loop (start-up, topic creation and the
  // group join are not throughput).
  const auto processed = thread_counters(app, processed_counter, threads);
  while (sum(processed) == 0) std::this_thread::sleep_for(1ms);
  const auto start = clock_type::now();
  std::atomic<bool> done{false};
  std::thread progress;
  if (std::getenv("SLUICE_BENCH_DEBUG") != nullptr) {
    progress = std::thread([&] {  // processed records every 100 ms, to see stalls
      while (!done) {
        std::fprintf(stderr, "  %6.2f s: %llu processed\n", seconds_since(start),
                     static_cast<unsigned long long>(sum(processed)));
        std::this_thread::sleep_for(100ms);
      }
    });
  }
  const double secs = wait_committed(bootstrap, app_id, inputs, records, start);
  done = true;
  if (progress.joinable()) progress.join();
  app.close(std::chrono::seconds(60));
  return secs;
}

// ---- restoration ------------------------------------------------------------------------------

struct restoration_result {
  double seconds = 0;     ///< first restored record → running
  double bytes = 0;       ///< key + value bytes restored
  double records = 0;
  double raw_seconds = 0; ///< a raw librdkafka consumer reading the whole changelog
  double raw_bytes = 0;
};

/// Reads every partition of `topic` from the start to its end; returns (seconds, key+value bytes).
std::pair<double, double> raw_read(const std::string& bootstrap, const std::string& topic) {
  rd_kafka_t* rk = make_client(RD_KAFKA_CONSUMER, bootstrap,
                               {{"group.id", "raw-reader"}, {"enable.partition.eof", "true"},
                                {"enable.auto.commit", "false"}, {"queued.min.messages", "1000000"}});
  rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(l, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  const auto deadline = clock_type::now() + 600s;
  rd_kafka_assign(rk, l);
  rd_kafka_topic_partition_list_destroy(l);
  double bytes = 0;
  int at_end = 0;
  std::optional<clock_type::time_point> first;  // timed from the first record, like restoration
  while (at_end < partitions && clock_type::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      ++at_end;
    } else if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      if (!first) first = clock_type::now();
      bytes += static_cast<double>(m->key_len + m->len);
    }
    rd_kafka_message_destroy(m);
  }
  const double secs = first ? seconds_since(*first) : 0;
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return {secs, bytes};
}

restoration_result restoration(const std::string& bootstrap, const std::filesystem::path& dir,
                               int64_t records) {
  const std::string in = "restore-input";
  create_topic(bootstrap, in, partitions);
  {  // distinct keys, so the changelog holds every record
    rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, bootstrap,
                                 {{"linger.ms", "5"}, {"batch.size", "1000000"},
                                  {"queue.buffering.max.messages", "2000000"},
                                  {"partitioner", "murmur2_random"}});
    const std::string value(value_size, 'v');
    char key[32];
    for (int64_t i = 0; i < records; ++i) {
      const int n = std::snprintf(key, sizeof key, "key-%012lld", static_cast<long long>(i));
      sluice::bench::produce(rk, in, std::string_view(key, static_cast<size_t>(n)), value);
    }
    rd_kafka_flush(rk, 120000);
    rd_kafka_destroy(rk);
  }
  const std::string app_id = "restore";
  restoration_result r;
  {  // build the store (and so its changelog)
    sluice::streams app(table_of(in), app_config(bootstrap, dir / "restore-a", app_id, "at_least_once", 1));
    app.start();
    (void)wait_committed(bootstrap, app_id, {in}, records, clock_type::now());
    app.close(std::chrono::seconds(60));
  }
  // A new state directory: every store restores from the changelog.
  sluice::streams app(table_of(in), app_config(bootstrap, dir / "restore-b", app_id, "at_least_once", 1));
  const auto bytes = thread_counters(app, restored_bytes_counter, 1);
  const auto restored = thread_counters(app, restored_records_counter, 1);
  app.start();
  const auto deadline = clock_type::now() + 600s;
  std::optional<clock_type::time_point> first;
  while (clock_type::now() < deadline) {
    if (!first && sum(bytes) > 0) first = clock_type::now();
    if (first && app.state() == sluice::streams_state::running) break;
    std::this_thread::sleep_for(200us);
  }
  if (first) r.seconds = seconds_since(*first);
  r.bytes = static_cast<double>(sum(bytes));
  r.records = static_cast<double>(sum(restored));
  app.close(std::chrono::seconds(60));
  std::tie(r.raw_seconds, r.raw_bytes) = raw_read(bootstrap, app_id + "-kv-changelog");
  return r;
}

// ---- latency ----------------------------------------------------------------------------------

struct latency_result {
  double rate = 0;  ///< records/s offered
  std::size_t samples = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
};

/// The stateless topology under exactly_once_v2, fed `rate` records/s for `seconds`; latency from
/// the time a record was due to be sent to its arrival at a read_committed consumer of the
/// output (the first second is warm-up).
latency_result latency(const std::string& bootstrap, const std::filesystem::path& state, double rate,
                       double seconds) {
  const std::string in = "latency-input", out = "latency-output";
  create_topic(bootstrap, in, partitions);
  create_topic(bootstrap, out, partitions);
  sluice::streams app(stateless(in, out), app_config(bootstrap, state, "latency", "exactly_once_v2", 1));
  app.start();
  while (app.state() != sluice::streams_state::running) std::this_thread::sleep_for(10ms);

  rd_kafka_t* consumer = make_client(RD_KAFKA_CONSUMER, bootstrap,
                                     {{"group.id", "latency-reader"}, {"isolation.level", "read_committed"},
                                      {"fetch.wait.max.ms", "10"}, {"queued.min.messages", "1000000"}});
  rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(l, out.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  rd_kafka_assign(consumer, l);
  rd_kafka_topic_partition_list_destroy(l);

  const auto origin = clock_type::now();
  auto now_us = [&] {
    return std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - origin).count();
  };
  std::atomic<bool> producing{true};
  std::thread producer([&] {
    rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, bootstrap,
                                 {{"linger.ms", "1"}, {"partitioner", "murmur2_random"}});
    int64_t sent = 0;
    while (seconds_since(origin) < seconds) {
      // Paced per millisecond: send what the rate owes by now.
      const auto owed = static_cast<int64_t>(seconds_since(origin) * rate);
      for (; sent < owed; ++sent) {
        // The time the record was due, in µs: a producer falling behind counts as latency.
        const auto due_us = static_cast<int64_t>(static_cast<double>(sent) * 1e6 / rate);
        std::string value = std::to_string(due_us) + ' ';
        value.resize(value_size, 'v');
        const std::string key = "k" + std::to_string(sent % keys);
        sluice::bench::produce(rk, in, key, value);
      }
      rd_kafka_poll(rk, 0);
      std::this_thread::sleep_for(1ms);
    }
    rd_kafka_flush(rk, 60000);
    rd_kafka_destroy(rk);
    producing = false;
  });
  std::vector<double> ms;
  const int64_t warmup_us = 1000000;
  auto idle_since = clock_type::now();
  while (producing || seconds_since(idle_since) < 2) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 50);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->len > 0) {
      const int64_t sent_us = std::strtoll(static_cast<const char*>(m->payload), nullptr, 10);
      if (sent_us >= warmup_us) ms.push_back(static_cast<double>(now_us() - sent_us) / 1000.0);
      idle_since = clock_type::now();
    }
    rd_kafka_message_destroy(m);
  }
  producer.join();
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  app.close(std::chrono::seconds(60));
  latency_result r;
  r.rate = rate;
  r.samples = ms.size();
  if (!ms.empty()) {
    std::sort(ms.begin(), ms.end());
    r.p50_ms = ms[ms.size() / 2];
    r.p99_ms = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
    r.max_ms = ms.back();
  }
  return r;
}

struct result_row {
  std::string pipeline;
  std::string mode;
  int threads = 1;
  double seconds = 0;  ///< the median run
  double rps = 0;
  std::vector<double> runs;  ///< every run's seconds, sorted
};

}  // namespace

int main(int argc, char** argv) {
  int64_t records = 1000000;
  std::vector<int> thread_counts{1, 2};
  std::string json_path = "streams_e2e.json";
  std::string only;  // run only the rows whose "pipeline mode" contains this
  double latency_rate = 0;  // records/s for the latency run; 0 = half the stateless EOS peak
  int repeat = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--records" && i + 1 < argc) records = std::stoll(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) thread_counts = {std::stoi(argv[++i])};
    else if (a == "--json" && i + 1 < argc) json_path = argv[++i];
    else if (a == "--quick") records = 50000;
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else if (a == "--latency-rate" && i + 1 < argc) latency_rate = std::stod(argv[++i]);
    else if (a == "--repeat" && i + 1 < argc) repeat = std::max(1, std::stoi(argv[++i]));
    else {
      std::fprintf(stderr, "usage: %s [--records N] [--threads N] [--only TEXT] [--repeat N] [--latency-rate R] [--json FILE] [--quick]\n", argv[0]);
      return 2;
    }
  }
  if (const char* level = std::getenv("SLUICE_BENCH_LOG")) {  // e.g. debug, with consumer.debug
    if (auto l = sluice::core::parse_log_level(level)) sluice::core::set_log_level(l.value());
  }
  const auto dir = std::filesystem::temp_directory_path() /
                   ("sluice-streams-e2e-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  sluice::broker::broker_options o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.data_dir = dir / "broker";
  // Kafka's group.initial.rebalance.delay.ms (3 s there): the threads of one instance join as
  // one generation instead of the first taking every partition and a rebalance following
  // mid-run (with 0, two-thread runs measured that rebalance, 1.3–3.8 s for the same work).
  // Throughput is timed from the first processed record, so the wait is not counted.
  o.groups.initial_rebalance_delay_ms = 1000;
  auto b = sluice::broker::broker::start(o);
  if (!b) {
    std::fprintf(stderr, "broker start failed: %s\n", b.error().message().c_str());
    return 1;
  }
  const std::string bootstrap = b.value()->bootstrap();
  auto wanted = [&](const std::string& pipeline, const std::string& mode) {
    if (only.empty()) return true;
    const std::string row = pipeline + " " + mode;
    for (std::size_t pos = 0; pos <= only.size();) {  // alternatives separated by '|'
      std::size_t end = only.find('|', pos);
      if (end == std::string::npos) end = only.size();
      if (end > pos && row.find(only.substr(pos, end - pos)) != std::string::npos) return true;
      pos = end + 1;
    }
    return false;
  };
  const std::string in = "input", in_b = "input-b";
  create_topic(bootstrap, in, partitions);
  preload(bootstrap, in, static_cast<std::size_t>(records), 0);
  if (wanted("join", "at_least_once") || wanted("join", "exactly_once_v2")) {
    create_topic(bootstrap, in_b, partitions);
    preload(bootstrap, in_b, static_cast<std::size_t>(records), 100);
  }

  // Each throughput row runs `repeat` times, the rows interleaved (so the baseline and the
  // runtime share whatever else the machine is doing); a row reports its median.
  std::vector<result_row> rows;
  std::map<std::tuple<std::string, std::string, int>, std::vector<double>> samples;
  auto add = [&](const std::string& pipeline, const std::string& mode, int threads, double secs, int64_t n) {
    std::fprintf(stderr, "%s %s, %d thread(s): %.2f s\n", pipeline.c_str(), mode.c_str(), threads, secs);
    auto& v = samples[{pipeline, mode, threads}];
    if (v.empty()) rows.push_back({pipeline, mode, threads, 0, 0});
    v.push_back(secs);
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    for (auto& r : rows) {
      if (r.pipeline == pipeline && r.mode == mode && r.threads == threads) {
        r.seconds = sorted[sorted.size() / 2];
        r.rps = r.seconds > 0 ? static_cast<double>(n) / r.seconds : 0;
        r.runs = sorted;
      }
    }
  };
  int run = 0;
  auto out_topic = [&] {
    const std::string t = "output-" + std::to_string(run++);
    create_topic(bootstrap, t, partitions);
    return t;
  };
  struct pipeline {
    const char* name;
    std::function<sluice::topology(const std::string& out)> make;
    std::vector<std::string> inputs;
  };
  const std::vector<pipeline> pipelines{
      {"stateless", [&](const std::string& out) { return stateless(in, out); }, {in}},
      {"windowed count", [&](const std::string& out) { return windowed_count(in, out); }, {in}},
      {"join", [&](const std::string& out) { return stream_join(in, in_b, out); }, {in, in_b}},
  };
  for (int rep = 0; rep < repeat; ++rep) {
    for (bool txn : {false, true}) {
      const char* mode = txn ? "raw librdkafka, transactional" : "raw librdkafka";
      if (!wanted("consume-produce loop", mode)) continue;
      const std::string out = out_topic();
      add("consume-produce loop", mode, 1,
          raw_loop(bootstrap, in, out, "raw-" + std::to_string(run), records, txn), records);
    }
    for (const auto& p : pipelines) {
      for (int threads : thread_counts) {
        for (const char* guarantee : {"at_least_once", "exactly_once_v2"}) {
          if (!wanted(p.name, guarantee)) continue;
          const std::string out = out_topic();
          const std::string app = "app-" + std::to_string(run);
          const int64_t n = records * static_cast<int64_t>(p.inputs.size());
          add(p.name, guarantee, threads,
              run_streams(bootstrap, dir / "state", p.make(out), app, p.inputs, guarantee, threads, n), n);
        }
      }
    }
  }
  auto rps = [&](const std::string& pipeline, const std::string& mode, int threads) {
    for (const auto& r : rows) {
      if (r.pipeline == pipeline && r.mode == mode && r.threads == threads) return r.rps;
    }
    return 0.0;
  };

  std::optional<restoration_result> restored;
  if (wanted("restoration", "")) restored = restoration(bootstrap, dir, records);
  std::optional<latency_result> lat;
  if (wanted("latency", "exactly_once_v2")) {
    const double peak = rps("stateless", "exactly_once_v2", 1);
    lat = latency(bootstrap, dir / "state", latency_rate > 0 ? latency_rate : peak > 0 ? peak / 2 : 100000, 6);
  }
  (void)b.value()->stop();
  std::filesystem::remove_all(dir);

  const double raw = rps("consume-produce loop", "raw librdkafka", 1);
  std::printf("%lld records per input (%zu-byte values, %d keys, %d partitions), commit every 100 ms, "
              "median of %d run(s)\n\n",
              static_cast<long long>(records), value_size, keys, partitions, repeat);
  std::printf("%-22s %-32s %7s %9s %12s %8s %8s\n", "pipeline", "mode", "threads", "seconds",
              "records/s", "vs raw", "vs ALOS");
  std::ofstream json(json_path);
  json << "{\n  \"records\": " << records << ",\n  \"runs\": [\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const double alos = rps(r.pipeline, "at_least_once", r.threads);
    char vs_raw[16] = "-", vs_alos[16] = "-";
    if (raw > 0) std::snprintf(vs_raw, sizeof vs_raw, "%.2f", r.rps / raw);
    if (r.mode == "exactly_once_v2" && alos > 0) std::snprintf(vs_alos, sizeof vs_alos, "%.2f", r.rps / alos);
    std::printf("%-22s %-32s %7d %9.2f %12.0f %8s %8s\n", r.pipeline.c_str(), r.mode.c_str(),
                r.threads, r.seconds, r.rps, vs_raw, vs_alos);
    json << "    {\"pipeline\": \"" << r.pipeline << "\", \"mode\": \"" << r.mode
         << "\", \"threads\": " << r.threads << ", \"seconds\": " << r.seconds
         << ", \"records_per_s\": " << r.rps << ", \"runs_seconds\": [";
    for (std::size_t k = 0; k < r.runs.size(); ++k) json << (k ? ", " : "") << r.runs[k];
    json << "]}" << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  json << "  ]";
  if (restored) {
    const double mbps = restored->seconds > 0 ? restored->bytes / restored->seconds / 1e6 : 0;
    const double raw_mbps = restored->raw_seconds > 0 ? restored->raw_bytes / restored->raw_seconds / 1e6 : 0;
    std::printf("\nrestoration: %.0f records, %.1f MB in %.2f s = %.1f MB/s (%.0f records/s); raw "
                "librdkafka read of the changelog %.1f MB/s; ratio %.2f\n",
                restored->records, restored->bytes / 1e6, restored->seconds, mbps,
                restored->seconds > 0 ? restored->records / restored->seconds : 0, raw_mbps,
                raw_mbps > 0 ? mbps / raw_mbps : 0);
    json << ",\n  \"restoration\": {\"records\": " << restored->records << ", \"bytes\": " << restored->bytes
         << ", \"seconds\": " << restored->seconds << ", \"MBps\": " << mbps
         << ", \"raw_read_MBps\": " << raw_mbps << "}";
  }
  if (lat) {
    std::printf("\nlatency, stateless exactly_once_v2 at %.0f records/s: p50 %.1f ms, "
                "p99 %.1f ms, max %.1f ms (%zu records)\n",
                lat->rate, lat->p50_ms, lat->p99_ms, lat->max_ms, lat->samples);
    json << ",\n  \"latency\": {\"rate\": " << lat->rate << ", \"samples\": " << lat->samples
         << ", \"p50_ms\": " << lat->p50_ms << ", \"p99_ms\": " << lat->p99_ms
         << ", \"max_ms\": " << lat->max_ms << "}";
  }
  json << "\n}\n";
  std::printf("\nJSON written to %s\n", json_path.c_str());
  return 0;
}
