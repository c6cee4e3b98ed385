#include "core/protocol/describe_producers.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(describe_producers, request_v0_flexible) {
  describe_producers_request m;
  m.topics = {{"t", {partition_id{0}, partition_id{2}}}};
  check_golden(m,
               hex("02"                              // topics: 1 (compact)
                   "02 't'"                          //   name (compact)
                   "03 00 00 00 00 00 00 00 02"      //   partition_indexes: 0, 2
                   "00"                              //   topic tags
                   "00"),                            // tags
               0);
}

TEST(describe_producers, request_v0_empty) {
  check_golden(describe_producers_request{}, hex("01 00"), 0);  // no topics, tags
}

TEST(describe_producers, response_v0_flexible) {
  describe_producers_response m;
  describe_producers_response::producer_state idempotent;
  idempotent.producer_id = producer_id{1000};
  idempotent.producer_epoch = 0;
  idempotent.last_sequence = 4;
  idempotent.last_timestamp = 1700000000000;
  describe_producers_response::producer_state transactional;
  transactional.producer_id = producer_id{1001};
  transactional.producer_epoch = 2;
  transactional.last_sequence = 9;
  transactional.last_timestamp = 1700000000123;
  transactional.coordinator_epoch = 0;
  transactional.current_txn_start_offset = offset{5};
  describe_producers_response::partition_response ok;
  ok.partition_index = partition_id{0};
  ok.active_producers = {idempotent, transactional};
  describe_producers_response::partition_response unknown;
  unknown.partition_index = partition_id{1};
  unknown.error_code = error_code::unknown_topic_or_partition;
  unknown.error_message = "gone";
  m.throttle_time_ms = 0;
  m.topics = {{"t", {ok, unknown}}};
  check_golden(m,
               hex("00 00 00 00"                     // throttle_time_ms
                   "02 02 't'"                       // topics: 1, name "t"
                   "03"                              //   partitions: 2
                   "00 00 00 00"                     //     partition_index 0
                   "00 00"                           //     error_code NONE
                   "00"                              //     error_message null (compact)
                   "03"                              //     active_producers: 2
                   "00 00 00 00 00 00 03 e8"         //       producer_id 1000
                   "00 00 00 00"                     //       producer_epoch 0 (int32)
                   "00 00 00 04"                     //       last_sequence 4
                   "00 00 01 8b cf e5 68 00"         //       last_timestamp 1700000000000
                   "ff ff ff ff"                     //       coordinator_epoch -1
                   "ff ff ff ff ff ff ff ff"         //       current_txn_start_offset -1
                   "00"                              //       tags
                   "00 00 00 00 00 00 03 e9"         //       producer_id 1001
                   "00 00 00 02"                     //       producer_epoch 2
                   "00 00 00 09"                     //       last_sequence 9
                   "00 00 01 8b cf e5 68 7b"         //       last_timestamp 1700000000123
                   "00 00 00 00"                     //       coordinator_epoch 0
                   "00 00 00 00 00 00 00 05"         //       current_txn_start_offset 5
                   "00"                              //       tags
                   "00"                              //     partition tags
                   "00 00 00 01"                     //     partition_index 1
                   "00 03"                           //     UNKNOWN_TOPIC_OR_PARTITION
                   "05 'gone'"                       //     error_message (compact)
                   "01"                              //     active_producers: none
                   "00"                              //     partition tags
                   "00"                              //   topic tags
                   "00"),                            // tags
               0);
}

TEST(describe_producers, rejects_v1) {
  check_rejects_versions<describe_producers_request>({1, -1});
  check_rejects_versions<describe_producers_response>({1, -1});
}

}  // namespace
}  // namespace sluice::protocol
