// Crash recovery, retention, and hostile input against the broker.

#include "tests/integration/broker_fixture.h"

#include "core/protocol/api_versions.h"
#include "core/protocol/produce.h"
#include "core/protocol/request_header.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

namespace sluice::testing {
namespace {

namespace protocol = ::sluice::protocol;

/// The newest segment file of a partition.
std::filesystem::path last_segment(const std::filesystem::path& partition_dir) {
  std::filesystem::path last;
  for (const auto& e : std::filesystem::directory_iterator(partition_dir)) {
    if (e.path().extension() == ".log" && (last.empty() || e.path() > last)) last = e.path();
  }
  return last;
}

class recovery : public broker_test {
 protected:
  /// Produces `n` records one batch each, then stops the broker and removes the clean-shutdown
  /// marker so the next start believes it crashed.
  void produce_and_crash(const std::string& t, int n) {
    auto p = make_producer({{"acks", "all"}});
    for (int i = 0; i < n; ++i) produce(*p, t, 0, std::to_string(i), "value-" + std::to_string(i));
    p.reset();
    stop_broker();
    std::filesystem::remove(data_dir() / "broker" / ".clean-shutdown");
    // A crash loses the recovery checkpoint's latest state too: make recovery scan everything.
    std::filesystem::remove(data_dir() / "broker" / "recovery-point-offset-checkpoint");
  }
};

TEST_F(recovery, truncated_tail_is_cut_back_to_the_last_whole_batch) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  produce_and_crash(t, 10);
  auto seg = last_segment(data_dir() / "broker" / (t + "-0"));
  auto size = std::filesystem::file_size(seg);
  std::filesystem::resize_file(seg, size - 7);  // tear the last batch
  start_broker();
  auto got = consume(t, {0}, 9);
  ASSERT_EQ(got.size(), 9u);
  EXPECT_EQ(got.back().value, "value-8");
  auto p = make_producer();
  EXPECT_EQ(produce(*p, t, 0, "k", "after recovery"), 9);  // the log continues at the cut
}

TEST_F(recovery, bit_flip_in_the_tail_fails_the_crc_and_is_truncated) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  produce_and_crash(t, 10);
  auto seg = last_segment(data_dir() / "broker" / (t + "-0"));
  auto size = std::filesystem::file_size(seg);
  {
    std::fstream f(seg, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(size - 3));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x10);
    f.seekp(static_cast<std::streamoff>(size - 3));
    f.write(&c, 1);
  }
  start_broker();
  auto got = consume(t, {0}, 9);
  ASSERT_EQ(got.size(), 9u);
  int64_t low = -1, high = -1;
  auto p = make_producer();
  ASSERT_EQ(p->query_watermark_offsets(t, 0, &low, &high, 10000), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(high, 9);
}

TEST_F(recovery, missing_index_files_are_rebuilt) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  {
    auto p = make_producer();
    for (int i = 0; i < 50; ++i) produce(*p, t, 0, std::to_string(i), std::string(300, 'a'));
  }
  stop_broker();
  for (const auto& e : std::filesystem::directory_iterator(data_dir() / "broker" / (t + "-0"))) {
    if (e.path().extension() != ".log") std::filesystem::remove(e.path());
  }
  start_broker();
  auto got = consume(t, {0}, 50);
  EXPECT_EQ(got.size(), 50u);
}

class shutdown_under_load : public broker_test {};

