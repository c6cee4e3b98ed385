// Misbehaving clients against a broker that must keep serving everyone else. Each test runs a
// well-behaved librdkafka producer and consumer (the bystanders) on the same network thread as
// the misbehaving raw connections, and checks at the end that every record the producer had
// acknowledged was consumed once, in order. The broker runs in this test process, whose SIGPIPE
// disposition is the default one: a signal from a peer's socket would end the test binary.

#include "core/protocol/add_partitions_to_txn.h"
#include "core/protocol/api_versions.h"
#include "core/protocol/end_txn.h"
#include "core/protocol/fetch.h"
#include "core/protocol/init_producer_id.h"
#include "core/protocol/join_group.h"
#include "core/protocol/metadata.h"
#include "core/protocol/produce.h"
#include "core/protocol/records.h"
#include "broker/broker_metrics.h"
#include "tests/integration/broker_fixture.h"

#include <librdkafka/rdkafkacpp.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <unistd.h>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
namespace protocol = ::sluice::protocol;
using steady = std::chrono::steady_clock;

/// Delivery reports of the bystander producer: counts what was acknowledged and what failed.
class counting_delivery : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override {
    if (m.err() == RdKafka::ERR_NO_ERROR) {
      ++delivered;
    } else {
      ++failed;
    }
  }
  std::atomic<int64_t> delivered{0};
  std::atomic<int64_t> failed{0};
};

/// End-to-end latency of one bystander record: when it was produced, how long until consumed.
struct latency_sample {
  steady::time_point sent;
  double ms = 0;
};

struct latency_summary {
  size_t samples = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

/// A well-behaved idempotent producer (acks=all, one record every 2 ms, each value "<seq>:<send
/// time>") and a consumer of the same partition, each on a thread of its own. `finish()`
/// checks that every acknowledged record was consumed exactly once, in order.
class bystanders {
 public:
  bystanders(std::string bootstrap, std::string topic)
      : _bootstrap(std::move(bootstrap)), _topic(std::move(topic)) {
    _producer = std::thread([this] { produce_loop(); });
    _consumer = std::thread([this] { consume_loop(); });
  }
  ~bystanders() {
    _stop_producing = true;
    _stop_consuming = true;
    if (_producer.joinable()) _producer.join();
    if (_consumer.joinable()) _consumer.join();
  }
  bystanders(const bystanders&) = delete;
  bystanders& operator=(const bystanders&) = delete;

  /// Waits until `n` more records than now went end to end.
  bool wait_for_progress(int64_t n, std::chrono::seconds timeout = 30s) {
    const int64_t target = _consumed.load() + n;
    const auto deadline = steady::now() + timeout;
    while (_consumed.load() < target && steady::now() < deadline) std::this_thread::sleep_for(10ms);
    return _consumed.load() >= target;
  }

  /// Latency of the records produced in [from, to).
  latency_summary latency_between(steady::time_point from, steady::time_point to) const {
    std::vector<double> ms;
    {
      std::lock_guard lock(_mutex);
      for (const auto& s : _latencies) {
        if (s.sent >= from && s.sent < to) ms.push_back(s.ms);
      }
    }
    latency_summary out;
    out.samples = ms.size();
    if (ms.empty()) return out;
    std::sort(ms.begin(), ms.end());
    out.p50_ms = ms[ms.size() / 2];
    out.p99_ms = ms[std::min(ms.size() - 1, ms.size() * 99 / 100)];
    out.max_ms = ms.back();
    return out;
  }

  /// Stops producing (flushing what is queued), waits until the consumer read everything that
  /// was acknowledged, and checks the whole run.
  void finish() {
    _stop_producing = true;
    _producer.join();
    const auto deadline = steady::now() + 30s;
    while (_consumed.load() < _delivery.delivered.load() && steady::now() < deadline) {
      std::this_thread::sleep_for(10ms);
    }
    _stop_consuming = true;
    _consumer.join();
    EXPECT_GT(_delivery.delivered.load(), 0);
    EXPECT_EQ(_delivery.failed.load(), 0) << "bystander records failed delivery";
    EXPECT_EQ(_produce_errors.load(), 0);
    EXPECT_EQ(_consumed.load(), _delivery.delivered.load()) << "not every acknowledged record was consumed";
    EXPECT_EQ(_out_of_order.load(), 0) << "bystander records consumed out of order or twice";
  }

