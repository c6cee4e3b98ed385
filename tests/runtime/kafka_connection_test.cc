// kafka_connection (runtime/detail/kafka_connection.h) against a tiny loopback server written
// here: version negotiation (ApiVersions v3 and the v0 fallback, windows that do not meet) and
// hostile answers — garbage, another correlation id, a huge or tiny size, silence, a hang-up —
// each of which must end the call with an error before its deadline, never crash or hang.

#include "runtime/detail/kafka_connection.h"

#include "runtime/detail/group_member.h"
#include "core/protocol/api_versions.h"
#include "core/protocol/find_coordinator.h"
#include "core/protocol/join_group.h"
#include "core/protocol/sync_group.h"
#include "core/protocol/heartbeat.h"
#include "core/protocol/request_header.h"
#include "core/big_endian.h"
#include "core/config.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

namespace sluice::runtime::detail {
namespace {

using namespace std::chrono_literals;
using clock = kafka_connection::clock;
using protocol::api_key;

/// A request as the fake broker saw it.
struct seen_request {
  protocol::request_prefix prefix;
  core::bytes frame;  ///< without the size
};

/// A one-connection TCP server on 127.0.0.1: answers ApiVersions with `apis` (or lets
/// `on_request` decide) and hands every other request to `on_request`, which writes whatever
/// it likes to the socket.
class fake_broker {
 public:
  using handler = std::function<void(int fd, const seen_request&)>;

  explicit fake_broker(handler on_request) : _on_request(std::move(on_request)) {
    _listen = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    EXPECT_EQ(::bind(_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(_listen, 4), 0);
    socklen_t len = sizeof addr;
    ::getsockname(_listen, reinterpret_cast<sockaddr*>(&addr), &len);
    _port = ntohs(addr.sin_port);
    _thread = std::thread([this] { serve(); });
  }
  ~fake_broker() {
    _stop = true;
    _thread.join();
    ::close(_listen);
  }

  uint16_t port() const { return _port; }
  core::host_port address() const { return {"127.0.0.1", _port}; }
  /// ApiVersions requests seen (their versions), in order.
  std::vector<int16_t> api_versions_asked() const {
    std::lock_guard lock(_mutex);
    return _api_versions;
  }

  /// Writes `data` whole (test helper for handlers).
  static void write(int fd, bytes_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      data = data.subspan(static_cast<size_t>(n));
    }
  }
  /// A frame: int32 size, correlation id, `body`.
  static void answer(int fd, int32_t correlation, bytes_view body) {
    core::bytes out;
    core::append_be(out, static_cast<int32_t>(4 + body.size()));
    core::append_be(out, correlation);
    out.insert(out.end(), body.begin(), body.end());
    write(fd, out);
  }
  /// The ApiVersions answer: JoinGroup 0–9, Heartbeat 0–4, ApiVersions 0–3 unless `apis`.
  static void answer_api_versions(int fd, const seen_request& r,
                                  std::vector<protocol::api_versions_response::api_version> apis = {}) {
    protocol::api_versions_response m;
    m.api_keys = apis.empty() ? std::vector<protocol::api_versions_response::api_version>{{18, 0, 3}, {11, 0, 9}, {12, 0, 4}}
                              : std::move(apis);
    core::bytes out;
    protocol::encode_response_frame(out, api_key::api_versions, r.prefix.api_version, r.prefix.correlation_id, m);
    write(fd, out);
  }

