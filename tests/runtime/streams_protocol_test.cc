// The runtime's subscription and assignment user data (runtime/detail/streams_protocol.h):
// golden bytes, round trips, forward compatibility and malformed payloads.

#include "runtime/detail/streams_protocol.h"

#include "tests/core/protocol/golden.h"

#include <gtest/gtest.h>

namespace sluice::runtime::detail {
namespace {

using protocol::test::hex;

dsl::task_id task(int32_t sub, int32_t partition) { return {sub, core::partition_id{partition}}; }

subscription_info sample_subscription() {
  subscription_info s;
  s.process_id = "p1";
  s.endpoint = "h:1";
  s.threads = 2;
  s.task_offset_sums = {{task(0, 1), running_task_offset_sum}, {task(1, 0), 42}};
  return s;
}

const core::bytes subscription_golden = hex(
    "00 01 00 01"                      // version 1, latest supported 1
    "00 02 'p1'"                       // process id
    "00 03 'h:1'"                      // endpoint
    "00 00 00 02"                      // threads
    "00 00 00 02"                      // two tasks
    "00 00 00 00 00 00 00 01 ff ff ff ff ff ff ff fe"  // 0_1 running
    "00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 2a"  // 1_0 at 42
);

assignment_info sample_assignment() {
  assignment_info a;
  a.active = {task(0, 0)};
  a.standby = {task(0, 1)};
  a.warmup = {};
  a.hosts = {{"h:1", {{"in", core::partition_id{0}}}, {{"in", core::partition_id{1}}}}};
  a.next_rebalance_ms = 0;
  return a;
}

const core::bytes assignment_golden = hex(
    "00 01 00 01"                      // version 1, latest supported 1
    "00 00"                            // no error
    "00 00 00 01 00 00 00 00 00 00 00 00"  // active: 0_0
    "00 00 00 01 00 00 00 00 00 00 00 01"  // standby: 0_1
    "00 00 00 00"                      // no warm-up
    "00 00 00 01"                      // one host
    "00 03 'h:1'"
    "00 00 00 01 00 02 'in' 00 00 00 01 00 00 00 00"  // active partitions: in-0
    "00 00 00 01 00 02 'in' 00 00 00 01 00 00 00 01"  // standby partitions: in-1
    "00 00 00 00 00 00 00 00"          // next rebalance: at once
);

TEST(streams_protocol, subscription_golden_bytes_and_round_trip) {
  EXPECT_EQ(encode(sample_subscription()), subscription_golden);
  auto decoded = decode_subscription_info(subscription_golden);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded.value(), sample_subscription());

  subscription_info no_endpoint;
  no_endpoint.process_id = "p2";
  auto back = decode_subscription_info(encode(no_endpoint));
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value(), no_endpoint);
  EXPECT_FALSE(back.value().endpoint);
}

TEST(streams_protocol, assignment_golden_bytes_and_round_trip) {
  EXPECT_EQ(encode(sample_assignment()), assignment_golden);
  auto decoded = decode_assignment_info(assignment_golden);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded.value(), sample_assignment());

  assignment_info refused;
  refused.error = assignment_error::shutdown_requested;
  auto back = decode_assignment_info(encode(refused));
  ASSERT_TRUE(back);
  EXPECT_EQ(back.value(), refused);
}

TEST(streams_protocol, partitions_are_grouped_by_topic_and_sorted) {
  assignment_info a;
  a.hosts = {{"h:1",
              {{"b", core::partition_id{2}}, {"a", core::partition_id{1}}, {"b", core::partition_id{0}}},
              {}}};
  auto back = decode_assignment_info(encode(a));
  ASSERT_TRUE(back);
  const std::vector<core::topic_partition> sorted{
      {"a", core::partition_id{1}}, {"b", core::partition_id{0}}, {"b", core::partition_id{2}}};
  EXPECT_EQ(back.value().hosts.at(0).active, sorted);
}

TEST(streams_protocol, every_truncation_fails) {
  for (const auto* golden : {&subscription_golden, &assignment_golden}) {
    for (size_t n = 0; n < golden->size(); ++n) {
      const core::bytes_view prefix(golden->data(), n);
      EXPECT_FALSE(golden == &subscription_golden ? decode_subscription_info(prefix).has_value()
                                                  : decode_assignment_info(prefix).has_value())
          << n << " bytes";
    }
  }
}

TEST(streams_protocol, a_later_version_is_read_as_far_as_known) {
  // Version 2 (latest 2) with a field appended: read as version 1, the rest ignored.
  core::bytes later = subscription_golden;
  later[1] = std::byte{2};
  later[3] = std::byte{2};
  later.push_back(std::byte{0x7f});
  auto decoded = decode_subscription_info(later);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded.value().version, 2);
  EXPECT_EQ(decoded.value().latest_supported_version, 2);
  EXPECT_EQ(decoded.value().task_offset_sums, sample_subscription().task_offset_sums);

  core::bytes later_assignment = assignment_golden;
  later_assignment[1] = std::byte{2};
  later_assignment[3] = std::byte{3};
  later_assignment.push_back(std::byte{1});
  auto assigned = decode_assignment_info(later_assignment);
  ASSERT_TRUE(assigned);
  EXPECT_EQ(assigned.value().active, sample_assignment().active);
  EXPECT_EQ(assigned.value().latest_supported_version, 3);
}

TEST(streams_protocol, malformed_payloads_fail) {
  auto with = [](core::bytes b, size_t at, std::initializer_list<uint8_t> bytes) {
    for (uint8_t v : bytes) b.at(at++) = std::byte{v};
    return b;
  };
  // Version 0, and a latest supported version below the version.
  EXPECT_FALSE(decode_subscription_info(with(subscription_golden, 0, {0, 0, 0, 0})));
  EXPECT_FALSE(decode_subscription_info(with(subscription_golden, 0, {0, 2, 0, 1})));
  // Version 1 with a byte left over.
  core::bytes trailing = subscription_golden;
  trailing.push_back(std::byte{0});
  EXPECT_FALSE(decode_subscription_info(trailing));
  // No threads.
  EXPECT_FALSE(decode_subscription_info(with(subscription_golden, 13, {0, 0, 0, 0})));
  // A negative task count.
  EXPECT_FALSE(decode_subscription_info(with(subscription_golden, 17, {0xff, 0xff, 0xff, 0xfe})));
  // An unknown error code, and a null (-1) task list.
  EXPECT_FALSE(decode_assignment_info(with(assignment_golden, 4, {0, 9})));
  EXPECT_FALSE(decode_assignment_info(with(assignment_golden, 6, {0xff, 0xff, 0xff, 0xff})));
  // A count far beyond the payload.
  EXPECT_FALSE(decode_assignment_info(with(assignment_golden, 6, {0x7f, 0xff, 0xff, 0xff})));
}

}  // namespace
}  // namespace sluice::runtime::detail
