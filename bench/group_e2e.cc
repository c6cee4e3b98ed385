// Consumer-group benchmarks: join and rebalance latency for 1, 10 and 50 members, and offset
// commit throughput — measured twice each:
//
//  * coordinator: the group coordinator driven directly in-process (no network, no client), so
//    the figure is the coordinator's own cost including its __consumer_offsets appends;
//  * librdkafka: real KafkaConsumers against an in-process sluice-broker, beside the same
//    clients against librdkafka's in-memory mock cluster (the baseline, measured in the same run).
//
//   sluice_group_e2e [--quick] [--json FILE]
//
// Prints a table and writes JSON (latencies in ms, throughput in commits/s).

#include "broker/broker.h"
#include "broker/group/group_coordinator.h"
#include "broker/storage/log_manager.h"

#include "bench/rdkafka_util.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;
namespace group = sluice::broker::group;

double ms_since(clock_type::time_point t) {
  return std::chrono::duration<double, std::milli>(clock_type::now() - t).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

struct row {
  std::string layer;     // "coordinator" or "librdkafka"
  std::string target;    // "sluice" or "mock"
  std::string what;      // "join", "rebalance", "commit-sync", ...
  int members = 0;
  double value = 0;      // ms (latency) or commits/s
  std::string unit;
};

// ---- coordinator, in-process ----------------------------------------------------------------

/// Timers never fire (no member expires within a benchmark); blocking work runs inline.
class inert_scheduler final : public sluice::broker::scheduler {
 public:
  int64_t now_ms() override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now().time_since_epoch()).count();
  }
  void run_after(std::chrono::milliseconds, std::function<void()>) override {}
  void run_blocking(std::function<void()> fn) override { fn(); }
};

struct coordinator_env {
  std::filesystem::path dir;
  std::unique_ptr<sluice::broker::storage::log_manager> logs;
  inert_scheduler sched;
  sluice::broker::durable_appender appends{sched};
  std::unique_ptr<group::group_coordinator> coord;

  explicit coordinator_env(std::filesystem::path d) : dir(std::move(d)) {
    logs = sluice::broker::storage::log_manager::open(dir, {}).value();
    group::coordinator_config cfg;
    cfg.initial_rebalance_delay_ms = 0;
    coord = group::group_coordinator::open(*logs, appends, cfg).value();
  }
  ~coordinator_env() {
    coord.reset();
    (void)logs->shutdown();
    logs.reset();
    std::filesystem::remove_all(dir);
  }
};

group::join_request join_req(const std::string& g, const std::string& member) {
  group::join_request r;
  r.group_id = g;
  r.member_id = member;
  r.client_id = "bench";
  r.session_timeout_ms = 30000;
  r.rebalance_timeout_ms = 60000;
  r.protocol_type = "consumer";
  r.protocols = {{"range", sluice::core::to_bytes("subscription-bytes-for-topic-bench")}};
  return r;
}

/// One full round: every member joins (the join phase ends with the last one), the leader
/// sends assignments, everybody's SyncGroup is answered. With no ids the members are new (two
/// JoinGroups each, MEMBER_ID_REQUIRED first); otherwise the leader's rejoin starts the
/// rebalance and the others follow. Returns the member ids, leader first.
std::vector<std::string> coordinator_round(group::group_coordinator& c, const std::string& g,
                                           std::vector<std::string> ids, int n) {
  if (ids.empty()) {
    for (int i = 0; i < n; ++i) {
      std::string id;
      c.join(join_req(g, ""), [&](group::join_result r) { id = r.member_id; });  // MEMBER_ID_REQUIRED
      ids.push_back(id);
    }
  }
  std::vector<group::join_result> joined(ids.size());
  int answered = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    c.join(join_req(g, ids[i]), [&, i](group::join_result r) {
      joined[i] = std::move(r);
      ++answered;
    });
  }
  if (answered != static_cast<int>(ids.size())) std::fprintf(stderr, "join phase did not complete\n");
  const int32_t gen = joined[0].generation;
  const std::string leader = joined[0].leader;
  int synced = 0;
  for (const auto& id : ids) {
    if (id == leader) continue;
    c.sync({g, gen, id, std::nullopt, {}}, [&](group::sync_result) { ++synced; });
  }
  std::vector<std::pair<std::string, sluice::core::bytes>> assignments;
  for (const auto& id : ids) assignments.emplace_back(id, sluice::core::to_bytes("assignment-bytes"));
  c.sync({g, gen, leader, std::nullopt, std::move(assignments)}, [&](group::sync_result) { ++synced; });
  if (synced != static_cast<int>(ids.size())) std::fprintf(stderr, "sync did not complete\n");
  std::stable_partition(ids.begin(), ids.end(), [&](const std::string& id) { return id == leader; });
  return ids;
}