/// A clean stop while producers keep sending with an fsync per batch: the stop finishes (the
/// broker stops dispatching requests, then waits for the fsyncs already running), and every
/// record that was acknowledged is there after a restart.
TEST_F(shutdown_under_load, stop_finishes_while_producers_keep_sending) {
  stop_broker();
  options().log.flush_interval_messages = 1;
  start_broker();
  auto t = topic();
  ASSERT_EQ(create_topic(t, 4), RdKafka::ERR_NO_ERROR);
  std::atomic<bool> done{false};
  std::atomic<int64_t> acked{0};
  std::vector<std::thread> producers;
  for (int i = 0; i < 3; ++i) {
    producers.emplace_back([&, i] {
      struct counter : RdKafka::DeliveryReportCb {
        std::atomic<int64_t>* acked;
        void dr_cb(RdKafka::Message& m) override {
          if (m.err() == RdKafka::ERR_NO_ERROR) acked->fetch_add(1);
        }
      } cb;
      cb.acked = &acked;
      std::string err;
      std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
      conf->set("bootstrap.servers", bootstrap(), err);
      conf->set("acks", "all", err);
      conf->set("linger.ms", "0", err);
      conf->set("message.timeout.ms", "2000", err);
      conf->set("dr_cb", &cb, err);
      std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
      ASSERT_TRUE(p) << err;
      for (int n = 0; !done.load(); ++n) {
        std::string v = std::to_string(i) + "-" + std::to_string(n);
        if (p->produce(t, n % 4, RdKafka::Producer::RK_MSG_COPY, v.data(), v.size(), nullptr, 0, 0, nullptr,
                       nullptr) == RdKafka::ERR__QUEUE_FULL) {
          p->poll(10);
        }
        p->poll(0);
      }
      p->flush(3000);
    });
  }
  // Let the fsync pool be busy, then stop: this must return although requests keep arriving.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (acked.load() < 2000 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(acked.load(), 2000);
  stop_broker();
  done = true;
  for (auto& th : producers) th.join();
  start_broker();
  // Everything acknowledged is in the log.
  int64_t stored = 0;
  for (int p = 0; p < 4; ++p) {
    int64_t low = 0, high = 0;
    auto c = make_producer();
    ASSERT_EQ(c->query_watermark_offsets(t, p, &low, &high, 10000), RdKafka::ERR_NO_ERROR);
    stored += high - low;
  }
  EXPECT_GE(stored, acked.load());
}

class retention : public broker_test {};

TEST_F(retention, size_limit_deletes_whole_old_segments) {
  options().retention_check_interval_ms = 50;
  options().housekeeping_interval_ms = 50;
  stop_broker();
  start_broker();
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {{"segment.bytes", "2000"}, {"retention.bytes", "4000"}}),
            RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  for (int i = 0; i < 100; ++i) produce(*p, t, 0, std::to_string(i), std::string(200, 'r'));
  auto log_bytes = [&] {
    uint64_t total = 0;
    std::error_code ec;  // retention may delete a file while we list the directory
    for (const auto& e : std::filesystem::directory_iterator(data_dir() / "broker" / (t + "-0"))) {
      if (e.path().extension() == ".log") total += std::filesystem::file_size(e.path(), ec) * !ec;
    }
    return total;
  };
  // Retention runs in the background: wait until it has brought the partition within
  // retention.bytes plus at most one segment (it deletes only whole segments, oldest first).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (log_bytes() > 4000u + 2000u && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_LE(log_bytes(), 4000u + 2000u);
  EXPECT_GE(log_bytes(), 4000u);  // and it never deletes below the limit
  // Retention may still take one more whole segment while it stays above the limit: wait until
  // the log start stops moving (several retention intervals) before reading.
  int64_t low = 0, high = 0, previous = -1;
  while (std::chrono::steady_clock::now() < deadline) {
    ASSERT_EQ(p->query_watermark_offsets(t, 0, &low, &high, 10000), RdKafka::ERR_NO_ERROR);
    if (low == previous) break;
    previous = low;
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  EXPECT_GT(low, 0);
  EXPECT_EQ(high, 100);
  auto got = consume(t, {0}, static_cast<size_t>(high - low));
  ASSERT_EQ(got.size(), static_cast<size_t>(high - low));
  EXPECT_EQ(got.front().offset, low);
}

