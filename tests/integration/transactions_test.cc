// Transactions against a real sluice-broker with librdkafka's transactional producer: commit
// and abort across three topics (the lesson's orders / inventory / payments), read_committed
// against read_uncommitted consumers, send_offsets_to_transaction moving a group's committed
// offsets only on commit, zombie fencing by a second producer with the same transactional.id,
// a producer that disappears mid-transaction aborted by the timeout, and transactions across
// a broker restart. Then the newest protocol versions with raw requests: a whole transaction
// at EndTxn v5 / TxnOffsetCommit v5 (transaction version 2) and AddPartitionsToTxn's batched
// v4/v5 form with verify_only.

#include "tests/integration/broker_fixture.h"

#include "core/protocol/add_offsets_to_txn.h"
#include "core/protocol/add_partitions_to_txn.h"
#include "core/protocol/api_versions.h"
#include "core/protocol/end_txn.h"
#include "core/protocol/init_producer_id.h"
#include "core/protocol/records.h"
#include "core/protocol/txn_offset_commit.h"

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

// ---- raw requests at the newest versions -----------------------------------------------------

namespace protocol = ::sluice::protocol;
using protocol::api_key;
using protocol::error_code;

/// One connection that sends a request and reads its answer (see `kafka_call`).
class txn_client {
 public:
  explicit txn_client(uint16_t port) : _connection(port) { EXPECT_TRUE(_connection.connected()); }

  template <class Response, class Request>
  std::optional<Response> call(api_key key, int16_t version, const Request& body) {
    return kafka_call<Response>(_connection, key, version, ++_correlation, body, "txn-raw");
  }

  protocol::init_producer_id_response init(const std::string& id) {
    protocol::init_producer_id_request r;
    r.transactional_id = id;
    r.transaction_timeout_ms = 60000;
    auto a = call<protocol::init_producer_id_response>(api_key::init_producer_id,
                                                       protocol::init_producer_id_versions.max, r);
    EXPECT_TRUE(a);
    EXPECT_EQ(a ? a->error_code : error_code::unknown_server_error, error_code::none);
    return a.value_or(protocol::init_producer_id_response{});
  }

  /// AddPartitionsToTxn in the client form (v0–3): the error of each partition, in order.
  std::vector<error_code> add_partitions(int16_t version, const std::string& id, core::producer_id pid,
                                         core::producer_epoch epoch, const std::string& topic,
                                         std::vector<core::partition_id> partitions) {
    protocol::add_partitions_to_txn_request r;
    r.v3_and_below_transactional_id = id;
    r.v3_and_below_producer_id = pid;
    r.v3_and_below_producer_epoch = epoch;
    r.v3_and_below_topics.push_back({topic, std::move(partitions)});
    auto a = call<protocol::add_partitions_to_txn_response>(api_key::add_partitions_to_txn, version, r);
    std::vector<error_code> out;
    EXPECT_TRUE(a);
    if (!a) return out;
    for (const auto& t : a->results_by_topic_v3_and_below) {
      for (const auto& p : t.results_by_partition) out.push_back(p.partition_error_code);
    }
    return out;
  }

  /// Produces one transactional record (a batch of its own) to partition 0 of `topic`.
  error_code produce(const std::string& id, core::producer_id pid, core::producer_epoch epoch, int32_t sequence,
                     const std::string& topic, const std::string& value) {
    core::raw_record rec;
    rec.key = core::to_bytes(std::string("k"));
    rec.value = core::to_bytes(value);
    rec.ts = core::wall_clock_now();
    protocol::record_batch_options o;
    o.transactional = true;
    o.producer_id = pid;
    o.producer_epoch = epoch;
    o.base_sequence = sequence;
    auto batch = protocol::encode_record_batch(std::span<const core::raw_record>(&rec, 1), o);
    EXPECT_TRUE(batch);
    if (!batch) return error_code::unknown_server_error;
    auto a = call<protocol::produce_response>(api_key::produce, 7, produce_of(topic, 0, batch.value(), -1, id));
    EXPECT_TRUE(a);
    return a ? a->responses.at(0).partition_responses.at(0).error_code : error_code::unknown_server_error;
  }

