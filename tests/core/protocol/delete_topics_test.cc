#include "core/protocol/delete_topics.h"

#include "golden.h"

#include <gtest/gtest.h>

namespace sluice::protocol {
namespace {

uuid id_of(uint8_t first) {
  uuid id;
  id.value[0] = first;
  id.value[15] = 0xff;
  return id;
}

delete_topics_request request_by_names() {
  delete_topics_request m;
  m.topic_names = {"a", "bc"};
  m.timeout_ms = 1000;
  return m;
}

TEST(delete_topics, request_v0_to_v3) {
  const auto golden = hex("00 00 00 02"   // topic_names: 2
                          "00 01 'a'"
                          "00 02 'bc'"
                          "00 00 03 e8"); // timeout_ms 1000
  for (int16_t v = 0; v <= 3; ++v) check_golden(request_by_names(), golden, v);
}

TEST(delete_topics, request_v4_v5_are_flexible) {
  const auto golden = hex("03"            // topic_names: 2 (compact)
                          "02 'a'"
                          "03 'bc'"
                          "00 00 03 e8"   // timeout_ms
                          "00");          // tags
  check_golden(request_by_names(), golden, 4);
  check_golden(request_by_names(), golden, 5);
}

TEST(delete_topics, request_v6_names_topics_by_name_or_id) {
  delete_topics_request m;
  m.topics = {{"a", uuid{}}, {std::nullopt, id_of(0x42)}};
  m.timeout_ms = 1000;
  check_golden(m,
               hex("03"                                                // topics: 2
                   "02 'a'"                                            //   name
                   "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"   //   topic_id: none
                   "00"                                                //   tags
                   "00"                                                //   name: null
                   "42 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ff"   //   topic_id
                   "00"                                                //   tags
                   "00 00 03 e8"                                       // timeout_ms
                   "00"),                                              // tags
               6);
}

delete_topics_response response_for(int16_t v) {
  delete_topics_response m;
  m.responses = {{"a", uuid{}, error_code::none, std::nullopt},
                 {"bc", uuid{}, error_code::unknown_topic_or_partition, std::nullopt}};
  if (v >= 1) m.throttle_time_ms = 7;
  if (v >= 5) m.responses[1].error_message = "gone";
  if (v >= 6) {
    m.responses[0].topic_id = id_of(0x11);
    m.responses.push_back({std::nullopt, id_of(0x42), error_code::unknown_topic_id, "no id"});
  }
  return m;
}

TEST(delete_topics, response_v0) {
  check_golden(response_for(0),
               hex("00 00 00 02"        // responses: 2
                   "00 01 'a' 00 00"    //   name, error_code
                   "00 02 'bc' 00 03"), //   UNKNOWN_TOPIC_OR_PARTITION
               0);
}

TEST(delete_topics, response_v1_to_v3) {
  const auto golden = hex("00 00 00 07"   // throttle_time_ms (v1+)
                          "00 00 00 02 00 01 'a' 00 00 00 02 'bc' 00 03");
  for (int16_t v = 1; v <= 3; ++v) check_golden(response_for(v), golden, v);
}

TEST(delete_topics, response_v4_is_flexible) {
  check_golden(response_for(4),
               hex("00 00 00 07"
                   "03"                 // responses: 2 (compact)
                   "02 'a' 00 00 00"    //   name, error_code, tags
                   "03 'bc' 00 03 00"
                   "00"),               // tags
               4);
}

TEST(delete_topics, response_v5_adds_error_message) {
  check_golden(response_for(5),
               hex("00 00 00 07"
                   "03"
                   "02 'a' 00 00"
                   "00"                 //   error_message: null (v5+)
                   "00"
                   "03 'bc' 00 03"
                   "05 'gone'"          //   error_message
                   "00"
                   "00"),
               5);
}

TEST(delete_topics, response_v6_adds_topic_ids_and_null_names) {
  check_golden(response_for(6),
               hex("00 00 00 07"
                   "04"                                                // responses: 3
                   "02 'a'"                                            //   name
                   "11 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ff"   //   topic_id (v6+)
                   "00 00 00 00"                                       //   error, message, tags
                   "03 'bc'"
                   "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
                   "00 03 05 'gone' 00"
                   "00"                                                //   name: null (v6+)
                   "42 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ff"
                   "00 64"                                             //   UNKNOWN_TOPIC_ID (100)
                   "06 'no id' 00"
                   "00"),
               6);
}

TEST(delete_topics, rejects_v7) {
  check_rejects_versions<delete_topics_request>({7});
  check_rejects_versions<delete_topics_response>({7});
}

}  // namespace
}  // namespace sluice::protocol
