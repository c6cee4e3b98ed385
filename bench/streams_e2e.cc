// End-to-end streams throughput against an in-process sluice-broker, through librdkafka:
// a stateless topology (filter → map_values → to) and a windowed count (group_by_key →
// 1-minute tumbling windows → count → to), each under at_least_once and exactly_once_v2,
// beside the baselines measured in the same run on the same broker and the same input — a
// hand-written librdkafka consume → produce loop, plain (offsets committed every 100 ms after
// the producer is flushed, like at_least_once) and transactional (a transaction every 100 ms
// carrying the offsets, like exactly_once_v2).
//
//   sluice_streams_e2e [--records N] [--threads N] [--json FILE] [--quick]
//
// Every run reads the same preloaded input topic (100-byte values, 1000 keys, 4 partitions)
// with its own consumer group and writes its own output topic. A run ends when the group's
// committed offsets reach the end of the input (so the output is acknowledged — and, under
// exactly-once, committed); throughput = input records / that time, from the first record
// processed (start-up and the group join are not counted).
// commit.interval.ms is 100 for every run, so at-least-once and exactly-once commit equally
// often (at-least-once's default is 30 s).

#include "broker/broker.h"
#include "core/serde.h"
#include "dsl/streams.h"
#include "runtime/streams.h"

#include "bench/rdkafka_util.h"

#include <librdkafka/rdkafka.h>

#include <unistd.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
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

/// `records` records, keys k0..k999 (murmur2 partitioned), timestamps spread over 10 minutes.
void preload(const std::string& bootstrap, const std::string& topic, std::size_t records) {
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, bootstrap,
                               {{"linger.ms", "5"}, {"batch.size", "1000000"},
                                {"queue.buffering.max.messages", "2000000"},
                                {"partitioner", "murmur2_random"}});
  const std::string value(value_size, 'v');
  const int64_t t0 = 1700000000000;
  for (std::size_t i = 0; i < records; ++i) {
    const std::string key = "k" + std::to_string(i % keys);
    const int64_t ts = t0 + static_cast<int64_t>(i * 600000 / records);
    for (;;) {
      auto err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()),
                                   RD_KAFKA_V_KEY(key.data(), key.size()),
                                   RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                   RD_KAFKA_V_TIMESTAMP(ts), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                   RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        std::fprintf(stderr, "produce: %s\n", rd_kafka_err2str(err));
        std::exit(1);
      }
      rd_kafka_poll(rk, 1);
    }
  }
  rd_kafka_flush(rk, 120000);
  rd_kafka_destroy(rk);
}

