#pragma once
/// Test fixture: a real sluice-broker started in-process on 127.0.0.1 port 0 with a fresh
/// temporary data directory, plus small librdkafka helpers. Each test uses unique topic names.

#include "core/temp_dir.h"
#include "broker/broker.h"
#include "core/protocol/produce.h"
#include "core/protocol/request_header.h"
#include "tests/support/loopback.h"

#include <librdkafka/rdkafkacpp.h>

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::testing {

using core::temp_dir;

/// A consumed record, simplified for assertions.
struct consumed {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  int64_t timestamp = 0;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

/// `m` (a record, not an error) as a `consumed`.
consumed to_consumed(RdKafka::Message& m);

/// The end offset a consumer with `isolation` ("read_committed" / "read_uncommitted") gets from
/// ListOffsets for partition 0 of `topic`: the high watermark, or the LSO for read_committed.
int64_t end_offset(const std::string& bootstrap, const std::string& topic, const std::string& isolation);

/// Sends `body` as version `version` of `key` over `c` (for what the clients cannot send: old
/// versions, odd values) and decodes the answer; nullopt when the connection fails, the answer
/// carries another correlation id or does not decode.
template <class Response, class Request>
std::optional<Response> kafka_call(loopback_connection& c, protocol::api_key key,
                                   int16_t version, int32_t correlation, const Request& body,
                                   const std::string& client_id = "raw-test") {
  namespace protocol = ::sluice::protocol;
  core::bytes frame;
  protocol::encode_request_frame(frame, {key, version, correlation, client_id}, body);
  if (!c.send(frame)) return std::nullopt;
  auto in = c.read_frame();
  if (!in) return std::nullopt;
  protocol::reader r(*in);
  auto answered = protocol::decode_response_header(r, key, version);
  if (!answered || answered.value() != correlation) return std::nullopt;
  auto decoded = Response::decode(r, version);
  if (!decoded) return std::nullopt;
  return std::move(decoded).value();
}

/// A blocking client on one connection: each call sends one request (any version, any body:
/// what the clients cannot send) and reads its answer.
class raw_client {
 public:
  explicit raw_client(uint16_t port, std::string client_id = "raw-client")
      : _connection(port), _client_id(std::move(client_id)) {
    EXPECT_TRUE(_connection.connected());
  }

  /// Sends `body` as version `version` of `key`; the decoded answer (see kafka_call).
  template <class Response, class Request>
  std::optional<Response> call(protocol::api_key key, int16_t version, const Request& body) {
    return kafka_call<Response>(_connection, key, version, ++_correlation, body, _client_id);
  }

 private:
  loopback_connection _connection;
  std::string _client_id;
  int32_t _correlation = 0;
};

/// A Produce request of one batch for one partition (the batch is borrowed: keep it alive).
protocol::produce_request produce_of(const std::string& topic, int32_t partition,
                                             core::bytes_view batch, int16_t acks = -1,
                                             std::optional<std::string> txn = std::nullopt);

/// A free TCP port on the loopback interface (bound to port 0 and released).
uint16_t free_port();

/// A `sluice-broker` child process (SLUICE_BROKER_BIN) on 127.0.0.1:`port` with `data` as its
/// data directory, `--set` for each of `sets` and the command-line `flags`; `kill9()` ends it with SIGKILL, destruction
/// with SIGTERM (a clean shutdown). Waits until the broker accepts connections.
class broker_process {
 public:
  broker_process(std::filesystem::path data, uint16_t port, std::vector<std::string> sets = {},
                 std::vector<std::string> flags = {});
  ~broker_process();
  broker_process(const broker_process&) = delete;
  broker_process& operator=(const broker_process&) = delete;
  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(_port); }
  void kill9();
  /// SIGTERM and wait: the exit status as waitpid reports it (-1 if already ended).
  int stop();
  /// Whether the broker ended on its own with exit code 0 after stop().
  static bool exited_cleanly(int status) { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

 private:
  int _pid = -1;
  uint16_t _port;
};

class broker_test : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  /// Starts (or restarts) the broker on the same data directory.
  void start_broker();
  void stop_broker();
  /// The options the broker starts with; tests may tweak them before start_broker().
  broker::broker_options& options() { return _options; }
  std::string bootstrap() const { return _broker->bootstrap(); }
  const std::filesystem::path& data_dir() const { return _dir.path(); }
  /// A topic name unique to this test.
  std::string topic(const std::string& suffix = "t") const;

  /// A librdkafka producer with the given extra settings (murmur2_random partitioner).
  std::unique_ptr<RdKafka::Producer> make_producer(const std::map<std::string, std::string>& extra = {});
  /// Produces and waits for the delivery report; returns the offset (or fails the test).
  int64_t produce(RdKafka::Producer& p, const std::string& topic, int32_t partition,
                  std::optional<std::string> key, std::optional<std::string> value,
                  int64_t timestamp = 0, RdKafka::Headers* headers = nullptr);
  /// A consumer (group `group`, no auto-commit, the extra settings) assigned to the partitions
  /// of `topic` from the beginning.
  std::unique_ptr<RdKafka::KafkaConsumer> assigned_consumer(
      const std::string& topic, const std::vector<int32_t>& partitions, const std::string& group,
      const std::map<std::string, std::string>& extra = {});
  /// Reads every record of the partitions of `topic` from the beginning until `count` records
  /// were read or `timeout` passed (assign + seek, no group).
  std::vector<consumed> consume(const std::string& topic, const std::vector<int32_t>& partitions,
                                size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(20),
                                const std::map<std::string, std::string>& extra = {});
  /// A raw client connected to the running broker (a new one after each start_broker()).
  raw_client& raw();
  /// Creates a topic through librdkafka's admin API; returns the error code.
  RdKafka::ErrorCode create_topic(const std::string& name, int partitions,
                                  const std::map<std::string, std::string>& configs = {});

  temp_dir _dir;
  broker::broker_options _options;
  std::unique_ptr<broker::broker> _broker;
  std::unique_ptr<raw_client> _raw;
};

}  // namespace sluice::testing