 private:
  bool wait_readable(int fd) {
    while (!_stop) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 50) > 0) return true;
    }
    return false;
  }
  bool read_exact(int fd, void* out, size_t n) {
    auto* p = static_cast<char*>(out);
    while (n > 0) {
      if (!wait_readable(fd)) return false;
      const ssize_t got = ::recv(fd, p, n, 0);
      if (got <= 0) return false;
      p += got;
      n -= static_cast<size_t>(got);
    }
    return true;
  }
  void serve() {
    while (!_stop) {
      if (!wait_readable(_listen)) return;
      const int fd = ::accept(_listen, nullptr, nullptr);
      if (fd < 0) continue;
      for (;;) {
        unsigned char size[4];
        if (!read_exact(fd, size, 4)) break;
        seen_request r;
        r.frame.resize((uint32_t(size[0]) << 24) | (uint32_t(size[1]) << 16) | (uint32_t(size[2]) << 8) | size[3]);
        if (!read_exact(fd, r.frame.data(), r.frame.size())) break;
        r.prefix = protocol::peek_request_prefix(r.frame).value();
        if (r.prefix.api_key == static_cast<int16_t>(api_key::api_versions)) {
          std::lock_guard lock(_mutex);
          _api_versions.push_back(r.prefix.api_version);
        }
        _on_request(fd, r);
      }
      ::close(fd);
    }
  }

  handler _on_request;
  int _listen = -1;
  uint16_t _port = 0;
  std::atomic<bool> _stop{false};
  mutable std::mutex _mutex;
  std::vector<int16_t> _api_versions;
  std::thread _thread;
};

/// A handler: ApiVersions answered normally, Heartbeat by `heartbeat`.
fake_broker::handler with_heartbeat(std::function<void(int, const seen_request&)> heartbeat) {
  return [heartbeat = std::move(heartbeat)](int fd, const seen_request& r) {
    if (r.prefix.api_key == static_cast<int16_t>(api_key::api_versions)) return fake_broker::answer_api_versions(fd, r);
    heartbeat(fd, r);
  };
}

protocol::heartbeat_request heartbeat() {
  protocol::heartbeat_request h;
  h.group_id = "g";
  h.generation_id = 1;
  h.member_id = "m";
  return h;
}

/// Opens a connection to `broker` (which must negotiate).
std::unique_ptr<kafka_connection> open(const fake_broker& broker) {
  auto c = std::make_unique<kafka_connection>(broker.address(), connection_options{"test-client"});
  auto opened = c->open(clock::now() + 5s);
  EXPECT_TRUE(opened) << c->last_error();
  return c;
}

TEST(kafka_connection, negotiates_and_calls) {
  fake_broker broker(with_heartbeat([](int fd, const seen_request& r) {
    // Heartbeat v4 is flexible: response header v1 (a tag byte), body throttle + error + tags.
    protocol::heartbeat_response m;
    m.error_code = protocol::error_code::rebalance_in_progress;
    core::bytes out;
    protocol::encode_response_frame(out, api_key::heartbeat, r.prefix.api_version, r.prefix.correlation_id, m);
    fake_broker::write(fd, out);
  }));
  auto c = open(broker);
  EXPECT_EQ(broker.api_versions_asked(), std::vector<int16_t>{3});
  EXPECT_EQ(c->version(api_key::heartbeat).value(), 4);
  EXPECT_EQ(c->version(api_key::join_group).value(), 9);
  for (int i = 0; i < 3; ++i) {  // correlation ids advance; the connection stays usable
    auto answer = c->call<protocol::heartbeat_response>(api_key::heartbeat, heartbeat(), clock::now() + 5s);
    ASSERT_TRUE(answer) << c->last_error();
    EXPECT_EQ(answer.value().error_code, protocol::error_code::rebalance_in_progress);
  }
  EXPECT_EQ(kafka_error(protocol::error_code::rebalance_in_progress).message(), "REBALANCE_IN_PROGRESS");
  EXPECT_FALSE(kafka_error(protocol::error_code::none));
}

TEST(kafka_connection, falls_back_to_api_versions_v0) {
  fake_broker broker([](int fd, const seen_request& r) {
    if (r.prefix.api_version > 0) {
      // A broker without ApiVersions v3: a v0 body with UNSUPPORTED_VERSION, header v0.
      auto m = protocol::api_versions_response::unsupported_version_fallback({{18, 0, 2}, {12, 0, 2}});
      core::bytes out;
      protocol::encode_response_frame(out, api_key::api_versions, 0, r.prefix.correlation_id, m);
      return fake_broker::write(fd, out);
    }
    fake_broker::answer_api_versions(fd, r, {{18, 0, 2}, {12, 0, 2}});
  });
  auto c = open(broker);
  EXPECT_EQ(broker.api_versions_asked(), (std::vector<int16_t>{3, 0}));
  EXPECT_EQ(c->version(api_key::heartbeat).value(), 2);
}