  error_code add_offsets(int16_t version, const std::string& id, core::producer_id pid, core::producer_epoch epoch,
                         const std::string& group) {
    auto a = call<protocol::add_offsets_to_txn_response>(api_key::add_offsets_to_txn, version,
                                                         protocol::add_offsets_to_txn_request{id, pid, epoch, group});
    EXPECT_TRUE(a);
    return a ? a->error_code : error_code::unknown_server_error;
  }

  /// TxnOffsetCommit of `offset` for partition 0 of `topic`, outside group membership.
  error_code commit_offset(int16_t version, const std::string& id, core::producer_id pid,
                           core::producer_epoch epoch, const std::string& group, const std::string& topic,
                           int64_t offset) {
    protocol::txn_offset_commit_request r;
    r.transactional_id = id;
    r.group_id = group;
    r.producer_id = pid;
    r.producer_epoch = epoch;
    protocol::txn_offset_commit_request::txn_offset_commit_request_partition p;
    p.partition_index = core::partition_id{0};
    p.committed_offset = core::offset{offset};
    r.topics.push_back({topic, {p}});
    auto a = call<protocol::txn_offset_commit_response>(api_key::txn_offset_commit, version, r);
    EXPECT_TRUE(a);
    return a ? a->topics.at(0).partitions.at(0).error_code : error_code::unknown_server_error;
  }

  protocol::end_txn_response end(int16_t version, const std::string& id, core::producer_id pid,
                                 core::producer_epoch epoch, bool commit) {
    auto a = call<protocol::end_txn_response>(api_key::end_txn, version,
                                              protocol::end_txn_request{id, pid, epoch, commit});
    EXPECT_TRUE(a);
    if (!a) {
      protocol::end_txn_response failed;
      failed.error_code = error_code::unknown_server_error;
      return failed;
    }
    return *a;
  }

 private:
  loopback_connection _connection;
  int32_t _correlation = 0;
};

core::producer_epoch next(core::producer_epoch e, int16_t by = 1) {
  return core::producer_epoch{static_cast<int16_t>(e.value() + by)};
}

