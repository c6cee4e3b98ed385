#include "tests/integration/streams_fixture.h"

#include "core/serde.h"
#include "dsl/streams.h"

#include <librdkafka/rdkafka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace sluice::testing {

child_process spawn(const std::vector<std::string>& args, const std::filesystem::path& log) {
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(fd);
  return {pid, log};
}

int wait_exit(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (r < 0 || std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::pair<int, std::string> run_tool(const std::vector<std::string>& args,
                                     std::chrono::milliseconds timeout) {
  int out[2];
  if (::pipe(out) != 0) return {-1, ""};
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  int status = wait_exit(pid, timeout);
  if (status < 0) {
    ::kill(pid, SIGKILL);
    wait_exit(pid, std::chrono::seconds(5));
  }
  return {status, text};
}

int64_t as_int64(const std::optional<std::string>& v) {
  return core::serdes::int64{}.deserialize(core::as_bytes(*v)).value();
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void streams_test::SetUp() {
  _options.groups.initial_rebalance_delay_ms = 0;
  broker_test::SetUp();
}

void streams_test::TearDown() { broker_test::TearDown(); }

core::properties streams_test::app_config(const std::string& instance,
                                          const core::properties& extra) {
  core::properties p{
      {"application.id", application_id()},
      {"bootstrap.servers", bootstrap()},
      {"state.dir", (data_dir() / ("state-" + instance)).string()},
      {"commit.interval.ms", "200"},
      {"poll.ms", "50"},
      {"rocksdb.memory.bytes", std::to_string(32 << 20)},
      {"consumer.session.timeout.ms", "6000"},
      {"consumer.heartbeat.interval.ms", "500"},
      {"consumer.fetch.wait.max.ms", "100"},
      {"producer.linger.ms", "5"},
  };
  for (const auto& [k, v] : extra) p[k] = v;
  return p;
}

void streams_test::produce_all(const std::string& topic, const std::vector<keyed>& records) {
  auto p = make_producer();
  for (const auto& r : records) {
    for (;;) {
      auto err = p->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                            r.value ? const_cast<char*>(r.value->data()) : nullptr,
                            r.value ? r.value->size() : 0, r.key ? r.key->data() : nullptr,
                            r.key ? r.key->size() : 0, r.timestamp, nullptr, nullptr);
      if (err == RdKafka::ERR__QUEUE_FULL) {
        p->poll(10);
        continue;
      }
      ASSERT_EQ(err, RdKafka::ERR_NO_ERROR) << RdKafka::err2str(err);
      break;
    }
  }
  ASSERT_EQ(p->flush(30000), RdKafka::ERR_NO_ERROR);
}

bool streams_test::eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

bool streams_test::wait_for_state(const streams& app, streams_state state,
                                  std::chrono::milliseconds timeout) {
  return eventually([&] { return app.state() == state; }, timeout);
}

int32_t streams_test::partitions_of(const std::string& topic) {
  auto p = make_producer();
  std::string err;
  std::unique_ptr<RdKafka::Topic> t(RdKafka::Topic::create(p.get(), topic, nullptr, err));
  RdKafka::Metadata* md = nullptr;
  if (p->metadata(false, t.get(), &md, 10000) != RdKafka::ERR_NO_ERROR) return -1;
  std::unique_ptr<RdKafka::Metadata> owned(md);
  if (md->topics()->empty() || md->topics()->at(0)->err() != RdKafka::ERR_NO_ERROR) return -1;
  return static_cast<int32_t>(md->topics()->at(0)->partitions()->size());
}

std::vector<consumed> streams_test::read_all(const std::string& topic, std::size_t count,
                                             std::chrono::milliseconds timeout) {
  const int32_t n = partitions_of(topic);
  std::vector<int32_t> parts;
  for (int32_t i = 0; i < n; ++i) parts.push_back(i);
  return consume(topic, parts, count, timeout, {{"isolation.level", "read_committed"}});
}

std::set<std::string> tasks_of(const streams& app) {
  std::set<std::string> ids;
  for (const auto& t : app.metadata()) {
    for (const auto& task : t.active_tasks) ids.insert(task.task_id);
  }
  return ids;
}

dsl::topology count_per_key(const std::string& in, const std::string& out) {
  dsl::streams_builder b;
  b.stream<std::string, std::string>(in)
      .group_by_key()
      .count(dsl::materialized<std::string, int64_t>::as("counts"))
      .to_stream()
      .to(out, {.value_serde = core::serdes::int64{}});
  return b.build();
}

}  // namespace sluice::testing