TEST(kafka_connection, windows_that_do_not_meet_fail_with_a_clear_message) {
  fake_broker broker([](int fd, const seen_request& r) {
    fake_broker::answer_api_versions(fd, r, {{18, 0, 3}, {11, 0, 3}});
  });
  auto c = open(broker);
  auto v = c->version(api_key::join_group);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error(), client_errc::unsupported_version);
  EXPECT_NE(c->last_error().find("serves JoinGroup v0–3, the runtime needs v4–9"), std::string::npos)
      << c->last_error();
  EXPECT_EQ(c->version(api_key::heartbeat).error(), client_errc::unsupported_version) << "not advertised";
  EXPECT_NE(c->last_error().find("does not serve Heartbeat"), std::string::npos) << c->last_error();
  EXPECT_TRUE(c->is_open()) << "other APIs remain usable";
}

/// Runs one Heartbeat against a broker that answers with `answer` and expects `expected`,
/// well before the deadline, with the connection closed afterwards.
void expect_failure(std::function<void(int, const seen_request&)> answer, client_errc expected,
                    std::string_view words, std::chrono::milliseconds timeout = 5s) {
  fake_broker broker(with_heartbeat(std::move(answer)));
  auto c = open(broker);
  const auto start = clock::now();
  auto r = c->call<protocol::heartbeat_response>(api_key::heartbeat, heartbeat(), start + timeout);
  const auto took = clock::now() - start;
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), expected) << r.error().message();
  EXPECT_NE(c->last_error().find(words), std::string::npos) << c->last_error();
  EXPECT_FALSE(c->is_open()) << "a failed exchange closes the connection";
  EXPECT_LT(took, timeout + 2s);
  auto again = c->call<protocol::heartbeat_response>(api_key::heartbeat, heartbeat(), clock::now() + 1s);
  EXPECT_EQ(again.error(), client_errc::not_connected);
}

TEST(kafka_connection, an_undecodable_body_is_an_error) {
  expect_failure([](int fd, const seen_request& r) {
    fake_broker::answer(fd, r.prefix.correlation_id, core::as_bytes(std::string_view("\x00", 1)));  // header tags, no body
  }, client_errc::bad_response, "Heartbeat v4");
}

TEST(kafka_connection, another_correlation_id_is_an_error) {
  expect_failure([](int fd, const seen_request& r) {
    fake_broker::answer(fd, r.prefix.correlation_id + 7, core::as_bytes(std::string_view("\x00\x00\x00\x00\x00\x00\x00\x00", 8)));
  }, client_errc::bad_response, "correlation id");
}

TEST(kafka_connection, a_huge_size_is_refused_before_reading) {
  expect_failure([](int fd, const seen_request&) {
    fake_broker::write(fd, core::as_bytes("\x7f\xff\xff\xff"));
  }, client_errc::bad_response, "2147483647 bytes");
}

TEST(kafka_connection, a_size_below_the_correlation_id_is_refused) {
  expect_failure([](int fd, const seen_request&) {
    fake_broker::write(fd, core::as_bytes(std::string_view("\x00\x00\x00\x02\x00\x00", 6)));
  }, client_errc::bad_response, "answer of 2 bytes");
}

TEST(kafka_connection, silence_times_out_at_the_deadline) {
  expect_failure([](int, const seen_request&) {}, client_errc::timed_out, "deadline", 300ms);
}

TEST(kafka_connection, half_an_answer_then_silence_times_out) {
  expect_failure([](int fd, const seen_request& r) {
    core::bytes partial;
    core::append_be(partial, int32_t{100});
    core::append_be(partial, r.prefix.correlation_id);
    fake_broker::write(fd, partial);
  }, client_errc::timed_out, "deadline", 300ms);
}