TEST_F(transactions_test, a_whole_transaction_at_the_newest_versions) {
  const std::string t = topic("newest"), group = topic("newest-group"), id = topic("newest-txn");
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  txn_client c(options().port);

  // What ApiVersions advertises for the four APIs: Apache Kafka 4.x's ranges.
  auto versions = c.call<protocol::api_versions_response>(api_key::api_versions, 3, protocol::api_versions_request{"sluice-test", "1.0"});
  ASSERT_TRUE(versions);
  std::map<int16_t, std::pair<int16_t, int16_t>> advertised;
  for (const auto& v : versions->api_keys) advertised[v.api_key] = {v.min_version, v.max_version};
  EXPECT_EQ(advertised[24], (std::pair<int16_t, int16_t>{0, 5})) << "AddPartitionsToTxn";
  EXPECT_EQ(advertised[25], (std::pair<int16_t, int16_t>{0, 4})) << "AddOffsetsToTxn";
  EXPECT_EQ(advertised[26], (std::pair<int16_t, int16_t>{0, 5})) << "EndTxn";
  EXPECT_EQ(advertised[28], (std::pair<int16_t, int16_t>{0, 5})) << "TxnOffsetCommit";

  auto pid = c.init(id);
  const core::producer_id p = pid.producer_id;
  const core::producer_epoch e = pid.producer_epoch;

  // 1: a record and the group's offset, committed. EndTxn v5 bumps the epoch and says so.
  EXPECT_EQ(c.add_partitions(3, id, p, e, t, {core::partition_id{0}}), std::vector<error_code>{error_code::none});
  EXPECT_EQ(c.produce(id, p, e, 0, t, "one"), error_code::none);
  EXPECT_EQ(c.add_offsets(4, id, p, e, group), error_code::none);
  EXPECT_EQ(c.commit_offset(5, id, p, e, group, t, 1), error_code::none);
  auto ended = c.end(5, id, p, e, true);
  EXPECT_EQ(ended.error_code, error_code::none);
  EXPECT_EQ(ended.producer_id, p) << "the same producer id";
  EXPECT_EQ(ended.producer_epoch, next(e)) << "the epoch for the next transaction";
  auto retried = c.end(5, id, p, e, true);
  EXPECT_EQ(retried.error_code, error_code::none) << "a retry of the commit is answered again";
  EXPECT_EQ(retried.producer_epoch, next(e));
  EXPECT_EQ(c.add_partitions(3, id, p, e, t, {core::partition_id{0}}),
            std::vector<error_code>{error_code::producer_fenced})
      << "the epoch the transaction ran with is fenced";
  auto failed = c.end(5, id, p, next(e), true);
  EXPECT_EQ(failed.error_code, error_code::invalid_txn_state) << "nothing is open to commit";
  EXPECT_EQ(failed.producer_id.value(), -1);
  EXPECT_EQ(failed.producer_epoch.value(), -1);

  // 2: at the new epoch (the sequence starts again), with TxnOffsetCommit v5 alone adding the
  // group's offsets partition to the transaction; aborted.
  const core::producer_epoch e1 = ended.producer_epoch;
  EXPECT_EQ(c.add_partitions(3, id, p, e1, t, {core::partition_id{0}}), std::vector<error_code>{error_code::none});
  EXPECT_EQ(c.produce(id, p, e1, 0, t, "two"), error_code::none);
  EXPECT_EQ(c.commit_offset(5, id, p, e1, group, t, 2), error_code::none);
  auto aborted = c.end(5, id, p, e1, false);
  EXPECT_EQ(aborted.error_code, error_code::none);
  EXPECT_EQ(aborted.producer_epoch, next(e1));

  // 3: TxnOffsetCommit before v5 needs AddOffsetsToTxn first; v5 does not.
  const core::producer_epoch e2 = aborted.producer_epoch;
  EXPECT_EQ(c.commit_offset(4, id, p, e2, group, t, 5), error_code::transaction_abortable);
  EXPECT_EQ(c.commit_offset(3, id, p, e2, group, t, 5), error_code::invalid_txn_state);
  EXPECT_EQ(c.commit_offset(5, id, p, e1, group, t, 5), error_code::invalid_producer_epoch)
      << "a fenced producer, as Apache Kafka's verification answers it";
  EXPECT_EQ(c.commit_offset(5, id, p, e2, group, t, 5), error_code::none);
  auto third = c.end(5, id, p, e2, true);
  EXPECT_EQ(third.error_code, error_code::none);
  EXPECT_EQ(third.producer_epoch, next(e2));

  // An EndTxn v4 keeps the epoch (transaction version 1) and has no fields for it.
  const core::producer_epoch e3 = third.producer_epoch;
  EXPECT_EQ(c.add_partitions(3, id, p, e3, t, {core::partition_id{0}}), std::vector<error_code>{error_code::none});
  EXPECT_EQ(c.end(4, id, p, e3, false).error_code, error_code::none);
  EXPECT_EQ(c.add_partitions(3, id, p, e3, t, {core::partition_id{0}}), std::vector<error_code>{error_code::none})
      << "the same epoch opens the next transaction";
  EXPECT_EQ(c.end(3, id, p, e3, false).error_code, error_code::none);

  // Only the first transaction's record, and the third's offset, are committed.
  auto plain = make_producer();
  produce(*plain, t, 0, "k", "end");
  auto committed = read_until(t, {0}, "read_committed", "end");
  EXPECT_EQ(values(committed), (std::multiset<std::string>{"one", "end"}));
  auto consumer = assigned_consumer(t, {0}, group);
  std::vector<RdKafka::TopicPartition*> tps{RdKafka::TopicPartition::create(t, 0)};
  ASSERT_EQ(consumer->committed(tps, 10000), RdKafka::ERR_NO_ERROR);
  EXPECT_EQ(tps[0]->offset(), 5);
  RdKafka::TopicPartition::destroy(tps);
  consumer->close();
}

