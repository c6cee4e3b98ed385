// The last stable offset and aborted transactions as real librdkafka consumers see them: batches
// and markers are written straight into a partition log of an in-process broker (what the
// transaction coordinator and transactional producers do), then read back through Fetch and
// ListOffsets with both isolation levels.

#include "tests/integration/broker_fixture.h"

#include "core/protocol/records.h"
#include "broker/storage/log_manager.h"

namespace sluice::testing {
namespace {

namespace protocol = ::sluice::protocol;

core::bytes batch(const std::vector<std::string>& values, int64_t pid, int32_t seq,
                  bool transactional) {
  std::vector<core::raw_record> records;
  for (const auto& v : values) {
    core::raw_record r;
    r.value = core::to_bytes(v);
    r.ts = core::from_epoch_ms(1'700'000'000'000);
    records.push_back(std::move(r));
  }
  protocol::record_batch_options o;
  o.producer_id = core::producer_id{pid};
  o.producer_epoch = core::producer_epoch{0};
  o.base_sequence = seq;
  o.transactional = transactional;
  auto b = protocol::encode_record_batch(records, o);
  EXPECT_TRUE(b);
  return std::move(b).value();
}

std::vector<std::string> values(const std::vector<consumed>& got) {
  std::vector<std::string> out;
  for (const auto& c : got) out.push_back(c.value.value_or("<null>"));
  return out;
}

class read_committed : public broker_test {};

TEST_F(read_committed, consumers_stop_at_the_lso_and_skip_aborted_records) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  auto plog = _broker->logs().get({t, core::partition_id{0}});
  ASSERT_TRUE(plog);
  ASSERT_TRUE(plog->append(batch({"aborted-0", "aborted-1"}, 1, 0, true)));  // 0-1
  ASSERT_TRUE(plog->append(batch({"plain-0"}, -1, -1, false)));              // 2
  ASSERT_TRUE(plog->append(batch({"committed-0"}, 2, 0, true)));             // 3

  // Producer 1's transaction is open at offset 0: read_committed ends there.
  EXPECT_EQ(end_offset(bootstrap(), t, "read_committed"), 0);
  EXPECT_EQ(end_offset(bootstrap(), t, "read_uncommitted"), 4);

  ASSERT_TRUE(plog->append_marker(core::producer_id{1}, core::producer_epoch{0}, false, 0));  // 4: abort
  EXPECT_EQ(end_offset(bootstrap(), t, "read_committed"), 3);           // producer 2 still open
  ASSERT_TRUE(plog->append_marker(core::producer_id{2}, core::producer_epoch{0}, true, 0));   // 5: commit
  ASSERT_TRUE(plog->append(batch({"plain-1"}, -1, -1, false)));         // 6
  EXPECT_EQ(end_offset(bootstrap(), t, "read_committed"), 7);

  auto committed = consume(t, {0}, 3, std::chrono::seconds(20), {{"isolation.level", "read_committed"}});
  EXPECT_EQ(values(committed), (std::vector<std::string>{"plain-0", "committed-0", "plain-1"}));
  auto all = consume(t, {0}, 5, std::chrono::seconds(20), {{"isolation.level", "read_uncommitted"}});
  EXPECT_EQ(values(all), (std::vector<std::string>{"aborted-0", "aborted-1", "plain-0", "committed-0",
                                                   "plain-1"}));
}

TEST_F(read_committed, open_transactions_and_aborts_survive_a_restart) {
  auto t = topic();
  ASSERT_EQ(create_topic(t, 1), RdKafka::ERR_NO_ERROR);
  {
    auto plog = _broker->logs().get({t, core::partition_id{0}});
    ASSERT_TRUE(plog->append(batch({"aborted"}, 1, 0, true)));   // 0
    ASSERT_TRUE(plog->append_marker(core::producer_id{1}, core::producer_epoch{0}, false, 0));  // 1
    ASSERT_TRUE(plog->append(batch({"pending"}, 2, 0, true)));   // 2: open
    ASSERT_TRUE(plog->append(batch({"plain"}, -1, -1, false)));  // 3
  }
  stop_broker();
  start_broker();
  EXPECT_EQ(end_offset(bootstrap(), t, "read_committed"), 2);
  auto plog = _broker->logs().get({t, core::partition_id{0}});
  ASSERT_TRUE(plog->append_marker(core::producer_id{2}, core::producer_epoch{0}, true, 0));  // 4
  auto committed = consume(t, {0}, 2, std::chrono::seconds(20), {{"isolation.level", "read_committed"}});
  EXPECT_EQ(values(committed), (std::vector<std::string>{"pending", "plain"}));
}

}  // namespace
}  // namespace sluice::testing