 private:
  std::unique_ptr<RdKafka::Conf> conf() const {
    std::unique_ptr<RdKafka::Conf> c(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string err;
    c->set("bootstrap.servers", _bootstrap, err);
    c->set("partitioner", "murmur2_random", err);
    return c;
  }

  void produce_loop() {
    auto c = conf();
    std::string err;
    c->set("acks", "all", err);
    c->set("enable.idempotence", "true", err);
    c->set("linger.ms", "0", err);
    c->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(&_delivery), err);
    std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(c.get(), err));
    if (!p) {
      ++_produce_errors;
      return;
    }
    for (int64_t seq = 0; !_stop_producing.load(); ++seq) {
      const auto now = steady::now().time_since_epoch().count();
      std::string value = std::to_string(seq) + ":" + std::to_string(now);
      for (;;) {
        auto e = p->produce(_topic, 0, RdKafka::Producer::RK_MSG_COPY, value.data(), value.size(),
                            nullptr, 0, 0, nullptr, nullptr);
        if (e == RdKafka::ERR_NO_ERROR) break;
        if (e != RdKafka::ERR__QUEUE_FULL) {
          ++_produce_errors;
          break;
        }
        p->poll(10);
      }
      p->poll(0);
      std::this_thread::sleep_for(2ms);
    }
    if (p->flush(30000) != RdKafka::ERR_NO_ERROR) ++_produce_errors;
  }

  void consume_loop() {
    auto c = conf();
    std::string err;
    c->set("group.id", _topic + ".bystander", err);
    c->set("enable.auto.commit", "false", err);
    c->set("fetch.wait.max.ms", "100", err);
    std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(c.get(), err));
    if (!consumer) return;
    std::vector<RdKafka::TopicPartition*> tps{
        RdKafka::TopicPartition::create(_topic, 0, RdKafka::Topic::OFFSET_BEGINNING)};
    consumer->assign(tps);
    RdKafka::TopicPartition::destroy(tps);
    int64_t next = 0;
    while (!_stop_consuming.load()) {
      std::unique_ptr<RdKafka::Message> m(consumer->consume(50));
      if (m->err() != RdKafka::ERR_NO_ERROR) continue;  // time-outs, transient transport errors
      const auto now = steady::now();
      std::string v(static_cast<const char*>(m->payload()), m->len());
      const auto colon = v.find(':');
      const int64_t seq = std::stoll(v.substr(0, colon));
      const steady::time_point sent{steady::duration(std::stoll(v.substr(colon + 1)))};
      if (seq != next) ++_out_of_order;
      next = seq + 1;
      {
        std::lock_guard lock(_mutex);
        _latencies.push_back({sent, std::chrono::duration<double, std::milli>(now - sent).count()});
      }
      ++_consumed;
    }
    consumer->close();
  }

  std::string _bootstrap;
  std::string _topic;
  counting_delivery _delivery;
  std::atomic<bool> _stop_producing{false};
  std::atomic<bool> _stop_consuming{false};
  std::atomic<int64_t> _produce_errors{0};
  std::atomic<int64_t> _consumed{0};
  std::atomic<int64_t> _out_of_order{0};
  mutable std::mutex _mutex;
  std::vector<latency_sample> _latencies;
  std::thread _producer;
  std::thread _consumer;
};

template <class Body>
core::bytes frame_of(protocol::api_key key, int16_t version, int32_t correlation, const Body& body) {
  core::bytes out;
  protocol::encode_request_frame(out, {key, version, correlation, std::string("misbehaving")}, body);
  return out;
}

