// The __transaction_state record format — Kafka's TransactionLogKey and TransactionLogValue:
// exact bytes of what is written (v1), v0 and v1 read from hand-written bytes (by the
// schemas), Kafka's states beyond ours, and refusal of what cannot be read.

#include "broker/txn/log_format.h"

#include "broker/txn/errc.h"
#include "tests/core/protocol/golden.h"

#include <gtest/gtest.h>

namespace sluice::broker::txn {
namespace {

using protocol::test::hex;

txn_metadata ongoing() {
  txn_metadata m;
  m.producer_id = core::producer_id{5};
  m.producer_epoch = core::producer_epoch{1};
  m.timeout_ms = 60000;
  m.state = txn_state::ongoing;
  m.partitions = {{"t", core::partition_id{0}}, {"t", core::partition_id{2}}, {"u", core::partition_id{1}}};
  m.update_ms = 2;
  m.start_ms = 1;
  return m;
}

txn_metadata value_of(core::bytes_view b) {
  auto v = decode_txn_value(b);
  EXPECT_TRUE(v && v.value()) << "undecodable, or Dead";
  return v && v.value() ? *v.value() : txn_metadata{};
}

TEST(txn_log_format, key_is_version_0_and_the_transactional_id) {
  EXPECT_EQ(encode_txn_key("tx"), hex("00 00"       // version 0
                                      "00 02 'tx'"));  // transactional id
  EXPECT_EQ(decode_txn_key(hex("00 00 00 02 'tx'")).value(), "tx");
  EXPECT_EQ(decode_txn_key(hex("00 01 00 02 'tx'")).error(), errc::corrupt_log);
  EXPECT_EQ(decode_txn_key(hex("00 00 00 02 'tx' 00")).error(), errc::corrupt_log);
}

TEST(txn_log_format, value_is_written_as_v1_with_partitions_grouped_by_topic) {
  const auto m = ongoing();
  const auto bytes = encode_txn_value(m);
  EXPECT_EQ(bytes, hex("00 01"                     // version 1 (flexible)
                       "00 00 00 00 00 00 00 05"   // producer id
                       "00 01"                     // producer epoch
                       "00 00 ea 60"               // timeout 60000
                       "01"                        // Ongoing
                       "03"                        // two topics (compact array):
                       "02 't'"                    //   topic
                       "03 00 00 00 00 00 00 00 02"  //   partition ids 0, 2
                       "00"                        //   no tagged fields
                       "02 'u' 02 00 00 00 01 00"  //   topic u: partition 1
                       "00 00 00 00 00 00 00 02"   // last update
                       "00 00 00 00 00 00 00 01"   // start
                       "00"));                     // no tagged fields
  EXPECT_EQ(value_of(bytes), m);
}

TEST(txn_log_format, client_transaction_version_is_tag_2) {
  auto m = ongoing();
  m.partitions = {{"t", core::partition_id{0}}};
  m.state = txn_state::prepare_commit;
  m.client_transaction_version = 2;
  const auto bytes = encode_txn_value(m);
  EXPECT_EQ(bytes, hex("00 01 00 00 00 00 00 00 00 05 00 01 00 00 ea 60"
                       "02"                          // PrepareCommit
                       "02 02 't' 02 00 00 00 00 00"  // t: 0
                       "00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 01"
                       "01"                          // one tagged field:
                       "02 02"                       //   tag 2, 2 bytes
                       "00 02"));                    //   ClientTransactionVersion 2
  EXPECT_EQ(value_of(bytes), m);
}

TEST(txn_log_format, an_empty_transaction_has_null_partitions) {
  txn_metadata m;
  m.producer_id = core::producer_id{5};
  m.producer_epoch = core::producer_epoch{0};
  m.state = txn_state::empty;
  m.update_ms = 2;
  const auto bytes = encode_txn_value(m);
  EXPECT_EQ(bytes, hex("00 01 00 00 00 00 00 00 00 05 00 00 00 00 ea 60"
                       "00"                        // Empty
                       "00"                        // null partitions
                       "00 00 00 00 00 00 00 02"   // last update
                       "ff ff ff ff ff ff ff ff"   // start: none
                       "00"));
  EXPECT_EQ(value_of(bytes), m);
}

TEST(txn_log_format, version_0_is_read) {
  // Kafka 0.11–3.x (and 4.x with transaction.version 0): classic strings and arrays.
  auto expected = ongoing();
  EXPECT_EQ(value_of(hex("00 00"                      // version 0
                         "00 00 00 00 00 00 00 05 00 01 00 00 ea 60 01"
                         "00 00 00 02"                // two topics
                         "00 01 't' 00 00 00 02 00 00 00 00 00 00 00 02"
                         "00 01 'u' 00 00 00 01 00 00 00 01"
                         "00 00 00 00 00 00 00 02"    // last update
                         "00 00 00 00 00 00 00 01")), // start
            expected);
  // Empty, with null partitions.
  txn_metadata empty;
  empty.producer_id = core::producer_id{5};
  empty.producer_epoch = core::producer_epoch{0};
  empty.update_ms = 2;
  EXPECT_EQ(value_of(hex("00 00 00 00 00 00 00 00 00 05 00 00 00 00 ea 60 00 ff ff ff ff"
                         "00 00 00 00 00 00 00 02 ff ff ff ff ff ff ff ff")),
            empty);
}

TEST(txn_log_format, kafka_4_tags_are_read_or_skipped) {
  auto expected = ongoing();
  expected.partitions = {};
  expected.state = txn_state::complete_commit;
  expected.client_transaction_version = 2;
  EXPECT_EQ(value_of(hex("00 01 00 00 00 00 00 00 00 05 00 01 00 00 ea 60 04"
                         "01"                                  // no partitions (empty array)
                         "00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 01"
                         "04"                                  // four tagged fields:
                         "00 08 00 00 00 00 00 00 00 04"       //   previous producer id 4
                         "01 08 00 00 00 00 00 00 00 06"       //   next producer id 6
                         "02 02 00 02"                         //   client transaction version 2
                         "03 02 00 00")),                      //   next producer epoch (4.1) 0
            expected);
}

TEST(txn_log_format, kafkas_other_states) {
  // Dead (6): the id expired; a tombstone follows. Read as "forget it".
  auto dead = decode_txn_value(hex("00 01 00 00 00 00 00 00 00 05 00 01 00 00 ea 60 06 00"
                                   "00 00 00 00 00 00 00 02 ff ff ff ff ff ff ff ff 00"));
  ASSERT_TRUE(dead);
  EXPECT_FALSE(dead.value().has_value());
  // PrepareEpochFence (7), never written by Kafka: the abort it leads to.
  EXPECT_EQ(value_of(hex("00 01 00 00 00 00 00 00 00 05 00 01 00 00 ea 60 07 01"
                         "00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 01 00"))
                .state,
            txn_state::prepare_abort);
  EXPECT_EQ(decode_txn_value(hex("00 01 00 00 00 00 00 00 00 05 00 01 00 00 ea 60 08 01"
                                 "00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 01 00"))
                .error(),
            errc::corrupt_log);
}

TEST(txn_log_format, unreadable_values_are_refused) {
  EXPECT_EQ(decode_txn_value(hex("00 02 00 00 00 00 00 00 00 05 00 01 00 00 ea 60 01 01"
                                 "00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 01 00"))
                .error(),
            errc::corrupt_log);  // v2 does not exist
  const auto bytes = encode_txn_value(ongoing());
  for (size_t n = 0; n < bytes.size(); ++n) {
    EXPECT_FALSE(decode_txn_value(core::bytes_view(bytes).first(n))) << n;
  }
  auto longer = bytes;
  longer.push_back(std::byte{0});
  EXPECT_FALSE(decode_txn_value(longer));
}

}  // namespace
}  // namespace sluice::broker::txn
