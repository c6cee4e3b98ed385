#include "core/protocol/offset_delete.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

TEST(offset_delete, request_v0) {
  offset_delete_request m;
  m.group_id = "g";
  m.topics = {{"t", {{partition_id{0}}, {partition_id{2}}}}};
  check_golden(m,
               hex("00 01 'g'"            // group_id
                   "00 00 00 01"          // topics: 1
                   "00 01 't'"            //   name
                   "00 00 00 02"          //   partitions: 2
                   "00 00 00 00"          //     partition_index 0
                   "00 00 00 02"),        //     partition_index 2
               0);
}

TEST(offset_delete, response_v0) {
  offset_delete_response m;
  m.topics = {{"t", {{partition_id{0}, error_code::group_subscribed_to_topic}}}};
  check_golden(m,
               hex("00 00"                // error_code (before throttle here)
                   "00 00 00 00"          // throttle_time_ms
                   "00 00 00 01 00 01 't'"
                   "00 00 00 01"
                   "00 00 00 00 00 56"),  // GROUP_SUBSCRIBED_TO_TOPIC (86)
               0);
}

TEST(offset_delete, rejects_v1) {
  check_rejects_versions<offset_delete_request>({1});
}

}  // namespace
}  // namespace sluice::protocol