protocol::fetch_request fetch_of(const std::string& topic, const std::vector<int32_t>& partitions,
                                 int64_t offset, int8_t isolation, int32_t max_bytes,
                                 int32_t partition_max_bytes, int32_t max_wait_ms = 0,
                                 int32_t min_bytes = 0) {
  protocol::fetch_request req;
  req.max_wait_ms = max_wait_ms;
  req.min_bytes = min_bytes;
  req.max_bytes = max_bytes;
  req.isolation_level = isolation;
  auto& t = req.topics.emplace_back();
  t.topic = topic;
  for (int32_t p : partitions) {
    auto& fp = t.partitions.emplace_back();
    fp.partition = core::partition_id{p};
    fp.fetch_offset = core::offset{offset};
    fp.partition_max_bytes = partition_max_bytes;
  }
  return req;
}

/// One batch of one record whose value is `size` bytes of `fill`.
core::bytes batch_of(size_t size, char fill, const protocol::record_batch_options& o = {}) {
  core::raw_record r;
  r.key = core::to_bytes(std::string("k"));
  r.value = core::to_bytes(std::string(size, fill));
  r.ts = core::from_epoch_ms(1'700'000'000'000);
  std::vector<core::raw_record> records{std::move(r)};
  auto b = protocol::encode_record_batch(records, o);
  EXPECT_TRUE(b);
  return std::move(b).value();
}

/// Appends `count` one-record batches of `size` bytes to each of `partitions` over a raw
/// connection, acks=all; a topic that does not exist yet is created (one partition) through
/// Metadata's auto-creation.
void fill(uint16_t port, const std::string& topic, const std::vector<int32_t>& partitions, int count,
          size_t size) {
  loopback_connection c(port);
  ASSERT_TRUE(c.connected());
  int32_t correlation = 1;
  protocol::metadata_request md;
  md.topics.emplace().push_back({topic});
  ASSERT_TRUE(kafka_call<protocol::metadata_response>(c, protocol::api_key::metadata, 4, correlation++, md));
  for (int32_t p : partitions) {
    for (int i = 0; i < count; ++i) {
      auto batch = batch_of(size, static_cast<char>('a' + i % 26));
      auto resp = kafka_call<protocol::produce_response>(c, protocol::api_key::produce, 7, correlation++,
                                                         produce_of(topic, p, batch));
      ASSERT_TRUE(resp);
      ASSERT_EQ(resp->responses.at(0).partition_responses.at(0).error_code, protocol::error_code::none);
    }
  }
}

/// The batches of each partition of the first topic of a Fetch answer, by partition.
std::map<int32_t, std::vector<size_t>> batch_sizes(const protocol::fetch_response& resp) {
  std::map<int32_t, std::vector<size_t>> out;
  for (const auto& t : resp.responses) {
    for (const auto& p : t.partitions) {
      EXPECT_EQ(p.error_code, protocol::error_code::none);
      auto& sizes = out[p.partition_index.value()];
      protocol::batch_iterator it(p.records);
      for (;;) {
        auto next = it.next();
        EXPECT_TRUE(next);
        if (!next || !next.value()) break;
        sizes.push_back(next.value()->size());
      }
      EXPECT_FALSE(it.partial_tail()) << "a Fetch answer must hold whole batches only";
    }
  }
  return out;
}

/// The resident set size of this process, in bytes.
int64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  int64_t size = 0;
  int64_t resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

enum class hang_up { close, reset };

std::string name_of(hang_up h) { return h == hang_up::close ? "close" : "reset"; }

class misbehaving_clients : public broker_test, public ::testing::WithParamInterface<hang_up> {
 protected:
  void SetUp() override {
    // One network thread: the misbehaving connections share it with the bystanders.
    options().network_threads = 1;
    // acks=all waits on an fsync of every batch.
    options().log.flush_interval_messages = 1;
    options().groups.initial_rebalance_delay_ms = 1000;
    broker_test::SetUp();
  }

  uint16_t port() const { return _broker->port(); }

  /// Starts the bystanders on a topic of their own and waits until records flow.
  std::unique_ptr<bystanders> start_bystanders() {
    const auto t = topic("bystanders");
    EXPECT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
    auto b = std::make_unique<bystanders>(bootstrap(), t);
    EXPECT_TRUE(b->wait_for_progress(50)) << "the bystanders never got going";
    return b;
  }

