// Consumer groups against a real sluice-broker with librdkafka's KafkaConsumer: partition
// assignment across members, graceful leave, a member killed without LeaveGroup, committed
// offsets (with metadata) resumed by new consumers, across broker restarts and kill -9, static
// membership, and the admin group APIs.

#include "tests/integration/broker_fixture.h"

#include "core/protocol/describe_groups.h"
#include "core/protocol/find_coordinator.h"
#include "core/protocol/heartbeat.h"
#include "core/protocol/join_group.h"
#include "core/protocol/leave_group.h"
#include "core/protocol/list_groups.h"
#include "core/protocol/request_header.h"
#include "core/protocol/sync_group.h"
#include "core/log.h"

#include <librdkafka/rdkafka.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

namespace sluice::testing {
namespace {

using clock_type = std::chrono::steady_clock;

/// Applies assignments and remembers what it was given (librdkafka calls it from consume()).
class rebalance_recorder : public RdKafka::RebalanceCb {
 public:
  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      consumer->assign(partitions);
      assigned.clear();
      for (auto* p : partitions) assigned.insert(p->partition());
      ++assignments;
    } else {
      consumer->unassign();
      assigned.clear();
      ++revocations;
    }
  }
  std::set<int32_t> assigned;
  int assignments = 0;
  int revocations = 0;
};

/// One group member: a KafkaConsumer, its rebalance history and what it consumed.
struct member {
  std::unique_ptr<rebalance_recorder> rebalances = std::make_unique<rebalance_recorder>();
  std::unique_ptr<RdKafka::KafkaConsumer> consumer;
  std::vector<consumed> records;

  /// One consume() call: runs callbacks, keeps a record if one arrived.
  void poll(int timeout_ms) {
    std::unique_ptr<RdKafka::Message> m(consumer->consume(timeout_ms));
    if (m->err() != RdKafka::ERR_NO_ERROR) return;
    consumed r;
    r.topic = m->topic_name();
    r.partition = m->partition();
    r.offset = m->offset();
    if (m->payload()) r.value = std::string(static_cast<const char*>(m->payload()), m->len());
    records.push_back(std::move(r));
  }
  const std::set<int32_t>& assigned() const { return rebalances->assigned; }
};

std::unique_ptr<RdKafka::KafkaConsumer> make_group_consumer(
    const std::string& bootstrap, const std::string& group, RdKafka::RebalanceCb* rebalance,
    const std::map<std::string, std::string>& extra = {}) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  std::map<std::string, std::string> settings{
      {"bootstrap.servers", bootstrap},
      {"group.id", group},
      {"session.timeout.ms", "6000"},
      {"heartbeat.interval.ms", "500"},
      {"auto.offset.reset", "earliest"},
      {"enable.auto.commit", "false"},
      {"topic.metadata.refresh.interval.ms", "1000"},
  };
  for (const auto& [k, v] : extra) settings[k] = v;
  for (const auto& [k, v] : settings) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) ADD_FAILURE() << k << ": " << err;
  }
  if (rebalance != nullptr) conf->set("rebalance_cb", rebalance, err);
  std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
  EXPECT_TRUE(c) << err;
  return c;
}

/// Commits `offset` with `metadata` for one partition, synchronously (C API: the C++ one has
/// no metadata).
rd_kafka_resp_err_t commit_with_metadata(RdKafka::KafkaConsumer& c, const std::string& topic,
                                         int32_t partition, int64_t offset, const std::string& metadata) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  auto* tp = rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
  tp->offset = offset;
  tp->metadata = std::malloc(metadata.size());
  std::memcpy(tp->metadata, metadata.data(), metadata.size());
  tp->metadata_size = metadata.size();
  auto err = rd_kafka_commit(c.c_ptr(), list, 0);
  rd_kafka_topic_partition_list_destroy(list);
  return err;
}

/// The committed offset and metadata of one partition, as the group coordinator answers.
std::pair<int64_t, std::string> committed(RdKafka::KafkaConsumer& c, const std::string& topic,
                                          int32_t partition) {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition);
  auto err = rd_kafka_committed(c.c_ptr(), list, 10000);
  EXPECT_EQ(err, RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_err2str(err);
  std::pair<int64_t, std::string> out{list->elems[0].offset, ""};
  if (list->elems[0].metadata) {
    out.second.assign(static_cast<const char*>(list->elems[0].metadata), list->elems[0].metadata_size);
  }
  rd_kafka_topic_partition_list_destroy(list);
  return out;
}

class group_test : public broker_test {
 protected:
  void SetUp() override {
    core::set_log_sink([this](core::log_level level, std::string_view component, std::string_view message) {
      std::fprintf(stderr, "%s [%.*s] %.*s\n", std::string(core::to_string(level)).c_str(),
                   static_cast<int>(component.size()), component.data(), static_cast<int>(message.size()),
                   message.data());
      if (component == "broker.group") {
        std::lock_guard lock(_log_mutex);
        _group_log.emplace_back(message);
      }
    });
    _options.groups.initial_rebalance_delay_ms = 0;
    broker_test::SetUp();
  }
  void TearDown() override {
    _members.clear();
    broker_test::TearDown();
    core::set_log_sink(nullptr);
  }

  member& add_member(const std::string& group, const std::string& topic,
                     const std::map<std::string, std::string>& extra = {}) {
    auto& m = _members.emplace_back();
    m.consumer = make_group_consumer(bootstrap(), group, m.rebalances.get(), extra);
    EXPECT_EQ(m.consumer->subscribe({topic}), RdKafka::ERR_NO_ERROR);
    return m;
  }

  /// Polls every listed member in turn until `done` holds or `timeout` passes.
  bool poll_until(const std::vector<member*>& who, const std::function<bool()>& done,
                  std::chrono::milliseconds timeout = std::chrono::seconds(40)) {
    auto deadline = clock_type::now() + timeout;
    while (clock_type::now() < deadline) {
      for (auto* m : who) m->poll(20);
      if (done()) return true;
    }
    return done();
  }

  /// Each member holds `expected[i]` partitions and together they cover 0..n-1 exactly once.
  static bool covers(const std::vector<member*>& who, int partitions, std::vector<size_t> sizes = {}) {
    std::multiset<int32_t> all;
    std::vector<size_t> got;
    for (auto* m : who) {
      all.insert(m->assigned().begin(), m->assigned().end());
      got.push_back(m->assigned().size());
    }
    if (all.size() != static_cast<size_t>(partitions) || std::set<int32_t>(all.begin(), all.end()).size() != all.size()) {
      return false;
    }
    if (sizes.empty()) return true;
    std::sort(got.begin(), got.end());
    std::sort(sizes.begin(), sizes.end());
    return got == sizes;
  }