TEST_F(transactions_test, add_partitions_to_txn_v4_v5_verify_and_add_in_batches) {
  const std::string t = topic("verify"), a = topic("verify-a"), b = topic("verify-b");
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  txn_client c(options().port);
  auto pa = c.init(a);
  auto pb = c.init(b);
  const core::partition_id p0{0}, p1{1};

  using request = protocol::add_partitions_to_txn_request;
  using response = protocol::add_partitions_to_txn_response;
  auto txn = [&](const std::string& id, const protocol::init_producer_id_response& who, bool verify_only,
                 std::vector<core::partition_id> partitions) {
    return request::add_partitions_to_txn_transaction{id, who.producer_id, who.producer_epoch, verify_only,
                                                      {{t, std::move(partitions)}}};
  };
  /// The errors of each transaction of the answer, by transactional id, in partition order.
  auto send = [&](int16_t version, std::vector<request::add_partitions_to_txn_transaction> transactions) {
    request r;
    r.transactions = std::move(transactions);
    auto answer = c.call<response>(api_key::add_partitions_to_txn, version, r);
    std::map<std::string, std::vector<error_code>> out;
    EXPECT_TRUE(answer);
    if (!answer) return out;
    EXPECT_EQ(answer->error_code, error_code::none) << "no authorizer: CLUSTER_ACTION is granted";
    EXPECT_EQ(answer->results_by_transaction.size(), r.transactions.size());
    for (const auto& res : answer->results_by_transaction) {
      auto& codes = out[res.transactional_id];
      for (const auto& tr : res.topic_results) {
        for (const auto& pr : tr.results_by_partition) codes.push_back(pr.partition_error_code);
      }
    }
    return out;
  };
  using codes = std::vector<error_code>;

  // Nothing added yet: v5 answers TRANSACTION_ABORTABLE, v4 (whose callers predate that code)
  // INVALID_TXN_STATE.
  EXPECT_EQ(send(5, {txn(a, pa, true, {p0, p1})})[a], (codes{error_code::transaction_abortable, error_code::transaction_abortable}));
  EXPECT_EQ(send(4, {txn(a, pa, true, {p0})})[a], codes{error_code::invalid_txn_state});

  // The non-verify form adds, several transactions in one request, each answered on its own.
  auto fenced = pb;
  fenced.producer_epoch = next(pb.producer_epoch);
  auto added = send(5, {txn(a, pa, false, {p0}), txn(b, fenced, false, {p1}), txn(topic("nobody"), pa, false, {p0})});
  EXPECT_EQ(added[a], codes{error_code::none});
  EXPECT_EQ(added[b], codes{error_code::producer_fenced});
  EXPECT_EQ(added[topic("nobody")], codes{error_code::invalid_producer_id_mapping});

  auto verified = send(5, {txn(a, pa, true, {p0, p1}), txn(b, pb, true, {p1})});
  EXPECT_EQ(verified[a], (codes{error_code::none, error_code::transaction_abortable}));
  EXPECT_EQ(verified[b], codes{error_code::transaction_abortable}) << "b's add was fenced";
  EXPECT_EQ(send(4, {txn(a, pa, true, {p0, p1})})[a], (codes{error_code::none, error_code::invalid_txn_state}));
  EXPECT_EQ(send(5, {txn(a, fenced, true, {p0})})[a], codes{error_code::invalid_producer_id_mapping})
      << "b's producer id is not a's";
  auto a_fenced = pa;
  a_fenced.producer_epoch = next(pa.producer_epoch);
  EXPECT_EQ(send(5, {txn(a, a_fenced, true, {p0})})[a], codes{error_code::producer_fenced});
  EXPECT_EQ(send(5, {txn(a, pa, true, {p0, core::partition_id{7}})})[a],
            (codes{error_code::operation_not_attempted, error_code::unknown_topic_or_partition}));
  EXPECT_EQ(send(5, {txn("", pa, true, {p0})})[""], codes{error_code::invalid_request});
  EXPECT_TRUE(send(5, {}).empty()) << "no transactions, an empty answer";

  // The client form sees what v4+ added: adding again changes nothing.
  EXPECT_EQ(c.add_partitions(3, a, pa.producer_id, pa.producer_epoch, t, {p0, p1}),
            (codes{error_code::none, error_code::none}));
  EXPECT_EQ(send(5, {txn(a, pa, true, {p0, p1})})[a], (codes{error_code::none, error_code::none}));

  // Once the transaction ends, its partitions are out of it.
  EXPECT_EQ(c.end(5, a, pa.producer_id, pa.producer_epoch, true).error_code, error_code::none);
  auto after = pa;
  after.producer_epoch = next(pa.producer_epoch);
  EXPECT_EQ(send(5, {txn(a, after, true, {p0})})[a], codes{error_code::transaction_abortable});
  EXPECT_EQ(send(5, {txn(a, pa, true, {p0})})[a], codes{error_code::producer_fenced});
}

}  // namespace
}  // namespace sluice::testing
