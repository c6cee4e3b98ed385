#include "tests/integration/broker_fixture.h"

#include <librdkafka/rdkafka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <random>
#include <thread>

namespace sluice::testing {

void broker_test::SetUp() {
  _options.host = "127.0.0.1";
  _options.port = 0;
  _options.data_dir = _dir.path() / "broker";
  start_broker();
}

void broker_test::TearDown() { stop_broker(); }

void broker_test::start_broker() {
  auto started = broker::broker::start(_options);
  ASSERT_TRUE(started) << started.error().message();
  _broker = std::move(started).value();
  // Keep the same port across restarts so clients reconnect to the same address.
  _options.port = _broker->port();
}

raw_client& broker_test::raw() {
  if (!_raw) _raw = std::make_unique<raw_client>(_broker->port());
  return *_raw;
}

void broker_test::stop_broker() {
  _raw.reset();
  if (_broker) {
    auto r = _broker->stop();
    EXPECT_TRUE(r) << r.error().message();
    _broker.reset();
  }
}

std::string broker_test::topic(const std::string& suffix) const {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "." + info->name() + "." + suffix;
  for (auto& c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) c = '_';
  }
  return name;
}

namespace {

std::unique_ptr<RdKafka::Conf> make_conf(const std::string& bootstrap,
                                         const std::map<std::string, std::string>& extra) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  auto set = [&](const std::string& k, const std::string& v) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) ADD_FAILURE() << k << ": " << err;
  };
  set("bootstrap.servers", bootstrap);
  set("partitioner", "murmur2_random");
  for (const auto& [k, v] : extra) set(k, v);
  return conf;
}

struct delivery_capture {
  RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
  int64_t offset = -1;
  bool done = false;
};

/// Routes each delivery report to the `delivery_capture` passed as the message opaque.
class opaque_delivery : public RdKafka::DeliveryReportCb {
 public:
  void dr_cb(RdKafka::Message& m) override {
    if (auto* c = static_cast<delivery_capture*>(m.msg_opaque())) {
      c->err = m.err();
      c->offset = m.offset();
      c->done = true;
    }
  }
};

opaque_delivery delivery_router;

}  // namespace

std::unique_ptr<RdKafka::Producer> broker_test::make_producer(
    const std::map<std::string, std::string>& extra) {
  auto conf = make_conf(bootstrap(), extra);
  std::string err;
  conf->set("dr_cb", &delivery_router, err);
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  EXPECT_TRUE(p) << err;
  return p;
}