  bool group_log_contains(std::string_view text) {
    std::lock_guard lock(_log_mutex);
    return std::any_of(_group_log.begin(), _group_log.end(),
                       [&](const std::string& l) { return l.find(text) != std::string::npos; });
  }
  size_t group_log_count(std::string_view text) {
    std::lock_guard lock(_log_mutex);
    return static_cast<size_t>(std::count_if(_group_log.begin(), _group_log.end(),
                                              [&](const std::string& l) { return l.find(text) != std::string::npos; }));
  }

  void produce_n(const std::string& t, int partition, int n) {
    auto p = make_producer();
    for (int i = 0; i < n; ++i) produce(*p, t, partition, "k" + std::to_string(i), "v" + std::to_string(i));
  }

  std::deque<member> _members;
  std::mutex _log_mutex;
  std::vector<std::string> _group_log;
};

TEST_F(group_test, three_consumers_each_get_one_partition_and_a_graceful_leave_moves_its_partition) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 3), RdKafka::ERR_NO_ERROR);
  auto& a = add_member("three", t);
  auto& b = add_member("three", t);
  auto& c = add_member("three", t);
  std::vector<member*> all{&a, &b, &c};
  ASSERT_TRUE(poll_until(all, [&] { return covers(all, 3, {1, 1, 1}); }))
      << a.assigned().size() << " " << b.assigned().size() << " " << c.assigned().size();

  // c closes: librdkafka sends LeaveGroup and the other two take over at once.
  auto left_at = clock_type::now();
  c.consumer->close();
  std::vector<member*> rest{&a, &b};
  ASSERT_TRUE(poll_until(rest, [&] { return covers(rest, 3, {1, 2}); }));
  EXPECT_TRUE(group_log_contains(" left")) << "LeaveGroup, not a session expiry";
  EXPECT_FALSE(group_log_contains("expired"));
  EXPECT_LT(clock_type::now() - left_at, std::chrono::seconds(6)) << "faster than the session timeout";

  // And everything produced is consumed by the two survivors.
  produce_n(t, 0, 3);
  produce_n(t, 1, 3);
  produce_n(t, 2, 3);
  ASSERT_TRUE(poll_until(rest, [&] { return a.records.size() + b.records.size() >= 9; }));
}

/// Not a test on its own: the consumer a child process runs for `killed_member_moves_...`
/// (started as this binary with --gtest_also_run_disabled_tests). Skips unless the parent set
/// the environment; consumes until SIGKILL.
TEST(group_child, DISABLED_consume_until_killed) {
  const char* bootstrap = std::getenv("SLUICE_GROUP_CHILD_BOOTSTRAP");
  const char* topic = std::getenv("SLUICE_GROUP_CHILD_TOPIC");
  const char* group = std::getenv("SLUICE_GROUP_CHILD_GROUP");
  if (!bootstrap || !topic || !group) GTEST_SKIP() << "only run as a child of group_test";
  rebalance_recorder rb;
  auto c = make_group_consumer(bootstrap, group, &rb);
  ASSERT_EQ(c->subscribe({topic}), RdKafka::ERR_NO_ERROR);
  auto deadline = clock_type::now() + std::chrono::seconds(120);
  while (clock_type::now() < deadline) delete c->consume(100);
}

