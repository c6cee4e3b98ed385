// Seeds for the `group_protocols` target: consumer-protocol subscriptions and assignments of
// every version, and the streams runtime's user data, each after its selector byte
// (tests/fuzz/group_protocols.cc).

#include "core/protocol/consumer_protocol.h"
#include "runtime/detail/streams_protocol.h"
#include "tests/fuzz/seed_writer.h"

#include <gtest/gtest.h>

namespace sluice::fuzz {
namespace {

using runtime::detail::assignment_info;
using runtime::detail::subscription_info;

void write(uint8_t selector, const core::bytes& payload) {
  core::bytes seed{static_cast<std::byte>(selector)};
  seed.insert(seed.end(), payload.begin(), payload.end());
  write_seed("group_protocols", seed);
}

dsl::task_id task(int32_t sub, int32_t p) { return {sub, core::partition_id{p}}; }

TEST(fuzz_seeds, group_protocol_payloads) {
  subscription_info si;
  si.process_id = "0123456789abcdef0123456789abcdef";
  si.endpoint = "10.0.0.5:8080";
  si.threads = 2;
  si.task_offset_sums = {{task(0, 1), runtime::detail::running_task_offset_sum}, {task(1, 0), 4711}};
  assignment_info ai;
  ai.active = {task(0, 1)};
  ai.standby = {task(1, 0)};
  ai.warmup = {task(1, 2)};
  ai.hosts = {{"10.0.0.5:8080", {{"in", core::partition_id{1}}}, {{"counts-changelog", core::partition_id{0}}}}};
  ai.next_rebalance_ms = 1'700'000'000'000;

  protocol::consumer_protocol_subscription s;
  s.topics = {"in", "orders"};
  s.user_data = runtime::detail::encode(si);
  s.owned_partitions = {{"in", {core::partition_id{1}}}};
  s.generation_id = 7;
  s.rack_id = "rack-1";
  protocol::consumer_protocol_assignment a;
  a.assigned_partitions = {{"in", {core::partition_id{1}, core::partition_id{3}}}};
  a.user_data = runtime::detail::encode(ai);
  for (int16_t v = 0; v <= 3; ++v) {
    ASSERT_TRUE(protocol::consumer_protocol_subscription::decode(s.to_bytes(v)));
    write(0, s.to_bytes(v));
    write(1, a.to_bytes(v));
  }
  EXPECT_EQ(runtime::detail::decode_subscription_info(runtime::detail::encode(si)).value(), si);
  EXPECT_EQ(runtime::detail::decode_assignment_info(runtime::detail::encode(ai)).value(), ai);
  write(2, runtime::detail::encode(si));
  write(3, runtime::detail::encode(ai));
}

}  // namespace
}  // namespace sluice::fuzz