void coordinator_benchmarks(const std::filesystem::path& dir, bool quick, std::vector<row>& out) {
  for (int n : {1, 10, 50}) {
    std::vector<double> joins, rebalances;
    const int rounds = quick ? 5 : 30;
    coordinator_env env(dir / ("coord-" + std::to_string(n)));
    for (int r = 0; r < rounds; ++r) {
      const std::string g = "g" + std::to_string(r);
      auto t0 = clock_type::now();
      auto ids = coordinator_round(*env.coord, g, {}, n);
      joins.push_back(ms_since(t0));
      for (int k = 0; k < 5; ++k) {
        auto t1 = clock_type::now();
        ids = coordinator_round(*env.coord, g, ids, n);
        rebalances.push_back(ms_since(t1));
      }
    }
    out.push_back({"coordinator", "sluice", "join", n, median(joins), "ms"});
    out.push_back({"coordinator", "sluice", "rebalance", n, median(rebalances), "ms"});
  }
  coordinator_env env(dir / "coord-commits");
  (void)env.logs->create_topic("bench", 64, {});
  const int commits = quick ? 20000 : 200000;
  auto t0 = clock_type::now();
  for (int i = 0; i < commits; ++i) {
    group::offset_commit_request req;
    req.group_id = "committer";
    req.offsets.push_back({{"bench", sluice::core::partition_id{i % 64}}, i, -1, std::nullopt});
    env.coord->commit_offsets(std::move(req), [](group::offset_commit_result) {});
  }
  out.push_back({"coordinator", "sluice", "commit", 1, commits / (ms_since(t0) / 1000), "commits/s"});
}

// ---- librdkafka against a broker ------------------------------------------------------------

using sluice::bench::create_topic;
using sluice::bench::make_client;

rd_kafka_t* make_member(const std::string& bootstrap, const std::string& g) {
  return make_client(RD_KAFKA_CONSUMER, bootstrap,
                     {{"group.id", g},
                      {"session.timeout.ms", "10000"},
                      {"heartbeat.interval.ms", "100"},
                      {"enable.auto.commit", "false"},
                      {"enable.partition.eof", "false"}});
}

int assigned_count(rd_kafka_t* rk) {
  rd_kafka_topic_partition_list_t* list = nullptr;
  if (rd_kafka_assignment(rk, &list) != RD_KAFKA_RESP_ERR_NO_ERROR || !list) return 0;
  int n = list->cnt;
  rd_kafka_topic_partition_list_destroy(list);
  return n;
}

void subscribe(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_partition_list_t* t = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(t, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, t);
  rd_kafka_topic_partition_list_destroy(t);
}

/// Polls every member until each holds partitions and together they hold `partitions`; the
/// time it took in ms (or -1 after 60 s).
double wait_assigned(const std::vector<rd_kafka_t*>& members, int partitions, clock_type::time_point since) {
  auto deadline = since + std::chrono::seconds(60);
  while (clock_type::now() < deadline) {
    int total = 0;
    bool all = true;
    for (auto* rk : members) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 0);
      if (m) rd_kafka_message_destroy(m);
      int n = assigned_count(rk);
      all = all && n > 0;
      total += n;
    }
    if (all && total == partitions) return ms_since(since);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return -1;
}