TEST(kafka_connection, a_hang_up_mid_answer_is_a_lost_connection) {
  expect_failure([](int fd, const seen_request&) {
    fake_broker::write(fd, core::as_bytes(std::string_view("\x00\x00\x00\x10\x00", 5)));
    ::shutdown(fd, SHUT_WR);
  }, client_errc::connection_lost, "closed the connection");
}

TEST(kafka_connection, nothing_listening_is_a_connect_failure) {
  uint16_t port;
  {
    fake_broker gone([](int, const seen_request&) {});
    port = gone.port();
  }
  kafka_connection c({"127.0.0.1", port}, {});
  auto opened = c.open(clock::now() + 2s);
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error(), client_errc::connect_failed);
  EXPECT_NE(c.last_error().find("cannot connect to 127.0.0.1:"), std::string::npos) << c.last_error();
  EXPECT_FALSE(c.is_open());
}

TEST(kafka_connection, bootstrap_lists) {
  auto servers = parse_bootstrap_servers(" a:1, b:2 ,[::1]:3", "bootstrap.servers");
  ASSERT_EQ(servers.size(), 3u);
  EXPECT_EQ(servers[0].host, "a");
  EXPECT_EQ(servers[1].port, 2);
  EXPECT_EQ(servers[2].host, "::1");
  EXPECT_THROW(parse_bootstrap_servers(" , ", "bootstrap.servers"), core::config_exception);
  EXPECT_THROW(parse_bootstrap_servers("nohost", "bootstrap.servers"), core::config_exception);
}

/// The request body in `r`, decoded by its codec at the version its header names.
template <class Request>
Request decode_request(const seen_request& r) {
  protocol::reader in(r.frame);
  EXPECT_TRUE(protocol::request_header::decode(in));
  auto body = Request::decode(in, r.prefix.api_version);
  EXPECT_TRUE(body);
  return body ? std::move(body).value() : Request{};
}

template <class Response>
void respond(int fd, const seen_request& r, const Response& m) {
  core::bytes out;
  protocol::encode_response_frame(out, static_cast<api_key>(r.prefix.api_key), r.prefix.api_version,
                                  r.prefix.correlation_id, m);
  fake_broker::write(fd, out);
}

group_member_options member_options(uint16_t port) {
  group_member_options o;
  o.bootstrap_servers = "127.0.0.1:" + std::to_string(port);
  o.group_id = "g";
  o.client_id = "unit";
  o.session_timeout = 120s;
  o.heartbeat_interval = 60s;  // no heartbeat during the test: the fake serves one connection at a time
  o.request_timeout = 5s;
  o.rebalance_timeout = 5s;
  o.retry_backoff = 10ms;
  return o;
}

