#include "core/error.h"
#include "core/assert.h"

#include <gtest/gtest.h>

namespace sluice::core {
namespace {

result<int> parse_positive(int v) {
  if (v <= 0) return errc::invalid_argument;
  return v;
}

result<int> doubled(int v) {
  SLUICE_TRY(auto x, parse_positive(v));
  return x * 2;
}

result<void> check(int v) {
  SLUICE_TRY(parse_positive(v));
  return success();
}

TEST(error, try_propagates_value_and_error) {
  ASSERT_TRUE(doubled(21));
  EXPECT_EQ(doubled(21).value(), 42);
  auto r = doubled(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error(), errc::invalid_argument);
  EXPECT_EQ(r.error().message(), "invalid argument");
  EXPECT_STREQ(r.error().category().name(), "sluice.core");
  EXPECT_TRUE(check(1));
  EXPECT_FALSE(check(0));
}

TEST(error, assert_aborts_with_message) {
  EXPECT_DEATH(SLUICE_ASSERT(1 + 1 == 3, "arithmetic broke"), "arithmetic broke");
}

}  // namespace
}  // namespace sluice::core
