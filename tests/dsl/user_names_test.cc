// What users type stays in `sluice::`: serdes, default_serde, from_epoch_ms — a topology written
// without naming `sluice::core`.

#include "core/json_serde.h"
#include "dsl/streams.h"
#include "dsl/testing/topology_test_driver.h"

#include <gtest/gtest.h>

#include <string>

namespace user_code {

struct click {
  std::string page;
  int64_t at = 0;
};
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(click, page, at)

}  // namespace user_code

template <>
struct sluice::default_serde<user_code::click> {
  using type = sluice::serdes::json<user_code::click>;
};

namespace user_code {
namespace {

TEST(user_names, a_topology_needs_nothing_from_sluice_core) {
  sluice::streams_builder builder;
  builder.stream<std::string, click>("clicks")
      .map_values([](const click& c) { return c.page; })
      .to("pages", {.key_serde = sluice::serdes::string{}, .value_serde = sluice::serdes::string{}});
  sluice::topology_test_driver driver(builder.build());
  auto in = driver.create_input_topic<std::string, click>("clicks", sluice::serdes::string{},
                                                          sluice::serdes::json<click>{});
  auto out = driver.create_output_topic<std::string, std::string>("pages", sluice::serdes::string{},
                                                                  sluice::serdes::string{});
  in.pipe("u1", click{"/home", 5}, sluice::from_epoch_ms(1000));
  auto r = out.read_record();
  EXPECT_EQ(r.key, "u1");
  EXPECT_EQ(r.value, "/home");
  EXPECT_EQ(sluice::to_epoch_ms(r.ts), 1000);
  static_assert(std::is_same_v<sluice::default_serde<std::string>::type, sluice::serdes::string>);
}

}  // namespace
}  // namespace user_code
