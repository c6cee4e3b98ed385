// Transactions against a real sluice-broker with librdkafka's transactional producer: commit
// and abort across three topics (the lesson's orders / inventory / payments), read_committed
// against read_uncommitted consumers, send_offsets_to_transaction moving a group's committed
// offsets only on commit, zombie fencing by a second producer with the same transactional.id,
// a producer that disappears mid-transaction aborted by the timeout, and transactions across
// a broker restart.

#include "tests/integration/broker_fixture.h"

#include <librdkafka/rdkafkacpp.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;

/// Fails the test with librdkafka's message when `e` is an error; frees it.
void expect_ok(RdKafka::Error* e, const char* what) {
  if (e) {
    ADD_FAILURE() << what << ": " << e->str();
    delete e;
  }
}

class transactions_test : public broker_test {
 protected:
  void SetUp() override {
    options().transactions.abort_check_interval_ms = 200;
    broker_test::SetUp();
  }

  std::unique_ptr<RdKafka::Producer> transactional(const std::string& id,
                                                   std::map<std::string, std::string> extra = {}) {
    extra.emplace("transactional.id", id);
    auto p = make_producer(extra);
    if (p) expect_ok(p->init_transactions(30000), "init_transactions");
    return p;
  }

  /// Produces without waiting for the delivery report (inside a transaction the commit flushes).
  void send(RdKafka::Producer& p, const std::string& topic, int32_t partition, const std::string& key,
            const std::string& value) {
    auto err = p.produce(topic, partition, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(value.data()),
                         value.size(), key.data(), key.size(), 0, nullptr, nullptr);
    ASSERT_EQ(err, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(err);
  }

  /// Reads `topic` (all `partitions`) from the beginning with `isolation` until a record with
  /// value `last` arrived (or 20 s passed); returns the values in partition/offset order.
  std::vector<consumed> read_until(const std::string& topic, const std::vector<int32_t>& partitions,
                                   const std::string& isolation, const std::string& last) {
    auto c = assigned_consumer(topic, partitions, "txn-reader-" + isolation,
                               {{"isolation.level", isolation}});
    std::vector<consumed> out;
    bool seen_last = false;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    // After the last value shows up, drain briefly: other partitions may still deliver.
    std::chrono::steady_clock::time_point drain_until{};
    while (std::chrono::steady_clock::now() < deadline) {
      if (seen_last && std::chrono::steady_clock::now() > drain_until) break;
      std::unique_ptr<RdKafka::Message> m(c->consume(100));
      if (m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF) continue;
      if (m->err() != RdKafka::ERR_NO_ERROR) {
        ADD_FAILURE() << "consume error: " << m->errstr();
        break;
      }
      consumed r = to_consumed(*m);
      if (r.value == last && !seen_last) {
        seen_last = true;
        drain_until = std::chrono::steady_clock::now() + 1500ms;
      }
      out.push_back(std::move(r));
    }
    EXPECT_TRUE(seen_last) << isolation << " reader never saw " << last << " in " << topic;
    c->close();
    std::sort(out.begin(), out.end(), [](const consumed& a, const consumed& b) {
      return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
    });
    return out;
  }

  static std::multiset<std::string> values(const std::vector<consumed>& records) {
    std::multiset<std::string> out;
    for (const auto& r : records) out.insert(r.value.value_or("<null>"));
    return out;
  }
};

TEST_F(transactions_test, commit_and_abort_across_three_topics) {
  const std::string orders = topic("orders"), inventory = topic("inventory"), payments = topic("payments");
  ASSERT_EQ(create_topic(orders, 2), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(inventory, 1), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(payments, 1), RdKafka::ERR_NO_ERROR);
  auto p = transactional("shop");
  ASSERT_TRUE(p);

  auto order = [&](int n, const std::string& tag) {
    const std::string id = "order-" + std::to_string(n);
    send(*p, orders, RdKafka::Topic::PARTITION_UA, id, tag + ":placed:" + id);
    send(*p, inventory, 0, "sku-" + std::to_string(n % 3), tag + ":reserve:" + id);
    send(*p, payments, 0, id, tag + ":charge:" + id);
  };
  expect_ok(p->begin_transaction(), "begin 1");
  for (int n = 0; n < 5; ++n) order(n, "committed");
  expect_ok(p->commit_transaction(30000), "commit 1");

  expect_ok(p->begin_transaction(), "begin 2");
  for (int n = 5; n < 9; ++n) order(n, "aborted");
  ASSERT_EQ(p->flush(30000), RdKafka::ERR_NO_ERROR) << "the aborted records reach the log";
  expect_ok(p->abort_transaction(30000), "abort 2");

  expect_ok(p->begin_transaction(), "begin 3");
  for (int n = 9; n < 12; ++n) order(n, "committed");
  send(*p, orders, 0, "end", "end");
  send(*p, inventory, 0, "end", "end");
  send(*p, payments, 0, "end", "end");
  expect_ok(p->commit_transaction(30000), "commit 3");

  for (const auto& [t, parts] : std::map<std::string, std::vector<int32_t>>{
           {orders, {0, 1}}, {inventory, {0}}, {payments, {0}}}) {
    auto committed = read_until(t, parts, "read_committed", "end");
    auto everything = read_until(t, parts, "read_uncommitted", "end");
    size_t aborted_seen = 0;
    for (const auto& r : committed) {
      EXPECT_EQ(r.value->rfind("aborted:", 0), std::string::npos) << t << ": read_committed saw " << *r.value;
    }
    for (const auto& r : everything) aborted_seen += r.value->rfind("aborted:", 0) == 0 ? 1 : 0;
    EXPECT_EQ(committed.size(), 8u + 1) << t << ": 8 committed orders and the end record";
    EXPECT_EQ(aborted_seen, 4u) << t << ": read_uncommitted sees the aborted records too";
    EXPECT_EQ(everything.size(), 8u + 4 + 1) << t;
    // Markers take offsets but are never delivered: offsets have gaps, values none.
    const auto committed_values = values(committed);
    std::set<std::string> unique(committed_values.begin(), committed_values.end());
    EXPECT_EQ(unique.size(), committed.size()) << t << ": no duplicates";
  }
}

TEST_F(transactions_test, send_offsets_commits_group_offsets_only_with_the_transaction) {
  const std::string in = topic("in"), out = topic("out");
  ASSERT_EQ(create_topic(in, 1), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(out, 1), RdKafka::ERR_NO_ERROR);
  auto plain = make_producer();
  for (int i = 0; i < 10; ++i) produce(*plain, in, 0, "k", "v" + std::to_string(i));

  std::string err;
  auto conf = std::unique_ptr<RdKafka::Conf>(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  conf->set("bootstrap.servers", bootstrap(), err);
  conf->set("group.id", "copier", err);
  conf->set("enable.auto.commit", "false", err);
  conf->set("auto.offset.reset", "earliest", err);
  conf->set("isolation.level", "read_committed", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(conf.get(), err));
  ASSERT_TRUE(consumer) << err;
  ASSERT_EQ(consumer->subscribe({in}), RdKafka::ERR_NO_ERROR);

  auto p = transactional("copier-txn");
  ASSERT_TRUE(p);
  auto copy = [&](int n) {  // consume n records, produce them to `out`, return the next offset
    int64_t next = -1;
    int got = 0;
    auto deadline = std::chrono::steady_clock::now() + 30s;
    while (got < n && std::chrono::steady_clock::now() < deadline) {
      std::unique_ptr<RdKafka::Message> m(consumer->consume(200));
      if (m->err() != RdKafka::ERR_NO_ERROR) continue;
      send(*p, out, 0, "k", std::string(static_cast<const char*>(m->payload()), m->len()));
      next = m->offset() + 1;
      ++got;
    }
    EXPECT_EQ(got, n);
    return next;
  };
  auto committed_offset = [&]() {
    std::vector<RdKafka::TopicPartition*> tps{RdKafka::TopicPartition::create(in, 0)};
    EXPECT_EQ(consumer->committed(tps, 10000), RdKafka::ERR_NO_ERROR);
    int64_t off = tps[0]->offset();
    RdKafka::TopicPartition::destroy(tps);
    return off;
  };
  auto send_offsets = [&](int64_t next) {
    std::vector<RdKafka::TopicPartition*> tps{RdKafka::TopicPartition::create(in, 0, next)};
    std::unique_ptr<RdKafka::ConsumerGroupMetadata> meta(consumer->groupMetadata());
    expect_ok(p->send_offsets_to_transaction(tps, meta.get(), 30000), "send_offsets_to_transaction");
    RdKafka::TopicPartition::destroy(tps);
  };

  expect_ok(p->begin_transaction(), "begin 1");
  int64_t first = copy(6);
  send_offsets(first);
  expect_ok(p->commit_transaction(30000), "commit");
  EXPECT_EQ(first, 6);
  EXPECT_EQ(committed_offset(), 6) << "commit moves the group's offset";

  expect_ok(p->begin_transaction(), "begin 2");
  int64_t second = copy(4);
  send_offsets(second);
  expect_ok(p->abort_transaction(30000), "abort");
  EXPECT_EQ(second, 10);
  EXPECT_EQ(committed_offset(), 6) << "abort leaves the group's offset where it was";
  consumer->close();

  auto copied = read_until(out, {0}, "read_committed", "v5");
  EXPECT_EQ(copied.size(), 6u) << "only the committed copies are visible";
}

TEST_F(transactions_test, a_second_producer_with_the_same_id_fences_the_first) {
  const std::string t = topic("fence");
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  auto zombie = transactional("fenced-id");
  ASSERT_TRUE(zombie);
  expect_ok(zombie->begin_transaction(), "zombie begin");
  send(*zombie, t, 0, "k", "zombie-1");
  ASSERT_EQ(zombie->flush(30000), RdKafka::ERR_NO_ERROR);

  // The new instance's InitProducerId aborts the zombie's open transaction and bumps the epoch.
  auto successor = transactional("fenced-id");
  ASSERT_TRUE(successor);

  send(*zombie, t, 0, "k", "zombie-2");
  RdKafka::Error* e = zombie->commit_transaction(30000);
  ASSERT_NE(e, nullptr) << "the fenced producer cannot commit";
  EXPECT_TRUE(e->is_fatal()) << e->str();
  EXPECT_EQ(e->code(), RdKafka::ERR__FENCED) << e->str();
  delete e;

  expect_ok(successor->begin_transaction(), "successor begin");
  send(*successor, t, 0, "k", "successor");
  expect_ok(successor->commit_transaction(30000), "successor commit");

  auto committed = read_until(t, {0}, "read_committed", "successor");
  EXPECT_EQ(values(committed), (std::multiset<std::string>{"successor"}))
      << "nothing of the zombie's transaction is committed";
}

TEST_F(transactions_test, a_producer_that_vanishes_mid_transaction_is_aborted_by_the_timeout) {
  const std::string t = topic("vanish");
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  {
    auto gone = transactional("vanishing", {{"transaction.timeout.ms", "2000"},
                                            {"message.timeout.ms", "2000"}});
    ASSERT_TRUE(gone);
    expect_ok(gone->begin_transaction(), "begin");
    send(*gone, t, 0, "k", "stuck-1");
    send(*gone, t, 0, "k", "stuck-2");
    ASSERT_EQ(gone->flush(30000), RdKafka::ERR_NO_ERROR);
    // Destroyed without commit or abort: its transaction stays open on the broker.
  }
  auto other = transactional("after-vanish");
  ASSERT_TRUE(other);
  expect_ok(other->begin_transaction(), "begin");
  send(*other, t, 0, "k", "after");
  expect_ok(other->commit_transaction(30000), "commit");

  // The open transaction holds the last stable offset back until the coordinator aborts it.
  auto committed = read_until(t, {0}, "read_committed", "after");
  EXPECT_EQ(values(committed), (std::multiset<std::string>{"after"}));
  auto everything = read_until(t, {0}, "read_uncommitted", "after");
  EXPECT_EQ(values(everything), (std::multiset<std::string>{"stuck-1", "stuck-2", "after"}));
}

TEST_F(transactions_test, transactions_survive_a_broker_restart) {
  const std::string t = topic("restart");
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  {
    auto p = transactional("restart-id");
    ASSERT_TRUE(p);
    expect_ok(p->begin_transaction(), "begin");
    send(*p, t, 0, "k", "before");
    expect_ok(p->commit_transaction(30000), "commit");
    expect_ok(p->begin_transaction(), "begin");
    send(*p, t, 0, "k", "open-at-restart");
    ASSERT_EQ(p->flush(30000), RdKafka::ERR_NO_ERROR);
  }
  stop_broker();
  start_broker();
  // The transactional id's state came back: a new instance fences the old epoch and aborts the
  // transaction that was open when the broker stopped.
  auto p = transactional("restart-id");
  ASSERT_TRUE(p);
  expect_ok(p->begin_transaction(), "begin");
  send(*p, t, 0, "k", "after");
  expect_ok(p->commit_transaction(30000), "commit");
  auto committed = read_until(t, {0}, "read_committed", "after");
  EXPECT_EQ(values(committed), (std::multiset<std::string>{"before", "after"}));
}

/// kill -9 of the broker process with transactions in every settled state: one committed,
/// one open (its records in the log), one committed by another producer. After the restart
/// the committed ones are visible to read_committed readers, the open one is aborted by its
/// timeout (and fenced), and nothing of it is ever visible.
TEST(transactions_process, kill_9_leaves_every_transaction_committed_or_aborted) {
  temp_dir dir;
  const auto data = dir.path() / "data";
  const uint16_t port = free_port();
  const std::vector<std::string> sets{"log.flush.interval.messages=1",
                                      "transaction.abort.timed.out.transaction.cleanup.interval.ms=200"};
  auto broker = std::make_unique<broker_process>(data, port, sets);
  const std::string t = "txn-kill9";
  auto conf_for = [&](const std::string& id, const std::string& timeout_ms) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string err;
    conf->set("bootstrap.servers", broker->bootstrap(), err);
    conf->set("transactional.id", id, err);
    conf->set("transaction.timeout.ms", timeout_ms, err);
    conf->set("message.timeout.ms", timeout_ms, err);
    return conf;
  };
  auto producer = [&](const std::string& id, const std::string& timeout_ms) {
    auto conf = conf_for(id, timeout_ms);
    std::string err;
    std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
    EXPECT_TRUE(p) << err;
    if (p) expect_ok(p->init_transactions(30000), "init_transactions");
    return p;
  };
  auto send = [&](RdKafka::Producer& p, const std::string& v) {
    ASSERT_EQ(p.produce(t, 0, RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(v.data()), v.size(),
                        nullptr, 0, 0, nullptr, nullptr),
              RdKafka::ERR_NO_ERROR);
  };
  {
    auto a = producer("kill9-a", "4000");
    auto b = producer("kill9-b", "60000");
    ASSERT_TRUE(a && b);
    expect_ok(a->begin_transaction(), "a begin");
    send(*a, "committed-a");
    expect_ok(a->commit_transaction(30000), "a commit");
    expect_ok(a->begin_transaction(), "a begin 2");
    send(*a, "open-a");
    ASSERT_EQ(a->flush(30000), RdKafka::ERR_NO_ERROR);
    expect_ok(b->begin_transaction(), "b begin");
    send(*b, "committed-b");
    expect_ok(b->commit_transaction(30000), "b commit");
    broker->kill9();
  }
  broker = std::make_unique<broker_process>(data, port, sets);
  auto c = producer("kill9-c", "60000");
  ASSERT_TRUE(c);
  expect_ok(c->begin_transaction(), "c begin");
  send(*c, "after");
  expect_ok(c->commit_transaction(30000), "c commit");

  // Read everything with read_committed until "after" arrives: the open transaction blocks the
  // LSO until its timeout aborts it on the restarted broker.
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  conf->set("bootstrap.servers", broker->bootstrap(), err);
  conf->set("group.id", "kill9-reader", err);
  conf->set("isolation.level", "read_committed", err);
  std::unique_ptr<RdKafka::KafkaConsumer> reader(RdKafka::KafkaConsumer::create(conf.get(), err));
  ASSERT_TRUE(reader) << err;
  std::vector<RdKafka::TopicPartition*> tps{RdKafka::TopicPartition::create(t, 0, RdKafka::Topic::OFFSET_BEGINNING)};
  ASSERT_EQ(reader->assign(tps), RdKafka::ERR_NO_ERROR);
  RdKafka::TopicPartition::destroy(tps);
  std::multiset<std::string> seen;
  auto deadline = std::chrono::steady_clock::now() + 40s;
  while (!seen.contains("after") && std::chrono::steady_clock::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(reader->consume(100));
    if (m->err() == RdKafka::ERR_NO_ERROR) seen.insert(std::string(static_cast<const char*>(m->payload()), m->len()));
  }
  reader->close();
  EXPECT_EQ(seen, (std::multiset<std::string>{"committed-a", "committed-b", "after"}));
}

/// Not a test on its own: the transactional copier a child process runs for
/// `copier_killed_repeatedly_copies_exactly_once` (started as this binary with
/// --gtest_also_run_disabled_tests). Reads topic A in a group (read_committed), writes every
/// record to the same partition of B inside a transaction together with the consumed offsets,
/// ten records per transaction (slow on purpose: the kills must land mid-run), until SIGKILL.
TEST(transactions_child, DISABLED_copier) {
  const char* bootstrap = std::getenv("SLUICE_COPIER_BOOTSTRAP");
  const char* in = std::getenv("SLUICE_COPIER_IN");
  const char* out = std::getenv("SLUICE_COPIER_OUT");
  if (!bootstrap || !in || !out) GTEST_SKIP() << "only run as a child of transactions_test";
  std::string err;
  std::unique_ptr<RdKafka::Conf> cc(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  cc->set("bootstrap.servers", bootstrap, err);
  cc->set("group.id", "copier", err);
  cc->set("group.instance.id", "copier-1", err);  // a restarted copier takes its place at once
  cc->set("session.timeout.ms", "6000", err);
  cc->set("enable.auto.commit", "false", err);
  cc->set("auto.offset.reset", "earliest", err);
  cc->set("isolation.level", "read_committed", err);
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(RdKafka::KafkaConsumer::create(cc.get(), err));
  ASSERT_TRUE(consumer) << err;
  ASSERT_EQ(consumer->subscribe({in}), RdKafka::ERR_NO_ERROR);
  std::unique_ptr<RdKafka::Conf> pc(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  pc->set("bootstrap.servers", bootstrap, err);
  pc->set("transactional.id", "copier-txn", err);  // the same id each time: fences the previous one
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(pc.get(), err));
  ASSERT_TRUE(producer) << err;
  expect_ok(producer->init_transactions(30000), "init_transactions");
  for (;;) {
    std::vector<std::unique_ptr<RdKafka::Message>> batch;
    auto until = std::chrono::steady_clock::now() + 100ms;
    while (batch.size() < 10 && std::chrono::steady_clock::now() < until) {
      std::unique_ptr<RdKafka::Message> m(consumer->consume(20));
      if (m->err() == RdKafka::ERR_NO_ERROR) batch.push_back(std::move(m));
    }
    if (batch.empty()) continue;
    expect_ok(producer->begin_transaction(), "begin");
    std::map<int32_t, int64_t> next;
    for (const auto& m : batch) {
      ASSERT_EQ(producer->produce(out, m->partition(), RdKafka::Producer::RK_MSG_COPY, m->payload(), m->len(),
                                  nullptr, 0, 0, nullptr, nullptr),
                RdKafka::ERR_NO_ERROR);
      next[m->partition()] = m->offset() + 1;
    }
    std::this_thread::sleep_for(20ms);  // widen the window in which a kill lands mid-transaction
    std::vector<RdKafka::TopicPartition*> offsets;
    for (auto [partition, offset] : next) offsets.push_back(RdKafka::TopicPartition::create(in, partition, offset));
    std::unique_ptr<RdKafka::ConsumerGroupMetadata> meta(consumer->groupMetadata());
    RdKafka::Error* e = producer->send_offsets_to_transaction(offsets, meta.get(), 30000);
    RdKafka::TopicPartition::destroy(offsets);
    if (!e) e = producer->commit_transaction(30000);
    if (e) {
      // A rebalance fenced the offsets (KIP-447) or the commit failed: abort and resume from
      // the last committed offsets.
      const bool fatal = e->is_fatal();
      delete e;
      ASSERT_FALSE(fatal) << "the copier was fenced";
      expect_ok(producer->abort_transaction(30000), "abort");
      std::vector<RdKafka::TopicPartition*> assigned;
      consumer->assignment(assigned);
      consumer->committed(assigned, 10000);
      for (auto* tp : assigned) consumer->seek(*tp, 10000);
      RdKafka::TopicPartition::destroy(assigned);
    }
  }
}

/// Kafka's transactions system test in small: a copier reads A and writes B transactionally
/// with its offsets in the transaction, and is killed with SIGKILL several times during the
/// run. B must equal A exactly for a read_committed reader: nothing lost, nothing twice.
TEST_F(transactions_test, copier_killed_repeatedly_copies_exactly_once) {
  const std::string a = topic("a"), b = topic("b");
  ASSERT_EQ(create_topic(a, 2), RdKafka::ERR_NO_ERROR);
  ASSERT_EQ(create_topic(b, 2), RdKafka::ERR_NO_ERROR);
  constexpr int n = 3000;
  {
    auto p = make_producer({{"linger.ms", "5"}});
    for (int i = 0; i < n; ++i) {
      std::string v = "r" + std::to_string(i);
      ASSERT_EQ(p->produce(a, i % 2, RdKafka::Producer::RK_MSG_COPY, v.data(), v.size(), nullptr, 0, 0, nullptr,
                           nullptr),
                RdKafka::ERR_NO_ERROR);
      if (i % 500 == 0) p->poll(0);
    }
    ASSERT_EQ(p->flush(30000), RdKafka::ERR_NO_ERROR);
  }
  auto start_copier = [&]() {
    pid_t child = ::fork();
    if (child == 0) {
      ::setenv("SLUICE_COPIER_BOOTSTRAP", bootstrap().c_str(), 1);
      ::setenv("SLUICE_COPIER_IN", a.c_str(), 1);
      ::setenv("SLUICE_COPIER_OUT", b.c_str(), 1);
      ::execl("/proc/self/exe", "copier", "--gtest_filter=transactions_child.DISABLED_copier",
              "--gtest_also_run_disabled_tests", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    return child;
  };
  std::mt19937 rng(7);
  for (int kill = 0; kill < 4; ++kill) {
    pid_t child = start_copier();
    ASSERT_GT(child, 0);
    std::this_thread::sleep_for(std::chrono::milliseconds(1500 + rng() % 1500));
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
  }
  pid_t last = start_copier();
  std::vector<consumed> copied;
  for (int round = 0; round < 6 && copied.size() < n; ++round) {
    copied = consume(b, {0, 1}, n + 1, std::chrono::seconds(10), {{"isolation.level", "read_committed"}});
  }
  ::kill(last, SIGKILL);
  ::waitpid(last, nullptr, 0);
  std::map<std::string, int> count;
  for (const auto& r : copied) ++count[r.value.value_or("<null>")];
  EXPECT_EQ(copied.size(), static_cast<size_t>(n)) << "B must hold exactly A's records";
  int missing = 0, duplicated = 0;
  for (int i = 0; i < n; ++i) {
    int c = count["r" + std::to_string(i)];
    missing += c == 0 ? 1 : 0;
    duplicated += c > 1 ? 1 : 0;
  }
  EXPECT_EQ(missing, 0);
  EXPECT_EQ(duplicated, 0);
}

}  // namespace
}  // namespace sluice::testing
