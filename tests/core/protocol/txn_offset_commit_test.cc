#include "core/protocol/txn_offset_commit.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

txn_offset_commit_request request_for(int16_t v) {
  txn_offset_commit_request m;
  m.transactional_id = "tx";
  m.group_id = "g";
  m.producer_id = producer_id{5};
  m.producer_epoch = producer_epoch{2};
  if (v >= 3) {
    m.generation_id = 1;
    m.member_id = "m1";
  }
  txn_offset_commit_request::txn_offset_commit_request_partition p;
  p.partition_index = partition_id{0};
  p.committed_offset = offset{100};
  p.committed_metadata = "";
  if (v >= 2) p.committed_leader_epoch = 0;
  m.topics = {{"t", {p}}};
  return m;
}

TEST(txn_offset_commit, request_v0_v1) {
  const auto golden = hex("00 02 'tx'"                // transactional_id
                          "00 01 'g'"                 // group_id
                          "00 00 00 00 00 00 00 05"   // producer_id
                          "00 02"                     // producer_epoch
                          "00 00 00 01"               // topics: 1
                          "00 01 't'"                 //   name
                          "00 00 00 01"               //   partitions: 1
                          "00 00 00 00"               //     partition_index
                          "00 00 00 00 00 00 00 64"   //     committed_offset 100
                          "00 00");                   //     committed_metadata ""
  check_golden(request_for(0), golden, 0);
  check_golden(request_for(1), golden, 1);
}

TEST(txn_offset_commit, request_v2) {
  check_golden(request_for(2),
               hex("00 02 'tx' 00 01 'g' 00 00 00 00 00 00 00 05 00 02"
                   "00 00 00 01 00 01 't' 00 00 00 01"
                   "00 00 00 00 00 00 00 00 00 00 00 64"
                   "00 00 00 00"             //     committed_leader_epoch 0 (v2+)
                   "00 00"),
               2);
}

TEST(txn_offset_commit, request_v3_to_v5_are_flexible) {
  // v4 and v5 have v3's wire format.
  const auto golden = hex("03 'tx'"                      // transactional_id (compact)
                          "02 'g'"                       // group_id
                          "00 00 00 00 00 00 00 05"      // producer_id
                          "00 02"                        // producer_epoch
                          "00 00 00 01"                  // generation_id 1 (v3+)
                          "03 'm1'"                      // member_id (v3+)
                          "00"                           // group_instance_id null (v3+)
                          "02"                           // topics: 1
                          "02 't'"                       //   name
                          "02"                           //   partitions: 1
                          "00 00 00 00"                  //     partition_index
                          "00 00 00 00 00 00 00 64"      //     committed_offset
                          "00 00 00 00"                  //     committed_leader_epoch
                          "01"                           //     committed_metadata ""
                          "00"                           //     tags
                          "00"                           //   tags
                          "00");                         // tags
  for (int16_t v = 3; v <= 5; ++v) check_golden(request_for(v), golden, v);
}

txn_offset_commit_response response() {
  txn_offset_commit_response m;
  m.topics = {{"t", {{partition_id{0}, error_code::none},
                     {partition_id{1}, error_code::unknown_member_id}}}};
  return m;
}

TEST(txn_offset_commit, response_v0_to_v2) {
  const auto golden = hex("00 00 00 00"               // throttle_time_ms
                          "00 00 00 01 00 01 't'"     // topics: 1, name
                          "00 00 00 02"               //   partitions: 2
                          "00 00 00 00 00 00"         //     0: NONE
                          "00 00 00 01 00 19");       //     1: UNKNOWN_MEMBER_ID
  for (int16_t v = 0; v <= 2; ++v) check_golden(response(), golden, v);
}

TEST(txn_offset_commit, response_v3_to_v5_are_flexible) {
  const auto golden = hex("00 00 00 00"
                          "02 02 't'"                    // topics: 1, name (compact)
                          "03"                           //   partitions: 2
                          "00 00 00 00 00 00 00"         //     0: NONE, tags
                          "00 00 00 01 00 19 00"         //     1: UNKNOWN_MEMBER_ID, tags
                          "00"                           //   tags
                          "00");                         // tags
  for (int16_t v = 3; v <= 5; ++v) check_golden(response(), golden, v);
}

TEST(txn_offset_commit, rejects_v6) {
  check_rejects_versions<txn_offset_commit_request>({-1, 6});
  check_rejects_versions<txn_offset_commit_response>({6});
}

}  // namespace
}  // namespace sluice::protocol