TEST_F(group_test, killed_member_without_leave_group_loses_its_partition_after_the_session_timeout) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 3), RdKafka::ERR_NO_ERROR);
  auto& a = add_member("killed", t);
  auto& b = add_member("killed", t);
  std::vector<member*> two{&a, &b};
  ASSERT_TRUE(poll_until(two, [&] { return covers(two, 3, {1, 2}); }));

  // The third member lives in a child process so that SIGKILL closes its sockets without a
  // LeaveGroup, exactly like a crashed consumer.
  pid_t child = ::fork();
  if (child == 0) {
    ::setenv("SLUICE_GROUP_CHILD_BOOTSTRAP", bootstrap().c_str(), 1);
    ::setenv("SLUICE_GROUP_CHILD_TOPIC", t.c_str(), 1);
    ::setenv("SLUICE_GROUP_CHILD_GROUP", "killed", 1);
    ::execl("/proc/self/exe", "group-child", "--gtest_filter=group_child.DISABLED_consume_until_killed",
            "--gtest_also_run_disabled_tests", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_GT(child, 0);
  // With three members a and b hold one partition each: the child has the third.
  bool joined = poll_until(two, [&] { return a.assigned().size() == 1 && b.assigned().size() == 1 &&
                                             covers(two, 2); });
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ASSERT_TRUE(joined) << "the child consumer never joined";
  EXPECT_FALSE(group_log_contains("expired"));

  auto killed_at = clock_type::now();
  ASSERT_TRUE(poll_until(two, [&] { return covers(two, 3, {1, 2}); }));
  EXPECT_TRUE(group_log_contains("expired after 6000 ms without a heartbeat"));
  EXPECT_GE(clock_type::now() - killed_at, std::chrono::seconds(4)) << "only the session timeout moves it";
}

TEST_F(group_test, a_new_consumer_resumes_from_committed_offsets_with_metadata) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  produce_n(t, 0, 10);
  {
    auto& first = add_member("resume", t);
    ASSERT_TRUE(poll_until({&first}, [&] { return first.records.size() >= 4; }));
    ASSERT_EQ(first.records[3].offset, 3);
    EXPECT_EQ(commit_with_metadata(*first.consumer, t, 0, 4, "after-3"), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(committed(*first.consumer, t, 0), (std::pair<int64_t, std::string>{4, "after-3"}));
    first.consumer->close();
  }
  auto& second = add_member("resume", t);
  ASSERT_TRUE(poll_until({&second}, [&] { return !second.records.empty(); }));
  EXPECT_EQ(second.records.front().offset, 4);
  EXPECT_EQ(second.records.front().value, "v4");
  EXPECT_EQ(committed(*second.consumer, t, 0), (std::pair<int64_t, std::string>{4, "after-3"}));
}

TEST_F(group_test, committed_offsets_survive_a_broker_restart) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  produce_n(t, 0, 5);
  produce_n(t, 1, 5);
  {
    auto c = make_group_consumer(bootstrap(), "restart", nullptr);
    EXPECT_EQ(commit_with_metadata(*c, t, 0, 2, "p0"), RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(commit_with_metadata(*c, t, 1, 3, "p1"), RD_KAFKA_RESP_ERR_NO_ERROR);
    c->close();
  }
  stop_broker();
  start_broker();
  auto& m = add_member("restart", t);
  EXPECT_EQ(committed(*m.consumer, t, 0), (std::pair<int64_t, std::string>{2, "p0"}));
  EXPECT_EQ(committed(*m.consumer, t, 1), (std::pair<int64_t, std::string>{3, "p1"}));
  ASSERT_TRUE(poll_until({&m}, [&] { return m.records.size() >= 5; }));
  std::set<std::pair<int32_t, int64_t>> firsts;
  for (const auto& r : m.records) firsts.insert({r.partition, r.offset});
  EXPECT_EQ(firsts.begin()->second, 2) << "partition 0 resumes at 2";
  EXPECT_FALSE(firsts.contains({1, 2})) << "partition 1 resumes at 3";
  EXPECT_TRUE(firsts.contains({1, 3}));
}

TEST(group_broker_process, committed_offsets_and_group_membership_survive_kill_9) {
  temp_dir dir;
  const uint16_t port = free_port();
  const std::vector<std::string> sets{"group.initial.rebalance.delay.ms=0"};
  auto broker = std::make_unique<broker_process>(dir.path() / "data", port, sets);
  const std::string bootstrap = broker->bootstrap();
  const std::string t = "kill9-offsets";
  std::unique_ptr<RdKafka::Conf> pconf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  pconf->set("bootstrap.servers", bootstrap, err);
  pconf->set("reconnect.backoff.max.ms", "500", err);
  auto produce_values = [&](int from, int to) {
    std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(pconf.get(), err));
    for (int i = from; i < to; ++i) {
      auto v = "r" + std::to_string(i);
      p->produce(t, 0, RdKafka::Producer::RK_MSG_COPY, v.data(), v.size(), nullptr, 0, 0, nullptr, nullptr);
    }
    ASSERT_EQ(p->flush(30000), RdKafka::ERR_NO_ERROR);
  };
  produce_values(0, 20);

  rebalance_recorder rb;
  auto c = make_group_consumer(bootstrap, "kill9-group", &rb, {{"reconnect.backoff.max.ms", "500"}});
  ASSERT_EQ(c->subscribe({t}), RdKafka::ERR_NO_ERROR);
  std::vector<int64_t> offsets;
  auto read_until = [&](size_t n, std::chrono::seconds timeout) {
    auto deadline = clock_type::now() + timeout;
    while (offsets.size() < n && clock_type::now() < deadline) {
      std::unique_ptr<RdKafka::Message> m(c->consume(100));
      if (m->err() == RdKafka::ERR_NO_ERROR) offsets.push_back(m->offset());
    }
  };
  read_until(12, std::chrono::seconds(30));
  ASSERT_EQ(offsets.size(), 12u);
  ASSERT_EQ(commit_with_metadata(*c, t, 0, 12, "before-crash"), RD_KAFKA_RESP_ERR_NO_ERROR);
  const int assignments = rb.assignments;
  const int revocations = rb.revocations;

  // The commit was acknowledged; now the broker dies without any shutdown and comes back.
  broker->kill9();
  broker = std::make_unique<broker_process>(dir.path() / "data", port, sets);

  // The consumer never left: the rebuilt group still knows its member id and generation, so
  // it keeps its partition (no revocation) and simply continues after reconnecting.
  read_until(20, std::chrono::seconds(40));
  produce_values(20, 25);
  read_until(25, std::chrono::seconds(40));
  ASSERT_EQ(offsets.size(), 25u);
  for (size_t i = 0; i < offsets.size(); ++i) EXPECT_EQ(offsets[i], static_cast<int64_t>(i));
  EXPECT_EQ(rb.assignments, assignments) << "no rebalance across the broker crash";
  EXPECT_EQ(rb.revocations, revocations);
  c->close();
  c.reset();

  // A new consumer of the group starts at the offset committed before the crash.
  rebalance_recorder rb2;
  auto c2 = make_group_consumer(bootstrap, "kill9-group", &rb2);
  EXPECT_EQ(committed(*c2, t, 0), (std::pair<int64_t, std::string>{12, "before-crash"}));
  ASSERT_EQ(c2->subscribe({t}), RdKafka::ERR_NO_ERROR);
  int64_t first = -1;
  auto deadline = clock_type::now() + std::chrono::seconds(40);
  while (first < 0 && clock_type::now() < deadline) {
    std::unique_ptr<RdKafka::Message> m(c2->consume(100));
    if (m->err() == RdKafka::ERR_NO_ERROR) first = m->offset();
  }
  EXPECT_EQ(first, 12);
  c2->close();
  c2.reset();
  EXPECT_TRUE(broker_process::exited_cleanly(broker->stop()));
}

TEST_F(group_test, a_restarted_static_member_rejoins_without_a_rebalance) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 3), RdKafka::ERR_NO_ERROR);
  auto& a = add_member("static", t, {{"group.instance.id", "static-a"}});
  auto& b = add_member("static", t, {{"group.instance.id", "static-b"}});
  std::vector<member*> both{&a, &b};
  ASSERT_TRUE(poll_until(both, [&] { return covers(both, 3, {1, 2}); }));
  // Let the group settle.
  poll_until(both, [] { return false; }, std::chrono::milliseconds(1500));
  const auto b_partitions = b.assigned();
  const int a_assignments = a.rebalances->assignments;
  const int a_revocations = a.rebalances->revocations;
  const size_t generations = group_log_count("group static: generation");

  // b's process "restarts": a static member sends no LeaveGroup on close; the new instance
  // joins with the same group.instance.id and an empty member id.
  b.consumer->close();
  b.consumer.reset();
  auto& b2 = add_member("static", t, {{"group.instance.id", "static-b"}});
  std::vector<member*> after{&a, &b2};
  ASSERT_TRUE(poll_until(after, [&] { return !b2.assigned().empty(); }));
  EXPECT_EQ(b2.assigned(), b_partitions) << "the same partitions, from the stored assignment";
  // Keep polling past b's old session timeout: nothing else happens.
  poll_until(after, [] { return false; }, std::chrono::seconds(7));
  EXPECT_EQ(a.rebalances->assignments, a_assignments) << "a saw no rebalance";
  EXPECT_EQ(a.rebalances->revocations, a_revocations);
  EXPECT_EQ(group_log_count("group static: generation"), generations) << "generation unchanged";
  EXPECT_TRUE(group_log_contains("static member static-b rejoined"));
  EXPECT_FALSE(group_log_contains("expired"));
  EXPECT_EQ(b2.assigned(), b_partitions);
}

