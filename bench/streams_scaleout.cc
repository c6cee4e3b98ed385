// Scale-out pause: how long the output of a task stops when a second instance joins a running
// application. An in-process sluice-broker; a pass-through application (`input` → `output`,
// 8 partitions, keys kept, so output partition = input partition = task); a producer writing
// `--rate` records/s to `input` the whole time; a consumer timing every arrival on `output`.
// Instance A (one thread) runs alone for 3 s, then instance B starts; the harness waits until
// both run and 3 s more. Reported per round: the longest gap between two arrivals on a
// partition whose task stayed on A ("stayed"), and on one that moved to B ("moved"), both over
// the window from B's start to the end. Median over `--rounds`.
//
// The same source built against an older runtime gives the baseline (runtime/README.md,
// "Performance", says which).
//
//     sluice_streams_scaleout [--rate N] [--rounds N]

#include "bench/rdkafka_util.h"
#include "broker/broker.h"
#include "core/log.h"
#include "core/murmur2.h"
#include "dsl/streams.h"
#include "runtime/streams.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {

using clock_type = std::chrono::steady_clock;
using namespace std::chrono_literals;
constexpr int partitions = 8;

sluice::topology passthrough() {
  sluice::streams_builder b;
  b.stream<std::string, std::string>("input").map_values([](const std::string& v) { return v; }).to("output");
  return b.build();
}

std::set<int32_t> partitions_of(const sluice::streams& app) {
  std::set<int32_t> out;
  for (const auto& t : app.metadata()) {
    for (const auto& task : t.active_tasks) {
      for (const auto& tp : task.partitions) out.insert(tp.partition.value());
    }
  }
  return out;
}