/// Join: n members subscribe at once; until all hold partitions. Rebalance: one more member
/// joins; until all n+1 hold partitions again.
std::pair<double, double> client_join_rebalance(const std::string& bootstrap, const std::string& topic,
                                                int partitions, int n, const std::string& g) {
  std::vector<rd_kafka_t*> members;
  for (int i = 0; i < n; ++i) members.push_back(make_member(bootstrap, g));
  auto t0 = clock_type::now();
  for (auto* rk : members) subscribe(rk, topic);
  double join = wait_assigned(members, partitions, t0);
  members.push_back(make_member(bootstrap, g));
  auto t1 = clock_type::now();
  subscribe(members.back(), topic);
  double rebalance = wait_assigned(members, partitions, t1);
  // Destroy in parallel: each close is a LeaveGroup plus a rebalance for the others.
  std::vector<std::thread> closers;
  for (auto* rk : members) {
    closers.emplace_back([rk] {
      rd_kafka_consumer_close(rk);
      rd_kafka_destroy(rk);
    });
  }
  for (auto& t : closers) t.join();
  return {join, rebalance};
}

std::atomic<int> async_done{0};

void count_commit(rd_kafka_t*, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t*, void*) { ++async_done; }

/// Offset commits of one partition by a consumer outside group management (assign): sync =
/// one at a time (round-trip bound), async = pipelined.
std::pair<double, double> client_commits(const std::string& bootstrap, const std::string& topic, int count) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof err);
  rd_kafka_conf_set(conf, "group.id", "bench-committer", err, sizeof err);
  rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_conf_set_offset_commit_cb(conf, count_commit);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  rd_kafka_poll_set_consumer(rk);
  auto commit = [&](int64_t offset, int async) {
    rd_kafka_topic_partition_list_t* l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic.c_str(), 0)->offset = offset;
    auto e = rd_kafka_commit(rk, l, async);
    rd_kafka_topic_partition_list_destroy(l);
    return e;
  };
  commit(0, 0);  // warm-up: coordinator lookup and connection
  auto t0 = clock_type::now();
  for (int i = 1; i <= count; ++i) commit(i, 0);
  double sync_rate = count / (ms_since(t0) / 1000);
  async_done = 0;
  auto t1 = clock_type::now();
  for (int i = 1; i <= count * 4; ++i) {
    commit(count + i, 1);
    if ((i & 63) == 0) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 0);
      if (m) rd_kafka_message_destroy(m);
    }
  }
  auto deadline = clock_type::now() + std::chrono::seconds(60);
  while (async_done < count * 4 && clock_type::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 10);
    if (m) rd_kafka_message_destroy(m);
  }
  double async_rate = async_done / (ms_since(t1) / 1000);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return {sync_rate, async_rate};
}