/// Sum of `group`'s committed offsets over the input partitions.
int64_t committed_total(rd_kafka_t* reader, const std::string& topic) {
  rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(l, topic.c_str(), p);
  int64_t total = 0;
  if (rd_kafka_committed(reader, l, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    for (int i = 0; i < l->cnt; ++i) total += std::max<int64_t>(0, l->elems[i].offset);
  }
  rd_kafka_topic_partition_list_destroy(l);
  return total;
}

/// Waits until `group` has committed every input record; seconds since `start`, or -1.
double wait_committed(const std::string& bootstrap, const std::string& group,
                      const std::string& topic, int64_t records, clock_type::time_point start) {
  rd_kafka_t* reader = make_client(RD_KAFKA_CONSUMER, bootstrap, {{"group.id", group}});
  double secs = -1;
  const auto deadline = clock_type::now() + 600s;
  while (clock_type::now() < deadline) {
    if (committed_total(reader, topic) >= records) {
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
                                      {"partition.assignment.strategy", "range"}});
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
  commit();
  const double secs = wait_committed(bootstrap, group, in, records, *start);
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

double run_streams(const std::string& bootstrap, const std::filesystem::path& state,
                   sluice::topology t, const std::string& app_id, const std::string& in,
                   const std::string& guarantee, int threads, int64_t records) {
  sluice::streams app(std::move(t), {{"application.id", app_id},
                                     {"bootstrap.servers", bootstrap},
                                     {"state.dir", state.string()},
                                     {"num.stream.threads", std::to_string(threads)},
                                     {"processing.guarantee", guarantee},
                                     {"commit.interval.ms", "100"},
                                     {"producer.linger.ms", "5"}});
  app.start();
  // From the first processed record, like the raw loop (start-up, topic creation and the
  // group join are not throughput).
  std::vector<sluice::core::counter*> processed;
  for (int i = 0; i < threads; ++i) {
    processed.push_back(&app.metrics().register_counter(
        "sluice_streams_records_processed_total", "Records processed by the thread's tasks.",
        {{"thread", "stream-thread-" + std::to_string(i)}}));
  }
  auto any_processed = [&] {
    for (auto* c : processed) {
      if (c->value() > 0) return true;
    }
    return false;
  };
  while (!any_processed()) std::this_thread::sleep_for(1ms);
  const auto start = clock_type::now();
  const double secs = wait_committed(bootstrap, app_id, in, records, start);
  app.close(std::chrono::seconds(60));
  return secs;
}

struct result_row {
  std::string pipeline;
  std::string mode;
  double seconds = 0;
  double rps = 0;
};

}  // namespace

int main(int argc, char** argv) {
  int64_t records = 300000;
  int threads = 1;
  std::string json_path = "streams_e2e.json";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--records" && i + 1 < argc) records = std::stoll(argv[++i]);
    else if (a == "--threads" && i + 1 < argc) threads = std::stoi(argv[++i]);
    else if (a == "--json" && i + 1 < argc) json_path = argv[++i];
    else if (a == "--quick") records = 50000;
    else {
      std::fprintf(stderr, "usage: %s [--records N] [--threads N] [--json FILE] [--quick]\n", argv[0]);
      return 2;
    }
  }
  const auto dir = std::filesystem::temp_directory_path() /
                   ("sluice-streams-e2e-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  sluice::broker::broker_options o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.data_dir = dir / "broker";
  o.groups.initial_rebalance_delay_ms = 0;
  auto b = sluice::broker::broker::start(o);
  if (!b) {
    std::fprintf(stderr, "broker start failed: %s\n", b.error().message().c_str());
    return 1;
  }
  const std::string bootstrap = b.value()->bootstrap();
  const std::string in = "input";
  create_topic(bootstrap, in, partitions);
  preload(bootstrap, in, static_cast<std::size_t>(records));

  std::vector<result_row> rows;
  auto add = [&](std::string pipeline, std::string mode, double secs) {
    rows.push_back({std::move(pipeline), std::move(mode), secs,
                    secs > 0 ? static_cast<double>(records) / secs : 0});
    std::fprintf(stderr, "%s %s: %.2f s\n", rows.back().pipeline.c_str(), rows.back().mode.c_str(), secs);
  };
  int run = 0;
  auto out_topic = [&] {
    const std::string t = "output-" + std::to_string(run++);
    create_topic(bootstrap, t, partitions);
    return t;
  };
  for (bool txn : {false, true}) {
    const std::string out = out_topic();
    add("consume-produce loop", txn ? "raw librdkafka, transactional" : "raw librdkafka",
        raw_loop(bootstrap, in, out, "raw-" + std::to_string(run), records, txn));
  }
  for (const char* guarantee : {"at_least_once", "exactly_once_v2"}) {
    const std::string out = out_topic();
    const std::string app = "stateless-" + std::to_string(run);
    add("stateless", guarantee,
        run_streams(bootstrap, dir / "state", stateless(in, out), app, in, guarantee, threads, records));
  }
  for (const char* guarantee : {"at_least_once", "exactly_once_v2"}) {
    const std::string out = out_topic();
    const std::string app = "windowed-" + std::to_string(run);
    add("windowed count", guarantee,
        run_streams(bootstrap, dir / "state", windowed_count(in, out), app, in, guarantee, threads,
                    records));
  }
  (void)b.value()->stop();
  std::filesystem::remove_all(dir);

  auto rps = [&](const std::string& pipeline, const std::string& mode) {
    for (const auto& r : rows) {
      if (r.pipeline == pipeline && r.mode == mode) return r.rps;
    }
    return 0.0;
  };
  const double raw = rps("consume-produce loop", "raw librdkafka");
  const double raw_txn = rps("consume-produce loop", "raw librdkafka, transactional");
  std::printf("%lld records (%zu-byte values, %d keys, %d partitions), %d stream thread(s), "
              "commit every 100 ms\n\n",
              static_cast<long long>(records), value_size, keys, partitions, threads);
  std::printf("%-22s %-32s %10s %12s %9s %9s %9s\n", "pipeline", "mode", "seconds", "records/s",
              "vs raw", "vs txn", "vs ALOS");
  std::ofstream json(json_path);
  json << "{\n  \"records\": " << records << ", \"threads\": " << threads << ",\n  \"runs\": [\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    const double alos = rps(r.pipeline, "at_least_once");
    char vs_raw[16] = "-", vs_txn[16] = "-", vs_alos[16] = "-";
    if (raw > 0) std::snprintf(vs_raw, sizeof vs_raw, "%.2f", r.rps / raw);
    if (raw_txn > 0) std::snprintf(vs_txn, sizeof vs_txn, "%.2f", r.rps / raw_txn);
    if (r.mode == "exactly_once_v2" && alos > 0) std::snprintf(vs_alos, sizeof vs_alos, "%.2f", r.rps / alos);
    std::printf("%-22s %-32s %10.2f %12.0f %9s %9s %9s\n", r.pipeline.c_str(), r.mode.c_str(),
                r.seconds, r.rps, vs_raw, vs_txn, vs_alos);
    json << "    {\"pipeline\": \"" << r.pipeline << "\", \"mode\": \"" << r.mode
         << "\", \"seconds\": " << r.seconds << ", \"records_per_s\": " << r.rps << "}"
         << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  json << "  ]\n}\n";
  std::printf("\nJSON written to %s\n", json_path.c_str());
  return 0;
}
