#pragma once
/// Fixture for the streams runtime's end-to-end tests: an in-process sluice-broker (quick group
/// rebalances), `streams` instances talking to it through librdkafka, bulk producing and
/// reading back with librdkafka.

#include "runtime/streams.h"
#include "tests/integration/broker_fixture.h"

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sluice::testing {

/// A child process (a worker, generator, reader) with its output in a log file.
struct child_process {
  pid_t pid = -1;
  std::filesystem::path log;
};

/// Starts `args` (args[0] is the binary) with stdout and stderr appended to `log`.
child_process spawn(const std::vector<std::string>& args, const std::filesystem::path& log);
/// Waits for `pid` to exit; its exit status, 128 + signal if killed, or -1 on timeout.
int wait_exit(pid_t pid, std::chrono::milliseconds timeout);
/// Runs `args` to completion; exit status (or -1 on timeout) and its stdout.
std::pair<int, std::string> run_tool(const std::vector<std::string>& args,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(120));
std::string read_file(const std::filesystem::path& p);
/// A consumed value written with serdes::int64 (counts). REQUIRES: present and 8 bytes.
int64_t as_int64(const std::optional<std::string>& v);

struct keyed {
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp = 0;
};

class streams_test : public broker_test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Properties of an application on this broker: unique application.id, a state directory
  /// under the test's temporary directory, fast commits and group timeouts.
  core::properties app_config(const std::string& instance = "a",
                              const core::properties& extra = {});
  /// Produces every record (partitioned by key with murmur2, as Java producers do) and waits
  /// until all are acknowledged.
  void produce_all(const std::string& topic, const std::vector<keyed>& records);
  /// Waits until `pred` holds or `timeout` passes; returns whether it held.
  static bool eventually(const std::function<bool()>& pred,
                         std::chrono::milliseconds timeout = std::chrono::seconds(60));
  /// Waits until the instance reports `state`.
  static bool wait_for_state(const streams& app, streams_state state,
                             std::chrono::milliseconds timeout = std::chrono::seconds(60));
  /// Reads all records of `topic` (every partition) until `count` were read or `timeout`.
  std::vector<consumed> read_all(const std::string& topic, std::size_t count,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(60));
  int32_t partitions_of(const std::string& topic);

  std::string application_id() const { return topic("app"); }
};

/// The ids of the tasks `app`'s live threads run ("0_1", ...).
std::set<std::string> tasks_of(const streams& app);

/// Values counted per key in the key-value store "counts"; totals to `out` as int64.
dsl::topology count_per_key(const std::string& in, const std::string& out);

}  // namespace sluice::testing
