#include "dsl/streams.h"
#include "dsl/testing/topology_test_driver.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sluice::dsl {
namespace {

using namespace std::chrono_literals;
using core::from_epoch_ms;
namespace serdes = core::serdes;

using kv = std::pair<std::string, std::string>;

struct fixture {
  streams_builder builder;
};

TEST(stateless, filter_and_map_values) {
  streams_builder b;
  b.stream<std::string, std::string>("in")
      .filter([](const std::string&, const std::string& v) { return v.size() > 1; })
      .map_values([](const std::string& v) { return v + "!"; })
      .to("out");
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<std::string, std::string>("in", serdes::string{}, serdes::string{});
  auto out = d.create_output_topic<std::string, std::string>("out", serdes::string{}, serdes::string{});
  in.pipe("a", "x", from_epoch_ms(1));
  in.pipe("b", "yy", from_epoch_ms(2));
  EXPECT_EQ(out.read_key_value(), kv("b", "yy!"));
  EXPECT_TRUE(out.is_empty());
}

}  // namespace
}  // namespace sluice::dsl