  /// Sends `frames` on a new connection and hangs up without reading a byte of the answers.
  void send_and_hang_up(const std::vector<core::bytes>& frames, hang_up how) {
    loopback_connection c(port());
    ASSERT_TRUE(c.connected());
    for (const auto& f : frames) ASSERT_TRUE(c.send(f));
    c.hang_up(how == hang_up::reset);
  }

  /// The broker's open connections, as its metrics report them.
  int64_t active_connections() {
    std::istringstream text(_broker->metrics().render());
    for (std::string line; std::getline(text, line);) {
      if (line.rfind("sluice_broker_active_connections ", 0) == 0) return std::stoll(line.substr(33));
    }
    ADD_FAILURE() << "no sluice_broker_active_connections in the metrics";
    return -1;
  }

  bool wait_for_connections(int64_t n, std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    while (active_connections() != n && steady::now() < deadline) std::this_thread::sleep_for(20ms);
    return active_connections() == n;
  }

  /// Whether a new connection still gets an ApiVersions answer.
  bool still_serving() {
    loopback_connection c(port());
    if (!c.connected()) return false;
    return kafka_call<protocol::api_versions_response>(c, protocol::api_key::api_versions, 3, 99,
                                                       protocol::api_versions_request{})
        .has_value();
  }
};

TEST_P(misbehaving_clients, fetch_answers_abandoned_mid_send_end_only_that_connection) {
  auto by = start_bystanders();
  // Large batches are sent from the segment files (sendfile), small ones from memory.
  const auto big = topic("big");
  const auto small = topic("small");
  ASSERT_EQ(create_topic(big, 1), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(small, 1), RdKafka::ERR_NO_ERROR);
  fill(port(), big, {0}, 8, 900 * 1024);
  fill(port(), small, {0}, 8, 1000);
  for (const auto& t : {big, small}) {
    for (int8_t isolation : {int8_t{0}, int8_t{1}}) {
      for (int round = 0; round < 5; ++round) {
        std::vector<core::bytes> frames;
        for (int i = 0; i < 8; ++i) {
          frames.push_back(frame_of(protocol::api_key::fetch, 11, i + 1,
                                    fetch_of(t, {0}, i, isolation, 1 << 20, 1 << 20)));
        }
        send_and_hang_up(frames, GetParam());
      }
    }
  }
  EXPECT_TRUE(still_serving());
  // The partitions are untouched: every record is still there, whole.
  EXPECT_EQ(consume(big, {0}, 8).size(), 8u);
  EXPECT_EQ(consume(small, {0}, 8).size(), 8u);
  by->finish();
}

TEST_P(misbehaving_clients, produce_waiting_on_its_flush_abandoned_keeps_the_record) {
  auto by = start_bystanders();
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  for (int i = 0; i < 10; ++i) {
    auto batch = batch_of(64, static_cast<char>('a' + i));
    send_and_hang_up({frame_of(protocol::api_key::produce, 7, 1, produce_of(t, 0, batch))}, GetParam());
  }
  // Appended before the answer was owed: all ten are in the log, in order.
  auto records = consume(t, {0}, 10);
  ASSERT_EQ(records.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(records[static_cast<size_t>(i)].value, std::string(64, static_cast<char>('a' + i)));
  by->finish();
}

TEST_P(misbehaving_clients, long_polling_fetch_abandoned_before_the_data_arrives) {
  auto by = start_bystanders();
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  // Parked Fetches: some woken by an append after the hang-up, some by their max_wait.
  for (int i = 0; i < 5; ++i) {
    send_and_hang_up({frame_of(protocol::api_key::fetch, 11, 1, fetch_of(t, {0}, 0, 0, 1 << 20, 1 << 20, 2000, 1))},
                     GetParam());
  }
  auto p = make_producer();
  produce(*p, t, 0, "k", "woken");
  for (int i = 0; i < 3; ++i) {
    send_and_hang_up({frame_of(protocol::api_key::fetch, 11, 1, fetch_of(t, {0}, 1, 1, 1 << 20, 1 << 20, 500, 1))},
                     GetParam());
  }
  std::this_thread::sleep_for(1s);  // the max_waits run out with nobody to answer
  EXPECT_TRUE(still_serving());
  auto records = consume(t, {0}, 1);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].value, "woken");
  by->finish();
}