TEST_F(retention, time_limit_deletes_segments_with_only_old_records) {
  options().retention_check_interval_ms = 50;
  options().housekeeping_interval_ms = 50;
  stop_broker();
  start_broker();
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1, {{"segment.bytes", "1000"}, {"retention.ms", "3600000"}}),
            RdKafka::ERR_NO_ERROR);
  auto p = make_producer();
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch()).count();
  // Two days old, then fresh: only the old segments may go.
  for (int i = 0; i < 20; ++i) produce(*p, t, 0, "old", std::string(200, 'o'), now - 2 * 86400000LL);
  for (int i = 0; i < 20; ++i) produce(*p, t, 0, "new", std::string(200, 'n'), now);
  int64_t low = 0, high = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    ASSERT_EQ(p->query_watermark_offsets(t, 0, &low, &high, 10000), RdKafka::ERR_NO_ERROR);
    if (low >= 16) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_GE(low, 16);
  EXPECT_LE(low, 20);  // no fresh record was deleted
  auto got = consume(t, {0}, static_cast<size_t>(high - low));
  size_t fresh = 0;
  for (const auto& r : got) fresh += r.key == "new";
  EXPECT_EQ(fresh, 20u);
}

class hostile_input : public broker_test {
 protected:
  void expect_broker_still_serves() {
    auto t = topic("after");
    auto p = make_producer();
    EXPECT_GE(produce(*p, t, 0, "k", "still alive"), 0);
  }
};

TEST_F(hostile_input, oversized_frame_closes_only_that_connection) {
  options().max_request_bytes = 1024 * 1024;
  stop_broker();
  start_broker();
  loopback_connection bystander(options().port);
  ASSERT_TRUE(bystander.connected());
  loopback_connection s(options().port);
  ASSERT_TRUE(s.connected());
  s.send(std::string("\x7f\xff\xff\xff", 4));  // a 2 GiB frame: refused before allocating
  EXPECT_TRUE(s.closed_by_peer());
  // The bystander connection still works: ApiVersions v0 gets an answer.
  core::bytes req;
  protocol::request_header h{protocol::api_key::api_versions, 0, 7, "bystander"};
  protocol::encode_request_frame(req, h, protocol::api_versions_request{});
  bystander.send(req);
  auto resp = bystander.read_frame();
  ASSERT_TRUE(resp.has_value());
  EXPECT_GE(resp->size(), 4u);
  expect_broker_still_serves();
}

TEST_F(hostile_input, garbage_and_truncated_requests_close_the_connection) {
  {
    loopback_connection s(options().port);
    ASSERT_TRUE(s.connected());
    s.send(std::string("\x00\x00\x00\x10garbagegarbage!!", 20));  // unknown API key 0x6761
    EXPECT_TRUE(s.closed_by_peer());
  }
  {
    loopback_connection s(options().port);
    ASSERT_TRUE(s.connected());
    // A Produce v7 header followed by a body cut short.
    s.send(std::string("\x00\x00\x00\x0c\x00\x00\x00\x07\x00\x00\x00\x01\xff\xff\x00\x01", 16));
    EXPECT_TRUE(s.closed_by_peer());
  }
  {
    loopback_connection s(options().port);
    ASSERT_TRUE(s.connected());
    s.send(std::string("\x00\x00\x00\x02\x00\x00", 6));  // a frame too short for a header
    EXPECT_TRUE(s.closed_by_peer());
  }
  expect_broker_still_serves();
}

TEST_F(hostile_input, unsupported_api_versions_version_gets_the_v0_fallback) {
  loopback_connection s(options().port);
  ASSERT_TRUE(s.connected());
  core::bytes req;
  // A header for ApiVersions v99 and a body we cannot know the shape of.
  protocol::request_header h{protocol::api_key::api_versions, 99, 42, "future-client"};
  protocol::writer w(req);
  const size_t at = w.reserve_int32();
  h.encode(w);
  w.write_int32(0x12345678);
  w.fill_size_since(at);
  s.send(req);
  auto resp = s.read_frame();
  ASSERT_TRUE(resp.has_value());
  protocol::reader r(*resp);
  EXPECT_EQ(r.read_int32(), 42);  // response header v0: correlation id only
  auto body = protocol::api_versions_response::decode(r, 0);
  ASSERT_TRUE(body);
  EXPECT_EQ(body.value().error_code, protocol::error_code::unsupported_version);
  bool has_18 = false;
  for (const auto& k : body.value().api_keys) has_18 = has_18 || k.api_key == 18;
  EXPECT_TRUE(has_18);
}