void client_benchmarks(const std::string& target, const std::string& bootstrap, bool quick, std::vector<row>& out,
                       const std::function<void(const std::string&, int)>& create) {
  const std::string topic = "members";
  const int partitions = 64;
  create(topic, partitions);
  create("commits", 1);
  for (int n : {1, 10, 50}) {
    std::vector<double> joins, rebalances;
    const int rounds = quick ? 1 : 3;
    for (int r = 0; r < rounds; ++r) {
      auto [j, rb] = client_join_rebalance(bootstrap, topic, partitions, n,
                                           "g-" + std::to_string(n) + "-" + std::to_string(r));
      joins.push_back(j);
      rebalances.push_back(rb);
    }
    out.push_back({"librdkafka", target, "join", n, median(joins), "ms"});
    out.push_back({"librdkafka", target, "rebalance (+1 member)", n, median(rebalances), "ms"});
  }
  auto [sync_rate, async_rate] = client_commits(bootstrap, "commits", quick ? 500 : 3000);
  out.push_back({"librdkafka", target, "commit sync", 1, sync_rate, "commits/s"});
  out.push_back({"librdkafka", target, "commit async", 1, async_rate, "commits/s"});
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  bool mock_only = false;
  std::string json_path = "group_e2e.json";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--quick") quick = true;
    else if (a == "--json" && i + 1 < argc) json_path = argv[++i];
    else if (a == "--mock-only") mock_only = true;  // for checking the baseline on its own
  }
  auto dir = std::filesystem::temp_directory_path() / ("sluice-group-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::vector<row> rows;

  if (!mock_only) coordinator_benchmarks(dir, quick, rows);

  for (bool fsync : {false, true}) {
    if (mock_only) break;
    sluice::broker::broker_options o;
    o.host = "127.0.0.1";
    o.port = 0;
    o.data_dir = dir / (fsync ? "broker-fsync" : "broker");
    o.groups.initial_rebalance_delay_ms = 0;
    if (fsync) o.log.flush_interval_messages = 1;
    auto b = sluice::broker::broker::start(o);
    if (!b) {
      std::fprintf(stderr, "broker start failed: %s\n", b.error().message().c_str());
      return 1;
    }
    if (!fsync) {
      const std::string bootstrap = b.value()->bootstrap();
      client_benchmarks("sluice", bootstrap, quick, rows,
                        [&](const std::string& t, int p) { create_topic(bootstrap, t, p); });
    } else {
      // Only the commits differ with an fsync per append.
      create_topic(b.value()->bootstrap(), "commits", 1);
      auto [s, a] = client_commits(b.value()->bootstrap(), "commits", quick ? 200 : 1000);
      rows.push_back({"librdkafka", "sluice fsync", "commit sync", 1, s, "commits/s"});
      rows.push_back({"librdkafka", "sluice fsync", "commit async", 1, a, "commits/s"});
    }
    (void)b.value()->stop();
  }
  {
    rd_kafka_t* holder = make_client(RD_KAFKA_PRODUCER, "", {});
    rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(holder, 1);
    // The mock cluster has no CreateTopics: its own API makes the topics.
    client_benchmarks("mock", rd_kafka_mock_cluster_bootstraps(mc), quick, rows,
                      [&](const std::string& t, int p) { rd_kafka_mock_topic_create(mc, t.c_str(), p, 1); });
    rd_kafka_mock_cluster_destroy(mc);
    rd_kafka_destroy(holder);
  }
  std::filesystem::remove_all(dir);

  auto mock_value = [&](const row& r) -> double {
    for (const auto& m : rows) {
      if (m.target == "mock" && m.layer == r.layer && m.what == r.what && m.members == r.members) return m.value;
    }
    return 0;
  };
  std::printf("%-12s %-13s %-22s %7s | %12s %-9s | %9s\n", "layer", "target", "measure", "members", "value", "unit",
              "vs mock");
  std::ofstream json(json_path);
  json << "{\n  \"quick\": " << (quick ? "true" : "false") << ",\n  \"rows\": [\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows[i];
    char ratio[24] = "-";
    double m = r.target != "mock" ? mock_value(r) : 0;
    if (m > 0) std::snprintf(ratio, sizeof ratio, "%.2fx", r.value / m);
    std::printf("%-12s %-13s %-22s %7d | %12.2f %-9s | %9s\n", r.layer.c_str(), r.target.c_str(), r.what.c_str(),
                r.members, r.value, r.unit.c_str(), ratio);
    json << "    {\"layer\": \"" << r.layer << "\", \"target\": \"" << r.target << "\", \"measure\": \"" << r.what
         << "\", \"members\": " << r.members << ", \"value\": " << r.value << ", \"unit\": \"" << r.unit << "\"}"
         << (i + 1 < rows.size() ? "," : "") << "\n";
  }
  json << "  ]\n}\n";
  std::printf("(latency ratios < 1 and throughput ratios > 1 favour sluice)\nJSON written to %s\n", json_path.c_str());
  return 0;
}