bool wait_until(const std::function<bool()>& pred, std::chrono::seconds limit) {
  const auto deadline = clock_type::now() + limit;
  while (!pred()) {
    if (clock_type::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

struct round_result {
  double stayed_ms = 0;
  double moved_ms = 0;
  bool ok = false;
};

round_result run_round(const std::string& bootstrap, const std::filesystem::path& dir, int round, int rate) {
  // The consumer: arrival times per output partition, from now on.
  std::atomic<bool> stop{false};
  std::mutex m;
  std::map<int32_t, std::vector<clock_type::time_point>> arrivals;
  rd_kafka_t* reader = sluice::bench::make_client(
      RD_KAFKA_CONSUMER, bootstrap, {{"group.id", "scaleout-reader"}, {"enable.auto.commit", "false"},
                                     {"fetch.wait.max.ms", "5"}, {"enable.partition.eof", "false"}});
  rd_kafka_topic_partition_list_t* parts = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(parts, "output", p)->offset = RD_KAFKA_OFFSET_END;
  }
  rd_kafka_assign(reader, parts);
  rd_kafka_topic_partition_list_destroy(parts);
  std::thread consumer([&] {
    while (!stop) {
      rd_kafka_message_t* msg = rd_kafka_consumer_poll(reader, 50);
      if (msg == nullptr) continue;
      if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::lock_guard lock(m);
        arrivals[msg->partition].push_back(clock_type::now());
      }
      rd_kafka_message_destroy(msg);
    }
  });
  // The producer: `rate` records/s over keys that cover every partition (4 each).
  std::vector<std::string> keys;
  std::map<int32_t, int> per_partition;
  for (int i = 0; keys.size() < 4u * partitions; ++i) {
    std::string k = "k" + std::to_string(i);
    const int32_t p = sluice::core::partition_for_key(sluice::core::as_bytes(k), partitions);
    if (per_partition[p]++ < 4) keys.push_back(std::move(k));
  }
  std::thread producer([&] {
    rd_kafka_t* p = sluice::bench::make_client(RD_KAFKA_PRODUCER, bootstrap,
                                               {{"linger.ms", "1"}, {"partitioner", "murmur2_random"}});
    const auto period = std::chrono::nanoseconds(1'000'000'000LL / rate);
    auto next = clock_type::now();
    for (uint64_t i = 0; !stop; ++i) {
      sluice::bench::produce(p, "input", keys[i % keys.size()], std::string(100, 'x'));
      rd_kafka_poll(p, 0);
      next += period;
      std::this_thread::sleep_until(next);
    }
    rd_kafka_flush(p, 10000);
    rd_kafka_destroy(p);
  });

  const std::string app_id = "scaleout-" + std::to_string(round);
  auto config = [&](const std::string& name) {
    return sluice::core::properties{{"application.id", app_id},
                                    {"bootstrap.servers", bootstrap},
                                    {"state.dir", (dir / (app_id + "-" + name)).string()},
                                    {"commit.interval.ms", "100"},
                                    {"poll.ms", "10"},
                                    {"producer.linger.ms", "1"},
                                    {"consumer.fetch.wait.max.ms", "10"},
                                    {"consumer.session.timeout.ms", "10000"},
                                    {"consumer.heartbeat.interval.ms", "500"}};
  };
  round_result r;
  sluice::streams a(passthrough(), config("a"));
  a.start();
  if (!wait_until([&] { return a.state() == sluice::streams_state::running && partitions_of(a).size() == partitions; },
                  60s)) {
    std::fprintf(stderr, "round %d: A did not start\n", round);
  } else {
    std::this_thread::sleep_for(3s);
    const auto joined_at = clock_type::now();
    sluice::streams b(passthrough(), config("b"));
    b.start();
    const bool split = wait_until(
        [&] {
          return a.state() == sluice::streams_state::running && b.state() == sluice::streams_state::running &&
                 partitions_of(a).size() + partitions_of(b).size() == partitions && !partitions_of(b).empty();
        },
        60s);
    std::this_thread::sleep_for(3s);
    const auto end = clock_type::now();
    const auto stayed = partitions_of(a);
    {
      std::lock_guard lock(m);
      for (int32_t p = 0; p < partitions; ++p) {
        // The longest gap from B's start to the end, counting the stretches before the first and
        // after the last arrival in the window.
        clock_type::time_point last = joined_at;
        double gap = 0;
        for (auto t : arrivals[p]) {
          if (t < joined_at) continue;
          gap = std::max(gap, std::chrono::duration<double, std::milli>(t - last).count());
          last = t;
        }
        gap = std::max(gap, std::chrono::duration<double, std::milli>(end - last).count());
        if (std::getenv("SLUICE_BENCH_LOG") != nullptr) {
          std::size_t before = 0, after = 0;
          for (auto t : arrivals[p]) (t < joined_at ? before : after)++;
          std::fprintf(stderr, "partition %d (%s): %zu arrivals before B, %zu after; longest gap %.0f ms\n", p,
                       stayed.contains(p) ? "stayed" : "moved", before, after, gap);
        }
        double& slot = stayed.contains(p) ? r.stayed_ms : r.moved_ms;
        slot = std::max(slot, gap);
      }
    }
    r.ok = split && !stayed.empty();
    b.close(30s);
  }
  a.close(30s);
  stop = true;
  producer.join();
  consumer.join();
  rd_kafka_consumer_close(reader);
  rd_kafka_destroy(reader);
  return r;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  int rate = 2000;
  int rounds = 3;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--rate") == 0 && i + 1 < argc) {
      rate = std::max(1, std::atoi(argv[++i]));
    } else if (std::strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
      rounds = std::max(1, std::atoi(argv[++i]));
    } else {
      std::fprintf(stderr, "usage: %s [--rate N] [--rounds N]\n", argv[0]);
      return 2;
    }
  }
  sluice::core::set_log_level(sluice::core::log_level::warn);
  if (const char* level = std::getenv("SLUICE_BENCH_LOG")) {  // e.g. info
    if (auto l = sluice::core::parse_log_level(level)) sluice::core::set_log_level(l.value());
  }
  const auto dir = std::filesystem::temp_directory_path() / ("sluice-streams-scaleout-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  sluice::broker::broker_options o;
  o.host = "127.0.0.1";
  o.port = 0;
  o.data_dir = dir / "broker";
  auto b = sluice::broker::broker::start(o);
  if (!b) {
    std::fprintf(stderr, "broker start failed: %s\n", b.error().message().c_str());
    return 1;
  }
  const std::string bootstrap = b.value()->bootstrap();
  sluice::bench::create_topic(bootstrap, "input", partitions);
  sluice::bench::create_topic(bootstrap, "output", partitions);
  std::vector<double> stayed, moved;
  for (int round = 0; round < rounds; ++round) {
    const round_result r = run_round(bootstrap, dir, round, rate);
    std::printf("round %d: longest output gap, tasks that stayed %.0f ms, tasks that moved %.0f ms%s\n", round,
                r.stayed_ms, r.moved_ms, r.ok ? "" : " (the instances did not settle)");
    std::fflush(stdout);
    if (r.ok) {
      stayed.push_back(r.stayed_ms);
      moved.push_back(r.moved_ms);
    }
  }
  std::printf("scale-out 1 -> 2 instances, %d partitions, %d records/s: median longest gap: stayed %.0f ms, moved %.0f ms\n",
              partitions, rate, median(stayed), median(moved));
  (void)b.value()->stop();
  std::filesystem::remove_all(dir);
  return stayed.empty() ? 1 : 0;
}
