#include "core/http_server.h"

#include "tests/support/loopback.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::core {
namespace {

using testing::http_answer;
using testing::http_request;
using testing::loopback_connection;

std::unique_ptr<http_server> serve(http_server::handler h) {
  auto s = http_server::serve({"127.0.0.1", 0}, "test", std::move(h));
  EXPECT_TRUE(s) << s.error().message();
  return std::move(s).value();
}

TEST(http_server, serves_the_handlers_answers_for_get_and_head_only) {
  std::vector<std::string> asked;
  auto http = serve([&](std::string_view path) {
    asked.emplace_back(path);
    if (path == "/metrics") return http_server::response{200, "text/plain", "a_metric 1\n"};
    if (path == "/boom") throw std::runtime_error("handler failed");
    return http_server::response{404, "text/plain", "nope\n"};
  });
  ASSERT_GT(http->port(), 0);
  auto metrics = http_request(http->port(), "GET", "/metrics?x=1");
  ASSERT_TRUE(metrics);
  EXPECT_EQ(metrics->status, 200);
  EXPECT_EQ(metrics->content_type, "text/plain");
  EXPECT_EQ(metrics->body, "a_metric 1\n");
  EXPECT_EQ(http_request(http->port(), "GET", "/other").value_or(http_answer{}).status, 404);
  auto boom = http_request(http->port(), "GET", "/boom").value_or(http_answer{});
  EXPECT_EQ(boom.status, 500);
  EXPECT_NE(boom.body.find("handler failed"), std::string::npos) << boom.body;
  EXPECT_EQ(http_request(http->port(), "POST", "/metrics").value_or(http_answer{}).status, 405);
  auto head = http_request(http->port(), "HEAD", "/metrics").value_or(http_answer{});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.body, "");
  // POST never reaches the handler; HEAD does (same answer, body dropped).
  EXPECT_EQ(asked, (std::vector<std::string>{"/metrics", "/other", "/boom", "/metrics"}));
}

TEST(http_server, keeps_a_connection_alive_across_requests) {
  int calls = 0;
  auto http = serve([&](std::string_view) {
    ++calls;
    return http_server::response{200, "text/plain", "x"};
  });
  loopback_connection c(http->port());
  ASSERT_TRUE(c.connected());
  const std::string get = "GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n";
  ASSERT_TRUE(
      c.send(get + get + "GET /a HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"));
  const std::string raw = c.read_to_end();
  std::size_t answers = 0;
  for (auto at = raw.find("HTTP/1.1 200"); at != std::string::npos;
       at = raw.find("HTTP/1.1 200", at + 1)) {
    ++answers;
  }
  EXPECT_EQ(answers, 3u) << raw;
  EXPECT_EQ(calls, 3);
}

TEST(http_server, a_malformed_request_closes_only_its_connection) {
  auto http = serve([](std::string_view) {
    return http_server::response{200, "text/plain", "ok"};
  });
  loopback_connection bad(http->port());
  ASSERT_TRUE(bad.connected());
  ASSERT_TRUE(bad.send("NOT HTTP AT ALL\r\n\r\n"));
  EXPECT_EQ(bad.read_to_end().find("200"), std::string::npos);
  EXPECT_EQ(http_request(http->port(), "GET", "/").value_or(http_answer{}).status, 200);
}

TEST(http_server, an_address_in_use_or_an_invalid_address_is_an_error) {
  auto first = serve([](std::string_view) { return http_server::response{}; });
  auto second = http_server::serve({"127.0.0.1", first->port()}, "test",
                                   [](std::string_view) { return http_server::response{}; });
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error(), std::errc::address_in_use);
  EXPECT_FALSE(http_server::serve({"not-an-address", 0}, "test",
                                  [](std::string_view) { return http_server::response{}; }));
}

}  // namespace
}  // namespace sluice::core
