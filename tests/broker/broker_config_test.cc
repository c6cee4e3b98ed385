#include "broker/broker_config.h"

#include <gtest/gtest.h>

namespace sluice::broker {
namespace {

TEST(broker_config, fetch_max_bytes_bounds_fetch_responses_and_round_trips) {
  // Default: 2 MiB (Kafka's broker key; see broker/README.md for why not Kafka's 55 MiB).
  EXPECT_EQ(to_broker_options(broker_config_def().parse({})).fetch_max_bytes, 2 * 1024 * 1024);
  const broker_options o = to_broker_options(broker_config_def().parse({{"fetch.max.bytes", "65536"}}));
  EXPECT_EQ(o.fetch_max_bytes, 65536);
  EXPECT_EQ(to_properties(o).at("fetch.max.bytes"), "65536");
  // Kafka's lower bound.
  EXPECT_THROW(broker_config_def().parse({{"fetch.max.bytes", "1023"}}), core::config_exception);
}

}  // namespace
}  // namespace sluice::broker
