// Idempotent librdkafka producers against a real broker: batches whose responses are lost
// (the broker's test-only fault `sluice.test.drop.produce.responses` closes the connection
// after the append) are retried by the producer and deduplicated by the broker — also when the
// broker is killed with SIGKILL between the write and the retry.

#include "tests/integration/broker_fixture.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace sluice::testing {
namespace {

/// Counts delivery reports; records the first error.
class delivery_counter : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override {
    if (m.err() != RdKafka::ERR_NO_ERROR) {
      if (first_error == RdKafka::ERR_NO_ERROR) first_error = m.err();
      ++failed;
    } else {
      ++delivered;
    }
  }
  std::atomic<int> delivered{0};
  std::atomic<int> failed{0};
  RdKafka::ErrorCode first_error = RdKafka::ERR_NO_ERROR;
};

std::unique_ptr<RdKafka::Producer> idempotent_producer(const std::string& bootstrap,
                                                       delivery_counter& dr,
                                                       const std::map<std::string, std::string>& extra = {}) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::map<std::string, std::string> settings{{"bootstrap.servers", bootstrap},
                                              {"enable.idempotence", "true"},
                                              {"partitioner", "murmur2_random"},
                                              {"message.timeout.ms", "120000"}};
  for (const auto& [k, v] : extra) settings[k] = v;
  for (const auto& [k, v] : settings) {
    EXPECT_EQ(conf->set(k, v, err), RdKafka::Conf::CONF_OK) << k << ": " << err;
  }
  EXPECT_EQ(conf->set("dr_cb", &dr, err), RdKafka::Conf::CONF_OK) << err;
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  EXPECT_TRUE(p) << err;
  return p;
}

void send(RdKafka::Producer& p, const std::string& topic, const std::string& value) {
  auto err = p.produce(topic, 0, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(value.data()),
                       value.size(), nullptr, 0, 0, nullptr, nullptr);
  ASSERT_EQ(err, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(err);
}

/// Every value of partition 0 of `topic` from the beginning, until the high watermark.
std::vector<std::string> read_all(const std::string& bootstrap, const std::string& topic,
                                  int64_t high_watermark) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("group.id", "idempotence-reader", err);
  conf->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  EXPECT_TRUE(c) << err;
  std::vector<RdKafka::TopicPartition*> tps{
      RdKafka::TopicPartition::create(topic, 0, RdKafka::Topic::OFFSET_BEGINNING)};
  c->assign(tps);
  RdKafka::TopicPartition::destroy(tps);
  std::vector<std::string> out;
  int64_t next = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (next < high_watermark && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(c->consume(100));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    EXPECT_EQ(m->offset(), next) << "offsets are dense: no gap, no repeat";
    next = m->offset() + 1;
    out.emplace_back(static_cast<const char*>(m->payload()), m->len());
  }
  c->close();
  return out;
}

int64_t high_watermark(RdKafka::Producer& p, const std::string& topic) {
  int64_t low = -1, high = -1;
  EXPECT_EQ(p.query_watermark_offsets(topic, 0, &low, &high, 10000), RdKafka::ERR_NO_ERROR);
  return high;
}

class idempotence : public broker_test {};