TEST_P(misbehaving_clients, join_group_abandoned_while_the_rebalance_waits) {
  auto by = start_bystanders();
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  const auto group = topic("group");
  protocol::join_group_request join;
  join.group_id = group;
  join.session_timeout_ms = 6000;
  join.rebalance_timeout_ms = 6000;
  join.protocol_type = "consumer";
  join.protocols.push_back({"range", core::bytes{}});
  // JoinGroup v5 first hands out a member id (MEMBER_ID_REQUIRED); the join with it then waits
  // for the group's initial rebalance delay — and its caller hangs up meanwhile.
  {
    loopback_connection c(port());
    ASSERT_TRUE(c.connected());
    auto first = kafka_call<protocol::join_group_response>(c, protocol::api_key::join_group, 5, 1, join);
    ASSERT_TRUE(first);
    ASSERT_EQ(first->error_code, protocol::error_code::member_id_required);
    join.member_id = first->member_id;
    ASSERT_TRUE(c.send(frame_of(protocol::api_key::join_group, 5, 2, join)));
    c.hang_up(GetParam() == hang_up::reset);
  }
  // The group stays usable: a librdkafka consumer joins it (after the abandoned member's
  // rebalance timeout) and reads.
  auto p = make_producer();
  produce(*p, t, 0, "k", "after");
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  conf->set("bootstrap.servers", bootstrap(), err);
  conf->set("group.id", group, err);
  conf->set("auto.offset.reset", "earliest", err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  ASSERT_TRUE(c) << err;
  ASSERT_EQ(c->subscribe({t}), RdKafka::ERR_NO_ERROR);
  std::optional<std::string> got;
  const auto deadline = steady::now() + 40s;
  while (!got && steady::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(c->consume(200));
    if (m->err() == RdKafka::ERR_NO_ERROR) got = std::string(static_cast<const char*>(m->payload()), m->len());
  }
  c->close();
  EXPECT_EQ(got, "after");
  by->finish();
}

TEST_P(misbehaving_clients, end_txn_abandoned_still_commits) {
  auto by = start_bystanders();
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  for (int round = 0; round < 3; ++round) {
    const std::string txn_id = topic("txn") + std::to_string(round);
    loopback_connection c(port());
    ASSERT_TRUE(c.connected());
    protocol::init_producer_id_request init;
    init.transactional_id = txn_id;
    init.transaction_timeout_ms = 60000;
    auto pid = kafka_call<protocol::init_producer_id_response>(c, protocol::api_key::init_producer_id, 4, 1, init);
    ASSERT_TRUE(pid);
    ASSERT_EQ(pid->error_code, protocol::error_code::none);
    protocol::add_partitions_to_txn_request add;
    add.v3_and_below_transactional_id = txn_id;
    add.v3_and_below_producer_id = pid->producer_id;
    add.v3_and_below_producer_epoch = pid->producer_epoch;
    add.v3_and_below_topics.push_back({t, {core::partition_id{0}}});
    auto added = kafka_call<protocol::add_partitions_to_txn_response>(c, protocol::api_key::add_partitions_to_txn, 1, 2, add);
    ASSERT_TRUE(added);
    ASSERT_EQ(added->results_by_topic_v3_and_below.at(0).results_by_partition.at(0).partition_error_code,
              protocol::error_code::none);
    protocol::record_batch_options o;
    o.transactional = true;
    o.producer_id = pid->producer_id;
    o.producer_epoch = pid->producer_epoch;
    o.base_sequence = 0;
    auto batch = batch_of(32, static_cast<char>('a' + round), o);
    auto produced = kafka_call<protocol::produce_response>(c, protocol::api_key::produce, 7, 3,
                                                           produce_of(t, 0, batch, -1, txn_id));
    ASSERT_TRUE(produced);
    ASSERT_EQ(produced->responses.at(0).partition_responses.at(0).error_code, protocol::error_code::none);
    protocol::end_txn_request end;
    end.transactional_id = txn_id;
    end.producer_id = pid->producer_id;
    end.producer_epoch = pid->producer_epoch;
    end.committed = true;
    ASSERT_TRUE(c.send(frame_of(protocol::api_key::end_txn, 1, 4, end)));
    c.hang_up(GetParam() == hang_up::reset);
  }
  // The commits went through: a read_committed consumer sees all three records.
  auto records = consume(t, {0}, 3, 30s, {{"isolation.level", "read_committed"}});
  ASSERT_EQ(records.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(records[i].value, std::string(32, static_cast<char>('a' + i)));
  by->finish();
}

INSTANTIATE_TEST_SUITE_P(hang_ups, misbehaving_clients, ::testing::Values(hang_up::close, hang_up::reset),
                         [](const auto& info) { return name_of(info.param); });

class misbehaving_client_limits : public misbehaving_clients {};

TEST_F(misbehaving_client_limits, a_client_that_never_reads_does_not_stall_its_network_thread) {
  stop_broker();
  options().connections_max_idle_ms = 4000;
  start_broker();
  auto by = start_bystanders();
  const auto t = topic("big");
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  fill(port(), t, {0}, 12, 900 * 1024);
  std::this_thread::sleep_for(2s);
  const auto quiet_from = steady::now() - 2s;
  const auto quiet_to = steady::now();
  // Pipelined Fetches of ~1 MiB answers (100 of them, ~90 MB) into a 4 KiB receive window that
  // is never read: the broker's send buffer fills and every answer after it waits.
  constexpr size_t answer_bytes = 900 * 1024;
  loopback_connection stuck(port(), 4096);
  ASSERT_TRUE(stuck.connected());
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(stuck.send(frame_of(protocol::api_key::fetch, 11, i + 1, fetch_of(t, {0}, i % 12, 0, 1 << 20, 1 << 20))));
  }
  const auto stuck_from = steady::now();
  ASSERT_TRUE(by->wait_for_progress(500)) << "the bystanders stalled beside a client that never reads";
  const auto stuck_to = steady::now();
  const auto quiet = by->latency_between(quiet_from, quiet_to);
  const auto during = by->latency_between(stuck_from, stuck_to);
  std::printf("bystander end-to-end latency (ms), beside no misbehaving client: p50 %.2f p99 %.2f max %.2f (%zu records)\n"
              "bystander end-to-end latency (ms), beside a client that never reads: p50 %.2f p99 %.2f max %.2f (%zu records)\n",
              quiet.p50_ms, quiet.p99_ms, quiet.max_ms, quiet.samples, during.p50_ms, during.p99_ms, during.max_ms,
              during.samples);
  RecordProperty("quiet_p99_ms", std::to_string(quiet.p99_ms));
  RecordProperty("stuck_p99_ms", std::to_string(during.p99_ms));
  // With no bytes moving, connections.max.idle.ms ends the stuck connection and frees the
  // answers it held: reading now yields only what was already in the kernel's buffers, then
  // the end — not the ~90 MB of answers a live connection would still deliver.
  std::this_thread::sleep_for(6s);
  const std::string rest = stuck.read_to_end();
  EXPECT_LT(rest.size(), 10 * answer_bytes) << "the never-reading connection was not closed when idle";
  EXPECT_TRUE(still_serving());
  by->finish();
}

TEST_F(misbehaving_client_limits, connections_beyond_max_connections_are_refused_and_nothing_else_is) {
  stop_broker();
  options().max_connections = 12;
  start_broker();
  auto by = start_bystanders();
  // Connections of clients that just went away may still be closing: wait for a steady count.
  int64_t held_by_others = active_connections();
  for (int still = 0; still < 10; std::this_thread::sleep_for(100ms)) {
    const int64_t now = active_connections();
    still = now == held_by_others ? still + 1 : 0;
    held_by_others = now;
  }
  ASSERT_LT(held_by_others, 10);
  std::vector<std::unique_ptr<loopback_connection>> open;
  bool refused = false;
  for (int i = 0; i < 20 && !refused; ++i) {
    auto c = std::make_unique<loopback_connection>(port());
    ASSERT_TRUE(c->connected());  // the kernel accepts; the broker then closes the extra ones
    auto answer = kafka_call<protocol::api_versions_response>(*c, protocol::api_key::api_versions, 3, 1,
                                                              protocol::api_versions_request{});
    if (answer) {
      open.push_back(std::move(c));
    } else {
      refused = true;
    }
  }
  EXPECT_TRUE(refused);
  EXPECT_EQ(held_by_others + static_cast<int64_t>(open.size()), 12);
  // The accepted ones keep working, and so do the bystanders.
  for (auto& c : open) {
    EXPECT_TRUE((kafka_call<protocol::api_versions_response>(*c, protocol::api_key::api_versions, 3, 2,
                                                             protocol::api_versions_request{})));
  }
  EXPECT_TRUE(by->wait_for_progress(100));
  // Freed slots are handed out again.
  open.clear();
  EXPECT_TRUE(wait_for_connections(held_by_others, 10s));
  EXPECT_TRUE(still_serving());
  by->finish();
}

TEST_F(misbehaving_client_limits, half_a_frame_then_silence_is_closed_after_the_idle_time_and_its_memory_freed) {
  stop_broker();
  options().connections_max_idle_ms = 1500;
  start_broker();
  auto by = start_bystanders();
  const int64_t rss_before = resident_bytes();
  loopback_connection c(port());
  ASSERT_TRUE(c.connected());
  // A 64 MiB request of which 40 MiB arrive: the broker holds the frame buffer.
  const uint32_t size = 64u << 20;
  const unsigned char prefix[4] = {static_cast<unsigned char>(size >> 24), static_cast<unsigned char>(size >> 16),
                                   static_cast<unsigned char>(size >> 8), static_cast<unsigned char>(size)};
  ASSERT_TRUE(c.send(std::string_view(reinterpret_cast<const char*>(prefix), 4)));
  ASSERT_TRUE(c.send(std::string(40u << 20, 'x')));
  std::this_thread::sleep_for(200ms);
  const int64_t rss_holding = resident_bytes();
  EXPECT_GT(rss_holding - rss_before, 32 << 20) << "the half frame should be held while it arrives";
  const auto stalled_at = steady::now();
  EXPECT_TRUE(c.closed_by_peer());
  const auto closed_after = steady::now() - stalled_at;
  EXPECT_GE(closed_after, 1000ms);
  EXPECT_LT(closed_after, 9s);
  std::this_thread::sleep_for(200ms);
  EXPECT_LT(resident_bytes() - rss_before, 16 << 20) << "the half frame's buffer was not released";
  EXPECT_TRUE(still_serving());
  by->finish();
}

// KIP-74, as librdkafka's test 0082 checks it: a request's total limit holds even when a
// partition's own limit is far larger, and the first batch always comes whole.
TEST_F(misbehaving_client_limits, librdkafka_with_a_total_limit_below_the_partition_limit_reads_everything) {
  const auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  auto p = make_producer({{"linger.ms", "0"}});
  for (int i = 0; i < 10; ++i) produce(*p, t, 0, "k" + std::to_string(i), std::string(900 * 1024, static_cast<char>('a' + i)));
  // An answer larger than receive.message.max.bytes makes librdkafka drop the connection.
  auto records = consume(t, {0}, 10, 60s,
                         {{"fetch.max.bytes", "1000000"},
                          {"max.partition.fetch.bytes", "20000000"},
                          {"receive.message.max.bytes", "1000512"}});
  ASSERT_EQ(records.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(records[static_cast<size_t>(i)].value->front(), static_cast<char>('a' + i));
}

TEST_F(misbehaving_client_limits, fetch_honours_total_and_partition_limits_together_in_every_version) {
  const auto big = topic("big");
  const auto small = topic("small");
  ASSERT_EQ(create_topic(big, 2), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(small, 2), RdKafka::ERR_NO_ERROR);
  fill(port(), big, {0, 1}, 3, 100 * 1000);  // sent from the files
  fill(port(), small, {0, 1}, 3, 1000);      // read into the answer
  struct expectation {
    const char* what;
    int32_t max_bytes;
    int32_t partition_max;
    size_t p0;  // batches expected of partition 0
    size_t p1;
  };
  for (const auto& [t, unit] : {std::pair{big, 100'000}, std::pair{small, 1'000}}) {
    const std::vector<expectation> cases{
        {"a total of 1 byte still returns the first batch whole", 1, 1 << 30, 1, 0},
        {"the total cuts the first partition and leaves the second empty", unit * 5 / 2, 1 << 30, 2, 0},
        {"per-partition limits apply to each partition", 1 << 30, unit * 3 / 2, 1, 1},
        {"only the first partition's first batch may exceed its limit", 1 << 30, 1, 1, 0},
        {"both limits generous: everything", 1 << 30, 1 << 30, 3, 3},
        {"the second partition gets what is left of the total", unit * 9 / 2, 1 << 30, 3, 1},
    };
    // From v13 Fetch names topics by id.
    protocol::uuid id;
    {
      loopback_connection c(port());
      protocol::metadata_request md;
      md.topics.emplace().push_back({t, {}});
      auto found = kafka_call<protocol::metadata_response>(c, protocol::api_key::metadata, 12, 1, md);
      ASSERT_TRUE(found && found->topics.size() == 1);
      id = found->topics[0].topic_id;
    }
    for (int16_t version = protocol::fetch_versions.min; version <= protocol::fetch_versions.max; ++version) {
      for (int8_t isolation : {int8_t{0}, int8_t{1}}) {
        for (const auto& e : cases) {
          SCOPED_TRACE(::testing::Message() << t << " v" << version << " isolation " << int{isolation} << ": " << e.what);
          loopback_connection c(port());
          ASSERT_TRUE(c.connected());
          auto req = fetch_of(t, {0, 1}, 0, isolation, e.max_bytes, e.partition_max);
          if (version >= 13) {
            req.topics[0].topic.clear();
            req.topics[0].topic_id = id;
          }
          auto resp = kafka_call<protocol::fetch_response>(c, protocol::api_key::fetch, version, 1, req);
          ASSERT_TRUE(resp);
          auto sizes = batch_sizes(*resp);
          EXPECT_EQ(sizes[0].size(), e.p0);
          EXPECT_EQ(sizes[1].size(), e.p1);
        }
      }
    }
  }
}

// The same abandoned sendfile answers against the `sluice-broker` binary: the process survives
// and still shuts down cleanly.
TEST(misbehaving_clients_binary, the_broker_process_survives_abandoned_sendfile_answers) {
  temp_dir dir;
  const uint16_t port = free_port();
  // Responses as large as the client asks, so that the last check reads all six batches at once.
  broker_process b(dir.path(), port, {"fetch.max.bytes=104857600"});
  const std::string t = "abandoned";
  fill(port, t, {0}, 6, 900 * 1024);
  for (bool reset : {false, true}) {
    for (int round = 0; round < 10; ++round) {
      loopback_connection c(port);
      ASSERT_TRUE(c.connected());
      for (int i = 0; i < 6; ++i) {
        ASSERT_TRUE(c.send(frame_of(protocol::api_key::fetch, 11, i + 1, fetch_of(t, {0}, i, 0, 1 << 20, 1 << 20))));
      }
      c.hang_up(reset);
    }
  }
  loopback_connection c(port);
  ASSERT_TRUE(c.connected());
  auto resp = kafka_call<protocol::fetch_response>(c, protocol::api_key::fetch, 11, 1, fetch_of(t, {0}, 0, 0, 1 << 30, 1 << 30));
  ASSERT_TRUE(resp);
  EXPECT_EQ(batch_sizes(*resp)[0].size(), 6u);
  EXPECT_TRUE(broker_process::exited_cleanly(b.stop()));
}

}  // namespace
}  // namespace sluice::testing