// ---- raw requests: versions and paths the clients above do not take ---------------------------

namespace protocol = ::sluice::protocol;


TEST_F(group_test, find_coordinator_answers_this_node_for_groups_and_transactions) {
  raw_client c(options().port);
  for (int8_t type : {protocol::coordinator_type_group, protocol::coordinator_type_transaction}) {
    auto r = c.call<protocol::find_coordinator_response>(protocol::api_key::find_coordinator, 2,
                                                         protocol::find_coordinator_request{"some-key", type});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->error_code, protocol::error_code::none);
    EXPECT_EQ(r->node_id, core::node_id{0});
    EXPECT_EQ(r->host, "127.0.0.1");
    EXPECT_EQ(r->port, options().port);
  }
  auto v0 = c.call<protocol::find_coordinator_response>(protocol::api_key::find_coordinator, 0,
                                                        protocol::find_coordinator_request{"g", 0});
  ASSERT_TRUE(v0);
  EXPECT_EQ(v0->port, options().port);
  auto bad = c.call<protocol::find_coordinator_response>(protocol::api_key::find_coordinator, 1,
                                                         protocol::find_coordinator_request{"g", 5});
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->error_code, protocol::error_code::invalid_request);
}

TEST_F(group_test, old_protocol_versions_join_heartbeat_and_leave) {
  raw_client c(options().port);
  protocol::join_group_request join;
  join.group_id = "raw-old";
  join.session_timeout_ms = 6000;
  join.rebalance_timeout_ms = 10000;
  join.protocol_type = "consumer";
  join.protocols.push_back({"range", core::to_bytes("sub")});
  // v3 predates MEMBER_ID_REQUIRED: the member id comes with the first answer.
  auto joined = c.call<protocol::join_group_response>(protocol::api_key::join_group, 3, join);
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->error_code, protocol::error_code::none);
  EXPECT_EQ(joined->generation_id, 1);
  EXPECT_EQ(joined->protocol_name, "range");
  EXPECT_EQ(joined->leader, joined->member_id);
  ASSERT_EQ(joined->members.size(), 1u);
  EXPECT_EQ(joined->members[0].metadata, core::to_bytes("sub"));
  EXPECT_TRUE(joined->member_id.starts_with("raw-client-"));

  // v4+: MEMBER_ID_REQUIRED first.
  protocol::join_group_request second = join;
  second.group_id = "raw-new";
  auto required = c.call<protocol::join_group_response>(protocol::api_key::join_group, 5, second);
  ASSERT_TRUE(required);
  EXPECT_EQ(required->error_code, protocol::error_code::member_id_required);
  EXPECT_FALSE(required->member_id.empty());

  protocol::heartbeat_request hb{"raw-old", joined->generation_id, joined->member_id, std::nullopt};
  auto beat = c.call<protocol::heartbeat_response>(protocol::api_key::heartbeat, 0, hb);
  ASSERT_TRUE(beat);
  EXPECT_EQ(beat->error_code, protocol::error_code::none);  // CompletingRebalance
  hb.generation_id = 7;
  EXPECT_EQ(c.call<protocol::heartbeat_response>(protocol::api_key::heartbeat, 0, hb)->error_code,
            protocol::error_code::illegal_generation);
  hb.member_id = "nobody";
  EXPECT_EQ(c.call<protocol::heartbeat_response>(protocol::api_key::heartbeat, 0, hb)->error_code,
            protocol::error_code::unknown_member_id);

  protocol::leave_group_request leave;
  leave.group_id = "raw-old";
  leave.member_id = "nobody";
  EXPECT_EQ(c.call<protocol::leave_group_response>(protocol::api_key::leave_group, 0, leave)->error_code,
            protocol::error_code::unknown_member_id);
  leave.member_id = joined->member_id;
  EXPECT_EQ(c.call<protocol::leave_group_response>(protocol::api_key::leave_group, 1, leave)->error_code,
            protocol::error_code::none);

  protocol::describe_groups_request describe;
  describe.groups = {"raw-old", "raw-never"};
  auto described = c.call<protocol::describe_groups_response>(protocol::api_key::describe_groups, 0, describe);
  ASSERT_TRUE(described);
  ASSERT_EQ(described->groups.size(), 2u);
  EXPECT_EQ(described->groups[0].group_state, "Empty");
  EXPECT_EQ(described->groups[0].protocol_type, "consumer");
  EXPECT_EQ(described->groups[1].group_state, "Dead");
  EXPECT_EQ(described->groups[1].error_code, protocol::error_code::none);
}

// ---- raw requests at the newest versions (flexible encodings, Kafka 4.x fields) ---------------

/// A JoinGroup of a "consumer" member offering "range", at `version`.
protocol::join_group_request consumer_join(const std::string& group, const std::string& member_id = "",
                                           std::optional<std::string> instance_id = std::nullopt) {
  protocol::join_group_request join;
  join.group_id = group;
  join.session_timeout_ms = 6000;
  join.rebalance_timeout_ms = 10000;
  join.member_id = member_id;
  join.group_instance_id = std::move(instance_id);
  join.protocol_type = "consumer";
  join.protocols.push_back({"range", core::to_bytes("sub")});
  return join;
}

/// A SyncGroup v5 of `joined`'s member naming the group's protocol, with `assignments`.
protocol::sync_group_request consumer_sync(const std::string& group, const protocol::join_group_response& joined,
                                           std::vector<protocol::sync_group_request::sync_group_request_assignment>
                                               assignments = {}) {
  protocol::sync_group_request sync;
  sync.group_id = group;
  sync.generation_id = joined.generation_id;
  sync.member_id = joined.member_id;
  sync.protocol_type = "consumer";
  sync.protocol_name = "range";
  sync.assignments = std::move(assignments);
  return sync;
}

