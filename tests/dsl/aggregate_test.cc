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
using core::to_bytes;
namespace serdes = core::serdes;
using count_kv = std::pair<std::string, int64_t>;

TEST(aggregate, count_per_key) {
  streams_builder b;
  b.stream<std::string, std::string>("in")
      .group_by_key()
      .count(materialized<std::string, int64_t>::as("counts"))
      .to_stream()
      .to("out", {.value_serde = serdes::int64{}});
  topology_test_driver d(b.build());
  auto in = d.create_input_topic<std::string, std::string>("in", serdes::string{}, serdes::string{});
  auto out = d.create_output_topic<std::string, int64_t>("out", serdes::string{}, serdes::int64{});
  in.pipe("a", "x", from_epoch_ms(1));
  in.pipe("b", "x", from_epoch_ms(2));
  in.pipe("a", "y", from_epoch_ms(3));
  EXPECT_EQ(out.read_key_values(), (std::vector<count_kv>{{"a", 1}, {"b", 1}, {"a", 2}}));
  auto store = d.get_key_value_store<std::string, int64_t>("counts");
  EXPECT_EQ(store.get("a"), 2);
  EXPECT_EQ(store.get("z"), std::nullopt);
}

}  // namespace
}  // namespace sluice::dsl