TEST_F(idempotence, lost_responses_are_retried_and_every_record_is_stored_once_in_order) {
  // The first three Produce requests whose batches reach the log lose their response.
  stop_broker();
  options().test_hooks = true;
  options().test_drop_produce_responses = 3;
  start_broker();
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  delivery_counter dr;
  // Small batches and several requests in flight: a closed connection loses more than one
  // response, and the producer must resend them in order.
  auto p = idempotent_producer(bootstrap(), dr,
                               {{"linger.ms", "2"}, {"batch.num.messages", "7"},
                                {"max.in.flight.requests.per.connection", "5"}});
  constexpr int n = 400;
  for (int i = 0; i < n; ++i) {
    send(*p, t, "v" + std::to_string(i));
    p->poll(0);
  }
  ASSERT_EQ(p->flush(60000), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(dr.failed.load(), 0) << RdKafka::err2str(dr.first_error);
  EXPECT_EQ(dr.delivered.load(), n);
  EXPECT_EQ(high_watermark(*p, t), n) << "a retried batch was appended twice";
  auto values = read_all(bootstrap(), t, n);
  ASSERT_EQ(values.size(), static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) EXPECT_EQ(values[static_cast<size_t>(i)], "v" + std::to_string(i));
}

/// A broker child process; unlike `broker_process` it hands back the pid, so tests can also
/// check the exit status of a clean shutdown.
pid_t launch_broker(const std::filesystem::path& data, uint16_t port,
                    const std::vector<std::string>& sets) {
  std::vector<std::string> args{SLUICE_BROKER_BIN, "--listen", "127.0.0.1:" + std::to_string(port),
                                "--data-dir", data.string(), "--set", "log.level=warn",
                                "--enable-test-hooks"};
  for (const auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  pid_t pid = ::fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(SLUICE_BROKER_BIN, argv.data());
    ::_exit(127);
  }
  return pid;
}

/// kill -9 between the write and the retry: the broker appends (and fsyncs) the batch, then
/// closes the connection instead of answering — every time, so the producer cannot get an
/// answer from this process. The test waits until the batch is on disk, kills the broker with
/// SIGKILL and restarts it on the same data directory and port without the fault. The
/// producer's retry must be recognised from the recovered producer state: one copy only.
TEST(idempotence_process, retry_after_kill_9_is_still_deduplicated) {
  temp_dir dir;
  const auto data = dir.path() / "data";
  const uint16_t port = free_port();
  const std::string bootstrap = "127.0.0.1:" + std::to_string(port);
  const std::string t = "idempotent-kill9";
  pid_t pid = launch_broker(data, port,
                            {"log.flush.interval.messages=1",
                             "sluice.test.drop.produce.responses=1000000"});
  delivery_counter dr;
  auto p = idempotent_producer(bootstrap, dr, {{"linger.ms", "0"}});
  send(*p, t, "first");
  // Wait until the batch is in the log (written and fsynced before the connection is closed).
  const auto segment = data / (t + "-0") / "00000000000000000000.log";
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  std::error_code ec;
  while (std::chrono::steady_clock::now() < deadline &&
         !(std::filesystem::exists(segment, ec) && std::filesystem::file_size(segment, ec) > 0)) {
    p->poll(10);
  }
  ASSERT_GT(std::filesystem::file_size(segment, ec), 0u) << "the batch never reached the log";
  EXPECT_EQ(dr.delivered.load(), 0) << "the faulty broker must not have answered";
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);

  pid = launch_broker(data, port, {"log.flush.interval.messages=1"});
  // The retry goes to the restarted broker, which must answer it as a duplicate.
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (dr.delivered.load() + dr.failed.load() < 1 && std::chrono::steady_clock::now() < deadline) {
    p->poll(50);
  }
  EXPECT_EQ(dr.failed.load(), 0) << RdKafka::err2str(dr.first_error);
  ASSERT_EQ(dr.delivered.load(), 1);
  for (int i = 0; i < 10; ++i) send(*p, t, "after-" + std::to_string(i));
  ASSERT_EQ(p->flush(30000), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(dr.delivered.load(), 11);
  EXPECT_EQ(high_watermark(*p, t), 11) << "the retried batch was appended twice";
  auto values = read_all(bootstrap, t, 11);
  ASSERT_EQ(values.size(), 11u);
  EXPECT_EQ(values[0], "first");
  for (int i = 0; i < 10; ++i) EXPECT_EQ(values[static_cast<size_t>(i + 1)], "after-" + std::to_string(i));
  p.reset();
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/// kill -9 with a transaction open: after the restart the partition's producer state (replayed
/// from the log) still holds the LSO at the transaction's first record, and the producer's
/// commit then releases it.
TEST(transaction_process, an_open_transaction_survives_kill_9) {
  temp_dir dir;
  const auto data = dir.path() / "data";
  const uint16_t port = free_port();
  const std::string bootstrap = "127.0.0.1:" + std::to_string(port);
  const std::string t = "txn-kill9";
  pid_t pid = launch_broker(data, port, {"log.flush.interval.messages=1", "num.partitions=1"});
  delivery_counter dr;
  auto p = idempotent_producer(bootstrap, dr, {{"linger.ms", "0"}, {"transactional.id", "txn-kill9"}, {"message.timeout.ms", "60000"}});
  auto ok = [](RdKafka::Error* e, const char* what) {
    EXPECT_EQ(e, nullptr) << what << ": " << (e ? e->str() : "");
    delete e;
  };
  ok(p->init_transactions(30000), "init");
  ok(p->begin_transaction(), "begin");
  send(*p, t, "in-transaction");
  ASSERT_EQ(p->flush(30000), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(dr.delivered.load(), 1);
  EXPECT_EQ(end_offset(bootstrap, t, "read_committed"), 0);
  EXPECT_EQ(end_offset(bootstrap, t, "read_uncommitted"), 1);
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);

  pid = launch_broker(data, port, {"log.flush.interval.messages=1", "num.partitions=1"});
  EXPECT_EQ(end_offset(bootstrap, t, "read_committed"), 0) << "the open transaction was forgotten";
  EXPECT_EQ(end_offset(bootstrap, t, "read_uncommitted"), 1);
  ok(p->commit_transaction(60000), "commit");
  EXPECT_EQ(end_offset(bootstrap, t, "read_committed"), 2);  // the record and the marker
  auto values = read_all(bootstrap, t, 1);
  EXPECT_EQ(values, (std::vector<std::string>{"in-transaction"}));
  p.reset();
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

}  // namespace
}  // namespace sluice::testing