TEST_F(group_test, find_coordinator_v4_answers_every_key_and_refuses_share_groups) {
  raw_client c(options().port);
  // v3: the single-key form, flexible.
  auto v3 = c.call<protocol::find_coordinator_response>(protocol::api_key::find_coordinator, 3,
                                                        protocol::find_coordinator_request{"g", 0, {}});
  ASSERT_TRUE(v3);
  EXPECT_EQ(v3->error_code, protocol::error_code::none);
  EXPECT_EQ(v3->port, options().port);

  // v4+: one answer per key, in request order.
  for (int16_t v : {4, 5, 6}) {
    for (int8_t type : {protocol::coordinator_type_group, protocol::coordinator_type_transaction}) {
      protocol::find_coordinator_request batch;
      batch.key_type = type;
      batch.coordinator_keys = {"first", "second", "third"};
      auto r = c.call<protocol::find_coordinator_response>(protocol::api_key::find_coordinator, v, batch);
      ASSERT_TRUE(r) << "v" << v;
      ASSERT_EQ(r->coordinators.size(), 3u);
      for (size_t i = 0; i < 3; ++i) {
        const auto& co = r->coordinators[i];
        EXPECT_EQ(co.key, batch.coordinator_keys[i]);
        EXPECT_EQ(co.error_code, protocol::error_code::none);
        EXPECT_EQ(co.node_id, core::node_id{0});
        EXPECT_EQ(co.host, "127.0.0.1");
        EXPECT_EQ(co.port, options().port);
      }
    }
  }

  // v6 share groups (key type 2): no share coordinator here, so every key is refused without a
  // node, as Kafka does when share groups are off.
  protocol::find_coordinator_request share;
  share.key_type = protocol::coordinator_type_share;
  share.coordinator_keys = {"sg:AAAAAAAAAAAAAAAAAAAAAA:0", "sg:AAAAAAAAAAAAAAAAAAAAAA:1"};
  auto refused = c.call<protocol::find_coordinator_response>(protocol::api_key::find_coordinator, 6, share);
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->coordinators.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const auto& co = refused->coordinators[i];
    EXPECT_EQ(co.key, share.coordinator_keys[i]);
    EXPECT_EQ(co.error_code, protocol::error_code::invalid_request);
    EXPECT_TRUE(co.error_message.has_value());
    EXPECT_EQ(co.node_id, core::node_id{-1});
    EXPECT_EQ(co.host, "");
    EXPECT_EQ(co.port, -1);
  }
}

TEST_F(group_test, newest_versions_join_sync_heartbeat_and_leave_in_a_batch) {
  raw_client c(options().port);
  const std::string g = "raw-v9";
  // JoinGroup v9: MEMBER_ID_REQUIRED first; errors name no protocol type or name (null).
  auto join = consumer_join(g);
  auto required = c.call<protocol::join_group_response>(protocol::api_key::join_group, 9, join);
  ASSERT_TRUE(required);
  EXPECT_EQ(required->error_code, protocol::error_code::member_id_required);
  EXPECT_TRUE(required->member_id.starts_with("raw-client-"));
  EXPECT_EQ(required->protocol_type, std::nullopt);
  EXPECT_EQ(required->protocol_name, std::nullopt);

  join.member_id = required->member_id;
  join.reason = "need to re-join with the given member-id";
  auto joined = c.call<protocol::join_group_response>(protocol::api_key::join_group, 9, join);
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->error_code, protocol::error_code::none);
  EXPECT_EQ(joined->generation_id, 1);
  EXPECT_EQ(joined->protocol_type, std::optional<std::string>("consumer"));
  EXPECT_EQ(joined->protocol_name, std::optional<std::string>("range"));
  EXPECT_EQ(joined->leader, joined->member_id);
  EXPECT_FALSE(joined->skip_assignment) << "a leader chosen by a join phase assigns";
  ASSERT_EQ(joined->members.size(), 1u);
  EXPECT_EQ(joined->members[0].metadata, core::to_bytes("sub"));
  EXPECT_TRUE(group_log_contains("client reason: need to re-join with the given member-id"));

  // SyncGroup v5: the leader's assignment comes back with the group's protocol.
  auto synced = c.call<protocol::sync_group_response>(
      protocol::api_key::sync_group, 5, consumer_sync(g, *joined, {{joined->member_id, core::to_bytes("mine")}}));
  ASSERT_TRUE(synced);
  EXPECT_EQ(synced->error_code, protocol::error_code::none);
  EXPECT_EQ(synced->protocol_type, std::optional<std::string>("consumer"));
  EXPECT_EQ(synced->protocol_name, std::optional<std::string>("range"));
  EXPECT_EQ(synced->assignment, core::to_bytes("mine"));

  // Heartbeat v4 (flexible).
  protocol::heartbeat_request hb{g, joined->generation_id, joined->member_id, std::nullopt};
  auto beat = c.call<protocol::heartbeat_response>(protocol::api_key::heartbeat, 4, hb);
  ASSERT_TRUE(beat);
  EXPECT_EQ(beat->error_code, protocol::error_code::none);
  hb.generation_id = 2;
  EXPECT_EQ(c.call<protocol::heartbeat_response>(protocol::api_key::heartbeat, 4, hb)->error_code,
            protocol::error_code::illegal_generation);

  // LeaveGroup v5: one answer per member, in order; unknown members and instance ids get
  // UNKNOWN_MEMBER_ID each while the known one leaves.
  protocol::leave_group_request leave;
  leave.group_id = g;
  leave.members = {{"nobody", std::nullopt, std::nullopt},
                   {joined->member_id, std::nullopt, "the consumer is being closed"},
                   {"", "no-such-instance", std::nullopt}};
  auto left = c.call<protocol::leave_group_response>(protocol::api_key::leave_group, 5, leave);
  ASSERT_TRUE(left);
  EXPECT_EQ(left->error_code, protocol::error_code::none);
  ASSERT_EQ(left->members.size(), 3u);
  EXPECT_EQ(left->members[0].member_id, "nobody");
  EXPECT_EQ(left->members[0].error_code, protocol::error_code::unknown_member_id);
  EXPECT_EQ(left->members[1].member_id, joined->member_id);
  EXPECT_EQ(left->members[1].error_code, protocol::error_code::none);
  EXPECT_EQ(left->members[2].member_id, "");
  EXPECT_EQ(left->members[2].group_instance_id, std::optional<std::string>("no-such-instance"));
  EXPECT_EQ(left->members[2].error_code, protocol::error_code::unknown_member_id);
  EXPECT_TRUE(group_log_contains("client reason: the consumer is being closed"));

  protocol::describe_groups_request describe;
  describe.groups = {g};
  auto described = c.call<protocol::describe_groups_response>(protocol::api_key::describe_groups, 6, describe);
  ASSERT_TRUE(described);
  ASSERT_EQ(described->groups.size(), 1u);
  EXPECT_EQ(described->groups[0].error_code, protocol::error_code::none);
  EXPECT_EQ(described->groups[0].error_message, std::nullopt);
  EXPECT_EQ(described->groups[0].group_state, "Empty");
  EXPECT_TRUE(described->groups[0].members.empty());
}