TEST_F(hostile_input, produce_v0_to_v2_are_advertised_for_librdkafka_but_close_the_connection) {
  // ApiVersions lists Produce from v0 (librdkafka only compresses for brokers that do)...
  loopback_connection a(options().port);
  ASSERT_TRUE(a.connected());
  auto versions = kafka_call<protocol::api_versions_response>(a, protocol::api_key::api_versions,
                                                              3, 1, protocol::api_versions_request{"sluice-test", "1.0"});
  ASSERT_TRUE(versions);
  bool listed = false;
  for (const auto& k : versions->api_keys) {
    if (k.api_key != static_cast<int16_t>(protocol::api_key::produce)) continue;
    listed = true;
    EXPECT_EQ(k.min_version, 0);
    EXPECT_EQ(k.max_version, protocol::produce_versions.max);
  }
  EXPECT_TRUE(listed);
  // ...but message formats v0 and v1 are not served: as Kafka 4, the connection is closed,
  // every time (the warning is logged once per client and version).
  for (int16_t v : {0, 1, 2, 0}) {
    loopback_connection s(options().port);
    ASSERT_TRUE(s.connected());
    core::bytes req;
    protocol::writer w(req);
    const size_t at = w.reserve_int32();
    protocol::request_header{protocol::api_key::produce, v, 5, "old-client"}.encode(w);
    w.write_int16(1);      // acks
    w.write_int32(1000);   // timeout
    w.write_int32(0);      // no topics
    w.fill_size_since(at);
    s.send(req);
    EXPECT_TRUE(s.closed_by_peer()) << "Produce v" << v;
  }
  expect_broker_still_serves();
}

/// kill -9 of a broker process: every batch acknowledged under acks=all with
/// log.flush.interval.messages=1 is there after the restart.
TEST(broker_process, acknowledged_records_survive_kill_9) {
  temp_dir dir;
  const uint16_t port = free_port();
  const std::vector<std::string> sets{"log.flush.interval.messages=1"};
  auto broker = std::make_unique<broker_process>(dir.path() / "data", port, sets);
  const std::string bootstrap = broker->bootstrap();

  std::string err;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap, err);
  conf->set("acks", "all", err);
  conf->set("linger.ms", "0", err);
  std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
  ASSERT_TRUE(p) << err;
  const std::string t = "kill9";
  int acked = 0;
  for (int i = 0; i < 200; ++i) {
    auto v = "durable-" + std::to_string(i);
    p->produce(t, 0, RdKafka::Producer::RK_MSG_COPY, v.data(), v.size(), nullptr, 0, 0, nullptr, nullptr);
  }
  ASSERT_EQ(p->flush(30000), RdKafka::ERR_NO_ERROR);  // every record acknowledged
  acked = 200;
  broker->kill9();
  p.reset();

  broker = std::make_unique<broker_process>(dir.path() / "data", port, sets);
  std::unique_ptr<RdKafka::Conf> cconf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  cconf->set("bootstrap.servers", bootstrap, err);
  cconf->set("group.id", "kill9-reader", err);
  cconf->set("enable.auto.commit", "false", err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(cconf.get(), err));
  ASSERT_TRUE(c) << err;
  std::vector<RdKafka::TopicPartition*> tps{RdKafka::TopicPartition::create(t, 0, RdKafka::Topic::OFFSET_BEGINNING)};
  c->assign(tps);
  RdKafka::TopicPartition::destroy(tps);
  int read = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (read < acked && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(c->consume(100));
    if (m->err() != RdKafka::ERR_NO_ERROR) continue;
    EXPECT_EQ(std::string(static_cast<const char*>(m->payload()), m->len()), "durable-" + std::to_string(read));
    ++read;
  }
  c->close();
  EXPECT_EQ(read, acked);
  EXPECT_TRUE(broker_process::exited_cleanly(broker->stop()));
}

}  // namespace
}  // namespace sluice::testing
