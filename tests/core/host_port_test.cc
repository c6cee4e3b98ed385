// The one host:port parser of broker listeners and worker flags.

#include "core/config.h"
#include "core/host_port.h"

#include <gtest/gtest.h>

namespace sluice::core {
namespace {

TEST(host_port, parses_host_ipv6_and_any_port) {
  auto a = parse_host_port("127.0.0.1:9092", "--http");
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 9092);
  auto b = parse_host_port("[::1]:0", "--http");
  EXPECT_EQ(b.host, "::1");
  EXPECT_EQ(b.port, 0);
  EXPECT_EQ(to_string(b), "[::1]:0");
  EXPECT_EQ(to_string(a), "127.0.0.1:9092");
  EXPECT_EQ(parse_host_port(to_string(b), "x").host, "::1") << "to_string reads back";
}

TEST(host_port, refuses_what_is_not_host_port_and_names_the_setting) {
  for (const char* bad : {"localhost", ":9092", "host:", "host:x", "host:65536", "host:-1", "host:80x"}) {
    try {
      parse_host_port(bad, "config 'listeners'");
      ADD_FAILURE() << bad << " was accepted";
    } catch (const config_exception& e) {
      EXPECT_NE(std::string(e.what()).find("config 'listeners'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace sluice::core