TEST_F(group_test, sync_group_v5_refuses_a_protocol_the_group_does_not_use) {
  raw_client c(options().port);
  const std::string g = "raw-kip559";
  auto join = consumer_join(g);
  join.member_id = c.call<protocol::join_group_response>(protocol::api_key::join_group, 7, join)->member_id;
  auto joined = c.call<protocol::join_group_response>(protocol::api_key::join_group, 7, join);
  ASSERT_TRUE(joined);
  ASSERT_EQ(joined->error_code, protocol::error_code::none);

  auto other_name = consumer_sync(g, *joined, {{joined->member_id, core::to_bytes("a")}});
  other_name.protocol_name = "roundrobin";
  auto r = c.call<protocol::sync_group_response>(protocol::api_key::sync_group, 5, other_name);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error_code, protocol::error_code::inconsistent_group_protocol);
  EXPECT_EQ(r->protocol_type, std::nullopt);
  EXPECT_EQ(r->protocol_name, std::nullopt);
  EXPECT_TRUE(r->assignment.empty());

  auto other_type = consumer_sync(g, *joined);
  other_type.protocol_type = "connect";
  EXPECT_EQ(c.call<protocol::sync_group_response>(protocol::api_key::sync_group, 5, other_type)->error_code,
            protocol::error_code::inconsistent_group_protocol);

  // From v5 both fields are mandatory.
  auto unnamed = consumer_sync(g, *joined);
  unnamed.protocol_name.reset();
  EXPECT_EQ(c.call<protocol::sync_group_response>(protocol::api_key::sync_group, 5, unnamed)->error_code,
            protocol::error_code::inconsistent_group_protocol);

  // The refusals changed nothing: the leader still completes the rebalance, and v4 (no
  // protocol fields) is not checked.
  auto ok = c.call<protocol::sync_group_response>(
      protocol::api_key::sync_group, 5, consumer_sync(g, *joined, {{joined->member_id, core::to_bytes("a")}}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->error_code, protocol::error_code::none);
  EXPECT_EQ(ok->assignment, core::to_bytes("a"));
  auto v4 = consumer_sync(g, *joined);
  v4.protocol_type.reset();
  v4.protocol_name.reset();
  auto again = c.call<protocol::sync_group_response>(protocol::api_key::sync_group, 4, v4);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->error_code, protocol::error_code::none);
  EXPECT_EQ(again->assignment, core::to_bytes("a"));
}

TEST_F(group_test, a_static_leader_rejoining_at_v9_is_told_to_skip_the_assignment) {
  raw_client c(options().port);
  for (int16_t version : {8, 9}) {
    SCOPED_TRACE("JoinGroup v" + std::to_string(version));
    const std::string g = "raw-kip814-v" + std::to_string(version);
    auto first = c.call<protocol::join_group_response>(protocol::api_key::join_group, version,
                                                       consumer_join(g, "", "instance-a"));
    ASSERT_TRUE(first);
    ASSERT_EQ(first->error_code, protocol::error_code::none);
    ASSERT_EQ(first->leader, first->member_id);
    auto synced = c.call<protocol::sync_group_response>(
        protocol::api_key::sync_group, 5, consumer_sync(g, *first, {{first->member_id, core::to_bytes("p0")}}));
    ASSERT_TRUE(synced);
    ASSERT_EQ(synced->error_code, protocol::error_code::none);

    // The process restarts: same instance id, no member id. Nothing changes, so no rebalance.
    auto again = c.call<protocol::join_group_response>(protocol::api_key::join_group, version,
                                                       consumer_join(g, "", "instance-a"));
    ASSERT_TRUE(again);
    ASSERT_EQ(again->error_code, protocol::error_code::none);
    EXPECT_NE(again->member_id, first->member_id);
    EXPECT_EQ(again->generation_id, first->generation_id);
    if (version >= 9) {
      // KIP-814: it leads, sees the members, and must keep the assignment.
      EXPECT_TRUE(again->skip_assignment);
      EXPECT_EQ(again->leader, again->member_id);
      ASSERT_EQ(again->members.size(), 1u);
      EXPECT_EQ(again->members[0].group_instance_id, std::optional<std::string>("instance-a"));
    } else {
      // Before v9 the previous leader id is named, so the client acts as a follower.
      EXPECT_FALSE(again->skip_assignment);
      EXPECT_EQ(again->leader, first->member_id);
      EXPECT_TRUE(again->members.empty());
    }
    // Either way SyncGroup (without assignments) returns the stored assignment.
    auto stored = c.call<protocol::sync_group_response>(protocol::api_key::sync_group, 5, consumer_sync(g, *again));
    ASSERT_TRUE(stored);
    EXPECT_EQ(stored->error_code, protocol::error_code::none);
    EXPECT_EQ(stored->assignment, core::to_bytes("p0"));
    // The old member id is fenced.
    protocol::heartbeat_request old{g, first->generation_id, first->member_id, "instance-a"};
    EXPECT_EQ(c.call<protocol::heartbeat_response>(protocol::api_key::heartbeat, 4, old)->error_code,
              protocol::error_code::fenced_instance_id);
  }
}

