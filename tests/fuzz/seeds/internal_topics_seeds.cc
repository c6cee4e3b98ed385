// Seeds for the `internal_topics` target: `__consumer_offsets` and `__transaction_state`
// records of every kind, each after its selector byte (tests/fuzz/internal_topics.cc).

#include "broker/group/log_format.h"
#include "broker/txn/log_format.h"
#include "tests/fuzz/seed_writer.h"

#include <gtest/gtest.h>

namespace sluice::fuzz {
namespace {

namespace group = broker::group;
namespace txn = broker::txn;

void write(uint8_t selector, const core::bytes& record) {
  core::bytes seed{static_cast<std::byte>(selector)};
  seed.insert(seed.end(), record.begin(), record.end());
  write_seed("internal_topics", seed);
}

TEST(fuzz_seeds, consumer_offsets_records) {
  const group::offset_key ok{"group", {"topic", core::partition_id{3}}};
  const group::group_key gk{"group"};
  EXPECT_EQ(std::get<group::offset_key>(group::decode_key(group::encode_key(ok)).value()), ok);
  EXPECT_EQ(std::get<group::group_key>(group::decode_key(group::encode_key(gk)).value()), gk);
  write(0, group::encode_key(ok));
  write(0, group::encode_key(gk));

  group::offset_value ov;
  ov.offset = 42;
  ov.leader_epoch = 3;
  ov.metadata = "meta";
  ov.commit_timestamp_ms = 1'700'000'000'000;
  EXPECT_EQ(group::decode_offset_value(group::encode_value(ov)).value(), ov);
  write(1, group::encode_value(ov));

  group::group_value gv;
  gv.protocol_type = "consumer";
  gv.generation = 4;
  gv.protocol_name = "range";
  gv.leader = "m1";
  gv.state_timestamp_ms = 1'700'000'000'000;
  group::member_value m;
  m.member_id = "m1";
  m.instance_id = "i1";
  m.client_id = "c";
  m.client_host = "/127.0.0.1";
  m.session_timeout_ms = 10000;
  m.rebalance_timeout_ms = 30000;
  m.assignment = core::to_bytes("assignment");
  gv.members.push_back(m);
  m.member_id = "m2";
  m.instance_id.reset();
  gv.members.push_back(m);
  EXPECT_EQ(group::decode_group_value(group::encode_value(gv)).value(), gv);
  write(2, group::encode_value(gv));
  write(2, group::encode_value(group::group_value{}));
}

TEST(fuzz_seeds, transaction_state_records) {
  EXPECT_EQ(txn::decode_txn_key(txn::encode_txn_key("tx")).value(), "tx");
  write(3, txn::encode_txn_key("tx"));
  txn::txn_metadata m;
  m.producer_id = core::producer_id{7};
  m.producer_epoch = core::producer_epoch{2};
  m.state = txn::txn_state::ongoing;
  m.start_ms = 1'700'000'000'000;
  m.update_ms = 1'700'000'000'005;
  m.partitions.insert({"topic", core::partition_id{0}});
  m.partitions.insert({"topic", core::partition_id{1}});
  EXPECT_EQ(txn::decode_txn_value(txn::encode_txn_value(m)).value(), m);
  write(4, txn::encode_txn_value(m));
  write(4, txn::encode_txn_value(txn::txn_metadata{}));
}

}  // namespace
}  // namespace sluice::fuzz