int64_t broker_test::produce(RdKafka::Producer& p, const std::string& topic, int32_t partition,
                             std::optional<std::string> key, std::optional<std::string> value,
                             int64_t timestamp, RdKafka::Headers* headers) {
  // The producer's delivery callback (installed by make_producer) finds this capture through
  // the message opaque.
  delivery_capture cap;
  auto err = p.produce(topic, partition, RdKafka::Producer::RK_MSG_COPY,
                       value ? const_cast<char*>(value->data()) : nullptr, value ? value->size() : 0,
                       key ? key->data() : nullptr, key ? key->size() : 0, timestamp, headers,
                       &cap);
  EXPECT_EQ(err, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(err);
  if (err != RdKafka::ERR_NO_ERROR) {
    delete headers;
    return -1;
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!cap.done && std::chrono::steady_clock::now() < deadline) p.poll(50);
  EXPECT_TRUE(cap.done) << "no delivery report within 30 s";
  EXPECT_EQ(cap.err, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(cap.err);
  return cap.offset;
}

std::unique_ptr<RdKafka::KafkaConsumer> broker_test::assigned_consumer(
    const std::string& topic, const std::vector<int32_t>& partitions, const std::string& group,
    const std::map<std::string, std::string>& extra) {
  auto conf = make_conf(bootstrap(), extra);
  std::string err;
  conf->set("group.id", group, err);
  conf->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  EXPECT_TRUE(c) << err;
  std::vector<RdKafka::TopicPartition*> tps;
  for (int32_t p : partitions) {
    tps.push_back(RdKafka::TopicPartition::create(topic, p, RdKafka::Topic::OFFSET_BEGINNING));
  }
  EXPECT_EQ(c->assign(tps), RdKafka::ERR_NO_ERROR);
  RdKafka::TopicPartition::destroy(tps);
  return c;
}

std::vector<consumed> broker_test::consume(const std::string& topic,
                                           const std::vector<int32_t>& partitions, size_t count,
                                           std::chrono::milliseconds timeout,
                                           const std::map<std::string, std::string>& extra) {
  auto c = assigned_consumer(topic, partitions, "sluice-test-reader", extra);
  std::vector<consumed> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(c->consume(100));
    if (m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF) continue;
    if (m->err() != RdKafka::ERR_NO_ERROR) {
      ADD_FAILURE() << "consume error: " << m->errstr();
      break;
    }
    out.push_back(to_consumed(*m));
  }
  c->close();
  return out;
}

RdKafka::ErrorCode broker_test::create_topic(const std::string& name, int partitions,
                                             const std::map<std::string, std::string>& configs) {
  auto p = make_producer();
  rd_kafka_t* rk = p->c_ptr();
  char errstr[512];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(name.c_str(), partitions, 1, errstr, sizeof errstr);
  for (const auto& [k, v] : configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, nullptr, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 30000);
  RdKafka::ErrorCode code = RdKafka::ERR__TIMED_OUT;
  if (ev) {
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
    code = n == 1 ? static_cast<RdKafka::ErrorCode>(rd_kafka_topic_result_error(results[0]))
                  : static_cast<RdKafka::ErrorCode>(rd_kafka_event_error(ev));
    rd_kafka_event_destroy(ev);
  }
  rd_kafka_queue_destroy(q);
  rd_kafka_NewTopic_destroy(nt);
  return code;
}

consumed to_consumed(RdKafka::Message& m) {
  consumed r;
  r.topic = m.topic_name();
  r.partition = m.partition();
  r.offset = m.offset();
  if (m.key()) r.key = *m.key();
  if (m.payload()) r.value = std::string(static_cast<const char*>(m.payload()), m.len());
  r.timestamp = m.timestamp().timestamp;
  if (auto* h = m.headers()) {
    for (const auto& hd : h->get_all()) {
      std::optional<std::string> v;
      if (hd.value()) v = std::string(static_cast<const char*>(hd.value()), hd.value_size());
      r.headers.emplace_back(hd.key(), v);
    }
  }
  return r;
}

int64_t end_offset(const std::string& bootstrap, const std::string& topic, const std::string& isolation) {
  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("group.id", "lso-probe", err);
  conf->set("isolation.level", isolation, err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  EXPECT_TRUE(c) << err;
  int64_t low = -1, high = -1;
  EXPECT_EQ(c->query_watermark_offsets(topic, 0, &low, &high, 10000), RdKafka::ERR_NO_ERROR);
  c->close();
  return high;
}

protocol::produce_request produce_of(const std::string& topic, int32_t partition,
                                             core::bytes_view batch, int16_t acks,
                                             std::optional<std::string> txn) {
  protocol::produce_request req;
  req.transactional_id = std::move(txn);
  req.acks = acks;
  req.timeout_ms = 30000;
  auto& t = req.topic_data.emplace_back();
  t.name = topic;
  auto& pd = t.partition_data.emplace_back();
  pd.index = core::partition_id{partition};
  pd.records = batch;
  return req;
}

uint16_t free_port() {
  int probe = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(probe, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(probe);
  return ntohs(addr.sin_port);
}

broker_process::broker_process(std::filesystem::path data, uint16_t port, std::vector<std::string> sets,
                               std::vector<std::string> flags)
    : _port(port) {
  std::vector<std::string> args{SLUICE_BROKER_BIN, "--listen", "127.0.0.1:" + std::to_string(port),
                                "--data-dir", data.string(), "--set", "log.level=warn"};
  for (auto& f : flags) args.push_back(std::move(f));
  for (auto& s : sets) {
    args.push_back("--set");
    args.push_back(std::move(s));
  }
  _pid = ::fork();
  if (_pid == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(SLUICE_BROKER_BIN, argv.data());
    ::_exit(127);
  }
  // Ready when the port accepts a connection.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    if (loopback_connection(port).connected()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "sluice-broker did not start on port " << port;
}

void broker_process::kill9() {
  if (_pid <= 0) return;
  ::kill(_pid, SIGKILL);
  ::waitpid(_pid, nullptr, 0);
  _pid = -1;
}

int broker_process::stop() {
  if (_pid <= 0) return -1;
  ::kill(_pid, SIGTERM);
  int status = 0;
  ::waitpid(_pid, &status, 0);
  _pid = -1;
  return status;
}

broker_process::~broker_process() { stop(); }

}  // namespace sluice::testing