TEST_F(group_test, describe_groups_v6_answers_group_id_not_found_for_an_unknown_group) {
  raw_client c(options().port);
  auto join = consumer_join("raw-described");
  ASSERT_TRUE(c.call<protocol::join_group_response>(protocol::api_key::join_group, 3, join));
  protocol::describe_groups_request describe;
  describe.groups = {"raw-never", "raw-described"};
  describe.include_authorized_operations = true;

  auto v6 = c.call<protocol::describe_groups_response>(protocol::api_key::describe_groups, 6, describe);
  ASSERT_TRUE(v6);
  ASSERT_EQ(v6->groups.size(), 2u);
  EXPECT_EQ(v6->groups[0].group_id, "raw-never");
  EXPECT_EQ(v6->groups[0].error_code, protocol::error_code::group_id_not_found);
  EXPECT_EQ(v6->groups[0].error_message, std::optional<std::string>("Group raw-never not found."));
  EXPECT_EQ(v6->groups[0].group_state, "Dead");
  EXPECT_EQ(v6->groups[0].authorized_operations, protocol::authorized_operations_unknown);
  EXPECT_EQ(v6->groups[1].error_code, protocol::error_code::none);
  EXPECT_EQ(v6->groups[1].error_message, std::nullopt);
  EXPECT_EQ(v6->groups[1].group_state, "CompletingRebalance");
  EXPECT_EQ(v6->groups[1].protocol_type, "consumer");
  EXPECT_EQ(v6->groups[1].members.size(), 1u);
  EXPECT_NE(v6->groups[1].authorized_operations, protocol::authorized_operations_unknown);

  // v5 (flexible) keeps the old answer: Dead without an error.
  auto v5 = c.call<protocol::describe_groups_response>(protocol::api_key::describe_groups, 5, describe);
  ASSERT_TRUE(v5);
  ASSERT_EQ(v5->groups.size(), 2u);
  EXPECT_EQ(v5->groups[0].error_code, protocol::error_code::none);
  EXPECT_EQ(v5->groups[0].group_state, "Dead");
}

TEST_F(group_test, list_groups_v5_filters_by_type_and_state) {
  raw_client c(options().port);
  auto join = consumer_join("raw-listed");
  ASSERT_TRUE(c.call<protocol::join_group_response>(protocol::api_key::join_group, 3, join));  // CompletingRebalance
  auto list = [&](std::vector<std::string> states, std::vector<std::string> types) {
    protocol::list_groups_request req;
    req.states_filter = std::move(states);
    req.types_filter = std::move(types);
    auto r = c.call<protocol::list_groups_response>(protocol::api_key::list_groups, 5, req);
    EXPECT_TRUE(r);
    std::vector<protocol::list_groups_response::listed_group> groups;
    if (r) {
      EXPECT_EQ(r->error_code, protocol::error_code::none);
      groups = r->groups;
    }
    return groups;
  };
  auto all = list({}, {});
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].group_id, "raw-listed");
  EXPECT_EQ(all[0].protocol_type, "consumer");
  EXPECT_EQ(all[0].group_state, "CompletingRebalance");
  EXPECT_EQ(all[0].group_type, "classic");

  EXPECT_EQ(list({}, {"CLASSIC"}).size(), 1u) << "type names match in any case";
  EXPECT_EQ(list({}, {"share", "Classic"}).size(), 1u);
  EXPECT_TRUE(list({}, {"consumer"}).empty()) << "no KIP-848 consumer groups here";
  EXPECT_TRUE(list({}, {"no-such-type"}).empty());
  EXPECT_EQ(list({"completingrebalance"}, {"classic"}).size(), 1u);
  EXPECT_TRUE(list({"Stable"}, {"classic"}).empty()) << "both filters apply";
}

// ---- librdkafka admin API on groups ----------------------------------------------------------

/// Runs one admin call and returns its result event (nullptr on timeout).
rd_kafka_event_t* admin_wait(rd_kafka_queue_t* q) { return rd_kafka_queue_poll(q, 30000); }