// group_member's retries, seen from the coordinator's side: FindCoordinator answered
// COORDINATOR_NOT_AVAILABLE, JoinGroup answered NOT_COORDINATOR (the member looks for the
// coordinator again) and MEMBER_ID_REQUIRED (it comes back with the id), then the leader's
// SyncGroup carries what its assignor returned.
TEST(group_member_retries, rediscovers_the_coordinator_and_rejoins_with_the_id_handed_out) {
  std::atomic<int> finds{0}, joins{0};
  std::vector<std::string> join_member_ids;
  uint16_t port = 0;
  fake_broker broker([&](int fd, const seen_request& r) {
    switch (static_cast<api_key>(r.prefix.api_key)) {
      case api_key::api_versions:
        return fake_broker::answer_api_versions(fd, r, {{18, 0, 3}, {10, 0, 3}, {11, 0, 5}, {14, 0, 3}, {12, 0, 3}});
      case api_key::find_coordinator: {
        EXPECT_EQ(decode_request<protocol::find_coordinator_request>(r).key, "g");
        protocol::find_coordinator_response m;
        if (finds++ == 0) {
          m.error_code = protocol::error_code::coordinator_not_available;
        } else {
          m.node_id = core::node_id{0};
          m.host = "127.0.0.1";
          m.port = port;
        }
        return respond(fd, r, m);
      }
      case api_key::join_group: {
        auto req = decode_request<protocol::join_group_request>(r);
        join_member_ids.push_back(req.member_id);
        EXPECT_EQ(req.protocol_type, "consumer");
        EXPECT_EQ(req.session_timeout_ms, 120000);
        EXPECT_EQ(req.rebalance_timeout_ms, 5000);
        protocol::join_group_response m;
        const int n = joins++;
        if (n == 0) {
          m.error_code = protocol::error_code::not_coordinator;
        } else if (n == 1) {
          m.error_code = protocol::error_code::member_id_required;
          m.member_id = "unit-1";
        } else {
          m.generation_id = 7;
          m.protocol_name = "p";
          m.leader = "unit-1";
          m.member_id = "unit-1";
          m.members = {{"unit-1", std::nullopt, req.protocols.at(0).metadata}};
        }
        return respond(fd, r, m);
      }
      case api_key::sync_group: {
        auto req = decode_request<protocol::sync_group_request>(r);
        EXPECT_EQ(req.generation_id, 7);
        EXPECT_EQ(req.member_id, "unit-1");
        protocol::sync_group_response m;
        if (!req.assignments.empty()) m.assignment = req.assignments.at(0).assignment;
        return respond(fd, r, m);
      }
      default:
        ADD_FAILURE() << "unexpected API " << r.prefix.api_key;
    }
  });
  port = broker.port();
  group_member member(member_options(port));
  std::vector<group_member_metadata> seen;
  auto joined = member.join({{"p", core::bytes{std::byte{1}, std::byte{2}}}},
                            [&](const std::string& protocol, const std::vector<group_member_metadata>& members) {
                              EXPECT_EQ(protocol, "p");
                              seen = members;
                              return std::map<std::string, core::bytes>{{"unit-1", core::bytes{std::byte{9}}}};
                            });
  ASSERT_TRUE(joined) << member.last_error();
  EXPECT_EQ(joined.value().generation, 7);
  EXPECT_TRUE(joined.value().leader);
  EXPECT_EQ(joined.value().protocol_name, "p");
  EXPECT_TRUE(core::equal(joined.value().assignment, core::bytes{std::byte{9}}));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(core::equal(seen[0].metadata, core::bytes{std::byte{1}, std::byte{2}}));
  EXPECT_EQ(finds.load(), 3) << "once refused, once found, once more after NOT_COORDINATOR";
  EXPECT_EQ(join_member_ids, (std::vector<std::string>{"", "", "unit-1"}));
  EXPECT_EQ(member.generation(), 7);
  EXPECT_EQ(member.member_id(), "unit-1");
}

TEST(group_member_retries, static_membership_needs_join_group_v5) {
  uint16_t port = 0;
  fake_broker broker([&](int fd, const seen_request& r) {
    if (static_cast<api_key>(r.prefix.api_key) == api_key::api_versions) {
      return fake_broker::answer_api_versions(fd, r, {{18, 0, 3}, {10, 0, 3}, {11, 0, 4}});
    }
    protocol::find_coordinator_response m;
    m.host = "127.0.0.1";
    m.port = port;
    respond(fd, r, m);
  });
  port = broker.port();
  auto o = member_options(port);
  o.group_instance_id = "i";
  group_member member(o);
  auto joined = member.join({{"p", {}}}, [](const std::string&, const std::vector<group_member_metadata>&) {
    return std::map<std::string, core::bytes>{};
  });
  ASSERT_FALSE(joined);
  EXPECT_EQ(joined.error(), client_errc::unsupported_version);
  EXPECT_NE(member.last_error().find("serves JoinGroup v0–4, static membership (group.instance.id) needs v5+"),
            std::string::npos)
      << member.last_error();
  EXPECT_FALSE(member.joined());
}

}  // namespace
}  // namespace sluice::runtime::detail