TEST_F(group_test, admin_lists_describes_alters_and_deletes_groups) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 2), RdKafka::ERR_NO_ERROR);
  auto& m = add_member("admin-active", t, {{"client.id", "describe-me"}});
  ASSERT_TRUE(poll_until({&m}, [&] { return m.assigned().size() == 2; }));
  auto p = make_producer();
  rd_kafka_t* rk = p->c_ptr();
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);

  // AlterConsumerGroupOffsets on a group nobody is in (an admin commit, generation -1).
  {
    rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(offsets, t.c_str(), 1)->offset = 7;
    rd_kafka_AlterConsumerGroupOffsets_t* alter = rd_kafka_AlterConsumerGroupOffsets_new("admin-idle", offsets);
    rd_kafka_AlterConsumerGroupOffsets(rk, &alter, 1, nullptr, q);
    rd_kafka_event_t* ev = admin_wait(q);
    ASSERT_TRUE(ev);
    EXPECT_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR_NO_ERROR);
    size_t n = 0;
    const rd_kafka_group_result_t** res = rd_kafka_AlterConsumerGroupOffsets_result_groups(
        rd_kafka_event_AlterConsumerGroupOffsets_result(ev), &n);
    ASSERT_EQ(n, 1u);
    const auto* parts = rd_kafka_group_result_partitions(res[0]);
    ASSERT_EQ(parts->cnt, 1);
    EXPECT_EQ(parts->elems[0].err, RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_event_destroy(ev);
    rd_kafka_AlterConsumerGroupOffsets_destroy(alter);
    rd_kafka_topic_partition_list_destroy(offsets);
  }
  // ListConsumerGroupOffsets reads it back (OffsetFetch v7, require_stable).
  {
    rd_kafka_topic_partition_list_t* want = rd_kafka_topic_partition_list_new(2);
    rd_kafka_topic_partition_list_add(want, t.c_str(), 0);
    rd_kafka_topic_partition_list_add(want, t.c_str(), 1);
    rd_kafka_ListConsumerGroupOffsets_t* list = rd_kafka_ListConsumerGroupOffsets_new("admin-idle", want);
    rd_kafka_ListConsumerGroupOffsets(rk, &list, 1, nullptr, q);
    rd_kafka_event_t* ev = admin_wait(q);
    ASSERT_TRUE(ev);
    size_t n = 0;
    const rd_kafka_group_result_t** res = rd_kafka_ListConsumerGroupOffsets_result_groups(
        rd_kafka_event_ListConsumerGroupOffsets_result(ev), &n);
    ASSERT_EQ(n, 1u);
    const auto* parts = rd_kafka_group_result_partitions(res[0]);
    ASSERT_EQ(parts->cnt, 2);
    std::map<int32_t, int64_t> got;
    for (int i = 0; i < parts->cnt; ++i) got[parts->elems[i].partition] = parts->elems[i].offset;
    EXPECT_EQ(got[0], RD_KAFKA_OFFSET_INVALID) << "nothing committed";
    EXPECT_EQ(got[1], 7);
    rd_kafka_event_destroy(ev);
    rd_kafka_ListConsumerGroupOffsets_destroy(list);
    rd_kafka_topic_partition_list_destroy(want);
  }
  // ListConsumerGroups (ListGroups v4) with and without a state filter.
  auto list_groups = [&](std::vector<rd_kafka_consumer_group_state_t> states) {
    rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS);
    if (!states.empty()) {
      rd_kafka_error_t* e = rd_kafka_AdminOptions_set_match_consumer_group_states(opts, states.data(), states.size());
      EXPECT_EQ(e, nullptr);
    }
    rd_kafka_ListConsumerGroups(rk, opts, q);
    rd_kafka_event_t* ev = admin_wait(q);
    std::map<std::string, rd_kafka_consumer_group_state_t> out;
    if (!ev) return out;
    const auto* result = rd_kafka_event_ListConsumerGroups_result(ev);
    size_t n = 0;
    const rd_kafka_ConsumerGroupListing_t** valid = rd_kafka_ListConsumerGroups_result_valid(result, &n);
    for (size_t i = 0; i < n; ++i) {
      out[rd_kafka_ConsumerGroupListing_group_id(valid[i])] = rd_kafka_ConsumerGroupListing_state(valid[i]);
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(opts);
    return out;
  };
  auto everything = list_groups({});
  EXPECT_EQ(everything["admin-active"], RD_KAFKA_CONSUMER_GROUP_STATE_STABLE);
  EXPECT_EQ(everything["admin-idle"], RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY);
  auto empty_only = list_groups({RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY});
  EXPECT_TRUE(empty_only.contains("admin-idle"));
  EXPECT_FALSE(empty_only.contains("admin-active"));

  // DescribeConsumerGroups (DescribeGroups v4): members with client id, host, assignment.
  {
    const char* groups[] = {"admin-active"};
    rd_kafka_DescribeConsumerGroups(rk, groups, 1, nullptr, q);
    rd_kafka_event_t* ev = admin_wait(q);
    ASSERT_TRUE(ev);
    size_t n = 0;
    const rd_kafka_ConsumerGroupDescription_t** d =
        rd_kafka_DescribeConsumerGroups_result_groups(rd_kafka_event_DescribeConsumerGroups_result(ev), &n);
    ASSERT_EQ(n, 1u);
    EXPECT_EQ(rd_kafka_ConsumerGroupDescription_error(d[0]), nullptr);
    EXPECT_EQ(rd_kafka_ConsumerGroupDescription_state(d[0]), RD_KAFKA_CONSUMER_GROUP_STATE_STABLE);
    EXPECT_STREQ(rd_kafka_ConsumerGroupDescription_partition_assignor(d[0]), "range");
    ASSERT_EQ(rd_kafka_ConsumerGroupDescription_member_count(d[0]), 1u);
    const auto* member = rd_kafka_ConsumerGroupDescription_member(d[0], 0);
    EXPECT_STREQ(rd_kafka_MemberDescription_client_id(member), "describe-me");
    EXPECT_STREQ(rd_kafka_MemberDescription_host(member), "/127.0.0.1");
    const auto* assigned = rd_kafka_MemberAssignment_partitions(rd_kafka_MemberDescription_assignment(member));
    ASSERT_TRUE(assigned);
    EXPECT_EQ(assigned->cnt, 2) << "decoded from the stored assignment bytes";
    rd_kafka_event_destroy(ev);
  }

  // DeleteConsumerGroupOffsets (OffsetDelete) on the idle group, then DeleteGroups: the
  // active group refuses (NON_EMPTY_GROUP), the idle one goes, an unknown one is not found.
  {
    rd_kafka_topic_partition_list_t* del = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(del, t.c_str(), 1);
    rd_kafka_DeleteConsumerGroupOffsets_t* req = rd_kafka_DeleteConsumerGroupOffsets_new("admin-idle", del);
    rd_kafka_DeleteConsumerGroupOffsets(rk, &req, 1, nullptr, q);
    rd_kafka_event_t* ev = admin_wait(q);
    ASSERT_TRUE(ev);
    EXPECT_EQ(rd_kafka_event_error(ev), RD_KAFKA_RESP_ERR_NO_ERROR) << rd_kafka_event_error_string(ev);
    size_t n = 0;
    const rd_kafka_group_result_t** res = rd_kafka_DeleteConsumerGroupOffsets_result_groups(
        rd_kafka_event_DeleteConsumerGroupOffsets_result(ev), &n);
    ASSERT_EQ(n, 1u);
    EXPECT_EQ(rd_kafka_group_result_error(res[0]), nullptr);
    rd_kafka_event_destroy(ev);
    rd_kafka_DeleteConsumerGroupOffsets_destroy(req);
    rd_kafka_topic_partition_list_destroy(del);
  }
  {
    rd_kafka_DeleteGroup_t* groups[] = {rd_kafka_DeleteGroup_new("admin-active"), rd_kafka_DeleteGroup_new("admin-idle"),
                                        rd_kafka_DeleteGroup_new("admin-never")};
    rd_kafka_DeleteGroups(rk, groups, 3, nullptr, q);
    rd_kafka_event_t* ev = admin_wait(q);
    ASSERT_TRUE(ev);
    size_t n = 0;
    const rd_kafka_group_result_t** res = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev), &n);
    ASSERT_EQ(n, 3u);
    std::map<std::string, rd_kafka_resp_err_t> errs;
    for (size_t i = 0; i < n; ++i) {
      const rd_kafka_error_t* e = rd_kafka_group_result_error(res[i]);
      errs[rd_kafka_group_result_name(res[i])] = e ? rd_kafka_error_code(e) : RD_KAFKA_RESP_ERR_NO_ERROR;
    }
    EXPECT_EQ(errs["admin-active"], RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP);
    EXPECT_EQ(errs["admin-idle"], RD_KAFKA_RESP_ERR_NO_ERROR);
    EXPECT_EQ(errs["admin-never"], RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND);
    rd_kafka_event_destroy(ev);
    for (auto* g : groups) rd_kafka_DeleteGroup_destroy(g);
  }
  auto remaining = list_groups({});
  EXPECT_FALSE(remaining.contains("admin-idle"));
  EXPECT_TRUE(remaining.contains("admin-active"));
  rd_kafka_queue_destroy(q);
}

}  // namespace
}  // namespace sluice::testing
